// What the blocking commands (BLPOP, BZPOPMIN, BLMOVE ...) share: Redis's timeout argument, and
// the modes in which main asks a worker to run one. A client's own request always runs in the
// plain mode, which is the command's non-blocking form (what Redis does inside MULTI: null when
// there is nothing to pop). Main's blocking registry (dispatch/blocking.ts) instead marks args[0],
// which no client can send (dispatch looks every command up by its name there), to ask:
//   First   pop if there is something, else answer nothing at all (main then parks the client);
//   Check   validate and type-check as First does but never pop (a client queues behind others);
//   Wake    pop from the one ready key for a parked client; a key of another type answers SKIP.
import { CommandError } from '../common/errors';
import { KeyType, lookup } from '../storage/keyspace';
import { ReplyWriter } from '../protocol/reply';
import { numkeysArgs, parseFloatArg } from './args';
import { BlockingSpec, WorkerContext } from './types';

export enum BlockMode {
  Plain = 0,
  First = 0x46,
  Check = 0x43,
  Wake = 0x57,
}

/** The mode main asked for, from the marker in args[0]. */
export function blockMode(args: Buffer[]): BlockMode {
  const a = args[0];
  return a.length === 2 && a[0] === 0 ? (a[1] as BlockMode) : BlockMode.Plain;
}

/** `args` with args[0] replaced by the marker of `mode`. */
export function withMode(args: Buffer[], mode: BlockMode): Buffer[] {
  const out = args.slice();
  out[0] = Buffer.from([0, mode]);
  return out;
}

/** Wake-mode answer: the ready key holds another type, so this waiter stays parked. */
export const SKIP = Buffer.from([0]);

/**
 * The empty outcome of a blocking pop: the non-blocking form's null (`nullReply`) in Plain mode;
 * in the other modes no bytes at all, which tells main to park the client.
 */
export function nothingToPop(mode: BlockMode, out: ReplyWriter, nullReply: 'array' | 'bulk' = 'array'): void {
  if (mode !== BlockMode.Plain) return;
  if (nullReply === 'array') out.nullArray();
  else out.nullBulk();
}

/** In Wake mode, whether `key` exists with a type other than `type` (SKIP is then written). */
export function skipsWaiter(ctx: WorkerContext, mode: BlockMode, key: Buffer, type: KeyType, out: ReplyWriter): boolean {
  if (mode !== BlockMode.Wake) return false;
  const rec = lookup(ctx.env(key, false), key, ctx.now);
  if (!rec || rec.type === type) return false;
  out.raw(SKIP);
  return true;
}

/**
 * A pop from the first of `keys` holding a value of `type` (BLPOP, BLMPOP, BZPOPMIN, BZMPOP, and
 * LMPOP, ZMPOP), in the mode main asked for: `read` answers undefined for an absent key and
 * throws WRONGTYPE for another type; `pop` pops from the value found and writes the reply.
 */
export function popFirst<T>(
  ctx: WorkerContext, args: Buffer[], out: ReplyWriter, keys: Buffer[], type: KeyType,
  read: (key: Buffer) => T | undefined, pop: (key: Buffer, value: T) => void,
): void {
  const mode = blockMode(args);
  if (skipsWaiter(ctx, mode, keys[0], type, out)) return;
  for (const key of keys) {
    const value = read(key);
    if (value === undefined) continue;
    if (mode !== BlockMode.Check) pop(key, value);
    return;
  }
  nothingToPop(mode, out);
}

const LLONG_MAX = 2 ** 63 - 1;

/**
 * A timeout in seconds as Redis's getTimeoutFromObjectOrReply reads it: a decimal, rounded up
 * to whole milliseconds; 0 waits forever. Returns the milliseconds to wait (0: forever).
 * The out-of-range checks are Redis 7.2's (7.0 overflows silently there).
 */
export function parseTimeout(b: Buffer, now: number): number {
  const secs = parseFloatArg(b);
  if (secs === undefined) throw new CommandError('ERR timeout is not a float or out of range');
  const ms = secs * 1000;
  if (ms > LLONG_MAX) throw new CommandError('ERR timeout is out of range');
  const t = Math.ceil(ms);
  if (t < 0) throw new CommandError('ERR timeout is negative');
  if (t > 0 && t > LLONG_MAX - now) throw new CommandError('ERR timeout is out of range');
  return t === 0 ? 0 : t;
}

/** BLPOP's shape: keys, then the timeout last. */
export const KEYS_THEN_TIMEOUT: BlockingSpec = {
  sources: (a) => a.slice(1, -1),
  timeoutIndex: (a) => a.length - 1,
  narrow: (a, key) => [a[0], key, a[a.length - 1]],
};

/** BLMOVE's shape: the one source first, the timeout at `index`. */
export const oneSource = (index: number): BlockingSpec => ({
  sources: (a) => [a[1]],
  timeoutIndex: () => index,
  narrow: (a) => a,
});

const ONE_KEY = Buffer.from('1');

/** BLMPOP's shape: timeout, numkeys, the keys, then the options. */
export const TIMEOUT_THEN_NUMKEYS: BlockingSpec = {
  sources: (a) => numkeysArgs(a, 2),
  timeoutIndex: () => 1,
  narrow: (a, key) => [a[0], a[1], ONE_KEY, key, ...a.slice(3 + numkeysArgs(a, 2).length)],
};
