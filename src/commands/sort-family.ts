// SORT and SORT_RO, as Redis 7.0's sort.c answers them: a list, set or sorted set sorted by its
// elements or by keys a BY pattern names, with LIMIT, GET patterns, ALPHA, DESC and STORE.
// BY and GET patterns name keys only the data knows, anywhere in the table: the command is
// 'exclusive', so the worker running it reads every slot fresh (worker-thread.ts).
import { CommandError, ERR_SYNTAX, ERR_WRONGTYPE } from '../common/errors';
import { NOTIFY_LIST } from '../common/notify';
import { ReplyWriter } from '../protocol/reply';
import { keyStateArgs, KeyType, lookup, lookupString } from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';
import { getField, getHash } from '../types/hash';
import { getList, listRange, listReplace } from '../types/list';
import { getSet, setMembers } from '../types/set';
import { getZset, zall, zrangeByRank } from '../types/zset';
import { bigIntArg, lower, strtod } from './args';
import { countLookup, storedTo } from './keyspace-events';
import { CommandSpec, WorkerContext } from './types';

const ERR_NOT_DOUBLE = 'ERR One or more scores can\'t be converted into double';

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  store: Buffer | null;
  by: Buffer | null;
  /** BY a pattern without '*': keep the source's own order. */
  dontSort: boolean;
  gets: Buffer[];
}

/** Any 64-bit integer, as getLongFromObjectOrReply takes it; past 2^53 it only ever means "all". */
function longArg(b: Buffer): number {
  const n = bigIntArg(b);
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(n > max ? max : n < -max ? -max : n);
}

function parseOptions(args: Buffer[], readonly: boolean): SortOptions {
  const o: SortOptions = { desc: false, alpha: false, limitStart: 0, limitCount: -1, store: null, by: null, dontSort: false, gets: [] };
  for (let j = 2; j < args.length; j++) {
    const left = args.length - j - 1;
    const opt = lower(args[j]);
    if (opt === 'asc') o.desc = false;
    else if (opt === 'desc') o.desc = true;
    else if (opt === 'alpha') o.alpha = true;
    else if (opt === 'limit' && left >= 2) {
      o.limitStart = longArg(args[j + 1]);
      o.limitCount = longArg(args[j + 2]);
      j += 2;
    } else if (!readonly && opt === 'store' && left >= 1) o.store = args[++j];
    else if (opt === 'by' && left >= 1) {
      o.by = args[++j];
      o.dontSort = !o.by.includes(0x2a);
    } else if (opt === 'get' && left >= 1) o.gets.push(args[++j]);
    else throw new CommandError(ERR_SYNTAX);
  }
  return o;
}

/** The source key and the last STORE destination (Redis's sortGetKeys: unknown words are skipped). */
function sortKeys(args: Buffer[]): Buffer[] {
  let store = -1;
  for (let i = 2; i < args.length; i++) {
    const o = lower(args[i]);
    if (o === 'limit') i += 2;
    else if (o === 'get' || o === 'by') i += 1;
    else if (o === 'store' && i + 1 < args.length) store = ++i;
  }
  return store > 0 ? [args[1], args[store]] : [args[1]];
}

const HASH_ARROW = Buffer.from('->');
const HASH_SELF = Buffer.from('#');

/**
 * What `pattern` names for element `el` (Redis's lookupKeyByPattern): `#` is the element; else
 * the first '*' is replaced by it, and `key->field` reads a hash field. Null when there is no
 * '*', no such key, or a value of another type.
 */
function byPattern(ctx: WorkerContext, pattern: Buffer, el: Buffer): Buffer | null {
  if (pattern.equals(HASH_SELF)) return el;
  const star = pattern.indexOf(0x2a);
  if (star < 0) return null;
  const arrow = pattern.indexOf(HASH_ARROW, star + 1);
  const field = arrow >= 0 && arrow + 2 < pattern.length ? pattern.subarray(arrow + 2) : null;
  const key = Buffer.concat([pattern.subarray(0, star), el, pattern.subarray(star + 1, field ? arrow : pattern.length)]);
  const env = ctx.env(key, false);
  if (!field) return lookupString(env, key, ctx.now) ?? null;
  if (lookup(env, key, ctx.now)?.type !== KeyType.Hash) return null;
  const h = getHash(env, key, ctx.now)!;
  return getField(env!, h, field) ?? null;
}

/**
 * A weight as C's strtod reads the whole text (leading blanks, hex, inf; an empty text reads
 * nothing, stops at its end, and is 0), or null where Redis refuses it: trailing bytes, NaN, or
 * ERANGE (overflow, or a nonzero value too small for a normal double).
 */
function weight(b: Buffer): number | null {
  const text = b.toString('latin1');
  const r = strtod(text);
  return r.used !== text.length || r.erange || Number.isNaN(r.value) ? null : r.value;
}

/** The elements to sort, and the bounds of the window [start, end] over them, as sort.c computes both. */
function load(ctx: WorkerContext, env: SlotEnv | null, key: Buffer, o: SortOptions): { items: Buffer[]; start: number; end: number } {
  const rec = lookup(env, key, ctx.now);
  countLookup(ctx, key, rec !== null);
  if (rec && rec.type !== KeyType.List && rec.type !== KeyType.Set && rec.type !== KeyType.ZSet) throw new CommandError(ERR_WRONGTYPE);
  // a set in no order of its own is sorted (ALPHA) when the result is stored, so replicas agree
  if (o.dontSort && rec?.type === KeyType.Set && o.store) {
    o.dontSort = false;
    o.alpha = true;
    o.by = null;
  }
  const list = rec?.type === KeyType.List ? getList(env, key, ctx.now) : undefined;
  const set = rec?.type === KeyType.Set ? getSet(env, key, ctx.now) : undefined;
  const zset = rec?.type === KeyType.ZSet ? getZset(env, key, ctx.now) : undefined;
  const len = (list ?? set ?? zset)?.count ?? 0;
  let start = Math.min(Math.max(o.limitStart, 0), len);
  const count = Math.min(Math.max(o.limitCount, -1), len);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;
  // the source's own order: only the window is read, counted from the tail for DESC
  if (o.dontSort && (list || zset)) {
    if (end < start) return { items: [], start: 0, end: -1 };
    const items = list
      ? (o.desc ? listRange(env!, list, len - 1 - end, len - 1 - start, true) : listRange(env!, list, start, end))
      : zrangeByRank(env!, zset!, start, end, o.desc).map((z) => z.member);
    return { items, start: 0, end: items.length - 1 };
  }
  const items = list ? listRange(env!, list, 0, len - 1) : set ? setMembers(env!, set) : zset ? zall(env!, zset).map((z) => z.member) : [];
  return { items, start, end };
}

interface Sortable {
  el: Buffer;
  score: number;
  /** ALPHA BY a pattern: what it named, null when nothing. */
  by: Buffer | null;
}

function sortGeneric(ctx: WorkerContext, args: Buffer[], out: ReplyWriter, readonly: boolean): void {
  const o = parseOptions(args, readonly);
  const src = args[1];
  const env = ctx.env(src, false);
  const { items, start, end } = load(ctx, env, src, o);
  const vector: Sortable[] = items.map((el) => ({ el, score: 0, by: null }));
  let notDouble = false;
  if (!o.dontSort) {
    for (const v of vector) {
      const by = o.by ? byPattern(ctx, o.by, v.el) : v.el;
      if (by === null) continue;
      if (o.alpha) {
        if (o.by) v.by = by;
        continue;
      }
      const w = weight(by);
      if (w === null) notDouble = true;
      else v.score = w;
    }
    const sign = o.desc ? -1 : 1;
    vector.sort((a, b) => {
      let cmp: number;
      if (!o.alpha) cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : Buffer.compare(a.el, b.el);
      else if (o.by) cmp = a.by && b.by ? Buffer.compare(a.by, b.by) : a.by === b.by ? 0 : a.by === null ? -1 : 1;
      else cmp = Buffer.compare(a.el, b.el);
      return sign * cmp;
    });
  }
  if (notDouble) throw new CommandError(ERR_NOT_DOUBLE);
  const window = vector.slice(start, end + 1);
  const results: (Buffer | null)[] = [];
  for (const v of window) {
    if (o.gets.length === 0) results.push(v.el);
    for (const g of o.gets) results.push(byPattern(ctx, g, v.el));
  }
  if (!o.store) {
    out.arrayHeader(results.length);
    for (const r of results) out.bulk(r);
    return;
  }
  const dst = o.store;
  const dstEnv = ctx.env(dst, true)!;
  const existed = lookup(dstEnv, dst, ctx.now) !== null;
  dstEnv.write(() => listReplace(dstEnv, dst, results.map((r) => r ?? EMPTY), ctx.now));
  // logged as the state it left: the weights and GET values it read may live in other slots
  ctx.propagate(keyStateArgs(dstEnv, dst, ctx.now), dstEnv);
  storedTo(ctx, NOTIFY_LIST, 'sortstore', dst, results.length, existed);
  out.int(results.length);
}
const EMPTY = Buffer.alloc(0);

const S = (name: string, flags: CommandSpec['flags'], readonly: boolean, summary: string, since: string, extra: Partial<CommandSpec> = {}): CommandSpec => ({
  name, arity: -2, flags, firstKey: 1, lastKey: 1, keyStep: 1, group: 'generic', summary, since, spread: 'exclusive',
  worker: (ctx, args, out) => sortGeneric(ctx, args, out, readonly), ...extra,
});

export const SORT_COMMANDS: CommandSpec[] = [
  S('sort', ['write', 'denyoom'], false, 'Sort the elements in a list, set or sorted set', '1.0.0', { keys: sortKeys }),
  S('sort_ro', ['readonly'], true, 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.', '7.0.0'),
];
