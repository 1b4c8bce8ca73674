// The keyspace directory of a slot: one record per key in the `keys` sub-database, so a key
// has exactly one type, one expiry, and one lookup answers TYPE/EXISTS/TTL.
//
// Record: [tag u8][expireAt f64 LE, 0 = none][if LONG: u32 key length, key][payload]
//   tag & TYPE_MASK is the type; tag & LONG_KEY marks a key stored under a digest.
//   Strings keep their value as the payload; collections keep their meta (see src/types/).
// Directory key: the user key itself when it fits LMDB's key limit with room for the expiry
// index prefix; otherwise (or when empty, which LMDB refuses) its first DIRECT_KEY_MAX_BYTES
// bytes + SHA-1, which no verbatim key can equal (verbatim keys are 1..DIRECT_KEY_MAX_BYTES).
// Expiry index `expires`: [expireAt u64 BE][directory key] → empty, for the active cycle.
import { createHash } from 'crypto';
import { writeUInt64BE } from '../common/int64';
import { DIRECT_KEY_MAX_BYTES } from '../common/limits';
import { clearMembers, dropCollection } from './reclaim';
import { MemberDbName, SlotEnv } from './slot-store';

export enum KeyType {
  String = 0,
  Hash = 1,
  List = 2,
  Set = 3,
  ZSet = 4,
}
export const TYPE_NAMES = ['string', 'hash', 'list', 'set', 'zset'];
const TYPE_MASK = 0x0f;
const LONG_KEY = 0x80;
const HEADER = 9;
/** Collections start their payload with an 8-byte id (src/types/collection.ts). */
export const COLLECTION_ID_BYTES = 8;
const EXPIRE_PREFIX = 8;

export interface KeyRecord {
  type: KeyType;
  /** Absolute ms; 0 when the key does not expire. */
  expireAt: number;
  /** Bytes after the header: the string value or the collection meta. A copy. */
  payload: Buffer;
}

/** Where a collection's members (and any index of them) live: sub-database, id and record count of each. */
export type MemberLocator = (env: SlotEnv, payload: Buffer) => { db: MemberDbName; id: Buffer; records: number }[];
const locators: (MemberLocator | undefined)[] = [];
export function registerMemberLocator(type: KeyType, fn: MemberLocator): void {
  locators[type] = fn;
}

/** Drops, or queues for reclaim, the members of a collection whose directory record goes away. */
function dropMembers(env: SlotEnv, rec: { type: KeyType; payload: Buffer }): void {
  const locate = locators[rec.type];
  if (!locate) return;
  for (const { db, id, records } of locate(env, rec.payload)) dropCollection(env, db, id, records);
}

/** Keys LMDB cannot hold verbatim: longer than its key limit allows, or empty. */
const needsDigest = (key: Buffer) => key.length === 0 || key.length > DIRECT_KEY_MAX_BYTES;

/**
 * Told of what Redis reports as keyspace events from inside its key directory: a key found past
 * its expiry (read, replaced, deleted or reclaimed: Redis's "expired") and a key created where no
 * live one was ("new"). Set by the worker only while such events are wanted.
 */
export interface KeyspaceObserver {
  /** The command's clock, ms: what "expired" means for store(), which takes no time. */
  now(): number;
  /** `expireAt` tells this record from a later one of the same key. */
  expired(env: SlotEnv, key: Buffer, expireAt: number): void;
  created(env: SlotEnv, key: Buffer): void;
}
let observer: KeyspaceObserver | null = null;
export function observeKeyspace(o: KeyspaceObserver | null): void {
  observer = o;
}

/** Copies a collection's members into `dst` and returns the payload naming the copies. */
export type MemberCopier = (src: SlotEnv, rec: KeyRecord, dst: SlotEnv) => Buffer;
const copiers: (MemberCopier | undefined)[] = [];
export function registerMemberCopier(type: KeyType, fn: MemberCopier): void {
  copiers[type] = fn;
}

/**
 * A collection's members as flat [member, value, ...] pairs, and the inverse: members written
 * into a slot under a fresh collection id, returning the payload that names them. The binlog
 * records a key's whole state this way when one command changed keys in several slots.
 */
export interface MemberSerializer {
  dump(env: SlotEnv, rec: KeyRecord): Buffer[];
  load(env: SlotEnv, payload: Buffer, pairs: Buffer[]): Buffer;
}
const serializers: (MemberSerializer | undefined)[] = [];
export function registerMemberSerializer(type: KeyType, s: MemberSerializer): void {
  serializers[type] = s;
}

const KEY_STATE_HEAD = 4;

/** A key's whole state as `__keystate key type expireAt payload [member value ...]`, or `DEL key` when it is absent. */
export function keyStateArgs(env: SlotEnv | null, key: Buffer, now: number): Buffer[] {
  const rec = lookup(env, key, now);
  if (!env || !rec) return [Buffer.from('DEL'), key];
  const members = serializers[rec.type]?.dump(env, rec) ?? [];
  return [Buffer.from('__keystate'), key, Buffer.from(String(rec.type)), Buffer.from(String(rec.expireAt)), rec.payload, ...members];
}

/** Replays `keyStateArgs` (from argument 1 on). Inside env.write. */
export function applyKeyState(env: SlotEnv, args: Buffer[]): void {
  const key = args[1];
  const type = Number(args[2].toString()) as KeyType;
  const expireAt = Number(args[3].toString());
  const s = serializers[type];
  const dirKey = directoryKey(key);
  const old = lookupAny(env, dirKey);
  if (old) removeRecord(env, dirKey, old);
  const payload = s ? s.load(env, args[KEY_STATE_HEAD], args.slice(KEY_STATE_HEAD + 1)) : args[KEY_STATE_HEAD];
  store(env, key, type, expireAt, payload);
}

/** Every record of the slot in directory order, members included, for digests. */
export function* slotContents(env: SlotEnv): Generator<{ key: Buffer; rec: KeyRecord; members: Buffer[] }> {
  for (const { key, value } of env.dbs.keys.getRange({}) as Iterable<{ key: Buffer; value: Uint8Array }>) {
    const raw = asBuffer(value);
    const rec = decode(raw);
    yield { key: userKey(key, raw), rec, members: serializers[rec.type]?.dump(env, rec) ?? [] };
  }
}

/** Writes a copy of `rec` (from `src`) as `dstKey` in `dst`, members included, expiry kept. */
export function copyKey(src: SlotEnv, rec: KeyRecord, dst: SlotEnv, dstKey: Buffer): void {
  dst.write(() => {
    const payload = copiers[rec.type] ? copiers[rec.type]!(src, rec, dst) : rec.payload;
    store(dst, dstKey, rec.type, rec.expireAt, payload);
  });
}

export function directoryKey(key: Buffer): Buffer {
  if (!needsDigest(key)) return key;
  const digest = createHash('sha1').update(key).digest();
  return Buffer.concat([key.subarray(0, DIRECT_KEY_MAX_BYTES), digest]);
}

function encode(type: KeyType, expireAt: number, key: Buffer, payload: Buffer): Buffer {
  const long = needsDigest(key);
  const keyPart = long ? 4 + key.length : 0;
  const out = Buffer.allocUnsafe(HEADER + keyPart + payload.length);
  out[0] = type | (long ? LONG_KEY : 0);
  out.writeDoubleLE(expireAt, 1);
  let o = HEADER;
  if (long) {
    out.writeUInt32LE(key.length, o);
    key.copy(out, o + 4);
    o += keyPart;
  }
  payload.copy(out, o);
  return out;
}

function payloadStart(raw: Buffer): number {
  return raw[0] & LONG_KEY ? HEADER + 4 + raw.readUInt32LE(HEADER) : HEADER;
}

function decode(raw: Buffer): KeyRecord {
  return { type: raw[0] & TYPE_MASK, expireAt: raw.readDoubleLE(1), payload: Buffer.from(raw.subarray(payloadStart(raw))) };
}

/** The user key of a directory entry. */
export function userKey(dirKey: Buffer, raw: Buffer): Buffer {
  return raw[0] & LONG_KEY ? Buffer.from(raw.subarray(HEADER + 4, HEADER + 4 + raw.readUInt32LE(HEADER))) : Buffer.from(dirKey);
}

/**
 * A directory record as a Buffer. lmdb-js hands values of 16 MiB and more back as a plain
 * Uint8Array (a view of its shared map), which lacks Buffer's read methods: wrap it, without copying.
 */
function asBuffer(raw: Uint8Array): Buffer {
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
}

/** The directory record stored under `dirKey`, valid until the next LMDB call. */
function getRaw(env: SlotEnv, dirKey: Buffer): Buffer | undefined {
  const raw = env.dbs.keys.getBinaryFast(dirKey);
  return raw === undefined ? undefined : asBuffer(raw);
}

/** As Redis's keyIsExpired: a key expires once the clock has passed its time. */
const isLive = (raw: Buffer, now: number) => {
  const exp = raw.readDoubleLE(1);
  return exp === 0 || exp >= now;
};

function expireKey(expireAt: number, dirKey: Buffer): Buffer {
  const out = Buffer.allocUnsafe(EXPIRE_PREFIX + dirKey.length);
  writeUInt64BE(out, Math.floor(expireAt), 0);
  dirKey.copy(out, EXPIRE_PREFIX);
  return out;
}

/** A live key's record, or null when absent or expired. */
export function lookup(env: SlotEnv | null, key: Buffer, now: number): KeyRecord | null {
  if (!env) return null;
  const raw = getRaw(env, directoryKey(key));
  if (!raw || !liveOrReport(env, key, raw, now)) return null;
  return decode(raw);
}

/** Whether a record is live; an expired one is reported to the observer. */
function liveOrReport(env: SlotEnv, key: Buffer, raw: Buffer, now: number): boolean {
  if (isLive(raw, now)) return true;
  observer?.expired(env, key, raw.readDoubleLE(1));
  return false;
}

/** A live string's value, copied; undefined when absent, null when another type. */
export function lookupString(env: SlotEnv | null, key: Buffer, now: number): Buffer | null | undefined {
  if (!env) return undefined;
  const raw = getRaw(env, directoryKey(key));
  if (!raw || !liveOrReport(env, key, raw, now)) return undefined;
  if ((raw[0] & TYPE_MASK) !== KeyType.String) return null;
  return Buffer.from(raw.subarray(payloadStart(raw)));
}

/** The raw record even when expired, for writers that must clean up what they replace. */
function lookupAny(env: SlotEnv, dirKey: Buffer): KeyRecord | null {
  const raw = getRaw(env, dirKey);
  return raw ? decode(raw) : null;
}

/**
 * Writes a key's record, replacing whatever was there (of any type). Inside env.write.
 * `unlessEqual`: a record equal to the stored one is not written again. A collection's meta
 * asks for it (a member changed, not the count), since its members' writes are the change and
 * are logged; a string's SET always writes and logs, as Redis propagates it.
 */
export function store(env: SlotEnv, key: Buffer, type: KeyType, expireAt: number, payload: Buffer, unlessEqual = false): void {
  const dirKey = directoryKey(key);
  const raw = getRaw(env, dirKey);
  const record = encode(type, expireAt, key, payload);
  // lmdb-js lends its whole read buffer with `length` set to the value's: equals() would compare all of it
  if (unlessEqual && raw && raw.length === record.length && record.compare(raw, 0, raw.length) === 0) return;
  const oldExpireAt = raw ? raw.readDoubleLE(1) : 0;
  if (observer && (!raw || !liveOrReport(env, key, raw, observer.now()))) observer.created(env, key);
  if (raw) {
    const oldType: KeyType = raw[0] & TYPE_MASK;
    // decode copies the record: it must be read before the next LMDB call reuses `raw`
    // A different type, or a new collection (its id, the first 8 payload bytes, differs) over
    // an old one — live or expired — leaves the old members unreachable: drop them (or queue).
    if (locators[oldType] && (oldType !== type || !raw.subarray(payloadStart(raw), payloadStart(raw) + COLLECTION_ID_BYTES).equals(payload.subarray(0, COLLECTION_ID_BYTES)))) {
      dropMembers(env, decode(raw));
    }
    if (oldExpireAt !== expireAt && oldExpireAt !== 0) env.dbs.expires.removeSync(expireKey(oldExpireAt, dirKey));
  }
  if (expireAt !== 0 && oldExpireAt !== expireAt) env.dbs.expires.putSync(expireKey(expireAt, dirKey), EMPTY);
  env.dbs.keys.putSync(dirKey, record);
}
const EMPTY = Buffer.alloc(0);

/** Removes a key (live or expired) with its members; returns whether a live key was removed. */
export function remove(env: SlotEnv | null, key: Buffer, now: number): boolean {
  if (!env) return false;
  const dirKey = directoryKey(key);
  const old = lookupAny(env, dirKey);
  if (!old) return false;
  env.write(() => removeRecord(env, dirKey, old));
  const live = old.expireAt === 0 || old.expireAt >= now;
  if (!live) observer?.expired(env, key, old.expireAt);
  return live;
}

function removeRecord(env: SlotEnv, dirKey: Buffer, old: KeyRecord): void {
  if (old.expireAt !== 0) env.dbs.expires.removeSync(expireKey(old.expireAt, dirKey));
  dropMembers(env, old);
  env.dbs.keys.removeSync(dirKey);
}

/** Changes a live key's expiry (0 removes it). Returns false when the key is absent. */
export function setExpire(env: SlotEnv | null, key: Buffer, expireAt: number, now: number): boolean {
  const rec = lookup(env, key, now);
  if (!env || !rec) return false;
  env.write(() => store(env, key, rec.type, expireAt, rec.payload));
  return true;
}

/** Deletes up to `maxKeys` keys whose expiry passed, within `budgetMs`; returns how many.
 * `onDelete` sees each deleted key inside the transaction (the binlog records it as a DEL). */
export function reclaimExpired(env: SlotEnv, now: number, maxKeys: number, budgetMs: number, onDelete?: (key: Buffer) => void): number {
  const end = expireKey(now, EMPTY);
  const victims: Buffer[] = [];
  for (const entry of env.dbs.expires.getKeys({ end, limit: maxKeys }) as Iterable<Buffer>) victims.push(Buffer.from(entry));
  if (victims.length === 0) return 0;
  const deadline = Date.now() + budgetMs;
  let n = 0;
  env.write(() => {
    for (const ek of victims) {
      const dirKey = ek.subarray(EXPIRE_PREFIX);
      const raw = getRaw(env, dirKey);
      const key = raw && (observer || onDelete) ? userKey(dirKey, raw) : null;
      const rec = raw ? decode(raw) : null;
      env.dbs.expires.removeSync(ek);
      if (rec && rec.expireAt !== 0 && rec.expireAt < now) {
        dropMembers(env, rec);
        env.dbs.keys.removeSync(dirKey);
        if (key) observer?.expired(env, key, rec.expireAt);
        if (key) onDelete?.(key);
        n++;
      }
      if (Date.now() > deadline) break;
    }
  });
  return n;
}

/** Keys after `after` (exclusive) in directory order, live only, up to `limit` entries examined. */
export function scanKeys(
  env: SlotEnv,
  after: Buffer | null,
  limit: number,
  now: number,
  visit: (key: Buffer, type: KeyType) => void,
): Buffer | null {
  let last: Buffer | null = null;
  const range = env.dbs.keys.getRange(after ? { start: after, exclusiveStart: true, limit } : { limit });
  for (const { key, value: v } of range as Iterable<{ key: Buffer; value: Uint8Array }>) {
    const value = asBuffer(v);
    last = Buffer.from(key);
    if (isLive(value, now)) visit(userKey(key, value), value[0] & TYPE_MASK);
  }
  return last;
}

export function countKeys(env: SlotEnv): number {
  return env.dbs.keys.getCount();
}

export function countExpires(env: SlotEnv): number {
  return env.dbs.expires.getCount();
}

/** Removes every key of the slot, members and queued garbage included. */
export function clearAll(env: SlotEnv): void {
  env.write(() => {
    env.dbs.keys.clearSync();
    env.dbs.expires.clearSync();
    env.dbs.strings.clearSync();
    clearMembers(env);
  });
}

/** The key of the record at `offset` in directory order when it is live, else null. */
export function keyAt(env: SlotEnv, offset: number, now: number): Buffer | null {
  for (const { key, value } of env.dbs.keys.getRange({ offset, limit: 1 }) as Iterable<{ key: Buffer; value: Uint8Array }>) {
    const raw = asBuffer(value);
    if (isLive(raw, now)) return userKey(key, raw);
  }
  return null;
}

/** The first live key at or after `offset` in directory order, wrapping around once; null when none is live. */
function firstLiveKeyFrom(env: SlotEnv, offset: number, now: number): Buffer | null {
  for (const [start, limit] of [[offset, Infinity], [0, offset]] as const) {
    if (limit <= 0) continue;
    const range = env.dbs.keys.getRange(limit === Infinity ? { offset: start } : { offset: start, limit });
    for (const { key, value } of range as Iterable<{ key: Buffer; value: Uint8Array }>) {
      const raw = asBuffer(value);
      if (isLive(raw, now)) return userKey(key, raw);
    }
  }
  return null;
}

/**
 * A uniformly chosen live key of the slot, or null only when the slot has no live key. Records
 * of expired keys the active cycle has not reclaimed yet are skipped: after a few random picks
 * land on them, the first live record after a random position is taken.
 */
export function randomKey(env: SlotEnv, now: number): Buffer | null {
  const total = countKeys(env);
  if (total === 0) return null;
  for (let attempt = 0; attempt < 16; attempt++) {
    const k = keyAt(env, Math.floor(Math.random() * total), now);
    if (k) return k;
  }
  return firstLiveKeyFrom(env, Math.floor(Math.random() * total), now);
}
