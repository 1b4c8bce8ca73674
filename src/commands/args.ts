// Strict argument parsing as Redis does it (string2ll, strtold checks).
import { CommandError, ERR_NOT_FLOAT, ERR_NOT_INTEGER } from '../common/errors';
import { RANDOM_REPEATS_MAX } from '../common/limits';

// As string2ll: "-0" is not an integer.
const INT_RE = /^(0|-?[1-9][0-9]*)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A 64-bit integer as BigInt, or undefined when the text is not one. */
export function parseInt64(b: Buffer | string): bigint | undefined {
  const s = typeof b === 'string' ? b : b.toString('latin1');
  if (s.length === 0 || s.length > 20 || !INT_RE.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** A safe JS integer argument or a Redis "not an integer" error. */
export function intArg(b: Buffer, err = ERR_NOT_INTEGER): number {
  const n = parseInt64(b);
  if (n === undefined || n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) throw new CommandError(err);
  return Number(n);
}

/** Redis's getRangeLongFromObjectOrReply with its texts; `msg` replaces both errors when given. */
export function rangeLong(b: Buffer, min: bigint, max: bigint, msg?: string): bigint {
  const n = parseInt64(b);
  if (n === undefined) throw new CommandError(msg ?? ERR_NOT_INTEGER);
  if (n < min || n > max) throw new CommandError(msg ?? `ERR value is out of range, value must between ${min} and ${max}`);
  return n;
}

/** Redis's getIntFromObjectOrReply: a C int, with its texts (SELECT, MOVE and COPY's database). */
export function cIntArg(b: Buffer): number {
  return Number(rangeLong(b, -(2n ** 31n), 2n ** 31n - 1n));
}

/** A random-member command's negative count `l` as its number of picks, refused past RANDOM_REPEATS_MAX. */
export function repeatsCount(l: bigint): number {
  if (-l > BigInt(RANDOM_REPEATS_MAX)) throw new CommandError('ERR value is out of range');
  return Number(-l);
}

export function bigIntArg(b: Buffer, err = ERR_NOT_INTEGER): bigint {
  const n = parseInt64(b);
  if (n === undefined) throw new CommandError(err);
  return n;
}

const LEADING_SPACE = /^[ \t\n\v\f\r]*/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEXADECIMAL = /^([+-]?)0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP]([+-]?\d+))?/;
const INFINITY = /^[+-]?inf(?:inity)?/i;
const NOT_A_NUMBER = /^[+-]?nan(?:\([0-9A-Za-z_]*\))?/i;

const DBL_MIN = 2.2250738585072014e-308;

/**
 * C's strtod over `s`: the value, the characters it read (0 when none) and whether glibc sets
 * ERANGE (overflow, or nonzero digits below the smallest normal double), so each Redis parser
 * can apply its own checks.
 */
export function strtod(s: string): { value: number; used: number; erange: boolean } {
  const lead = LEADING_SPACE.exec(s)![0].length;
  const t = s.slice(lead);
  let m = HEXADECIMAL.exec(t);
  if (m) {
    const [int, frac = ''] = m[2].split('.');
    const digits = (int + frac).replace(/^0+/, '');
    const exp = Number(m[3] ?? 0) - 4 * frac.length;
    // scaled in two steps so an exponent past the double range does not underflow a long mantissa
    const mant = digits ? Number(BigInt('0x' + digits)) : 0;
    const half = Math.trunc(exp / 2);
    const value = (m[1] === '-' ? -1 : 1) * mant * 2 ** half * 2 ** (exp - half);
    return { value, used: lead + m[0].length, erange: !Number.isFinite(value) || (digits !== '' && Math.abs(value) < DBL_MIN) };
  }
  if ((m = INFINITY.exec(t))) return { value: t[0] === '-' ? -Infinity : Infinity, used: lead + m[0].length, erange: false };
  if ((m = NOT_A_NUMBER.exec(t))) return { value: NaN, used: lead + m[0].length, erange: false };
  if ((m = DECIMAL.exec(t))) {
    const value = Number(m[0]);
    const nonZero = /[1-9]/.test(m[0].split(/[eE]/)[0]);
    return { value, used: lead + m[0].length, erange: !Number.isFinite(value) || (nonZero && Math.abs(value) < DBL_MIN) };
  }
  return { value: 0, used: 0, erange: false };
}

/**
 * A double as Redis's string2d reads it (ZADD scores, weights, GEO coordinates, timeouts):
 * strtod over the whole text, hex and inf included; no leading space, NaN, overflow or
 * underflow to zero.
 */
export function parseFloatArg(b: Buffer | string): number | undefined {
  const s = typeof b === 'string' ? b : b.toString('latin1');
  if (s.length === 0 || LEADING_SPACE.exec(s)![0].length > 0) return undefined;
  const r = strtod(s);
  // string2d refuses ERANGE only where it overflowed or underflowed to zero: subnormals pass
  const outOfRange = r.erange && (r.value === 0 || !Number.isFinite(r.value));
  return r.used !== s.length || outOfRange || Number.isNaN(r.value) ? undefined : r.value;
}

/**
 * A score range bound as Redis's zslParseRange reads it: plain strtod up to the first NUL, so
 * leading spaces, hex and an empty text (strtod reads nothing and stops at its end: 0) pass;
 * NaN and trailing characters do not.
 */
export function parseRangeFloat(b: Buffer): number | undefined {
  let s = b.toString('latin1');
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  const r = strtod(s);
  return r.used !== s.length || Number.isNaN(r.value) ? undefined : r.value;
}

export function floatArg(b: Buffer, err = ERR_NOT_FLOAT): number {
  const d = parseFloatArg(b);
  if (d === undefined) throw new CommandError(err);
  return d;
}

export const lower = (b: Buffer) => b.toString('latin1').toLowerCase();

/**
 * The `numkeys` key arguments following args[idx], which holds their count (LMPOP, BZMPOP ...);
 * the first one alone when the count is not valid, so routing still finds a key for the error.
 */
export function numkeysArgs(args: Buffer[], idx: number): Buffer[] {
  const n = parseInt64(args[idx] ?? Buffer.alloc(0));
  if (n === undefined || n < 1n || n > BigInt(args.length - idx - 1)) return args.slice(idx + 1, idx + 2);
  return args.slice(idx + 1, idx + 1 + Number(n));
}
