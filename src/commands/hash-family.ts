// Hash commands: argument checks and replies as Redis 7.0's t_hash.c. Storage lives in types/hash.ts.
import { CommandError, ERR_NAN, ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_OVERFLOW, ERR_SYNTAX, arityError } from '../common/errors';
import { globMatch } from '../common/glob';
import { addLongDouble, formatLongDoubleHuman, LongDouble, parseLongDouble } from '../common/long-double';
import { NOTIFY_HASH } from '../common/notify';
import { ReplyWriter } from '../protocol/reply';
import { SlotEnv } from '../storage/slot-store';
import {
  deleteField, fieldAt, fields, getField, getHash, getOrCreateHash, Hash, hashEncoding, saveHash, scanFields, setField,
} from '../types/hash';
import { bigIntArg, lower, parseInt64, repeatsCount } from './args';
import { countLookup, removedFrom } from './keyspace-events';
import { matches, parseScanCursor, parseScanOptions, scanReply, ScanPositions } from './scan-cursor';
import { CommandSpec, WorkerContext } from './types';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const LONG_MAX = INT64_MAX;
const ERR_HASH_NOT_INT = 'ERR hash value is not an integer';
const ERR_HASH_NOT_FLOAT = 'ERR hash value is not a float';

/** The live hash for a read command, counting a keyspace hit or miss as lookupKeyRead does. */
function readHash(ctx: WorkerContext, key: Buffer): { env: SlotEnv; h: Hash } | undefined {
  const env = ctx.env(key, false);
  const h = getHash(env, key, ctx.now);
  countLookup(ctx, key, !!(h && env));
  return h && env ? { env, h } : undefined;
}

function hsetGeneric(name: 'hset' | 'hmset') {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void => {
    if (args.length % 2 === 1) throw new CommandError(arityError(name));
    const key = args[1];
    const env = ctx.env(key, true)!;
    env.write(() => {
      const h = getOrCreateHash(env, key, ctx.now);
      let created = 0;
      for (let i = 2; i < args.length; i += 2) if (setField(env, h, args[i], args[i + 1])) created++;
      saveHash(env, key, h, ctx.now);
      ctx.notify(NOTIFY_HASH, 'hset', key);
      if (name === 'hset') out.int(created);
      else out.ok();
    });
  };
}

function hsetnx(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const key = args[1];
  const env = ctx.env(key, true)!;
  env.write(() => {
    const cur = getHash(env, key, ctx.now);
    if (cur && getField(env, cur, args[2]) !== undefined) return out.int(0);
    const h = cur ?? getOrCreateHash(env, key, ctx.now);
    setField(env, h, args[2], args[3]);
    saveHash(env, key, h, ctx.now);
    ctx.notify(NOTIFY_HASH, 'hset', key);
    out.int(1);
  });
}

function hget(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const r = readHash(ctx, args[1]);
  out.bulk(r ? getField(r.env, r.h, args[2]) ?? null : null);
}

function hmget(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const r = readHash(ctx, args[1]);
  out.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) out.bulk(r ? getField(r.env, r.h, args[i]) ?? null : null);
}

function hdel(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const key = args[1];
  const env = ctx.env(key, false);
  if (!env) return out.int(0);
  env.write(() => {
    const h = getHash(env, key, ctx.now);
    if (!h) return out.int(0);
    let deleted = 0;
    for (let i = 2; i < args.length && h.count > 0; i++) if (deleteField(env, h, args[i])) deleted++;
    if (deleted) {
      saveHash(env, key, h, ctx.now);
      removedFrom(ctx, NOTIFY_HASH, 'hdel', key, h.count);
    }
    out.int(deleted);
  });
}

function hlen(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  out.int(readHash(ctx, args[1])?.h.count ?? 0);
}

function hstrlen(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const r = readHash(ctx, args[1]);
  out.int(r ? getField(r.env, r.h, args[2])?.length ?? 0 : 0);
}

function hexists(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const r = readHash(ctx, args[1]);
  out.int(r && getField(r.env, r.h, args[2]) !== undefined ? 1 : 0);
}

function hgetallGeneric(keys: boolean, values: boolean) {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void => {
    const r = readHash(ctx, args[1]);
    if (!r) return keys && values ? out.mapHeader(0) : out.arrayHeader(0);
    const items: Buffer[] = [];
    for (const { member, value } of fields(r.env, r.h)) {
      if (keys) items.push(member);
      if (values) items.push(value);
    }
    if (keys && values) {
      out.mapHeader(items.length / 2);
      for (const it of items) out.bulk(it);
    } else out.bulkArray(items);
  };
}

function hincrby(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const incr = bigIntArg(args[3]);
  const key = args[1];
  const env = ctx.env(key, true)!;
  env.write(() => {
    const cur = getHash(env, key, ctx.now);
    const old = cur ? getField(env, cur, args[2]) : undefined;
    let value = 0n;
    if (old !== undefined) {
      const n = parseInt64(old);
      if (n === undefined) throw new CommandError(ERR_HASH_NOT_INT);
      value = n;
    }
    const next = value + incr;
    if (next > INT64_MAX || next < INT64_MIN) throw new CommandError(ERR_OVERFLOW);
    const h = cur ?? getOrCreateHash(env, key, ctx.now);
    setField(env, h, args[2], Buffer.from(next.toString()));
    saveHash(env, key, h, ctx.now);
    ctx.notify(NOTIFY_HASH, 'hincrby', key);
    out.int(next);
  });
}

const ZERO: LongDouble = { neg: false, mant: 0n, exp: 0 };

/** As Redis: x87 long double arithmetic, the reply and stored value in ld2string's human form. */
function hincrbyfloat(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const incr = parseLongDouble(args[3].toString('latin1'));
  if (!incr) throw new CommandError(ERR_NOT_FLOAT);
  if ('inf' in incr) throw new CommandError('ERR value is NaN or Infinity');
  const key = args[1];
  const env = ctx.env(key, true)!;
  env.write(() => {
    const cur = getHash(env, key, ctx.now);
    const old = cur ? getField(env, cur, args[2]) : undefined;
    const base = old === undefined ? ZERO : parseLongDouble(old.toString('latin1'));
    if (!base) throw new CommandError(ERR_HASH_NOT_FLOAT);
    const next = 'inf' in base ? null : addLongDouble(base, incr);
    if (!next) throw new CommandError(ERR_NAN);
    const text = Buffer.from(formatLongDoubleHuman(next));
    const h = cur ?? getOrCreateHash(env, key, ctx.now);
    setField(env, h, args[2], text);
    saveHash(env, key, h, ctx.now);
    ctx.propagate([Buffer.from('HSET'), key, args[2], text]);
    ctx.notify(NOTIFY_HASH, 'hincrbyfloat', key);
    out.bulk(text);
  });
}

const randomIndex = (n: number) => Math.floor(Math.random() * n);

/** HRANDFIELD key [count [WITHVALUES]], as Redis 7.0's hrandfieldCommand. */
function hrandfield(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  if (args.length >= 3) {
    const l = parseInt64(args[2]);
    if (l === undefined) throw new CommandError(ERR_NOT_INTEGER);
    if (l < -LONG_MAX) throw new CommandError(`ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`);
    if (args.length > 4 || (args.length === 4 && lower(args[3]) !== 'withvalues')) throw new CommandError(ERR_SYNTAX);
    const withValues = args.length === 4;
    if (withValues && (l < -LONG_MAX / 2n || l > LONG_MAX / 2n)) throw new CommandError('ERR value is out of range');
    return hrandfieldWithCount(ctx, args[1], l, withValues, out);
  }
  const r = readHash(ctx, args[1]);
  if (!r) return out.nullBulk();
  out.bulk(fieldAt(r.env, r.h, randomIndex(r.h.count))?.member ?? null);
}

function hrandfieldWithCount(ctx: WorkerContext, key: Buffer, l: bigint, withValues: boolean, out: ReplyWriter): void {
  const r = readHash(ctx, key);
  if (!r) return out.arrayHeader(0);
  const { env, h } = r;
  const uniq = l >= 0n;
  const count = uniq ? Number(l) : repeatsCount(l);
  if (count === 0) return out.arrayHeader(0);
  const reply = (items: { member: Buffer; value: Buffer }[]) => {
    if (withValues) out.pairsHeader(items.length);
    else out.arrayHeader(items.length);
    for (const { member, value } of items) {
      if (withValues) out.pairHeader();
      out.bulk(member);
      if (withValues) out.bulk(value);
    }
  };
  // CASE 1: negative count (repeats allowed, random order), or a single field
  if (!uniq || count === 1) {
    const picks: { member: Buffer; value: Buffer }[] = [];
    if (count <= 8) {
      for (let i = 0; i < count; i++) {
        const f = fieldAt(env, h, randomIndex(h.count));
        if (f) picks.push(f);
      }
    } else {
      const all = [...fields(env, h)];
      for (let i = 0; i < count && all.length; i++) picks.push(all[randomIndex(all.length)]);
    }
    return reply(picks);
  }
  const all = [...fields(env, h)];
  // CASE 2: as many as the hash holds, or more: the whole hash
  if (count >= all.length) return reply(all);
  // CASES 3 and 4: distinct random fields (a partial Fisher-Yates shuffle)
  for (let i = 0; i < count; i++) {
    const j = i + randomIndex(all.length - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  reply(all.slice(0, count));
}

// ---- HSCAN ----

const hashScans = new ScanPositions();

function hscan(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const cursor = parseScanCursor(args[2]);
  const r = readHash(ctx, args[1]);
  if (!r) return scanReply(out, 0, []);
  const o = parseScanOptions(args, 3);
  const { env, h } = r;
  let items: { member: Buffer; value: Buffer }[];
  let nextCursor = 0n;
  if (hashEncoding(h) === 'listpack') {
    // as Redis with a listpack: the whole hash in one reply, whatever the cursor and COUNT
    items = [...fields(env, h)];
  } else {
    const after = hashScans.resumeAt(cursor, args[1]);
    if (after === undefined) return scanReply(out, 0, []);
    const page = scanFields(env, h, after, o.count);
    items = page.items;
    if (page.next) nextCursor = hashScans.remember(args[1], page.next);
  }
  const found: Buffer[] = [];
  for (const { member, value } of items) if (matches(o, member)) found.push(member, value);
  scanReply(out, nextCursor, found);
}

const H = (
  name: string, arity: number, flags: CommandSpec['flags'], worker: CommandSpec['worker'], summary: string, since: string,
): CommandSpec => ({ name, arity, flags, firstKey: 1, lastKey: 1, keyStep: 1, group: 'hash', summary, since, worker });

export const HASH_COMMANDS: CommandSpec[] = [
  H('hset', -4, ['write', 'denyoom', 'fast'], hsetGeneric('hset'), 'Set the string value of a hash field', '2.0.0'),
  H('hsetnx', 4, ['write', 'denyoom', 'fast'], hsetnx, 'Set the value of a hash field, only if the field does not exist', '2.0.0'),
  H('hget', 3, ['readonly', 'fast'], hget, 'Get the value of a hash field', '2.0.0'),
  H('hmget', -3, ['readonly', 'fast'], hmget, 'Get the values of all the given hash fields', '2.0.0'),
  H('hmset', -4, ['write', 'denyoom', 'fast'], hsetGeneric('hmset'), 'Set multiple hash fields to multiple values', '2.0.0'),
  H('hdel', -3, ['write', 'fast'], hdel, 'Delete one or more hash fields', '2.0.0'),
  H('hlen', 2, ['readonly', 'fast'], hlen, 'Get the number of fields in a hash', '2.0.0'),
  H('hstrlen', 3, ['readonly', 'fast'], hstrlen, 'Get the length of the value of a hash field', '3.2.0'),
  H('hexists', 3, ['readonly', 'fast'], hexists, 'Determine if a hash field exists', '2.0.0'),
  H('hkeys', 2, ['readonly'], hgetallGeneric(true, false), 'Get all the fields in a hash', '2.0.0'),
  H('hvals', 2, ['readonly'], hgetallGeneric(false, true), 'Get all the values in a hash', '2.0.0'),
  H('hgetall', 2, ['readonly'], hgetallGeneric(true, true), 'Get all the fields and values in a hash', '2.0.0'),
  H('hincrby', 4, ['write', 'denyoom', 'fast'], hincrby, 'Increment the integer value of a hash field by the given number', '2.0.0'),
  H('hincrbyfloat', 4, ['write', 'denyoom', 'fast'], hincrbyfloat, 'Increment the float value of a hash field by the given amount', '2.6.0'),
  H('hrandfield', -2, ['readonly', 'random'], hrandfield, 'Get one or multiple random fields from a hash', '6.2.0'),
  H('hscan', -3, ['readonly', 'random'], hscan, 'Incrementally iterate hash fields and associated values', '2.8.0'),
];
