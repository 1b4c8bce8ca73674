// Sorted-set commands: argument parsing and replies, as Redis 7.0's t_zset.c answers them.
// Storage lives in types/zset.ts. Commands over several keys are 'exclusive' (see set-family.ts).
import { CommandError, ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from '../common/errors';
import { globMatch } from '../common/glob';
import { NOTIFY_ZSET } from '../common/notify';
import { formatDouble, ReplyWriter } from '../protocol/reply';
import { KeyType, lookup, remove } from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';
import { getSet, setMembers } from '../types/set';
import {
  getZset, LexBound, LexRange, newZsetMeta, ScoreRange, zall, zdel, ZItem, zlexRanks, ZMeta, zput, zrangeByRank, zrank, zrankWindow, zreplace, zsave,
  zscan, zscore, zscoreRanks,
} from '../types/zset';
import { floatArg, lower, numkeysArgs, parseInt64, parseRangeFloat, rangeLong, repeatsCount } from './args';
import { KEYS_THEN_TIMEOUT, parseTimeout, popFirst, TIMEOUT_THEN_NUMKEYS } from './blocking';
import { countLookup, removedFrom, storedTo } from './keyspace-events';
import { matches, parseScanCursor, parseScanOptions, ScanPositions, scanReply } from './scan-cursor';
import { CommandSpec, WorkerContext } from './types';

const LONG_MAX = 2n ** 63n - 1n;
const clampCount = (n: bigint) => (n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : n < BigInt(Number.MIN_SAFE_INTEGER) ? Number.MIN_SAFE_INTEGER : Number(n));

function longArg(b: Buffer, msg = ERR_NOT_INTEGER): number {
  const n = parseInt64(b);
  if (n === undefined) throw new CommandError(msg);
  return clampCount(n);
}
/** Redis's getPositiveLongFromObjectOrReply: one message for a non-integer and a negative. */
function positiveLong(b: Buffer, msg = 'value is out of range, must be positive'): number {
  const n = parseInt64(b);
  if (n === undefined || n < 0n) throw new CommandError(`ERR ${msg}`);
  return clampCount(n);
}

export interface Z {
  env: SlotEnv;
  meta: ZMeta;
}
/** The zset at `key` with its environment, undefined when absent; WRONGTYPE for another type. */
export function readZ(ctx: WorkerContext, key: Buffer): Z | undefined {
  const env = ctx.env(key, false);
  const meta = getZset(env, key, ctx.now);
  return meta && env ? { env, meta } : undefined;
}

/**
 * Members, each followed by its score when asked. RESP3 nests each member/score pair, except
 * where Redis 7.0 keeps them flat (`nested` false: ZPOPMIN/ZPOPMAX without a count).
 */
function replyItems(out: ReplyWriter, items: ZItem[], withScores: boolean, nested = true): void {
  const pairs = withScores && nested;
  if (pairs) out.pairsHeader(items.length);
  else out.arrayHeader(withScores ? items.length * 2 : items.length);
  for (const it of items) {
    if (pairs) out.pairHeader();
    out.bulk(it.member);
    if (withScores) out.double(it.score);
  }
}

// ---- range parsing (zslParseRange, zslParseLexRange) ----

function parseScoreBound(b: Buffer): { v: number; ex: boolean } | undefined {
  let ex = false;
  let s = b;
  if (b[0] === 0x28) {
    ex = true;
    s = b.subarray(1);
  }
  const v = parseRangeFloat(s);
  return v === undefined ? undefined : { v, ex };
}
function parseScoreRange(min: Buffer, max: Buffer): ScoreRange {
  const a = parseScoreBound(min);
  const b = parseScoreBound(max);
  if (!a || !b) throw new CommandError('ERR min or max is not a float');
  return { min: a.v, minex: a.ex, max: b.v, maxex: b.ex };
}
function parseLexBound(b: Buffer): LexBound | undefined {
  if (b.length === 1 && b[0] === 0x2b) return { value: null, inf: 1, ex: false };
  if (b.length === 1 && b[0] === 0x2d) return { value: null, inf: -1, ex: false };
  if (b[0] === 0x28) return { value: b.subarray(1), inf: 0, ex: true };
  if (b[0] === 0x5b) return { value: b.subarray(1), inf: 0, ex: false };
  return undefined;
}
function parseLexRange(min: Buffer, max: Buffer): LexRange {
  const a = parseLexBound(min);
  const b = parseLexBound(max);
  if (!a || !b) throw new CommandError('ERR min or max not valid string range item');
  return { min: a, max: b };
}

// ---- ZADD / ZINCRBY ----

/** ZADD (and ZINCRBY when `incrCmd`); GEOADD calls it with scores it computed, as Redis does. */
export function zaddGeneric(ctx: WorkerContext, args: Buffer[], out: ReplyWriter, incrCmd: boolean): void {
  let nx = false, xx = false, gt = false, lt = false, ch = false, incr = incrCmd;
  let i = 2;
  // ZINCRBY reads ZADD's options too, as Redis runs both through zaddGenericCommand: an option
  // word for its increment leaves no pair, a syntax error
  for (; i < args.length; i++) {
    const o = lower(args[i]);
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o === 'gt') gt = true;
    else if (o === 'lt') lt = true;
    else if (o === 'ch') ch = true;
    else if (o === 'incr') incr = true;
    else break;
  }
  const rest = args.length - i;
  if (rest % 2 !== 0 || rest === 0) throw new CommandError(ERR_SYNTAX);
  if (nx && xx) throw new CommandError('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw new CommandError('ERR GT, LT, and/or NX options at the same time are not compatible');
  if (incr && rest > 2) throw new CommandError('ERR INCR option supports a single increment-element pair');
  const pairs: [number, Buffer][] = [];
  for (let j = i; j < args.length; j += 2) pairs.push([floatArg(args[j]), args[j + 1]]);
  const key = args[1];
  const env0 = ctx.env(key, false);
  let meta = getZset(env0, key, ctx.now);
  if (!meta && xx) return incr ? out.nullBulk() : out.int(0);
  const env = ctx.env(key, true)!;
  env.write(() => {
    if (!meta) {
      remove(env, key, ctx.now);
      meta = newZsetMeta(env);
    }
    const m = meta;
    let added = 0, updated = 0, processed = 0;
    let result: number | null = null;
    for (const [score0, member] of pairs) {
      let score = score0;
      const cur = zscore(env, m, member);
      if (cur !== undefined) {
        if (nx) continue;
        if (incr) {
          score += cur;
          if (Number.isNaN(score)) throw new CommandError('ERR resulting score is not a number (NaN)');
        }
        if ((lt && score >= cur) || (gt && score <= cur)) continue;
        result = score;
        processed++;
        if (score !== cur) {
          zput(env, m, member, score, cur);
          updated++;
        }
      } else {
        if (xx) continue;
        if (Number.isNaN(score)) throw new CommandError('ERR resulting score is not a number (NaN)');
        zput(env, m, member, score, undefined);
        added++;
        processed++;
        result = score;
      }
    }
    if (added || updated) {
      zsave(env, key, m, ctx.now);
      ctx.notify(NOTIFY_ZSET, incr ? 'zincr' : 'zadd', key);
    }
    if (incr) {
      if (processed) out.double(result!);
      else out.nullBulk();
    } else out.int(ch ? added + updated : added);
  });
}

function zrem(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const key = args[1];
  const z = readZ(ctx, key);
  if (!z) return out.int(0);
  z.env.write(() => {
    let n = 0;
    for (let i = 2; i < args.length; i++) if (zdel(z.env, z.meta, args[i])) n++;
    if (n) {
      zsave(z.env, key, z.meta, ctx.now);
      removedFrom(ctx, NOTIFY_ZSET, 'zrem', key, z.meta.count);
    }
    out.int(n);
  });
}

function zcard(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  out.int(readZ(ctx, args[1])?.meta.count ?? 0);
}

function zcount(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const r = parseScoreRange(args[2], args[3]);
  const z = readZ(ctx, args[1]);
  const [lo, hi] = z ? zscoreRanks(z.env, z.meta, r) : [0, 0];
  out.int(hi - lo);
}

function zlexcount(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const r = parseLexRange(args[2], args[3]);
  const z = readZ(ctx, args[1]);
  const [lo, hi] = z ? zlexRanks(z.env, z.meta, r) : [0, 0];
  out.int(hi - lo);
}

function zscoreCmd(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const z = readZ(ctx, args[1]);
  const s = z ? zscore(z.env, z.meta, args[2]) : undefined;
  if (s === undefined) out.nullBulk();
  else out.double(s);
}

function zmscore(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const z = readZ(ctx, args[1]);
  out.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const s = z ? zscore(z.env, z.meta, args[i]) : undefined;
    if (s === undefined) out.nullBulk();
    else out.double(s);
  }
}

function zrankGeneric(ctx: WorkerContext, args: Buffer[], out: ReplyWriter, rev: boolean): void {
  const z = readZ(ctx, args[1]);
  const r = z ? zrank(z.env, z.meta, args[2]) : undefined;
  if (r === undefined) return out.nullBulk();
  out.int(rev ? z!.meta.count - 1 - r : r);
}

// ---- ZRANGE family ----

type RangeType = 'auto' | 'rank' | 'score' | 'lex';

/** Rank range clamped as Redis does; null when empty. */
function clampRank(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

/** zrangeGenericCommand: `at` is the index of the source key; `store` the destination, if any. */
function zrangeGeneric(ctx: WorkerContext, args: Buffer[], out: ReplyWriter, at: number, store: Buffer | null, type0: RangeType, rev0: boolean | null): void {
  let type = type0;
  let rev = rev0;
  let withScores = false;
  let offset = 0, limit = -1, limitGiven = false;
  for (let j = at + 3; j < args.length; j++) {
    const left = args.length - j - 1;
    const o = lower(args[j]);
    if (o === 'withscores' && store === null) withScores = true;
    else if (o === 'limit' && left >= 2) {
      offset = longArg(args[j + 1]);
      limit = longArg(args[j + 2]);
      limitGiven = true;
      j += 2;
    } else if (rev === null && o === 'rev') rev = true;
    else if (type === 'auto' && o === 'bylex') type = 'lex';
    else if (type === 'auto' && o === 'byscore') type = 'score';
    else throw new CommandError(ERR_SYNTAX);
  }
  if (rev === null) rev = false;
  if (type === 'auto') type = 'rank';
  if (limitGiven && type === 'rank') throw new CommandError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withScores && type === 'lex') throw new CommandError('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  let minArg = args[at + 1];
  let maxArg = args[at + 2];
  if (rev && type !== 'rank') [minArg, maxArg] = [maxArg, minArg];
  let start = 0, end = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (type === 'rank') {
    start = longArg(minArg);
    end = longArg(maxArg);
  } else if (type === 'score') sr = parseScoreRange(minArg, maxArg);
  else lr = parseLexRange(minArg, maxArg);

  const z = readZ(ctx, args[at]);
  let items: ZItem[] = [];
  if (z) {
    if (type === 'rank') {
      const c = clampRank(start, end, z.meta.count);
      if (c) items = zrangeByRank(z.env, z.meta, c[0], c[1], rev);
    } else {
      const [lo, hi] = sr ? zscoreRanks(z.env, z.meta, sr) : zlexRanks(z.env, z.meta, lr!);
      items = zrankWindow(z.env, z.meta, lo, hi, rev, offset, limit);
    }
  }
  if (store) return storeItems(ctx, 'zrangestore', store, items, out);
  replyItems(out, items, withScores);
}

/** ZRANGESTORE and friends: `dst` becomes the result (`event`), or is deleted when it is empty. */
export function storeItems(ctx: WorkerContext, event: string, dst: Buffer, items: ZItem[], out: ReplyWriter): void {
  const env = ctx.env(dst, items.length > 0);
  if (!env) return out.int(0);
  const existed = items.length === 0 && lookup(env, dst, ctx.now) !== null;
  out.int(env.write(() => zreplace(env, dst, items, ctx.now)));
  storedTo(ctx, NOTIFY_ZSET, event, dst, items.length, existed);
}

// ---- ZREMRANGEBY* ----

function zremrangeGeneric(ctx: WorkerContext, args: Buffer[], out: ReplyWriter, type: 'rank' | 'score' | 'lex'): void {
  let start = 0, end = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (type === 'rank') {
    start = longArg(args[2]);
    end = longArg(args[3]);
  } else if (type === 'score') sr = parseScoreRange(args[2], args[3]);
  else lr = parseLexRange(args[2], args[3]);
  const key = args[1];
  const z = readZ(ctx, key);
  if (!z) return out.int(0);
  let items: ZItem[] = [];
  if (type === 'rank') {
    const c = clampRank(start, end, z.meta.count);
    if (c) items = zrangeByRank(z.env, z.meta, c[0], c[1], false);
  } else {
    const [lo, hi] = sr ? zscoreRanks(z.env, z.meta, sr) : zlexRanks(z.env, z.meta, lr!);
    items = zrankWindow(z.env, z.meta, lo, hi, false, 0, -1);
  }
  if (items.length === 0) return out.int(0);
  z.env.write(() => {
    for (const it of items) zdel(z.env, z.meta, it.member);
    zsave(z.env, key, z.meta, ctx.now);
  });
  removedFrom(ctx, NOTIFY_ZSET, `zremrangeby${type}`, key, z.meta.count);
  out.int(items.length);
}

// ---- pops ----

/** Pops up to `count` items from an existing zset, lowest (or highest) scores first. */
function popItems(ctx: WorkerContext, key: Buffer, z: Z, max: boolean, count: number): ZItem[] {
  if (count === 0) return [];
  const items = zrangeByRank(z.env, z.meta, 0, Math.min(count, z.meta.count) - 1, max);
  z.env.write(() => {
    for (const it of items) zdel(z.env, z.meta, it.member);
    zsave(z.env, key, z.meta, ctx.now);
  });
  // logged as the removal of the members taken (BZPOPMIN, ZMPOP... as ZREM), as Redis does
  if (items.length > 0) ctx.propagate([Buffer.from('ZREM'), key, ...items.map((it) => it.member)]);
  removedFrom(ctx, NOTIFY_ZSET, max ? 'zpopmax' : 'zpopmin', key, z.meta.count);
  return items;
}

function zpop(ctx: WorkerContext, args: Buffer[], out: ReplyWriter, max: boolean): void {
  if (args.length > 3) throw new CommandError(ERR_SYNTAX);
  const count = args.length === 3 ? positiveLong(args[2]) : 1;
  const z = readZ(ctx, args[1]);
  replyItems(out, z ? popItems(ctx, args[1], z, max, count) : [], true, args.length === 3);
}

/** ZMPOP's arguments after numkeys, at `numkeysIdx` (BZMPOP's: 2). */
function parseZmpop(args: Buffer[], numkeysIdx: number): { keys: Buffer[]; max: boolean; count: number } {
  const numkeys = Number(rangeLong(args[numkeysIdx], 1n, LONG_MAX, 'ERR numkeys should be greater than 0'));
  const whereIdx = numkeysIdx + 1 + numkeys;
  if (whereIdx >= args.length) throw new CommandError(ERR_SYNTAX);
  const w = lower(args[whereIdx]);
  if (w !== 'min' && w !== 'max') throw new CommandError(ERR_SYNTAX);
  let count = -1;
  for (let j = whereIdx + 1; j < args.length; j++) {
    if (count === -1 && lower(args[j]) === 'count' && j < args.length - 1) {
      count = clampCount(rangeLong(args[++j], 1n, LONG_MAX, 'ERR count should be greater than 0'));
    } else throw new CommandError(ERR_SYNTAX);
  }
  return { keys: args.slice(numkeysIdx + 1, whereIdx), max: w === 'max', count: count === -1 ? 1 : count };
}

/** ZMPOP, and BZMPOP in every mode (commands/blocking.ts): [key, [[member, score] ...]]. */
function zmpop(numkeysIdx: number) {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void => {
    const { keys, max, count } = parseZmpop(args, numkeysIdx);
    if (numkeysIdx === 2) parseTimeout(args[1], ctx.now);
    popFirst(ctx, args, out, keys, KeyType.ZSet, (key) => readZ(ctx, key), (key, z) => {
      const items = popItems(ctx, key, z, max, count);
      out.arrayHeader(2);
      out.bulk(key);
      out.arrayHeader(items.length);
      for (const it of items) {
        out.arrayHeader(2);
        out.bulk(it.member);
        out.double(it.score);
      }
    });
  };
}

/** BZPOPMIN / BZPOPMAX: [key, member, score] from the first non-empty zset. */
function bzpop(max: boolean) {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void => {
    parseTimeout(args[args.length - 1], ctx.now);
    popFirst(ctx, args, out, args.slice(1, -1), KeyType.ZSet, (key) => readZ(ctx, key), (key, z) => {
      const [it] = popItems(ctx, key, z, max, 1);
      out.arrayHeader(3);
      out.bulk(key);
      out.bulk(it.member);
      out.double(it.score);
    });
  };
}

// ---- ZRANDMEMBER ----

const randomIndex = (n: number) => Math.floor(Math.random() * n);

function zrandmember(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  if (args.length >= 3) {
    const l = rangeLong(args[2], -LONG_MAX, LONG_MAX);
    let withScores = false;
    if (args.length > 4 || (args.length === 4 && lower(args[3]) !== 'withscores')) throw new CommandError(ERR_SYNTAX);
    if (args.length === 4) {
      withScores = true;
      if (l < -LONG_MAX / 2n || l > LONG_MAX / 2n) throw new CommandError('ERR value is out of range');
    }
    const z = readZ(ctx, args[1]);
    if (!z || l === 0n) return out.arrayHeader(0);
    const all = zall(z.env, z.meta);
    let picked: ZItem[];
    if (l < 0n) {
      const n = repeatsCount(l);
      picked = new Array(n);
      for (let i = 0; i < n; i++) picked[i] = all[randomIndex(all.length)];
    } else {
      const n = Math.min(clampCount(l), all.length);
      for (let i = 0; i < n; i++) {
        const j = i + randomIndex(all.length - i);
        [all[i], all[j]] = [all[j], all[i]];
      }
      picked = all.slice(0, n);
    }
    return replyItems(out, picked, withScores);
  }
  const z = readZ(ctx, args[1]);
  countLookup(ctx, args[1], !!z);
  if (!z) return out.nullBulk();
  const r = randomIndex(z.meta.count);
  out.bulk(zrangeByRank(z.env, z.meta, r, r, false)[0].member);
}

// ---- ZSCAN ----

const zsetScans = new ScanPositions();

function zscanCmd(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const cursor = parseScanCursor(args[2]);
  const z = readZ(ctx, args[1]);
  if (!z) return scanReply(out, 0, []);
  const o = parseScanOptions(args, 3);
  const after = zsetScans.resumeAt(cursor, args[1]);
  if (after === undefined) return scanReply(out, 0, []);
  const { items, next } = zscan(z.env, z.meta, after, o.count);
  // SCAN replies carry scores as strings in every protocol
  const found: Buffer[] = [];
  for (const it of items) if (matches(o, it.member)) found.push(it.member, Buffer.from(formatDouble(it.score)));
  scanReply(out, next ? zsetScans.remember(args[1], next) : 0, found);
}

// ---- ZUNION / ZINTER / ZDIFF and their STORE forms, ZINTERCARD ----

type SetOp = 'union' | 'inter' | 'diff';
const keyOf = (m: Buffer) => m.toString('latin1');

/** The members and scores of a zset or a plain set (scores 1), null when absent. */
function loadSource(ctx: WorkerContext, key: Buffer): Map<string, ZItem> | null {
  const env = ctx.env(key, false);
  const rec = lookup(env, key, ctx.now);
  countLookup(ctx, key, rec !== null);
  if (!rec) return null;
  const m = new Map<string, ZItem>();
  if (rec.type === KeyType.ZSet) for (const it of zall(env!, getZset(env, key, ctx.now)!)) m.set(keyOf(it.member), it);
  else if (rec.type === KeyType.Set) for (const member of setMembers(env!, getSet(env, key, ctx.now)!)) m.set(keyOf(member), { member, score: 1 });
  else throw new CommandError(ERR_WRONGTYPE);
  return m;
}

function zsetOp(ctx: WorkerContext, args: Buffer[], out: ReplyWriter, numIdx: number, dst: Buffer | null, op: SetOp, cardOnly: boolean): void {
  const setnum = longArg(args[numIdx]);
  if (setnum < 1) throw new CommandError(`ERR at least 1 input key is needed for '${lower(args[0])}' command`);
  if (setnum > args.length - (numIdx + 1)) throw new CommandError(ERR_SYNTAX);
  const keys = args.slice(numIdx + 1, numIdx + 1 + setnum);
  const sources = keys.map((k) => loadSource(ctx, k));
  const weights = new Array<number>(setnum).fill(1);
  let aggregate: 'sum' | 'min' | 'max' = 'sum';
  let withScores = false;
  let limit = 0;
  let j = numIdx + 1 + setnum;
  while (j < args.length) {
    const remaining = args.length - j;
    const o = lower(args[j]);
    if (op !== 'diff' && !cardOnly && remaining >= setnum + 1 && o === 'weights') {
      j++;
      for (let i = 0; i < setnum; i++, j++) weights[i] = floatArg(args[j], 'ERR weight value is not a float');
    } else if (op !== 'diff' && !cardOnly && remaining >= 2 && o === 'aggregate') {
      const a = lower(args[j + 1]);
      if (a !== 'sum' && a !== 'min' && a !== 'max') throw new CommandError(ERR_SYNTAX);
      aggregate = a;
      j += 2;
    } else if (remaining >= 1 && !dst && !cardOnly && o === 'withscores') {
      withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && o === 'limit') {
      limit = positiveLong(args[j + 1], "LIMIT can't be negative");
      j += 2;
    } else throw new CommandError(ERR_SYNTAX);
  }
  const agg = (a: number, b: number): number => {
    if (aggregate === 'sum') {
      const s = a + b;
      return Number.isNaN(s) ? 0 : s;
    }
    return aggregate === 'min' ? Math.min(a, b) : Math.max(a, b);
  };
  const weighted = (s: number, w: number) => {
    const v = s * w;
    return Number.isNaN(v) ? 0 : v;
  };
  const result = new Map<string, ZItem>();
  if (op === 'union') {
    sources.forEach((src, i) => {
      if (!src) return;
      for (const [k, it] of src) {
        const v = weighted(it.score, weights[i]);
        const cur = result.get(k);
        if (cur) cur.score = agg(cur.score, v);
        else result.set(k, { member: it.member, score: v });
      }
    });
  } else if (op === 'inter') {
    if (sources.every((s) => s)) {
      const order = sources.map((s, i) => i).sort((a, b) => sources[a]!.size - sources[b]!.size);
      const first = order[0];
      for (const [k, it] of sources[first]!) {
        let score = weighted(it.score, weights[first]);
        let ok = true;
        for (const i of order.slice(1)) {
          const o2 = sources[i]!.get(k);
          if (!o2) {
            ok = false;
            break;
          }
          score = agg(score, weighted(o2.score, weights[i]));
        }
        if (ok) {
          result.set(k, { member: it.member, score });
          if (cardOnly && limit > 0 && result.size >= limit) break;
        }
      }
    }
  } else if (sources[0]) {
    for (const [k, it] of sources[0]) if (!sources.slice(1).some((s) => s && s.has(k))) result.set(k, { member: it.member, score: it.score });
  }
  if (cardOnly) return out.int(result.size);
  const items = [...result.values()].sort((a, b) => a.score - b.score || Buffer.compare(a.member, b.member));
  if (dst) return storeItems(ctx, `z${op}store`, dst, items, out);
  replyItems(out, items, withScores);
}

/** Keys of numkeys-style commands: the `numkeys` arguments after position `idx`. */
const numkeysKeys = (idx: number) => (args: Buffer[]): Buffer[] => {
  const n = parseInt64(args[idx] ?? Buffer.alloc(0));
  const pre = args.slice(1, idx);
  if (n === undefined || n < 1n || n > BigInt(args.length - idx - 1)) return [...pre, ...args.slice(idx + 1, idx + 2)];
  return [...pre, ...args.slice(idx + 1, idx + 1 + Number(n))];
};

const T = (
  name: string, arity: number, flags: CommandSpec['flags'], keys: [number, number, number],
  worker: CommandSpec['worker'], summary: string, since: string, extra: Partial<CommandSpec> = {},
): CommandSpec => ({ name, arity, flags, firstKey: keys[0], lastKey: keys[1], keyStep: keys[2], group: 'sorted_set', summary, since, worker, ...extra });
const ONE: [number, number, number] = [1, 1, 1];
const EXCLUSIVE = { spread: 'exclusive' as const };

export const ZSET_COMMANDS: CommandSpec[] = [
  T('zadd', -4, ['write', 'denyoom', 'fast'], ONE, (c, a, o) => zaddGeneric(c, a, o, false), 'Add one or more members to a sorted set, or update its score if it already exists', '1.2.0'),
  T('zincrby', 4, ['write', 'denyoom', 'fast'], ONE, (c, a, o) => zaddGeneric(c, [a[0], a[1], a[2], a[3]], o, true), 'Increment the score of a member in a sorted set', '1.2.0'),
  T('zrem', -3, ['write', 'fast'], ONE, zrem, 'Remove one or more members from a sorted set', '1.2.0'),
  T('zcard', 2, ['readonly', 'fast'], ONE, zcard, 'Get the number of members in a sorted set', '1.2.0'),
  T('zcount', 4, ['readonly', 'fast'], ONE, zcount, 'Count the members in a sorted set with scores within the given values', '2.0.0'),
  T('zlexcount', 4, ['readonly', 'fast'], ONE, zlexcount, 'Count the number of members in a sorted set between a given lexicographical range', '2.8.9'),
  T('zscore', 3, ['readonly', 'fast'], ONE, zscoreCmd, 'Get the score associated with the given member in a sorted set', '1.2.0'),
  T('zmscore', -3, ['readonly', 'fast'], ONE, zmscore, 'Get the score associated with the given members in a sorted set', '6.2.0'),
  T('zrank', 3, ['readonly', 'fast'], ONE, (c, a, o) => zrankGeneric(c, a, o, false), 'Determine the index of a member in a sorted set', '2.0.0'),
  T('zrevrank', 3, ['readonly', 'fast'], ONE, (c, a, o) => zrankGeneric(c, a, o, true), 'Determine the index of a member in a sorted set, with scores ordered from high to low', '2.0.0'),
  T('zrange', -4, ['readonly'], ONE, (c, a, o) => zrangeGeneric(c, a, o, 1, null, 'auto', null), 'Return a range of members in a sorted set', '1.2.0'),
  T('zrangestore', -5, ['write', 'denyoom'], [1, 2, 1], (c, a, o) => zrangeGeneric(c, a, o, 2, a[1], 'auto', null), 'Store a range of members from sorted set into another key', '6.2.0', EXCLUSIVE),
  T('zrangebyscore', -4, ['readonly'], ONE, (c, a, o) => zrangeGeneric(c, a, o, 1, null, 'score', false), 'Return a range of members in a sorted set, by score', '1.0.5'),
  T('zrevrangebyscore', -4, ['readonly'], ONE, (c, a, o) => zrangeGeneric(c, a, o, 1, null, 'score', true), 'Return a range of members in a sorted set, by score, with scores ordered from high to low', '2.2.0'),
  T('zrangebylex', -4, ['readonly'], ONE, (c, a, o) => zrangeGeneric(c, a, o, 1, null, 'lex', false), 'Return a range of members in a sorted set, by lexicographical range', '2.8.9'),
  T('zrevrangebylex', -4, ['readonly'], ONE, (c, a, o) => zrangeGeneric(c, a, o, 1, null, 'lex', true), 'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.', '2.8.9'),
  T('zrevrange', -4, ['readonly'], ONE, (c, a, o) => zrangeGeneric(c, a, o, 1, null, 'rank', true), 'Return a range of members in a sorted set, by index, with scores ordered from high to low', '1.2.0'),
  T('zremrangebyrank', 4, ['write'], ONE, (c, a, o) => zremrangeGeneric(c, a, o, 'rank'), 'Remove all members in a sorted set within the given indexes', '2.0.0'),
  T('zremrangebyscore', 4, ['write'], ONE, (c, a, o) => zremrangeGeneric(c, a, o, 'score'), 'Remove all members in a sorted set within the given scores', '1.2.0'),
  T('zremrangebylex', 4, ['write'], ONE, (c, a, o) => zremrangeGeneric(c, a, o, 'lex'), 'Remove all members in a sorted set between the given lexicographical range', '2.8.9'),
  T('zpopmin', -2, ['write', 'fast'], ONE, (c, a, o) => zpop(c, a, o, false), 'Remove and return members with the lowest scores in a sorted set', '5.0.0'),
  T('zpopmax', -2, ['write', 'fast'], ONE, (c, a, o) => zpop(c, a, o, true), 'Remove and return members with the highest scores in a sorted set', '5.0.0'),
  T('zrandmember', -2, ['readonly', 'random'], ONE, zrandmember, 'Get one or multiple random elements from a sorted set', '6.2.0'),
  T('zscan', -3, ['readonly', 'random'], ONE, zscanCmd, 'Incrementally iterate sorted sets elements and associated scores', '2.8.0'),
  T('zunionstore', -4, ['write', 'denyoom'], [1, 1, 1], (c, a, o) => zsetOp(c, a, o, 2, a[1], 'union', false), 'Add multiple sorted sets and store the resulting sorted set in a new key', '2.0.0', { ...EXCLUSIVE, keys: numkeysKeys(2) }),
  T('zinterstore', -4, ['write', 'denyoom'], [1, 1, 1], (c, a, o) => zsetOp(c, a, o, 2, a[1], 'inter', false), 'Intersect multiple sorted sets and store the resulting sorted set in a new key', '2.0.0', { ...EXCLUSIVE, keys: numkeysKeys(2) }),
  T('zdiffstore', -4, ['write', 'denyoom'], [1, 1, 1], (c, a, o) => zsetOp(c, a, o, 2, a[1], 'diff', false), 'Subtract multiple sorted sets and store the resulting sorted set in a new key', '6.2.0', { ...EXCLUSIVE, keys: numkeysKeys(2) }),
  T('zunion', -3, ['readonly'], [2, 2, 1], (c, a, o) => zsetOp(c, a, o, 1, null, 'union', false), 'Add multiple sorted sets', '6.2.0', { ...EXCLUSIVE, keys: numkeysKeys(1) }),
  T('zinter', -3, ['readonly'], [2, 2, 1], (c, a, o) => zsetOp(c, a, o, 1, null, 'inter', false), 'Intersect multiple sorted sets', '6.2.0', { ...EXCLUSIVE, keys: numkeysKeys(1) }),
  T('zdiff', -3, ['readonly'], [2, 2, 1], (c, a, o) => zsetOp(c, a, o, 1, null, 'diff', false), 'Subtract multiple sorted sets', '6.2.0', { ...EXCLUSIVE, keys: numkeysKeys(1) }),
  T('zintercard', -3, ['readonly'], [2, 2, 1], (c, a, o) => zsetOp(c, a, o, 1, null, 'inter', true), 'Intersect multiple sorted sets and return the cardinality of the result', '7.0.0', { ...EXCLUSIVE, keys: numkeysKeys(1) }),
  T('zmpop', -4, ['write'], [2, 2, 1], zmpop(1), 'Remove and return members with scores in a sorted set', '7.0.0', { ...EXCLUSIVE, keys: (a) => numkeysArgs(a, 1) }),
  T('bzpopmin', -3, ['write', 'noscript', 'fast', 'blocking'], [1, -2, 1], bzpop(false), 'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available', '5.0.0', { ...EXCLUSIVE, block: KEYS_THEN_TIMEOUT }),
  T('bzpopmax', -3, ['write', 'noscript', 'fast', 'blocking'], [1, -2, 1], bzpop(true), 'Remove and return the member with the highest score from one or more sorted sets, or block until one is available', '5.0.0', { ...EXCLUSIVE, block: KEYS_THEN_TIMEOUT }),
  T('bzmpop', -5, ['write', 'blocking'], [3, 3, 1], zmpop(2), 'Remove and return members with scores in a sorted set or block until one is available', '7.0.0', { ...EXCLUSIVE, keys: (a) => numkeysArgs(a, 2), block: TIMEOUT_THEN_NUMKEYS }),
];
