// Set commands: argument parsing and replies, as Redis 7.0's t_set.c answers them. Storage
// lives in types/set.ts. Commands over several keys are 'exclusive': when their keys span
// workers, one worker runs them while every other idles, reaching each key's slot via ctx.env.
import { CommandError, ERR_SYNTAX } from '../common/errors';
import { globMatch } from '../common/glob';
import { NOTIFY_SET } from '../common/notify';
import { ReplyWriter } from '../protocol/reply';
import { lookup, remove } from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';
import {
  getSet, newSetMeta, setAddMembers, setHas, setMembers, setPopRandom, setRandomMembers, setRemoveMembers, setReplace, setSave, setScan, SetMeta,
} from '../types/set';
import { lower, parseInt64, rangeLong, repeatsCount } from './args';
import { countLookup, removedFrom, storedTo } from './keyspace-events';
import { matches, parseScanCursor, parseScanOptions, scanReply, ScanPositions } from './scan-cursor';
import { CommandSpec, WorkerContext } from './types';

const LONG_MAX = 2n ** 63n - 1n;

/** A count far beyond any set's size behaves as "all of it"; keeps arithmetic in safe integers. */
const clampCount = (n: bigint) => (n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n));

/** Members left the set at `key`: `event`, and "del" when it is gone. */
const removedFromSet = (ctx: WorkerContext, key: Buffer, meta: SetMeta, event: string) => removedFrom(ctx, NOTIFY_SET, event, key, meta.count);

/** The set at `key` for reading, with its environment; undefined when absent. */
function readSet(ctx: WorkerContext, key: Buffer): { env: SlotEnv; meta: SetMeta } | undefined {
  const env = ctx.env(key, false);
  const meta = getSet(env, key, ctx.now);
  return meta && env ? { env, meta } : undefined;
}

function sadd(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const key = args[1];
  const env = ctx.env(key, true)!;
  env.write(() => {
    let meta = getSet(env, key, ctx.now);
    if (!meta) {
      remove(env, key, ctx.now); // an expired record still there, with its members
      meta = newSetMeta(env);
    }
    const added = setAddMembers(env, meta, args.slice(2));
    if (added) {
      setSave(env, key, meta, ctx.now);
      ctx.notify(NOTIFY_SET, 'sadd', key);
    }
    out.int(added);
  });
}

function srem(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const key = args[1];
  const s = readSet(ctx, key);
  if (!s) return out.int(0);
  s.env.write(() => {
    const removed = setRemoveMembers(s.env, s.meta, args.slice(2));
    if (removed) {
      setSave(s.env, key, s.meta, ctx.now);
      removedFromSet(ctx, key, s.meta, 'srem');
    }
    out.int(removed);
  });
}

function scard(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  out.int(readSet(ctx, args[1])?.meta.count ?? 0);
}

function sismember(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const s = readSet(ctx, args[1]);
  out.int(s && setHas(s.env, s.meta, args[2]) ? 1 : 0);
}

function smismember(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const s = readSet(ctx, args[1]);
  out.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) out.int(s && setHas(s.env, s.meta, args[i]) ? 1 : 0);
}

function smembers(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const s = readSet(ctx, args[1]);
  countLookup(ctx, args[1], !!s);
  out.bulkSet(s ? setMembers(s.env, s.meta) : []);
}

function srandmember(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  if (args.length > 3) throw new CommandError(ERR_SYNTAX);
  if (args.length === 3) {
    const l = rangeLong(args[2], -LONG_MAX, LONG_MAX);
    const s = readSet(ctx, args[1]);
    if (!s || l === 0n) return out.arrayHeader(0);
    const unique = l > 0n;
    return out.bulkArray(setRandomMembers(s.env, s.meta, unique ? clampCount(l) : repeatsCount(l), unique));
  }
  const s = readSet(ctx, args[1]);
  countLookup(ctx, args[1], !!s);
  out.bulk(s ? setRandomMembers(s.env, s.meta, 1, true)[0] : null);
}

function spop(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  if (args.length > 3) throw new CommandError(ERR_SYNTAX);
  const key = args[1];
  if (args.length === 3) {
    const count = clampCount(rangeLong(args[2], 0n, LONG_MAX, 'ERR value is out of range, must be positive'));
    const s = readSet(ctx, key);
    if (!s || count === 0) return out.setHeader(0);
    if (count >= s.meta.count) {
      const all = setMembers(s.env, s.meta);
      remove(s.env, key, ctx.now);
      s.meta.count = 0;
      ctx.propagate([Buffer.from('DEL'), key]);
      removedFromSet(ctx, key, s.meta, 'spop');
      return out.bulkSet(all);
    }
    const picked = s.env.write(() => {
      const members = setPopRandom(s.env, s.meta, count);
      setSave(s.env, key, s.meta, ctx.now);
      return members;
    });
    // the members chance picked, so replicas remove the same ones
    ctx.propagate([Buffer.from('SREM'), key, ...picked]);
    removedFromSet(ctx, key, s.meta, 'spop');
    return out.bulkSet(picked);
  }
  const s = readSet(ctx, key);
  if (!s) return out.nullBulk();
  const m = s.env.write(() => {
    const [member] = setPopRandom(s.env, s.meta, 1);
    setSave(s.env, key, s.meta, ctx.now);
    return member;
  });
  ctx.propagate([Buffer.from('SREM'), key, m]);
  removedFromSet(ctx, key, s.meta, 'spop');
  out.bulk(m);
}

function smove(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const [, srcKey, dstKey, member] = args;
  const srcEnv = ctx.env(srcKey, false);
  const dstEnv = ctx.env(dstKey, false);
  const src = getSet(srcEnv, srcKey, ctx.now);
  if (!src || !srcEnv) return out.int(0);
  let dst = getSet(dstEnv, dstKey, ctx.now);
  if (srcKey.equals(dstKey)) return out.int(setHas(srcEnv, src, member) ? 1 : 0);
  if (!setHas(srcEnv, src, member)) return out.int(0);
  srcEnv.write(() => {
    setRemoveMembers(srcEnv, src, [member]);
    setSave(srcEnv, srcKey, src, ctx.now);
  });
  removedFromSet(ctx, srcKey, src, 'srem');
  const env = ctx.env(dstKey, true)!;
  env.write(() => {
    if (!dst) {
      remove(env, dstKey, ctx.now);
      dst = newSetMeta(env);
    }
    // as Redis 7.0: the destination changed only if the member was not there yet
    if (!setAddMembers(env, dst, [member])) return;
    setSave(env, dstKey, dst, ctx.now);
    ctx.notify(NOTIFY_SET, 'sadd', dstKey);
  });
  out.int(1);
}

/** The sets named by `keys`, every one checked for its type first; null for an absent key (a read miss). */
function loadSets(ctx: WorkerContext, keys: Buffer[]): ({ env: SlotEnv; meta: SetMeta } | null)[] {
  return keys.map((k) => {
    const s = readSet(ctx, k) ?? null;
    countLookup(ctx, k, s !== null);
    return s;
  });
}

const keyOf = (m: Buffer) => m.toString('latin1');

/** Members of the intersection, smallest set first; stops at `limit` members (0: no limit). */
function intersect(ctx: WorkerContext, keys: Buffer[], limit = 0): Buffer[] {
  const sets = loadSets(ctx, keys);
  if (sets.some((s) => s === null)) return [];
  const ordered = (sets as { env: SlotEnv; meta: SetMeta }[]).sort((a, b) => a.meta.count - b.meta.count);
  const [first, ...rest] = ordered;
  const out: Buffer[] = [];
  for (const m of setMembers(first.env, first.meta)) {
    if (rest.every((s) => (s.meta.id.equals(first.meta.id) && s.env === first.env) || setHas(s.env, s.meta, m))) {
      out.push(m);
      if (limit > 0 && out.length >= limit) break;
    }
  }
  return out;
}

function union(ctx: WorkerContext, keys: Buffer[]): Buffer[] {
  const seen = new Map<string, Buffer>();
  for (const s of loadSets(ctx, keys)) {
    if (!s) continue;
    for (const m of setMembers(s.env, s.meta)) seen.set(keyOf(m), m);
  }
  return [...seen.values()];
}

function difference(ctx: WorkerContext, keys: Buffer[]): Buffer[] {
  const sets = loadSets(ctx, keys);
  const first = sets[0];
  if (!first) return [];
  const others = sets.slice(1).filter((s): s is { env: SlotEnv; meta: SetMeta } => s !== null);
  if (others.some((s) => s.env === first.env && s.meta.id.equals(first.meta.id))) return [];
  return setMembers(first.env, first.meta).filter((m) => !others.some((s) => setHas(s.env, s.meta, m)));
}

/** SINTERSTORE and friends: `dst` becomes the result (`event`), or is deleted when it is empty. */
function store(ctx: WorkerContext, event: string, dst: Buffer, items: Buffer[], out: ReplyWriter): void {
  const env = ctx.env(dst, items.length > 0);
  if (!env) return out.int(0);
  const existed = items.length === 0 && lookup(env, dst, ctx.now) !== null;
  out.int(env.write(() => setReplace(env, dst, items, ctx.now)));
  storedTo(ctx, NOTIFY_SET, event, dst, items.length, existed);
}

function sintercard(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const numkeys = Number(rangeLong(args[1], 1n, LONG_MAX, 'ERR numkeys should be greater than 0'));
  if (numkeys > args.length - 2) throw new CommandError("ERR Number of keys can't be greater than number of args");
  let limit = 0n;
  for (let j = 2 + numkeys; j < args.length; j++) {
    if (lower(args[j]) === 'limit' && j < args.length - 1) limit = rangeLong(args[++j], 0n, LONG_MAX, "ERR LIMIT can't be negative");
    else throw new CommandError(ERR_SYNTAX);
  }
  out.int(intersect(ctx, args.slice(2, 2 + numkeys), clampCount(limit)).length);
}

/** SINTERCARD's keys: the `numkeys` arguments after it (the first one alone when numkeys is bad, for the error). */
export function sintercardKeys(args: Buffer[]): Buffer[] {
  const n = parseInt64(args[1] ?? Buffer.alloc(0));
  if (n === undefined || n < 1n || n > BigInt(args.length - 2)) return args.slice(2, 3);
  return args.slice(2, 2 + Number(n));
}

// ---- SSCAN ----

const setScans = new ScanPositions();

function sscan(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const cursor = parseScanCursor(args[2]);
  const s = readSet(ctx, args[1]);
  if (!s) return scanReply(out, 0, []);
  const o = parseScanOptions(args, 3);
  const after = setScans.resumeAt(cursor, args[1]);
  if (after === undefined) return scanReply(out, 0, []);
  const { items, next } = setScan(s.env, s.meta, after, o.count);
  scanReply(out, next ? setScans.remember(args[1], next) : 0, items.filter((m) => matches(o, m)));
}

const T = (
  name: string, arity: number, flags: CommandSpec['flags'], keys: [number, number, number],
  worker: CommandSpec['worker'], summary: string, since: string, extra: Partial<CommandSpec> = {},
): CommandSpec => ({ name, arity, flags, firstKey: keys[0], lastKey: keys[1], keyStep: keys[2], group: 'set', summary, since, worker, ...extra });
const ONE: [number, number, number] = [1, 1, 1];
const ALL: [number, number, number] = [1, -1, 1];
const EXCLUSIVE = { spread: 'exclusive' as const };

export const SET_COMMANDS: CommandSpec[] = [
  T('sadd', -3, ['write', 'denyoom', 'fast'], ONE, sadd, 'Add one or more members to a set', '1.0.0'),
  T('srem', -3, ['write', 'fast'], ONE, srem, 'Remove one or more members from a set', '1.0.0'),
  T('scard', 2, ['readonly', 'fast'], ONE, scard, 'Get the number of members in a set', '1.0.0'),
  T('sismember', 3, ['readonly', 'fast'], ONE, sismember, 'Determine if a given value is a member of a set', '1.0.0'),
  T('smismember', -3, ['readonly', 'fast'], ONE, smismember, 'Returns the membership associated with the given elements for a set', '6.2.0'),
  T('smembers', 2, ['readonly'], ONE, smembers, 'Get all the members in a set', '1.0.0'),
  T('srandmember', -2, ['readonly', 'random'], ONE, srandmember, 'Get one or multiple random members from a set', '1.0.0'),
  T('spop', -2, ['write', 'random', 'fast'], ONE, spop, 'Remove and return one or multiple random members from a set', '1.0.0'),
  T('sscan', -3, ['readonly', 'random'], ONE, sscan, 'Incrementally iterate Set elements', '2.8.0'),
  T('smove', 4, ['write', 'fast'], [1, 2, 1], smove, 'Move a member from one set to another', '1.0.0', EXCLUSIVE),
  T('sinter', -2, ['readonly'], ALL, (c, a, o) => o.bulkSet(intersect(c, a.slice(1))), 'Intersect multiple sets', '1.0.0', EXCLUSIVE),
  T('sintercard', -3, ['readonly'], [2, -1, 1], sintercard, 'Intersect multiple sets and return the cardinality of the result', '7.0.0', {
    ...EXCLUSIVE, keys: sintercardKeys,
  }),
  T('sunion', -2, ['readonly'], ALL, (c, a, o) => o.bulkSet(union(c, a.slice(1))), 'Add multiple sets', '1.0.0', EXCLUSIVE),
  T('sdiff', -2, ['readonly'], ALL, (c, a, o) => o.bulkSet(difference(c, a.slice(1))), 'Subtract multiple sets', '1.0.0', EXCLUSIVE),
  T('sinterstore', -3, ['write', 'denyoom'], ALL, (c, a, o) => store(c, 'sinterstore', a[1], intersect(c, a.slice(2)), o),
    'Intersect multiple sets and store the resulting set in a key', '1.0.0', EXCLUSIVE),
  T('sunionstore', -3, ['write', 'denyoom'], ALL, (c, a, o) => store(c, 'sunionstore', a[1], union(c, a.slice(2)), o),
    'Add multiple sets and store the resulting set in a key', '1.0.0', EXCLUSIVE),
  T('sdiffstore', -3, ['write', 'denyoom'], ALL, (c, a, o) => store(c, 'sdiffstore', a[1], difference(c, a.slice(2)), o),
    'Subtract multiple sets and store the resulting set in a key', '1.0.0', EXCLUSIVE),
];
