// Strict argument parsing as Redis does it (string2ll, strtold checks).
import { CommandError, ERR_NOT_FLOAT, ERR_NOT_INTEGER } from '../common/errors';

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

export function bigIntArg(b: Buffer, err = ERR_NOT_INTEGER): bigint {
  const n = parseInt64(b);
  if (n === undefined) throw new CommandError(err);
  return n;
}

const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INF_RE = /^[+-]?inf(inity)?$/i;

/** A double as Redis's strtold accepts it: no spaces, no NaN; inf allowed. */
export function parseFloatArg(b: Buffer | string): number | undefined {
  const s = typeof b === 'string' ? b : b.toString('latin1');
  if (INF_RE.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (!FLOAT_RE.test(s)) return undefined;
  const d = Number(s);
  return Number.isNaN(d) ? undefined : d;
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
