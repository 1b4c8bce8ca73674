// Hashes: a collection (see collection.ts) in the `hashes` sub-database; a member is a field,
// its value the field's value.
//
// Type-specific meta byte: ENC_HASHTABLE once the hash would have left Redis's listpack
// encoding (more than 512 fields, or a field or value longer than 64 bytes were ever set).
// Like Redis's conversion it never goes back, so OBJECT ENCODING and HSCAN's one-shot reply
// for small hashes follow Redis.
import { KeyType, remove } from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';
import {
  allocateId, decodeMember, encodeMemberValue, getCollection, Meta, memberKey, members, memberValue, prefixRange, putCollection, registerCollection,
} from './collection';

const DB = 'hashes' as const;
registerCollection(KeyType.Hash, DB);

/**
 * Redis 7.0.15's compiled-in hash-max-listpack-entries and hash-max-listpack-value defaults
 * (config.c; the 128 in redis.conf's comments is not what a server without a config uses).
 */
export const LISTPACK_MAX_ENTRIES = 512;
export const LISTPACK_MAX_VALUE = 64;
const ENC_LISTPACK = 0;
const ENC_HASHTABLE = 1;

export interface Hash extends Meta {
  expireAt: number;
}

/** The live hash at `key`, undefined when absent; WRONGTYPE for another type. */
export function getHash(env: SlotEnv | null, key: Buffer, now: number): Hash | undefined {
  return getCollection(env, key, KeyType.Hash, now);
}

/**
 * The hash at `key`, or a new empty one (not stored until saveHash). Inside env.write; call only
 * after every argument has been validated (it may write: an expired record is dropped, an id taken).
 */
export function getOrCreateHash(env: SlotEnv, key: Buffer, now: number): Hash {
  const cur = getHash(env, key, now);
  if (cur) return cur;
  remove(env, key, now); // an expired record not yet reclaimed: drop its members too
  return { id: allocateId(env, DB), count: 0, extra: Buffer.of(ENC_LISTPACK), expireAt: 0 };
}

/** Writes the hash's meta; an empty hash deletes the key. Inside env.write. */
export function saveHash(env: SlotEnv, key: Buffer, h: Hash, now: number): void {
  putCollection(env, key, KeyType.Hash, h, h.expireAt, now);
}

/** Replaces whatever `key` holds with a hash of `pairs` (fields unique); returns its field count. Inside env.write. */
export function hashReplace(env: SlotEnv, key: Buffer, pairs: [Buffer, Buffer][], now: number): number {
  remove(env, key, now); // also drops the members of a collection (live or expired) stored there
  const h = getOrCreateHash(env, key, now);
  for (const [field, value] of pairs) setField(env, h, field, value);
  saveHash(env, key, h, now);
  return h.count;
}

export function getField(env: SlotEnv, h: Hash, field: Buffer): Buffer | undefined {
  return memberValue(env, DB, h.id, field);
}

/** Sets a field; returns true when it is new. Updates h.count and the encoding. Inside env.write. */
export function setField(env: SlotEnv, h: Hash, field: Buffer, value: Buffer): boolean {
  const k = memberKey(h.id, field);
  const isNew = env.dbs[DB].getBinaryFast(k) === undefined;
  env.dbs[DB].putSync(k, encodeMemberValue(field, value));
  if (isNew) h.count++;
  if (field.length > LISTPACK_MAX_VALUE || value.length > LISTPACK_MAX_VALUE || h.count > LISTPACK_MAX_ENTRIES) markHashtable(h);
  return isNew;
}

/** Deletes a field; returns whether it existed. Updates h.count. Inside env.write. */
export function deleteField(env: SlotEnv, h: Hash, field: Buffer): boolean {
  const k = memberKey(h.id, field);
  if (env.dbs[DB].getBinaryFast(k) === undefined) return false;
  env.dbs[DB].removeSync(k);
  h.count--;
  return true;
}

function markHashtable(h: Hash): void {
  if (h.extra.length > 0 && h.extra[0] === ENC_HASHTABLE) return;
  h.extra = Buffer.of(ENC_HASHTABLE);
}

/** Redis's encoding name for a hash meta payload's decoded form. */
export function hashEncoding(meta: Meta): 'listpack' | 'hashtable' {
  return meta.count > LISTPACK_MAX_ENTRIES || (meta.extra.length > 0 && meta.extra[0] === ENC_HASHTABLE) ? 'hashtable' : 'listpack';
}

/** Every field and value, in stored (member-key) order. */
export function fields(env: SlotEnv, h: Hash): Generator<{ member: Buffer; value: Buffer }> {
  return members(env, DB, h.id);
}

/**
 * Up to `limit` fields after scan position `after` (exclusive; null = from the start), and the
 * position of the last one returned, or null when no field follows it.
 */
export function scanFields(
  env: SlotEnv, h: Hash, after: Buffer | null, limit: number,
): { items: { member: Buffer; value: Buffer }[]; next: Buffer | null } {
  const items: { member: Buffer; value: Buffer }[] = [];
  const start = after ? Buffer.concat([h.id, after]) : h.id;
  const end = prefixRange(h.id).end;
  let last: Buffer | null = null;
  let more = false;
  for (const { key, value } of env.dbs[DB].getRange({ start, end, exclusiveStart: after !== null, limit: limit + 1 }) as Iterable<{ key: Buffer; value: Uint8Array }>) {
    if (items.length === limit) {
      more = true;
      break;
    }
    last = Buffer.from(key.subarray(h.id.length));
    items.push(decodeMember(key, value));
  }
  return { items, next: more ? last : null };
}

/** The field at `index` (0-based, in stored order) with its value. */
export function fieldAt(env: SlotEnv, h: Hash, index: number): { member: Buffer; value: Buffer } | undefined {
  for (const { key, value } of env.dbs[DB].getRange({ start: h.id, end: prefixRange(h.id).end, offset: index, limit: 1 }) as Iterable<{ key: Buffer; value: Uint8Array }>) {
    return decodeMember(key, value);
  }
  return undefined;
}

