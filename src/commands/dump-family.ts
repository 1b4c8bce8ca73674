// DUMP and RESTORE, as Redis 7.0's cluster.c answers them: a key's value in the RDB payload
// format (protocol/rdb.ts), so values move between pika and Redis (RESTORE reads what
// redis-server dumps; redis-server restores what DUMP here writes).
import { CommandError, ERR_SYNTAX } from '../common/errors';
import { NOTIFY_GENERIC } from '../common/notify';
import { decodeDump, encodeDump, RdbFormatError, RdbValue, verifyDump } from '../protocol/rdb';
import { ReplyWriter } from '../protocol/reply';
import { KeyRecord, keyStateArgs, KeyType, lookup, remove, setExpire } from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';
import { fields, getHash, hashReplace } from '../types/hash';
import { getList, listRange, listReplace } from '../types/list';
import { getSet, setMembers, setReplace } from '../types/set';
import { putString } from '../types/string';
import { getZset, zall, zreplace } from '../types/zset';
import { bigIntArg, lower } from './args';
import { countLookup } from './keyspace-events';
import { CommandSpec, WorkerContext } from './types';

const ERR_BUSYKEY = 'BUSYKEY Target key name already exists.';
const ERR_PAYLOAD = 'ERR DUMP payload version or checksum are wrong';
const ERR_BAD_FORMAT = 'ERR Bad data format';
const ERR_TTL = 'ERR Invalid TTL value, must be >= 0';
const ERR_IDLETIME = 'ERR Invalid IDLETIME value, must be >= 0';
const ERR_FREQ = 'ERR Invalid FREQ value, must be >= 0 and <= 255';
const FREQ_MAX = 255n;

/** A live key's whole value, read out of its type's storage. */
function valueOf(env: SlotEnv, key: Buffer, rec: KeyRecord, now: number): RdbValue {
  switch (rec.type) {
    case KeyType.String:
      return { kind: 'string', value: rec.payload };
    case KeyType.List: {
      const meta = getList(env, key, now)!;
      return { kind: 'list', items: listRange(env, meta, 0, meta.count - 1) };
    }
    case KeyType.Set:
      return { kind: 'set', items: setMembers(env, getSet(env, key, now)!) };
    case KeyType.ZSet:
      return { kind: 'zset', items: zall(env, getZset(env, key, now)!) };
    case KeyType.Hash:
      return { kind: 'hash', pairs: [...fields(env, getHash(env, key, now)!)].map((f) => [Buffer.from(f.member), Buffer.from(f.value)]) };
  }
  throw new Error(`key of unknown type ${rec.type}`);
}

function dump(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const key = args[1];
  const env = ctx.env(key, false);
  const rec = lookup(env, key, ctx.now);
  countLookup(ctx, key, rec !== null);
  if (!env || !rec) return out.nullBulk();
  out.bulk(encodeDump(valueOf(env, key, rec, ctx.now)));
}

/** A non-negative 64-bit integer argument, or `err` (Redis checks the sign after parsing). */
function nonNegative(b: Buffer, err: string, max?: bigint): bigint {
  const n = bigIntArg(b);
  if (n < 0n || (max !== undefined && n > max)) throw new CommandError(err);
  return n;
}

/** Writes `v` as `key`'s whole value, replacing whatever it held. Inside env.write. */
function store(env: SlotEnv, key: Buffer, v: RdbValue, expireAt: number, now: number): void {
  switch (v.kind) {
    case 'string':
      remove(env, key, now);
      return putString(env, key, v.value, expireAt);
    case 'list':
      listReplace(env, key, v.items, now);
      break;
    case 'set':
      setReplace(env, key, v.items, now);
      break;
    case 'zset':
      zreplace(env, key, v.items, now);
      break;
    case 'hash':
      hashReplace(env, key, v.pairs, now);
      break;
  }
  if (expireAt !== 0) setExpire(env, key, expireAt, now);
}

function restore(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const key = args[1];
  let replace = false;
  let absTtl = false;
  let idle = false;
  let freq = false;
  for (let j = 4; j < args.length; j++) {
    const more = args.length - j - 1;
    const opt = lower(args[j]);
    if (opt === 'replace') replace = true;
    else if (opt === 'absttl') absTtl = true;
    else if (opt === 'idletime' && more >= 1 && !freq) {
      nonNegative(args[++j], ERR_IDLETIME);
      idle = true;
    } else if (opt === 'freq' && more >= 1 && !idle) {
      nonNegative(args[++j], ERR_FREQ, FREQ_MAX);
      freq = true;
    } else throw new CommandError(ERR_SYNTAX);
  }
  // IDLETIME and FREQ are checked as Redis checks them; pika keeps no LRU clock or LFU counter to set
  const env = ctx.env(key, true)!;
  if (!replace && lookup(env, key, ctx.now)) throw new CommandError(ERR_BUSYKEY);
  const ttl = nonNegative(args[2], ERR_TTL);
  const payload = args[3];
  if (!verifyDump(payload)) throw new CommandError(ERR_PAYLOAD);
  let value: RdbValue;
  try {
    value = decodeDump(payload);
  } catch (e) {
    if (e instanceof RdbFormatError) throw new CommandError(ERR_BAD_FORMAT);
    throw e;
  }
  const expireAt = ttl === 0n ? 0 : Number(ttl) + (absTtl ? 0 : ctx.now);
  if (expireAt !== 0 && expireAt <= ctx.now) {
    // already expired: the key is only deleted (when REPLACE found one), as Redis does
    const deleted = replace && env.write(() => remove(env, key, ctx.now));
    ctx.propagate(deleted ? [Buffer.from('DEL'), key] : null, env);
    if (deleted) ctx.notify(NOTIFY_GENERIC, 'del', key);
    return out.ok();
  }
  env.write(() => store(env, key, value, expireAt, ctx.now));
  // logged as the state it left: a relative TTL must not be counted again on replay
  ctx.propagate(keyStateArgs(env, key, ctx.now), env);
  ctx.notify(NOTIFY_GENERIC, 'restore', key);
  out.ok();
}

const D = (name: string, arity: number, flags: CommandSpec['flags'], worker: CommandSpec['worker'], summary: string, since: string): CommandSpec => ({
  name, arity, flags, firstKey: 1, lastKey: 1, keyStep: 1, group: 'generic', summary, since, worker,
});

export const DUMP_COMMANDS: CommandSpec[] = [
  D('dump', 2, ['readonly'], dump, 'Return a serialized version of the value stored at the specified key.', '2.6.0'),
  D('restore', -4, ['write', 'denyoom'], restore, 'Create a key using the provided serialized value, previously obtained using DUMP.', '2.6.0'),
];
