// List commands: argument parsing and replies, as Redis 7.0's t_list.c answers them. Storage
// lives in types/list.ts. LMOVE, RPOPLPUSH and LMPOP name several keys: they are 'exclusive'
// when those keys span workers, reaching each key's slot via ctx.env. The blocking commands'
// handlers are their non-blocking forms; main blocks them (commands/blocking.ts).
import { CommandError, ERR_NO_SUCH_KEY, ERR_NOT_INTEGER, ERR_SYNTAX } from '../common/errors';
import { NOTIFY_LIST } from '../common/notify';
import { ReplyWriter } from '../protocol/reply';
import { KeyType } from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';
import {
  getList, listForWrite, listGet, listInsertAt, listMatches, ListMeta, listPop, listPush, listRangeEach, listRemovePositions, listSave, listSet, listTrimEnds,
} from '../types/list';
import { lower, numkeysArgs, parseInt64, rangeLong } from './args';
import { BlockMode, blockMode, KEYS_THEN_TIMEOUT, nothingToPop, oneSource, parseTimeout, popFirst, skipsWaiter, TIMEOUT_THEN_NUMKEYS } from './blocking';
import { countLookup, removedFrom } from './keyspace-events';
import { CommandSpec, WorkerContext } from './types';

const LONG_MAX = 2n ** 63n - 1n;
const ERR_OUT_OF_RANGE = 'ERR index out of range';
const ERR_POSITIVE = 'ERR value is out of range, must be positive';

/** getLongFromObjectOrReply: any 64-bit integer. */
function longArg(b: Buffer): bigint {
  const n = parseInt64(b);
  if (n === undefined) throw new CommandError(ERR_NOT_INTEGER);
  return n;
}

/** Counts beyond any list's length behave as "all of it"; keeps arithmetic in safe integers. */
const clamp = (n: bigint) => (n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : n < -BigInt(Number.MAX_SAFE_INTEGER) ? -Number.MAX_SAFE_INTEGER : Number(n));

/** Elements left the list at `key`: `event`, and "del" when it is gone (Redis's listElementsRemoved). */
const removedFromList = (ctx: WorkerContext, key: Buffer, meta: ListMeta, event: string) => removedFrom(ctx, NOTIFY_LIST, event, key, meta.count);

interface L {
  env: SlotEnv;
  meta: ListMeta;
}
function readList(ctx: WorkerContext, key: Buffer): L | undefined {
  const env = ctx.env(key, false);
  const meta = getList(env, key, ctx.now);
  return meta && env ? { env, meta } : undefined;
}

/** Pops up to `count` items off one end of an existing list and saves it (deleted when emptied). */
function popSaved(ctx: WorkerContext, l: L, key: Buffer, count: number, left: boolean): Buffer[] {
  const items = l.env.write(() => {
    const popped = listPop(l.env, l.meta, count, left);
    listSave(l.env, key, l.meta, ctx.now);
    return popped;
  });
  // logged as the plain pop of what was taken: BLPOP / BLMPOP logs LPOP key count, as Redis does
  ctx.propagate([Buffer.from(left ? 'LPOP' : 'RPOP'), key, Buffer.from(String(items.length))]);
  removedFromList(ctx, key, l.meta, left ? 'lpop' : 'rpop');
  return items;
}

/** LEFT / RIGHT: true for left. */
function side(b: Buffer): boolean {
  const s = lower(b);
  if (s === 'left') return true;
  if (s === 'right') return false;
  throw new CommandError(ERR_SYNTAX);
}

function push(left: boolean, onlyExisting: boolean) {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void => {
    const key = args[1];
    if (onlyExisting) {
      const l = readList(ctx, key);
      if (!l) return out.int(0);
    }
    const env = ctx.env(key, true)!;
    env.write(() => {
      const meta = listForWrite(env, key, ctx.now);
      listPush(env, meta, args.slice(2), left);
      listSave(env, key, meta, ctx.now);
      ctx.notify(NOTIFY_LIST, left ? 'lpush' : 'rpush', key);
      out.int(meta.count);
    });
  };
}

function pop(left: boolean) {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void => {
    if (args.length > 3) throw new CommandError(`ERR wrong number of arguments for '${left ? 'lpop' : 'rpop'}' command`);
    const key = args[1];
    const hasCount = args.length === 3;
    const count = hasCount ? clamp(rangeLong(args[2], 0n, LONG_MAX, ERR_POSITIVE)) : 1;
    const l = readList(ctx, key);
    if (!l) return hasCount ? out.nullArray() : out.nullBulk();
    if (hasCount && count === 0) return out.arrayHeader(0);
    const items = popSaved(ctx, l, key, count, left);
    if (hasCount) out.bulkArray(items);
    else out.bulk(items[0]);
  };
}

function llen(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  out.int(readList(ctx, args[1])?.meta.count ?? 0);
}

/** A Redis index (negative from the tail) as a position, or -1 when outside the list. */
function position(index: bigint, count: number): number {
  const p = index < 0n ? BigInt(count) + index : index;
  return p < 0n || p >= BigInt(count) ? -1 : Number(p);
}

function lindex(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const l = readList(ctx, args[1]);
  countLookup(ctx, args[1], !!l);
  if (!l) return out.nullBulk();
  const pos = position(longArg(args[2]), l.meta.count);
  out.bulk(pos < 0 ? null : listGet(l.env, l.meta, pos));
}

function lset(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const l = readList(ctx, args[1]);
  if (!l) throw new CommandError(ERR_NO_SUCH_KEY);
  const pos = position(longArg(args[2]), l.meta.count);
  if (pos < 0) throw new CommandError(ERR_OUT_OF_RANGE);
  l.env.write(() => {
    listSet(l.env, l.meta, pos, args[3]);
    listSave(l.env, args[1], l.meta, ctx.now);
  });
  ctx.notify(NOTIFY_LIST, 'lset', args[1]);
  out.ok();
}

/** Redis's start/end normalisation of LRANGE; null for an empty range. */
function span(startArg: bigint, endArg: bigint, count: number): [number, number] | null {
  const n = BigInt(count);
  let start = startArg < 0n ? n + startArg : startArg;
  let end = endArg < 0n ? n + endArg : endArg;
  if (start < 0n) start = 0n;
  if (start > end || start >= n) return null;
  if (end >= n) end = n - 1n;
  return [Number(start), Number(end)];
}

function lrange(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const start = longArg(args[2]);
  const end = longArg(args[3]);
  const l = readList(ctx, args[1]);
  countLookup(ctx, args[1], !!l);
  if (!l) return out.arrayHeader(0);
  const s = span(start, end, l.meta.count);
  if (!s) return out.arrayHeader(0);
  // positions are contiguous, so the count is known before the walk
  out.arrayHeader(s[1] - s[0] + 1);
  listRangeEach(l.env, l.meta, s[0], s[1], (src, from, to) => out.bulkFrom(src, from, to));
}

function ltrim(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const start = longArg(args[2]);
  const end = longArg(args[3]);
  const key = args[1];
  const l = readList(ctx, key);
  if (!l) return out.ok();
  const count = l.meta.count;
  const s = span(start, end, count);
  const [fromHead, fromTail] = s ? [s[0], count - s[1] - 1] : [count, 0];
  if (fromHead || fromTail) {
    l.env.write(() => {
      listTrimEnds(l.env, l.meta, fromHead, fromTail);
      listSave(l.env, key, l.meta, ctx.now);
    });
  }
  // as Redis, even when nothing was trimmed
  removedFromList(ctx, key, l.meta, 'ltrim');
  out.ok();
}

function linsert(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const where = lower(args[2]);
  if (where !== 'before' && where !== 'after') throw new CommandError(ERR_SYNTAX);
  const key = args[1];
  const l = readList(ctx, key);
  if (!l) return out.int(0);
  let found = -1;
  for (const { pos, match } of listMatches(l.env, l.meta, args[3])) {
    if (match) {
      found = pos;
      break;
    }
  }
  if (found < 0) return out.int(-1);
  l.env.write(() => {
    listInsertAt(l.env, l.meta, where === 'after' ? found + 1 : found, args[4]);
    listSave(l.env, key, l.meta, ctx.now);
  });
  ctx.notify(NOTIFY_LIST, 'linsert', key);
  out.int(l.meta.count);
}

function lrem(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const toRemove = longArg(args[2]);
  const key = args[1];
  const l = readList(ctx, key);
  if (!l) return out.int(0);
  const reverse = toRemove < 0n;
  const limit = clamp(reverse ? -toRemove : toRemove);
  const positions: number[] = [];
  for (const { pos, match } of listMatches(l.env, l.meta, args[3], reverse)) {
    if (match) {
      positions.push(pos);
      if (limit && positions.length === limit) break;
    }
  }
  if (positions.length) {
    l.env.write(() => {
      listRemovePositions(l.env, l.meta, positions);
      listSave(l.env, key, l.meta, ctx.now);
    });
    removedFromList(ctx, key, l.meta, 'lrem');
  }
  out.int(positions.length);
}

function lpos(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  let rank = 1n;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < args.length; j++) {
    const opt = lower(args[j]);
    const more = args.length - 1 - j > 0;
    if (opt === 'rank' && more) {
      rank = longArg(args[++j]);
      if (rank === 0n) {
        throw new CommandError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
      }
    } else if (opt === 'count' && more) count = clamp(rangeLong(args[++j], 0n, LONG_MAX, "ERR COUNT can't be negative"));
    else if (opt === 'maxlen' && more) maxlen = clamp(rangeLong(args[++j], 0n, LONG_MAX, "ERR MAXLEN can't be negative"));
    else throw new CommandError(ERR_SYNTAX);
  }
  const reverse = rank < 0n;
  // LONG_MIN's negation overflows in C too; any rank beyond the list's length finds nothing
  const r = clamp(reverse ? -rank : rank);
  const l = readList(ctx, args[1]);
  if (!l) return count !== -1 ? out.arrayHeader(0) : out.nullBulk();
  const found: number[] = [];
  let matches = 0;
  let scanned = 0;
  for (const { pos, match } of listMatches(l.env, l.meta, args[2], reverse)) {
    if (maxlen !== 0 && scanned >= maxlen) break;
    scanned++;
    if (!match) continue;
    matches++;
    if (matches < r) continue;
    found.push(pos);
    if (count === -1 || (count !== 0 && found.length >= count)) break;
  }
  if (count !== -1) {
    out.arrayHeader(found.length);
    for (const p of found) out.int(p);
  } else if (found.length) out.int(found[0]);
  else out.nullBulk();
}

/**
 * Pops one element from `src` and pushes it onto `dst`; null when `src` is absent. Checks both
 * types first; with `checkOnly`, stops there and answers undefined.
 */
function move(ctx: WorkerContext, srcKey: Buffer, dstKey: Buffer, fromLeft: boolean, toLeft: boolean, checkOnly = false): Buffer | null | undefined {
  const src = readList(ctx, srcKey);
  if (!src) return null;
  const sameKey = srcKey.equals(dstKey);
  if (!sameKey) getList(ctx.env(dstKey, false), dstKey, ctx.now); // WRONGTYPE before any change
  if (checkOnly) return undefined;
  const value = src.env.write(() => {
    const [v] = listPop(src.env, src.meta, 1, fromLeft);
    if (sameKey) listPush(src.env, src.meta, [v], toLeft);
    listSave(src.env, srcKey, src.meta, ctx.now);
    return v;
  });
  const dstEnv = sameKey ? src.env : ctx.env(dstKey, true)!;
  if (!sameKey) {
    dstEnv.write(() => {
      const dst = listForWrite(dstEnv, dstKey, ctx.now);
      listPush(dstEnv, dst, [value], toLeft);
      listSave(dstEnv, dstKey, dst, ctx.now);
    });
  }
  // within one slot the log holds the move (BLMOVE / BRPOPLPUSH as LMOVE); across slots the
  // binlog writer records each key's resulting state in its own slot
  if (dstEnv.table === src.env.table && dstEnv.slot === src.env.slot) {
    ctx.propagate([Buffer.from('LMOVE'), srcKey, dstKey, Buffer.from(fromLeft ? 'LEFT' : 'RIGHT'), Buffer.from(toLeft ? 'LEFT' : 'RIGHT')]);
  }
  // Redis reports the push before the pop
  ctx.notify(NOTIFY_LIST, toLeft ? 'lpush' : 'rpush', dstKey);
  removedFromList(ctx, srcKey, src.meta, fromLeft ? 'lpop' : 'rpop');
  return value;
}

function lmove(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const fromLeft = side(args[3]);
  const toLeft = side(args[4]);
  out.bulk(move(ctx, args[1], args[2], fromLeft, toLeft)!);
}

function rpoplpush(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  out.bulk(move(ctx, args[1], args[2], false, true)!);
}

/** LMPOP's parsed arguments (BLMPOP's: numkeys at 2). */
function parseLmpop(args: Buffer[], numkeysIdx = 1): { keys: Buffer[]; left: boolean; count: number } {
  const numkeys = clamp(rangeLong(args[numkeysIdx], 1n, LONG_MAX, 'ERR numkeys should be greater than 0'));
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= args.length) throw new CommandError(ERR_SYNTAX);
  const left = side(args[whereIdx]);
  let count = -1;
  for (let j = whereIdx + 1; j < args.length; j++) {
    const more = args.length - 1 - j > 0;
    if (count === -1 && lower(args[j]) === 'count' && more) count = clamp(rangeLong(args[++j], 1n, LONG_MAX, 'ERR count should be greater than 0'));
    else throw new CommandError(ERR_SYNTAX);
  }
  return { keys: args.slice(numkeysIdx + 1, numkeysIdx + 1 + numkeys), left, count: count === -1 ? 1 : count };
}

/** LMPOP, and BLMPOP in every mode (commands/blocking.ts): [key, [elements]] from the first non-empty list. */
function mpop(numkeysIdx: number) {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void => {
    const { keys, left, count } = parseLmpop(args, numkeysIdx);
    if (numkeysIdx === 2) parseTimeout(args[1], ctx.now);
    popFirst(ctx, args, out, keys, KeyType.List, (key) => readList(ctx, key), (key, l) => {
      out.arrayHeader(2);
      out.bulk(key);
      out.bulkArray(popSaved(ctx, l, key, count, left));
    });
  };
}

/** BLPOP / BRPOP: [key, element] from the first non-empty list. */
function bpop(left: boolean) {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void => {
    parseTimeout(args[args.length - 1], ctx.now);
    popFirst(ctx, args, out, args.slice(1, -1), KeyType.List, (key) => readList(ctx, key), (key, l) => {
      out.arrayHeader(2);
      out.bulk(key);
      out.bulk(popSaved(ctx, l, key, 1, left)[0]);
    });
  };
}

/** BLMOVE / BRPOPLPUSH: LMOVE, or LMOVE's null bulk in Plain mode when the source is absent. */
function bmove(ctx: WorkerContext, args: Buffer[], out: ReplyWriter, fromLeft: boolean, toLeft: boolean, timeoutIdx: number): void {
  const mode = blockMode(args);
  parseTimeout(args[timeoutIdx], ctx.now);
  if (skipsWaiter(ctx, mode, args[1], KeyType.List, out)) return;
  const value = move(ctx, args[1], args[2], fromLeft, toLeft, mode === BlockMode.Check);
  if (value) out.bulk(value);
  else if (value === null) nothingToPop(mode, out, 'bulk');
}

function blmove(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const fromLeft = side(args[3]);
  const toLeft = side(args[4]);
  bmove(ctx, args, out, fromLeft, toLeft, 5);
}

const T = (
  name: string, arity: number, flags: CommandSpec['flags'], keys: [number, number, number],
  worker: CommandSpec['worker'], summary: string, since: string, extra: Partial<CommandSpec> = {},
): CommandSpec => ({ name, arity, flags, firstKey: keys[0], lastKey: keys[1], keyStep: keys[2], group: 'list', summary, since, worker, ...extra });
const ONE: [number, number, number] = [1, 1, 1];
const EXCLUSIVE = { spread: 'exclusive' as const };

export const LIST_COMMANDS: CommandSpec[] = [
  T('lpush', -3, ['write', 'denyoom', 'fast'], ONE, push(true, false), 'Prepend one or multiple elements to a list', '1.0.0'),
  T('rpush', -3, ['write', 'denyoom', 'fast'], ONE, push(false, false), 'Append one or multiple elements to a list', '1.0.0'),
  T('lpushx', -3, ['write', 'denyoom', 'fast'], ONE, push(true, true), 'Prepend an element to a list, only if the list exists', '2.2.0'),
  T('rpushx', -3, ['write', 'denyoom', 'fast'], ONE, push(false, true), 'Append an element to a list, only if the list exists', '2.2.0'),
  T('lpop', -2, ['write', 'fast'], ONE, pop(true), 'Remove and get the first elements in a list', '1.0.0'),
  T('rpop', -2, ['write', 'fast'], ONE, pop(false), 'Remove and get the last elements in a list', '1.0.0'),
  T('llen', 2, ['readonly', 'fast'], ONE, llen, 'Get the length of a list', '1.0.0'),
  T('lrange', 4, ['readonly'], ONE, lrange, 'Get a range of elements from a list', '1.0.0'),
  T('lindex', 3, ['readonly'], ONE, lindex, 'Get an element from a list by its index', '1.0.0'),
  T('lset', 4, ['write', 'denyoom'], ONE, lset, 'Set the value of an element in a list by its index', '1.0.0'),
  T('linsert', 5, ['write', 'denyoom'], ONE, linsert, 'Insert an element before or after another element in a list', '2.2.0'),
  T('lrem', 4, ['write'], ONE, lrem, 'Remove elements from a list', '1.0.0'),
  T('ltrim', 4, ['write'], ONE, ltrim, 'Trim a list to the specified range', '1.0.0'),
  T('lpos', -3, ['readonly'], ONE, lpos, 'Return the index of matching elements on a list', '6.0.6'),
  T('lmove', 5, ['write', 'denyoom'], [1, 2, 1], lmove, 'Pop an element from a list, push it to another list and return it', '6.2.0', EXCLUSIVE),
  T('rpoplpush', 3, ['write', 'denyoom'], [1, 2, 1], rpoplpush, 'Remove the last element in a list, prepend it to another list and return it', '1.2.0', EXCLUSIVE),
  T('lmpop', -4, ['write'], [2, -1, 1], mpop(1), 'Pop elements from a list', '7.0.0', { ...EXCLUSIVE, keys: (a) => numkeysArgs(a, 1) }),
  T('blpop', -3, ['write', 'noscript', 'blocking'], [1, -2, 1], bpop(true), 'Remove and get the first element in a list, or block until one is available', '2.0.0', { ...EXCLUSIVE, block: KEYS_THEN_TIMEOUT }),
  T('brpop', -3, ['write', 'noscript', 'blocking'], [1, -2, 1], bpop(false), 'Remove and get the last element in a list, or block until one is available', '2.0.0', { ...EXCLUSIVE, block: KEYS_THEN_TIMEOUT }),
  T('blmove', 6, ['write', 'denyoom', 'noscript', 'blocking'], [1, 2, 1], blmove, 'Pop an element from a list, push it to another list and return it; or block until one is available', '6.2.0', { ...EXCLUSIVE, block: oneSource(5) }),
  T('brpoplpush', 4, ['write', 'denyoom', 'noscript', 'blocking'], [1, 2, 1], (c, a, o) => bmove(c, a, o, false, true, 3), 'Pop an element from a list, push it to another list and return it; or block until one is available', '2.2.0', { ...EXCLUSIVE, block: oneSource(3) }),
  T('blmpop', -5, ['write', 'blocking'], [3, -1, 1], mpop(2), 'Pop elements from a list, or block until one is available', '7.0.0', { ...EXCLUSIVE, keys: (a) => numkeysArgs(a, 2), block: TIMEOUT_THEN_NUMKEYS }),
];
