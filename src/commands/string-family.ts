// String commands: argument parsing and replies. Storage encoding lives in types/string.ts.
import { STRING_MAX_BYTES } from '../common/limits';
import {
  CommandError, ERR_NAN, ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_OFFSET, ERR_OVERFLOW, ERR_STRING_TOO_BIG, ERR_SYNTAX, ERR_WRONGTYPE, expireError,
} from '../common/errors';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../common/notify';
import { addLongDouble, formatLongDoubleHuman, LongDouble, parseLongDouble } from '../common/long-double';
import { ReplyWriter } from '../protocol/reply';
import { lookup, remove } from '../storage/keyspace';
import { getString, getStringWithExpiry, putString } from '../types/string';
import { bigIntArg, lower, parseInt64 } from './args';
import { countLookup } from './keyspace-events';
import { CommandSpec, WorkerContext } from './types';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
/**
 * Turns an EX/PX/EXAT/PXAT argument into an absolute ms time with the checks of Redis's
 * getExpireMillisecondsOrReply: positive, seconds no more than LLONG_MAX/1000, and the time
 * (after adding the clock for EX/PX) within a signed 64-bit integer. Times past 2^53 ms are
 * kept as the nearest double.
 */
export function expireAtFrom(unit: 'ex' | 'px' | 'exat' | 'pxat', arg: Buffer, now: number, cmd: string): number {
  const n = parseInt64(arg);
  if (n === undefined) throw new CommandError(ERR_NOT_INTEGER);
  const seconds = unit === 'ex' || unit === 'exat';
  if (n <= 0n || (seconds && n > INT64_MAX / 1000n)) throw new CommandError(expireError(cmd));
  let ms = seconds ? n * 1000n : n;
  if (unit === 'ex' || unit === 'px') ms += BigInt(now);
  if (ms > INT64_MAX) throw new CommandError(expireError(cmd));
  return Number(ms);
}

/** A 64-bit integer argument clamped into [min, max], for offsets compared with lengths. */
function clampedInt64(b: Buffer, min: number, max: number): number {
  const n = bigIntArg(b);
  return n < BigInt(min) ? min : n > BigInt(max) ? max : Number(n);
}

/** A write with a relative expiry as the binlog records it: SET with the absolute time (Redis 7's PXAT rewrite). */
const setPxat = (key: Buffer, value: Buffer, expireAt: number) => [Buffer.from('SET'), key, value, Buffer.from('PXAT'), Buffer.from(String(expireAt))];

function checkSize(len: number): void {
  if (len > STRING_MAX_BYTES) throw new CommandError(ERR_STRING_TOO_BIG);
}

function get(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const v = getString(ctx.env(args[1], false), args[1], ctx.now);
  countLookup(ctx, args[1], v !== undefined);
  out.bulk(v ?? null);
}

// Flags of Redis's parseExtendedStringArgumentsOrReply (t_string.c), whose rules are mirrored
// exactly: an option may repeat (the last EX/PX/EXAT/PXAT argument wins, and only that one is
// parsed as a number), while NX with XX, or two different expiry options, are syntax errors.
const NX = 1 << 0;
const XX = 1 << 1;
const EX = 1 << 2;
const PX = 1 << 3;
const KEEPTTL = 1 << 4;
const GET = 1 << 5;
const EXAT = 1 << 6;
const PXAT = 1 << 7;
const PERSIST = 1 << 8;
const EXPIRE_OPTIONS: Record<string, [number, number]> = {
  // option: [its flag, flags it cannot follow or precede]
  ex: [EX, KEEPTTL | PERSIST | EXAT | PX | PXAT],
  px: [PX, KEEPTTL | PERSIST | EX | EXAT | PXAT],
  exat: [EXAT, KEEPTTL | PERSIST | EX | PX | PXAT],
  pxat: [PXAT, KEEPTTL | PERSIST | EX | EXAT | PX],
};

interface ExtendedOptions {
  flags: number;
  /** The argument of the last EX/PX/EXAT/PXAT, not parsed yet. */
  expire: Buffer | null;
}

function parseExtendedOptions(args: Buffer[], isSet: boolean): ExtendedOptions {
  let flags = 0;
  let expire: Buffer | null = null;
  for (let j = isSet ? 3 : 2; j < args.length; j++) {
    const opt = lower(args[j]);
    const hasNext = j < args.length - 1;
    const exp = EXPIRE_OPTIONS[opt];
    if (opt === 'nx' && isSet && !(flags & XX)) flags |= NX;
    else if (opt === 'xx' && isSet && !(flags & NX)) flags |= XX;
    else if (opt === 'get' && isSet) flags |= GET;
    else if (opt === 'keepttl' && isSet && !(flags & (PERSIST | EX | EXAT | PX | PXAT))) flags |= KEEPTTL;
    else if (opt === 'persist' && !isSet && !(flags & (EX | EXAT | PX | PXAT | KEEPTTL))) flags |= PERSIST;
    else if (exp && !(flags & exp[1]) && hasNext) {
      flags |= exp[0];
      expire = args[++j];
    } else throw new CommandError(ERR_SYNTAX);
  }
  return { flags, expire };
}

/** The absolute expiry of parsed options, checked as Redis's getExpireMillisecondsOrReply. */
function expireOf(o: ExtendedOptions, now: number, cmd: string): number {
  const unit = o.flags & EX ? 'ex' : o.flags & PX ? 'px' : o.flags & EXAT ? 'exat' : 'pxat';
  return expireAtFrom(unit, o.expire!, now, cmd);
}

function set(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const key = args[1];
  const env = ctx.env(key, true)!;
  if (args.length === 3) {
    env.write(() => putString(env, key, args[2], 0));
    ctx.notify(NOTIFY_STRING, 'set', key);
    return out.ok();
  }
  const o = parseExtendedOptions(args, true);
  const expireAt = o.expire ? expireOf(o, ctx.now, 'set') : 0;
  const nx = (o.flags & NX) !== 0;
  const xx = (o.flags & XX) !== 0;
  const get = (o.flags & GET) !== 0;
  env.write(() => {
    const old = lookup(env, key, ctx.now);
    if (get) countLookup(ctx, key, old !== null);
    if (get && old && old.type !== 0) throw new CommandError(ERR_WRONGTYPE);
    const oldValue = old && old.type === 0 ? old.payload : null;
    if ((nx && old) || (xx && !old)) return get ? out.bulk(oldValue) : out.nullBulk();
    putString(env, key, args[2], o.flags & KEEPTTL && old ? old.expireAt : expireAt);
    if (o.expire) ctx.propagate(setPxat(key, args[2], expireAt));
    ctx.notify(NOTIFY_STRING, 'set', key);
    if (o.expire) ctx.notify(NOTIFY_GENERIC, 'expire', key);
    if (get) out.bulk(oldValue);
    else out.ok();
  });
}

function setnx(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const env = ctx.env(args[1], true)!;
  env.write(() => {
    if (lookup(env, args[1], ctx.now)) return out.int(0);
    putString(env, args[1], args[2], 0);
    ctx.notify(NOTIFY_STRING, 'set', args[1]);
    out.int(1);
  });
}

function setexWith(unit: 'ex' | 'px', cmd: string) {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter) => {
    const expireAt = expireAtFrom(unit, args[2], ctx.now, cmd);
    const env = ctx.env(args[1], true)!;
    env.write(() => putString(env, args[1], args[3], expireAt));
    ctx.propagate(setPxat(args[1], args[3], expireAt));
    ctx.notify(NOTIFY_STRING, 'set', args[1]);
    ctx.notify(NOTIFY_GENERIC, 'expire', args[1]);
    out.ok();
  };
}

function getset(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const env = ctx.env(args[1], true)!;
  env.write(() => {
    const old = getString(env, args[1], ctx.now);
    putString(env, args[1], args[2], 0);
    ctx.notify(NOTIFY_STRING, 'set', args[1]);
    out.bulk(old ?? null);
  });
}

function getdel(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const env = ctx.env(args[1], false);
  const old = getString(env, args[1], ctx.now);
  countLookup(ctx, args[1], old !== undefined);
  if (old !== undefined) {
    remove(env, args[1], ctx.now);
    ctx.notify(NOTIFY_GENERIC, 'del', args[1]);
  }
  out.bulk(old ?? null);
}

/** As Redis 7.0: options first, then the key (a missing key answers nil before the expiry is checked). */
function getex(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const o = parseExtendedOptions(args, false);
  const env = ctx.env(args[1], false);
  const cur = getStringWithExpiry(env, args[1], ctx.now);
  countLookup(ctx, args[1], cur !== undefined);
  if (!cur || !env) return out.nullBulk();
  const expireAt = o.expire ? expireOf(o, ctx.now, 'getex') : undefined;
  out.bulk(cur.value);
  if (expireAt !== undefined && o.flags & (EXAT | PXAT) && expireAt <= ctx.now) {
    remove(env, args[1], ctx.now);
    ctx.propagate([Buffer.from('DEL'), args[1]]);
    ctx.notify(NOTIFY_GENERIC, 'del', args[1]);
  } else if (expireAt !== undefined) {
    if (expireAt !== cur.expireAt) {
      env.write(() => putString(env, args[1], cur.value, expireAt));
      ctx.propagate([Buffer.from('PEXPIREAT'), args[1], Buffer.from(String(expireAt))]);
    }
    ctx.notify(NOTIFY_GENERIC, 'expire', args[1]);
  } else if (o.flags & PERSIST && cur.expireAt !== 0) {
    env.write(() => putString(env, args[1], cur.value, 0));
    ctx.propagate([Buffer.from('PERSIST'), args[1]]);
    ctx.notify(NOTIFY_GENERIC, 'persist', args[1]);
  }
}

function mget(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  out.arrayHeader(args.length - 1);
  for (let i = 1; i < args.length; i++) {
    const v = ctx.env(args[i], false) && getStringOrNull(ctx, args[i]);
    out.bulk(v ?? null);
  }
}

function getStringOrNull(ctx: WorkerContext, key: Buffer): Buffer | undefined {
  try {
    return getString(ctx.env(key, false), key, ctx.now);
  } catch {
    return undefined; // MGET answers nil for keys of other types
  }
}

function mset(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  if (args.length % 2 !== 1) throw new CommandError(`ERR wrong number of arguments for '${lower(args[0])}' command`);
  setEach(ctx, args);
  out.ok();
}

/** MSET's writes: each key/value pair of `args`, in order. */
function setEach(ctx: WorkerContext, args: Buffer[]): void {
  for (let i = 1; i < args.length; i += 2) {
    const env = ctx.env(args[i], true)!;
    env.write(() => putString(env, args[i], args[i + 1], 0));
    ctx.notify(NOTIFY_STRING, 'set', args[i]);
  }
}

function msetnx(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  if (args.length % 2 !== 1) throw new CommandError(`ERR wrong number of arguments for 'msetnx' command`);
  for (let i = 1; i < args.length; i += 2) if (lookup(ctx.env(args[i], false), args[i], ctx.now)) return out.int(0);
  setEach(ctx, args);
  out.int(1);
}

function append(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const env = ctx.env(args[1], true)!;
  env.write(() => {
    const cur = getStringWithExpiry(env, args[1], ctx.now);
    const len = (cur ? cur.value.length : 0) + args[2].length;
    checkSize(len);
    putString(env, args[1], cur ? Buffer.concat([cur.value, args[2]]) : args[2], cur ? cur.expireAt : 0);
    ctx.notify(NOTIFY_STRING, 'append', args[1]);
    out.int(len);
  });
}

function strlen(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  out.int(getString(ctx.env(args[1], false), args[1], ctx.now)?.length ?? 0);
}

/** As Redis: 64-bit start and end, clamped to the string (beyond ±2^53 they clamp alike). */
function getrange(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const BIG = Number.MAX_SAFE_INTEGER;
  let start = clampedInt64(args[2], -BIG, BIG);
  let end = clampedInt64(args[3], -BIG, BIG);
  const v = getString(ctx.env(args[1], false), args[1], ctx.now) ?? Buffer.alloc(0);
  const len = v.length;
  if (start < 0 && end < 0 && start > end) return out.bulk('');
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (len === 0 || start > end) return out.bulk('');
  out.bulk(v.subarray(start, end + 1));
}

function setrange(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const offset = bigIntArg(args[2]);
  if (offset < 0n) throw new CommandError(ERR_OFFSET);
  const patch = args[3];
  const env = ctx.env(args[1], true)!;
  env.write(() => {
    const cur = getStringWithExpiry(env, args[1], ctx.now);
    const curLen = cur ? cur.value.length : 0;
    if (patch.length === 0) return out.int(curLen);
    if (offset + BigInt(patch.length) > BigInt(STRING_MAX_BYTES)) throw new CommandError(ERR_STRING_TOO_BIG);
    const at = Number(offset);
    const next = Buffer.alloc(Math.max(curLen, at + patch.length));
    if (cur) cur.value.copy(next);
    patch.copy(next, at);
    putString(env, args[1], next, cur ? cur.expireAt : 0);
    ctx.notify(NOTIFY_STRING, 'setrange', args[1]);
    out.int(next.length);
  });
}

function incrBy(ctx: WorkerContext, key: Buffer, delta: bigint, out: ReplyWriter): void {
  const env = ctx.env(key, true)!;
  env.write(() => {
    const cur = getStringWithExpiry(env, key, ctx.now);
    const base = cur ? parseInt64(cur.value) : 0n;
    if (base === undefined) throw new CommandError(ERR_NOT_INTEGER);
    const next = base + delta;
    if (next > INT64_MAX || next < INT64_MIN) throw new CommandError(ERR_OVERFLOW);
    putString(env, key, Buffer.from(next.toString()), cur ? cur.expireAt : 0);
    ctx.notify(NOTIFY_STRING, 'incrby', key);
    out.int(next);
  });
}

/** As Redis: x87 long double arithmetic, the reply printed as ld2string's human form. */
function incrbyfloat(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const env = ctx.env(args[1], true)!;
  env.write(() => {
    const cur = getStringWithExpiry(env, args[1], ctx.now);
    const base = cur ? parseLongDouble(cur.value.toString('latin1')) : ZERO;
    const delta = parseLongDouble(args[2].toString('latin1'));
    if (!base || !delta) throw new CommandError(ERR_NOT_FLOAT);
    const next = 'inf' in base || 'inf' in delta ? null : addLongDouble(base, delta);
    if (!next) throw new CommandError(ERR_NAN);
    const text = formatLongDoubleHuman(next);
    putString(env, args[1], Buffer.from(text), cur ? cur.expireAt : 0);
    // the result, not the addition: replicas must not redo floating-point arithmetic
    ctx.propagate([Buffer.from('SET'), args[1], Buffer.from(text), Buffer.from('KEEPTTL')]);
    ctx.notify(NOTIFY_STRING, 'incrbyfloat', args[1]);
    out.bulk(text);
  });
}
const ZERO: LongDouble = { neg: false, mant: 0n, exp: 0 };

function lcs(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  // the keys are read before the options, as Redis checks them
  const readLcs = (k: Buffer) => {
    const rec = lookup(ctx.env(k, false), k, ctx.now);
    if (rec && rec.type !== 0) throw new CommandError('ERR The specified keys must contain string values');
    return rec ? rec.payload : Buffer.alloc(0);
  };
  const a = readLcs(args[1]);
  const b = readLcs(args[2]);
  let wantLen = false;
  let wantIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let i = 3; i < args.length; i++) {
    const opt = lower(args[i]);
    if (opt === 'len') wantLen = true;
    else if (opt === 'idx') wantIdx = true;
    else if (opt === 'withmatchlen') withMatchLen = true;
    else if (opt === 'minmatchlen' && i + 1 < args.length) minMatchLen = clampedInt64(args[++i], 0, Number.MAX_SAFE_INTEGER);
    else throw new CommandError(ERR_SYNTAX);
  }
  if (wantLen && wantIdx) throw new CommandError('ERR If you want both the length and indexes, please just use IDX.');
  const alen = a.length;
  const blen = b.length;
  if ((alen + 1) * (blen + 1) > 2 ** 31) throw new CommandError('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  const dp = new Uint32Array((alen + 1) * (blen + 1));
  const at = (i: number, j: number) => j * (alen + 1) + i;
  for (let i = 1; i <= alen; i++)
    for (let j = 1; j <= blen; j++)
      dp[at(i, j)] = a[i - 1] === b[j - 1] ? dp[at(i - 1, j - 1)] + 1 : Math.max(dp[at(i - 1, j)], dp[at(i, j - 1)]);
  const total = dp[at(alen, blen)];
  if (wantLen) return out.int(total);
  const result = Buffer.alloc(total);
  const matches: [number, number, number, number][] = [];
  let i = alen;
  let j = blen;
  let idx = total;
  let arange: [number, number] | null = null;
  let brange: [number, number] | null = null;
  const flush = () => {
    if (arange && brange && arange[1] - arange[0] + 1 >= minMatchLen) matches.push([arange[0], arange[1], brange[0], brange[1]]);
    arange = brange = null;
  };
  while (i > 0 && j > 0) {
    if (a[i - 1] === b[j - 1]) {
      result[--idx] = a[i - 1];
      if (arange && brange && arange[0] === i && brange[0] === j) {
        arange[0] = i - 1;
        brange[0] = j - 1;
      } else {
        flush();
        arange = [i - 1, i - 1];
        brange = [j - 1, j - 1];
      }
      i--;
      j--;
    } else if (dp[at(i - 1, j)] > dp[at(i, j - 1)]) i--;
    else j--;
  }
  flush();
  if (!wantIdx) return out.bulk(result);
  out.mapHeader(2);
  out.bulk('matches');
  out.arrayHeader(matches.length);
  for (const [a0, a1, b0, b1] of matches) {
    out.arrayHeader(withMatchLen ? 3 : 2);
    out.arrayHeader(2);
    out.int(a0);
    out.int(a1);
    out.arrayHeader(2);
    out.int(b0);
    out.int(b1);
    if (withMatchLen) out.int(a1 - a0 + 1);
  }
  out.bulk('len');
  out.int(total);
}

const S = (
  name: string, arity: number, flags: CommandSpec['flags'], keys: [number, number, number],
  worker: CommandSpec['worker'], summary: string, extra: Partial<CommandSpec> = {},
): CommandSpec => ({ name, arity, flags, firstKey: keys[0], lastKey: keys[1], keyStep: keys[2], group: 'string', summary, since: '1.0.0', worker, ...extra });

export const STRING_COMMANDS: CommandSpec[] = [
  S('get', 2, ['readonly', 'fast'], [1, 1, 1], get, 'Get the value of a key'),
  S('set', -3, ['write', 'denyoom'], [1, 1, 1], set, 'Set the string value of a key'),
  S('setnx', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], setnx, 'Set the value of a key, only if the key does not exist'),
  S('setex', 4, ['write', 'denyoom'], [1, 1, 1], setexWith('ex', 'setex'), 'Set the value and expiration of a key'),
  S('psetex', 4, ['write', 'denyoom'], [1, 1, 1], setexWith('px', 'psetex'), 'Set the value and expiration in milliseconds of a key'),
  S('getset', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], getset, 'Set the string value of a key and return its old value'),
  S('getdel', 2, ['write', 'fast'], [1, 1, 1], getdel, 'Get the value of a key and delete the key'),
  S('getex', -2, ['write', 'fast'], [1, 1, 1], getex, 'Get the value of a key and optionally set its expiration'),
  S('mget', -2, ['readonly', 'fast'], [1, -1, 1], mget, 'Get the values of all the given keys', { spread: 'mget' }),
  S('mset', -3, ['write', 'denyoom'], [1, -1, 2], mset, 'Set multiple keys to multiple values', { spread: 'mset' }),
  S('msetnx', -3, ['write', 'denyoom'], [1, -1, 2], msetnx, 'Set multiple keys to multiple values, only if none of the keys exist', { spread: 'exclusive' }),
  S('append', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], append, 'Append a value to a key'),
  S('strlen', 2, ['readonly', 'fast'], [1, 1, 1], strlen, 'Get the length of the value stored in a key'),
  S('getrange', 4, ['readonly'], [1, 1, 1], getrange, 'Get a substring of the string stored at a key'),
  S('substr', 4, ['readonly'], [1, 1, 1], getrange, 'Get a substring of the string stored at a key'),
  S('setrange', 4, ['write', 'denyoom'], [1, 1, 1], setrange, 'Overwrite part of a string at key starting at the specified offset'),
  S('incr', 2, ['write', 'denyoom', 'fast'], [1, 1, 1], (c, a, o) => incrBy(c, a[1], 1n, o), 'Increment the integer value of a key by one'),
  S('decr', 2, ['write', 'denyoom', 'fast'], [1, 1, 1], (c, a, o) => incrBy(c, a[1], -1n, o), 'Decrement the integer value of a key by one'),
  S('incrby', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], (c, a, o) => incrBy(c, a[1], bigIntArg(a[2]), o), 'Increment the integer value of a key by the given amount'),
  S('decrby', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], (c, a, o) => {
    const d = bigIntArg(a[2]);
    if (d === INT64_MIN) throw new CommandError('ERR decrement would overflow');
    incrBy(c, a[1], -d, o);
  }, 'Decrement the integer value of a key by the given number'),
  S('incrbyfloat', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], incrbyfloat, 'Increment the float value of a key by the given amount'),
  S('lcs', -3, ['readonly'], [1, 2, 1], lcs, 'Find longest common substring', { spread: 'exclusive' }),
];
