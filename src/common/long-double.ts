// Redis computes INCRBYFLOAT in C `long double`, which on x86-64 is the x87 80-bit extended
// format: a 64-bit significand, binary exponents down to 2^-16445 (subnormal) and up to just
// under 2^16384. Its replies come from strtold (correctly rounded) and printf("%.17Lf") with
// trailing zeros removed. This module reproduces those three steps exactly with BigInt, so
// 0.2 + 0.1 answers '0.3' and 1000.1 answers '1000.09999999999999998', as Redis does.

/** ±mant · 2^exp; mant is 0 for zero. */
export interface LongDouble {
  neg: boolean;
  mant: bigint;
  exp: number;
}

/** A parsed value: finite, or an infinity ('inf'/'-inf' were typed). */
export type ParsedLongDouble = LongDouble | { inf: true; neg: boolean };

const MANT_BITS = 64;
/** Exponent of the least significant bit of the smallest subnormal. */
const MIN_LSB_EXP = -16445;
/** Finite values are below 2^MAX_BIT_EXP. */
const MAX_BIT_EXP = 16384;
/** Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses texts this long or longer. */
const MAX_TEXT = 5 * 1024;
const FRACTION_DIGITS = 17;

const bitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length);

/**
 * Rounds ±(p/q)·2^e2 (p ≥ 0, q > 0) to the nearest long double, ties to even; null on overflow.
 */
function roundRational(neg: boolean, p: bigint, q: bigint, e2: number): LongDouble | null {
  if (p === 0n) return { neg, mant: 0n, exp: 0 };
  // scale so the integer quotient has 66 or 67 bits: two or three bits below the significand
  const s = MANT_BITS + 2 - (bitLength(p) - bitLength(q));
  const num = s >= 0 ? p << BigInt(s) : p;
  const den = s >= 0 ? q : q << BigInt(-s);
  const quo = num / den;
  const sticky = num - quo * den !== 0n;
  const lsbExp = e2 - s; // exponent of quo's last bit
  let drop = Math.max(bitLength(quo) - MANT_BITS, MIN_LSB_EXP - lsbExp);
  let mant: bigint;
  if (drop > bitLength(quo) + 1) {
    mant = 0n; // far below half the smallest subnormal
  } else {
    const d = BigInt(drop);
    mant = quo >> d;
    const low = quo - (mant << d);
    const half = 1n << (d - 1n);
    if (low > half || (low === half && (sticky || (mant & 1n) === 1n))) mant += 1n;
  }
  let exp = lsbExp + drop;
  if (mant === 1n << BigInt(MANT_BITS)) {
    mant >>= 1n;
    exp += 1;
  }
  if (mant !== 0n && bitLength(mant) + exp > MAX_BIT_EXP) return null;
  return { neg, mant, exp: mant === 0n ? 0 : exp };
}

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^([+-]?)inf(?:inity)?$/i;

/** An exponent text as a number, clamped far outside any range that matters. */
const clampExp = (t: string | undefined): number => {
  if (!t) return 0;
  const n = BigInt(t);
  return n > 1_000_000n ? 1_000_000 : n < -1_000_000n ? -1_000_000 : Number(n);
};

/**
 * Redis's string2ld: strtold over the whole text, no leading space, no NaN; an overflow, or an
 * underflow to zero, is refused. Returns null for an invalid text.
 */
export function parseLongDouble(text: string): ParsedLongDouble | null {
  if (text.length === 0 || text.length >= MAX_TEXT) return null;
  let m = INF_RE.exec(text);
  if (m) return { inf: true, neg: m[1] === '-' };
  m = HEX_RE.exec(text);
  if (m) {
    const [, sign, int, frac = ''] = m;
    if (int.length + frac.length === 0) return null;
    const digits = BigInt('0x' + (int + frac || '0'));
    const e2 = clampExp(m[4]) - 4 * frac.length;
    if (digits === 0n) return { neg: sign === '-', mant: 0n, exp: 0 };
    const top = bitLength(digits) + e2;
    if (top > MAX_BIT_EXP + 1) return null;
    if (top < MIN_LSB_EXP - 2) return null; // rounds to zero: ERANGE
    const v = roundRational(sign === '-', digits, 1n, e2);
    return v && v.mant !== 0n ? v : null;
  }
  m = DECIMAL_RE.exec(text);
  if (!m) return null;
  const [, sign, int, frac = ''] = m;
  if (int.length + frac.length === 0) return null;
  const all = (int + frac).replace(/^0+/, '');
  if (all.length === 0) return { neg: sign === '-', mant: 0n, exp: 0 };
  const e10 = clampExp(m[4]) - frac.length;
  // the value lies in [10^(all.length - 1 + e10), 10^(all.length + e10))
  if (all.length - 1 + e10 > 4933) return null; // above LDBL_MAX ≈ 1.19e4932
  if (all.length + e10 < -4952) return null; // below half the smallest subnormal ≈ 1.8e-4951
  const digits = BigInt(all);
  const v = e10 >= 0
    ? roundRational(sign === '-', digits * 10n ** BigInt(e10), 1n, 0)
    : roundRational(sign === '-', digits, 10n ** BigInt(-e10), 0);
  return v && v.mant !== 0n ? v : null;
}

/** a + b rounded to a long double; null when the sum overflows. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.mant === 0n && b.mant === 0n) return { neg: a.neg && b.neg, mant: 0n, exp: 0 };
  if (a.mant === 0n) return b;
  if (b.mant === 0n) return a;
  const e = Math.min(a.exp, b.exp);
  const sa = (a.neg ? -a.mant : a.mant) << BigInt(a.exp - e);
  const sb = (b.neg ? -b.mant : b.mant) << BigInt(b.exp - e);
  const sum = sa + sb;
  return roundRational(sum < 0n, sum < 0n ? -sum : sum, 1n, e);
}

/** printf("%.<digits>Lf"): exactly rounded, ties to even, the sign kept ("-0.000000"). */
export function formatLongDoubleFixed(v: LongDouble, digits: number): string {
  let text: string;
  if (v.exp >= 0) {
    text = (v.mant << BigInt(v.exp)).toString() + (digits > 0 ? `.${'0'.repeat(digits)}` : '');
  } else {
    const k = BigInt(-v.exp);
    const scaled = v.mant * 10n ** BigInt(digits);
    let q = scaled >> k;
    const low = scaled - (q << k);
    const half = 1n << (k - 1n);
    if (low > half || (low === half && (q & 1n) === 1n)) q += 1n;
    const s = q.toString().padStart(digits + 1, '0');
    text = digits > 0 ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
  }
  return v.neg ? `-${text}` : text;
}

/** Redis's ld2string(LD_STR_HUMAN): printf("%.17Lf"), trailing zeros and '.' removed, never "-0". */
export function formatLongDoubleHuman(v: LongDouble): string {
  const text = formatLongDoubleFixed(v, FRACTION_DIGITS).replace(/0+$/, '').replace(/\.$/, '');
  return text === '-0' ? '0' : text;
}

/** The exact value of a finite double as a LongDouble (every double is one). */
export function longDoubleOfDouble(d: number): LongDouble {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const neg = (view.getUint8(0) & 0x80) !== 0;
  const biased = (view.getUint16(0) >> 4) & 0x7ff;
  const frac = (BigInt(view.getUint32(0) & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased === 0) return { neg, mant: frac, exp: frac === 0n ? 0 : -1074 };
  return { neg, mant: frac | (1n << 52n), exp: biased - 1075 };
}

/** C's printf("%.<digits>f") of a double, "inf"/"-inf"/"nan" included. */
export function formatDoubleFixed(d: number, digits: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : '-inf';
  return formatLongDoubleFixed(longDoubleOfDouble(d), digits);
}
