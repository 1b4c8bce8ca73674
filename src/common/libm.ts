// sin, cos and asin rounded correctly to the nearest double, as glibc's libm gives them in all
// but a few cases in ten thousand. V8's Math.sin/cos/asin (fdlibm) are off by an ulp in about
// 2% of cases, which would show in Redis-visible doubles (GEORADIUS ... STOREDIST scores).
// The value is computed in double-double arithmetic (about 104 bits) and rounded once.

/** Dekker's splitter for 53-bit doubles: 2^27 + 1. */
const SPLITTER = 134217729;

type DD = [number, number];

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function ddMul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  return quickTwoSum(p, e + (a[0] * b[1] + a[1] * b[0]));
}

function ddAdd(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  const [t, f] = twoSum(a[1], b[1]);
  const [s2, e2] = quickTwoSum(s, e + t);
  return quickTwoSum(s2, e2 + f);
}

function ddDivSmall(a: DD, n: number): DD {
  const q = a[0] / n;
  const [p, e] = twoProd(q, n);
  return quickTwoSum(q, (a[0] - p - e + a[1]) / n);
}

/** Taylor coefficients (-1)^k / (2k+1)! and (-1)^k / (2k)!, enough for |r| <= pi/4 to 2^-110. */
const TERMS = 16;
const SIN_C: DD[] = [];
const COS_C: DD[] = [];
{
  let inv: DD = [1, 0];
  for (let n = 0; n <= 2 * TERMS + 1; n++) {
    if (n > 0) inv = ddDivSmall(inv, n);
    const signed: DD = Math.floor(n / 2) % 2 === 0 ? inv : [-inv[0], -inv[1]];
    if (n % 2 === 0) COS_C.push(signed);
    else SIN_C.push(signed);
  }
}

/** Terms needed so the first one left out is below 2^-110 of the sum, by r^2. */
function termsFor(x2: number): number {
  let n = 2;
  let t = x2 * x2;
  while (n < TERMS && t > 2 ** -110 * (2 * n) * (2 * n + 1)) {
    t *= x2 / ((2 * n) * (2 * n + 1));
    n++;
  }
  return n + 1;
}

function series(c: DD[], x2: DD): DD {
  let i = Math.min(c.length, termsFor(x2[0])) - 1;
  let p = c[i];
  for (i--; i >= 0; i--) p = ddAdd(ddMul(p, x2), c[i]);
  return p;
}

const sinDD = (r: DD): DD => ddMul(r, series(SIN_C, ddMul(r, r)));
const cosDD = (r: DD): DD => series(COS_C, ddMul(r, r));

// pi/2 in 33-bit pieces (fdlibm's Cody-Waite constants), so k * piece is exact for |k| < 2^20
const PIO2_1 = 1.57079632673412561417e0;
const PIO2_2 = 6.0771005063039659766e-11;
const PIO2_3 = 2.0222662487111664558e-21;
const PIO2_3T = 8.47842766036889956997e-32;
const MAX_QUADRANTS = 2 ** 19;

/** x = k * pi/2 + r with |r| <= ~pi/4, r as a double-double; null when |x| is too large. */
function reduce(x: number): { k: number; r: DD } | null {
  const k = Math.round(x * (2 / Math.PI));
  if (Math.abs(k) > MAX_QUADRANTS) return null;
  if (k === 0) return { k, r: [x, 0] };
  let r = twoSum(x - k * PIO2_1, -k * PIO2_2);
  r = ddAdd(r, [-k * PIO2_3, -k * PIO2_3T]);
  return { k, r };
}

/** sin(x), and cos(x) when `cos`, as a double-double. */
function sinCosDD(x: number, cos: boolean): DD | null {
  const red = reduce(x);
  if (!red) return null;
  const q = (((red.k + (cos ? 1 : 0)) % 4) + 4) % 4;
  const v = q % 2 === 0 ? sinDD(red.r) : cosDD(red.r);
  return q >= 2 ? [-v[0], -v[1]] : v;
}

export function sin(x: number): number {
  if (!Number.isFinite(x) || x === 0) return Math.sin(x);
  const v = sinCosDD(x, false);
  return v ? v[0] + v[1] : Math.sin(x);
}

export function cos(x: number): number {
  if (!Number.isFinite(x)) return Math.cos(x);
  const v = sinCosDD(x, true);
  return v ? v[0] + v[1] : Math.cos(x);
}

export function asin(y: number): number {
  if (!(Math.abs(y) > 0 && Math.abs(y) < 1)) return Math.asin(y);
  if (y < 0) return -asin(-y);
  // Newton's method on sin(z) = y from fdlibm's estimate, in double-double: z += (y - sin z) / cos z
  let z: DD = [Math.asin(y), 0];
  for (let i = 0; i < 2; i++) {
    const s = sinCosDD(z[0], false) as DD;
    const c = Math.cos(z[0]);
    const residual = y - s[0] - s[1] - c * z[1];
    z = twoSum(z[0], z[1] + residual / c);
  }
  return z[0] + z[1];
}
