// Generic key commands: existence, type, expiry, rename/copy, and the keyspace-wide ones
// (DBSIZE, FLUSHDB, KEYS, SCAN, RANDOMKEY) that main fans out to every worker.
import { slotOf } from '../common/crc32';
import { globMatch } from '../common/glob';
import { KEYS_MAX_RESULTS, SCAN_CURSOR_CACHE_MAX, SLOTS_PER_TABLE_MAX } from '../common/limits';
import { CommandError, ERR_NO_SUCH_KEY, ERR_NOT_INTEGER, ERR_SYNTAX, expireError } from '../common/errors';
import { NOTIFY_GENERIC } from '../common/notify';
import { decodeReply, RespError, RespValue } from '../protocol/reply-reader';
import { bulkReply, errorReply, intReply, OK, ReplyWriter } from '../protocol/reply';
import {
  clearAll, copyKey, countExpires, countKeys, keyAt, KeyType, lookup, randomKey, remove, scanKeys, setExpire, store, TYPE_NAMES,
} from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';
import { decodeMeta } from '../types/collection';
import { hashEncoding } from '../types/hash';
import { cIntArg, lower, parseInt64 } from './args';
import { helpReply } from './container';
import { setEncoding } from '../types/set';
import { zsetEncoding } from '../types/zset';
import { parseScanCursor, parseScanOptions } from './scan-cursor';
import { CommandSpec, ServerContext, WorkerContext } from './types';

function del(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) {
    if (!remove(ctx.env(args[i], false), args[i], ctx.now)) continue;
    ctx.notify(NOTIFY_GENERIC, 'del', args[i]);
    n++;
  }
  out.int(n);
}

function exists(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (lookup(ctx.env(args[i], false), args[i], ctx.now)) n++;
  out.int(n);
}

function type(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const rec = lookup(ctx.env(args[1], false), args[1], ctx.now);
  out.simple(rec ? TYPE_NAMES[rec.type] : 'none');
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * EXPIRE family: `unitMs` scales the argument to ms, `absolute` for the *AT forms. As Redis
 * 7.0's expireGenericCommand: options first; then only a 64-bit overflow is an error (seconds
 * beyond LLONG_MAX/1000, or the time after adding the clock). Times past 2^53 ms are kept as
 * the nearest double.
 */
function expireGeneric(unitMs: number, absolute: boolean, cmd: string) {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter) => {
    let nx = false, xx = false, gt = false, lt = false;
    for (let i = 3; i < args.length; i++) {
      const opt = lower(args[i]);
      if (opt === 'nx') nx = true;
      else if (opt === 'xx') xx = true;
      else if (opt === 'gt') gt = true;
      else if (opt === 'lt') lt = true;
      else throw new CommandError(`ERR Unsupported option ${args[i].toString()}`);
    }
    if (nx && (xx || gt || lt)) throw new CommandError('ERR NX and XX, GT or LT options at the same time are not compatible');
    if (gt && lt) throw new CommandError('ERR GT and LT options at the same time are not compatible');
    const n = parseInt64(args[2]);
    if (n === undefined) throw new CommandError(ERR_NOT_INTEGER);
    let ms = n;
    if (unitMs === 1000) {
      if (n > INT64_MAX / 1000n || n < INT64_MIN / 1000n) throw new CommandError(expireError(cmd));
      ms = n * 1000n;
    }
    const base = absolute ? 0n : BigInt(ctx.now);
    if (ms > INT64_MAX - base) throw new CommandError(expireError(cmd));
    ms += base;
    const env = ctx.env(args[1], false);
    const rec = lookup(env, args[1], ctx.now);
    if (!env || !rec) return out.int(0);
    const when = Number(ms);
    const current = rec.expireAt === 0 ? Infinity : rec.expireAt;
    if ((nx && rec.expireAt !== 0) || (xx && rec.expireAt === 0) || (gt && !(when > current)) || (lt && !(when < current))) return out.int(0);
    // logged as Redis propagates it: the absolute time, or the deletion it caused
    if (ms <= BigInt(ctx.now)) {
      remove(env, args[1], ctx.now);
      ctx.propagate([Buffer.from('DEL'), args[1]]);
      ctx.notify(NOTIFY_GENERIC, 'del', args[1]);
    } else {
      setExpire(env, args[1], when, ctx.now);
      ctx.propagate([Buffer.from('PEXPIREAT'), args[1], Buffer.from(String(when))]);
      ctx.notify(NOTIFY_GENERIC, 'expire', args[1]);
    }
    out.int(1);
  };
}

function ttlGeneric(inMs: boolean, absolute: boolean) {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter) => {
    const rec = lookup(ctx.env(args[1], false), args[1], ctx.now);
    if (!rec) return out.int(-2);
    if (rec.expireAt === 0) return out.int(-1);
    if (Number.isSafeInteger(rec.expireAt)) {
      const ms = Math.max(0, absolute ? rec.expireAt : rec.expireAt - ctx.now);
      return out.int(inMs ? ms : Math.floor((ms + 500) / 1000));
    }
    // beyond 2^53: exact integer arithmetic on the stored double, capped at LLONG_MAX
    let ms = BigInt(Math.floor(rec.expireAt));
    if (ms > INT64_MAX) ms = INT64_MAX;
    if (!absolute) ms -= BigInt(ctx.now);
    if (ms < 0n) ms = 0n;
    out.int(inMs ? ms : (ms + 500n) / 1000n);
  };
}

function persist(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const env = ctx.env(args[1], false);
  const rec = lookup(env, args[1], ctx.now);
  if (!rec || rec.expireAt === 0) return out.int(0);
  setExpire(env, args[1], 0, ctx.now);
  ctx.notify(NOTIFY_GENERIC, 'persist', args[1]);
  out.int(1);
}

function renameGeneric(nx: boolean) {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter) => {
    const [, src, dst] = args;
    const srcEnv = ctx.env(src, false);
    const rec = lookup(srcEnv, src, ctx.now);
    if (!rec) throw new CommandError(ERR_NO_SUCH_KEY);
    if (src.equals(dst)) return nx ? out.int(0) : out.ok();
    const dstEnv = ctx.env(dst, true)!;
    if (nx && lookup(dstEnv, dst, ctx.now)) return out.int(0);
    // as Redis, an overwritten destination is deleted first, so the key shows as new
    remove(dstEnv, dst, ctx.now);
    copyKey(srcEnv!, rec, dstEnv, dst);
    remove(srcEnv, src, ctx.now);
    ctx.notify(NOTIFY_GENERIC, 'rename_from', src);
    ctx.notify(NOTIFY_GENERIC, 'rename_to', dst);
    return nx ? out.int(1) : out.ok();
  };
}

function copy(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const [, src, dst] = args;
  let table = ctx.table;
  let replace = false;
  for (let i = 3; i < args.length; i++) {
    const opt = lower(args[i]);
    if (opt === 'replace') replace = true;
    else if (opt === 'db' && i + 1 < args.length) {
      table = cIntArg(args[++i]);
      if (!ctx.tableExists(table)) throw new CommandError('ERR DB index is out of range');
    } else throw new CommandError(ERR_SYNTAX);
  }
  if (table === ctx.table && src.equals(dst)) throw new CommandError('ERR source and destination objects are the same');
  const srcEnv = ctx.env(src, false);
  const rec = lookup(srcEnv, src, ctx.now);
  if (!rec) return out.int(0);
  const dstEnv = ctx.envIn(table, dst, true)!;
  if (!replace && lookup(dstEnv, dst, ctx.now)) return out.int(0);
  remove(dstEnv, dst, ctx.now);
  copyKey(srcEnv!, rec, dstEnv, dst);
  ctx.notify(NOTIFY_GENERIC, 'copy_to', dst, table);
  out.int(1);
}

/** A table number argument, or undefined when it is not one (the command then answers its error). */
function tableArg(b: Buffer): number | undefined {
  const n = parseInt64(b);
  return n === undefined || n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(n);
}

/** COPY ... DB <n>: the last DB option wins, as the worker parses it. */
function copyTarget(args: Buffer[]): number | undefined {
  let target: number | undefined;
  for (let i = 3; i < args.length - 1; i++) if (lower(args[i]) === 'db') target = tableArg(args[++i]);
  return target;
}

function move(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const table = cIntArg(args[2]);
  if (!ctx.tableExists(table)) throw new CommandError('ERR DB index is out of range');
  if (table === ctx.table) throw new CommandError('ERR source and destination objects are the same');
  const srcEnv = ctx.env(args[1], false);
  const rec = lookup(srcEnv, args[1], ctx.now);
  if (!rec) return out.int(0);
  const dstEnv = ctx.envIn(table, args[1], true)!;
  if (lookup(dstEnv, args[1], ctx.now)) return out.int(0);
  copyKey(srcEnv!, rec, dstEnv, args[1]);
  remove(srcEnv, args[1], ctx.now);
  ctx.notify(NOTIFY_GENERIC, 'move_from', args[1]);
  ctx.notify(NOTIFY_GENERIC, 'move_to', args[1], table);
  out.int(1);
}

const OBJECT_HELP = [
  'ENCODING <key>', '    Return the kind of internal representation used in order to store the value', '    associated with a <key>.',
  'FREQ <key>', '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>', '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>', '    Return the number of references of the value associated with the specified', '    <key>.',
];

/**
 * OBJECT runs on main, so OBJECT HELP (which has no key) needs no worker; the subcommands that
 * read a key go to the key's worker as __object <sub> <key>. Arities are checked by dispatch.
 */
function object(ctx: ServerContext, args: Buffer[]): Buffer | Promise<Buffer> {
  const sub = lower(args[1]);
  if (sub === 'help') return helpReply(args[0], OBJECT_HELP);
  const key = args[2];
  const worker = ctx.workerOfSlot(slotOf(key, ctx.slotCount(ctx.client.table)));
  return ctx.callWorker(worker, ctx.client.table, [Buffer.from('__object'), args[1], key], ctx.client.resp);
}

/** __object <encoding|refcount|idletime|freq> <key>: OBJECT's part in the key's worker. */
function ownObject(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const sub = lower(args[1]);
  const rec = lookup(ctx.env(args[2], false), args[2], ctx.now);
  if (!rec) return out.nullBulk();
  if (sub === 'encoding') return out.bulk(encodingOf(rec.type, rec.payload));
  if (sub === 'refcount') return out.int(1);
  if (sub === 'idletime') return out.int(0); // access times are not tracked: LMDB reads stay read-only
  throw new CommandError('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
}

function encodingOf(type: KeyType, payload: Buffer): string {
  if (type === KeyType.String) {
    if (payload.length <= 20 && parseInt64(payload) !== undefined) return 'int';
    return payload.length <= 44 ? 'embstr' : 'raw';
  }
  if (type === KeyType.Hash) return hashEncoding(decodeMeta(payload));
  if (type === KeyType.Set) return setEncoding(payload);
  if (type === KeyType.ZSet) return zsetEncoding(payload);
  return ['', 'hashtable', 'quicklist', 'hashtable', 'skiplist'][type];
}

// ---- internal per-worker parts of the keyspace-wide commands ----

function forOwnSlots(ctx: WorkerContext, fn: (env: SlotEnv) => void): void {
  for (const slot of ctx.ownSlots()) {
    const env = ctx.store.env(ctx.table, slot, false);
    if (env) fn(env);
  }
}

function ownDbsize(ctx: WorkerContext, _args: Buffer[], out: ReplyWriter): void {
  let n = 0;
  forOwnSlots(ctx, (env) => (n += countKeys(env)));
  out.int(n);
}

function ownKeyspace(ctx: WorkerContext, _args: Buffer[], out: ReplyWriter): void {
  let keys = 0, expires = 0;
  forOwnSlots(ctx, (env) => {
    keys += countKeys(env);
    expires += countExpires(env);
  });
  out.arrayHeader(2);
  out.int(keys);
  out.int(expires);
}

function ownFlush(ctx: WorkerContext, _args: Buffer[], out: ReplyWriter): void {
  forOwnSlots(ctx, (env) => env.write(() => {
    clearAll(env);
    ctx.propagate([Buffer.from('__clearslot')], env);
  }));
  out.ok();
}

function ownKeys(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const pattern = args[1];
  const all = pattern.length === 1 && pattern[0] === 42;
  const found: Buffer[] = [];
  forOwnSlots(ctx, (env) => {
    scanKeys(env, null, Number.MAX_SAFE_INTEGER, ctx.now, (k) => {
      if (found.length >= KEYS_MAX_RESULTS) throw new CommandError('ERR KEYS matched too many keys, use SCAN');
      if (all || globMatch(pattern, k)) found.push(k);
    });
  });
  out.bulkArray(found);
}

/**
 * __randomkey: [records, key or nil]. A slot is picked with probability proportional to its
 * record count, then a record in it; nil only when none of this worker's slots has a live key.
 */
function ownRandomKey(ctx: WorkerContext, _args: Buffer[], out: ReplyWriter): void {
  const slots: { env: SlotEnv; n: number }[] = [];
  let total = 0;
  forOwnSlots(ctx, (env) => {
    const n = countKeys(env);
    if (n > 0) {
      slots.push({ env, n });
      total += n;
    }
  });
  out.arrayHeader(2);
  out.int(total);
  for (let attempt = 0; attempt < 16 && total > 0; attempt++) {
    let r = Math.floor(Math.random() * total);
    const pick = slots.find((s) => (r -= s.n) < 0)!;
    const k = keyAt(pick.env, r + pick.n, ctx.now);
    if (k) return out.bulk(k);
  }
  // many records are expired keys not reclaimed yet: look at every slot, from a random one
  const start = Math.floor(Math.random() * slots.length);
  for (let i = 0; i < slots.length; i++) {
    const k = randomKey(slots[(start + i) % slots.length].env, ctx.now);
    if (k) return out.bulk(k);
  }
  out.nullBulk();
}

/** __scanslot <slot> <after|""> <count> <match|""> <type|"">: [next-after or nil, keys...] */
function scanSlot(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const slot = Number(args[1].toString());
  const after = args[2].length ? args[2] : null;
  const count = Number(args[3].toString());
  const match = args[4].length ? args[4] : null;
  const wantType = args[5].length ? args[5].toString() : null;
  const env = ctx.store.env(ctx.table, slot, false);
  const found: Buffer[] = [];
  let next: Buffer | null = null;
  if (env) {
    next = scanKeys(env, after, count, ctx.now, (k, t) => {
      if (match && !globMatch(match, k)) return;
      if (wantType && TYPE_NAMES[t] !== wantType) return;
      found.push(k);
    });
    if (next && scanKeys(env, next, 1, ctx.now, () => {}) === null) next = null;
  }
  out.arrayHeader(found.length + 1);
  out.bulk(next);
  for (const k of found) out.bulk(k);
}

/** __live <key> ...: 1 for each key that exists and has not expired, else 0 (WATCH and EXEC's check). */
function ownLive(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  out.arrayHeader(args.length - 1);
  for (let i = 1; i < args.length; i++) out.int(lookup(ctx.env(args[i], false), args[i], ctx.now) ? 1 : 0);
}

function workerStats(ctx: WorkerContext, _args: Buffer[], out: ReplyWriter): void {
  out.arrayHeader(4);
  out.int(ctx.stats.keyspaceHits);
  out.int(ctx.stats.keyspaceMisses);
  out.int(ctx.stats.expiredKeys);
  out.int(ctx.store.openCount());
}

function ownSave(ctx: WorkerContext, _args: Buffer[], out: ReplyWriter): void {
  ctx.store.syncDirty();
  out.ok();
}

/** __resetstats: CONFIG RESETSTAT's part in this worker. */
function resetWorkerStats(ctx: WorkerContext, _args: Buffer[], out: ReplyWriter): void {
  ctx.stats.keyspaceHits = 0;
  ctx.stats.keyspaceMisses = 0;
  ctx.stats.expiredKeys = 0;
  ctx.store.reclaim.collections = 0; // lazyfreed_objects, as Redis's resetServerStats
  ctx.store.reclaim.records = 0;
  out.ok();
}

// ---- main-side fan-out ----

async function everyWorker(ctx: ServerContext, args: Buffer[]): Promise<RespValue[]> {
  const values = (await ctx.everyWorker(ctx.client.table, args)).map(decodeReply);
  const failed = values.find((v) => v instanceof RespError) as RespError | undefined;
  if (failed) throw new CommandError(failed.message);
  return values;
}

const internal = (name: string) => [Buffer.from(name)];

async function dbsize(ctx: ServerContext): Promise<Buffer> {
  const counts = await everyWorker(ctx, internal('__dbsize'));
  return intReply(counts.reduce((a: number, b) => a + Number(b), 0));
}

function flushOptions(args: Buffer[]): void {
  if (args.length > 2 || (args.length === 2 && !['async', 'sync'].includes(lower(args[1])))) throw new CommandError(ERR_SYNTAX);
}

async function flushdb(ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  flushOptions(args);
  await everyWorker(ctx, internal('__flushdb'));
  return OK;
}

async function flushall(ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  flushOptions(args);
  for (const t of ctx.tables.ids()) {
    await ctx.everyWorker(t, internal('__flushdb'));
  }
  return OK;
}

/** SAVE: every worker forces its committed writes to disk (the data is always on disk in LMDB). */
async function save(ctx: ServerContext): Promise<Buffer> {
  await everyWorker(ctx, internal('__save'));
  ctx.markSaved();
  return OK;
}

async function keys(ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  const parts = await everyWorker(ctx, [Buffer.from('__keys'), args[1]]);
  const out = new ReplyWriter();
  const all = parts.flat() as Buffer[];
  out.bulkArray(all);
  return out.take();
}

/** Every worker picks a key of its own; one of them is chosen, weighted by the workers' key counts. */
async function randomkey(ctx: ServerContext): Promise<Buffer> {
  const parts = (await everyWorker(ctx, internal('__randomkey'))) as [number, Buffer | null][];
  const found = parts.filter(([, k]) => k !== null);
  const total = found.reduce((a, [n]) => a + n, 0);
  let r = Math.random() * total;
  for (const [n, k] of found) if ((r -= n) < 0) return bulkReply(k);
  return bulkReply(found.length ? found[found.length - 1][1] : null);
}

/** Cursor = token * CURSOR_SLOT_SPACE + slot; token 0 starts the slot, others name a saved position. */
const CURSOR_SLOT_SPACE = SLOTS_PER_TABLE_MAX;
let nextCursorToken = 1;


async function scan(ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  const cursor = parseScanCursor(args[1]);
  const { count, match: pattern, type } = parseScanOptions(args, 2, true);
  const match = pattern ?? Buffer.alloc(0);
  const wantType = type ?? Buffer.alloc(0);
  const slots = ctx.slotCount(ctx.client.table);
  let slot = Number(cursor % BigInt(CURSOR_SLOT_SPACE));
  const bigToken = cursor / BigInt(CURSOR_SLOT_SPACE);
  // a cursor this node never handed out (any huge number) finds nothing, as in Redis
  if (bigToken >= BigInt(nextCursorToken)) slot = slots;
  const token = Number(bigToken);
  // a saved position is bound to its table, so a cursor cannot carry a client into another
  const saved = `${ctx.client.table}:${token}`;
  let after: Buffer | null = token ? ctx.scanCursors.get(saved) ?? null : null;
  if (token) ctx.scanCursors.delete(saved);
  const found: Buffer[] = [];
  while (slot < slots && found.length < count) {
    const reply = decodeReply(
      await ctx.callWorker(ctx.workerOfSlot(slot), ctx.client.table, [
        Buffer.from('__scanslot'), Buffer.from(String(slot)), after ?? Buffer.alloc(0), Buffer.from(String(count - found.length)), match, wantType,
      ]),
    );
    if (reply instanceof RespError) throw new CommandError(reply.message);
    const [next, ...ks] = reply as (Buffer | null)[];
    found.push(...(ks as Buffer[]));
    if (next) after = Buffer.from(next);
    else {
      after = null;
      slot++;
    }
  }
  let nextCursor = 0;
  if (slot < slots) {
    if (after) {
      const t = nextCursorToken++;
      ctx.scanCursors.set(`${ctx.client.table}:${t}`, after);
      if (ctx.scanCursors.size > SCAN_CURSOR_CACHE_MAX) ctx.scanCursors.delete(ctx.scanCursors.keys().next().value!);
      nextCursor = t * CURSOR_SLOT_SPACE + slot;
    } else nextCursor = slot;
  }
  const out = new ReplyWriter();
  out.arrayHeader(2);
  out.bulk(String(nextCursor));
  out.bulkArray(found);
  return out.take();
}

const K = (
  name: string, arity: number, flags: CommandSpec['flags'], keys: [number, number, number], summary: string, impl: Partial<CommandSpec>,
): CommandSpec => ({ name, arity, flags, firstKey: keys[0], lastKey: keys[1], keyStep: keys[2], group: 'generic', summary, since: '1.0.0', ...impl });
const NO_KEYS: [number, number, number] = [0, 0, 0];

export const KEYS_COMMANDS: CommandSpec[] = [
  K('del', -2, ['write'], [1, -1, 1], 'Delete a key', { worker: del, spread: 'sum' }),
  K('unlink', -2, ['write', 'fast'], [1, -1, 1], 'Delete a key asynchronously in another thread', { worker: del, spread: 'sum' }),
  K('exists', -2, ['readonly', 'fast'], [1, -1, 1], 'Determine if a key exists', { worker: exists, spread: 'sum' }),
  K('touch', -2, ['readonly', 'fast'], [1, -1, 1], 'Alters the last access time of a key(s)', { worker: exists, spread: 'sum' }),
  K('type', 2, ['readonly', 'fast'], [1, 1, 1], 'Determine the type stored at key', { worker: type }),
  K('expire', -3, ['write', 'fast'], [1, 1, 1], 'Set a key\'s time to live in seconds', { worker: expireGeneric(1000, false, 'expire') }),
  K('pexpire', -3, ['write', 'fast'], [1, 1, 1], 'Set a key\'s time to live in milliseconds', { worker: expireGeneric(1, false, 'pexpire') }),
  K('expireat', -3, ['write', 'fast'], [1, 1, 1], 'Set the expiration for a key as a UNIX timestamp', { worker: expireGeneric(1000, true, 'expireat') }),
  K('pexpireat', -3, ['write', 'fast'], [1, 1, 1], 'Set the expiration for a key as a UNIX timestamp specified in milliseconds', { worker: expireGeneric(1, true, 'pexpireat') }),
  K('ttl', 2, ['readonly', 'random', 'fast'], [1, 1, 1], 'Get the time to live for a key in seconds', { worker: ttlGeneric(false, false) }),
  K('pttl', 2, ['readonly', 'random', 'fast'], [1, 1, 1], 'Get the time to live for a key in milliseconds', { worker: ttlGeneric(true, false) }),
  K('expiretime', 2, ['readonly', 'fast'], [1, 1, 1], 'Get the expiration Unix timestamp for a key', { worker: ttlGeneric(false, true) }),
  K('pexpiretime', 2, ['readonly', 'fast'], [1, 1, 1], 'Get the expiration Unix timestamp for a key in milliseconds', { worker: ttlGeneric(true, true) }),
  K('persist', 2, ['write', 'fast'], [1, 1, 1], 'Remove the expiration from a key', { worker: persist }),
  K('rename', 3, ['write'], [1, 2, 1], 'Rename a key', { worker: renameGeneric(false), spread: 'exclusive' }),
  K('renamenx', 3, ['write', 'fast'], [1, 2, 1], 'Rename a key, only if the new key does not exist', { worker: renameGeneric(true), spread: 'exclusive' }),
  K('copy', -3, ['write', 'denyoom'], [1, 2, 1], 'Copy a key', { worker: copy, spread: 'exclusive', crossTable: true, targetTable: copyTarget }),
  K('move', 3, ['write', 'fast'], [1, 1, 1], 'Move a key to another database', { worker: move, spread: 'exclusive', crossTable: true, targetTable: (a) => tableArg(a[2]) }),
  K('object', -2, ['readonly'], [2, 2, 1], 'A container for object introspection commands', {
    main: object, subcommands: { encoding: 3, freq: 3, help: 2, idletime: 3, refcount: 3 },
  }),
  K('dbsize', 1, ['readonly', 'fast'], NO_KEYS, 'Return the number of keys in the selected database', { main: dbsize }),
  K('flushdb', -1, ['write'], NO_KEYS, 'Remove all keys from the current database', { main: flushdb }),
  K('flushall', -1, ['write', 'admin'], NO_KEYS, 'Remove all keys from all databases', { main: flushall, allTables: true }),
  { ...K('save', 1, ['admin', 'noscript', 'no_multi'], NO_KEYS, 'Synchronously save the dataset to disk', { main: save }), group: 'server' },
  K('keys', 2, ['readonly'], NO_KEYS, 'Find all keys matching the given pattern', { main: keys }),
  K('randomkey', 1, ['readonly', 'random'], NO_KEYS, 'Return a random key from the keyspace', { main: randomkey }),
  K('scan', -2, ['readonly', 'random'], NO_KEYS, 'Incrementally iterate the keys space', { main: scan }),
  K('__dbsize', 1, ['internal'], NO_KEYS, 'Keys of this worker\'s slots', { worker: ownDbsize }),
  K('__keyspace', 1, ['internal'], NO_KEYS, 'Keys and expiring keys of this worker\'s slots', { worker: ownKeyspace }),
  K('__flushdb', 1, ['internal'], NO_KEYS, 'Empty this worker\'s slots', { worker: ownFlush }),
  K('__keys', 2, ['internal'], NO_KEYS, 'Matching keys of this worker\'s slots', { worker: ownKeys }),
  K('__randomkey', 1, ['internal'], NO_KEYS, 'A random key of this worker\'s slots', { worker: ownRandomKey }),
  K('__object', 3, ['internal'], NO_KEYS, 'OBJECT\'s part in the key\'s worker', { worker: ownObject }),
  K('__workerstats', 1, ['internal'], NO_KEYS, 'Counters of this worker', { worker: workerStats }),
  K('__save', 1, ['internal'], NO_KEYS, 'Force this worker\'s committed writes to disk', { worker: ownSave }),
  K('__resetstats', 1, ['internal'], NO_KEYS, 'Zero the counters of this worker', { worker: resetWorkerStats }),
  K('__live', -2, ['internal'], NO_KEYS, 'Liveness of keys of this worker, for WATCH', { worker: ownLive }),
  K('__scanslot', 6, ['internal'], NO_KEYS, 'One step of SCAN over one slot', { worker: scanSlot }),
];


