// What every collection type (hash, set; later list and zset) shares: the meta payload kept in
// the key's directory record, member records in the type's own sub-database, and dropping or
// copying those members when the key is deleted, overwritten, renamed or copied.
//
// Meta payload: [u64 BE collection id][u64 BE member count][type-specific bytes...]
// Member key:   [u64 BE collection id][member]         (member ≤ MEMBER_DIRECT_MAX bytes)
//               [u64 BE collection id][first MEMBER_DIRECT_MAX bytes][SHA-1]   (longer ones)
// Member value: [u8 1 if digested][u32 member length + member, if digested][type's value]
// Collection ids come from storage/reclaim.ts's counter (the all-zero 8-byte key of the
// sub-database), never reused, so queued garbage can never alias a live collection.
import { createHash } from 'crypto';
import { CommandError, ERR_WRONGTYPE } from '../common/errors';
import { readUInt64BE, writeUInt64BE } from '../common/int64';
import { COLLECTION_ID_BYTES, KeyRecord, KeyType, lookup, registerMemberCopier, registerMemberLocator, registerMemberSerializer, MemberSerializer, remove, store } from '../storage/keyspace';
import { allocateId } from '../storage/reclaim';
import { prefixRange } from '../storage/key-range';
import { MemberDbName, SlotEnv, SubDbName } from '../storage/slot-store';

export { prefixRange };

export { allocateId };

const ID_BYTES = COLLECTION_ID_BYTES;
/** Longest member kept verbatim in an LMDB key (1978-byte limit, minus the id). */
export const MEMBER_DIRECT_MAX = 1900;
const META_BYTES = 16;

export interface Meta {
  id: Buffer;
  count: number;
  /** Type-specific bytes after id and count. */
  extra: Buffer;
}

export function decodeMeta(payload: Buffer): Meta {
  return { id: payload.subarray(0, ID_BYTES), count: readUInt64BE(payload, ID_BYTES), extra: payload.subarray(META_BYTES) };
}

export function encodeMeta(meta: Meta): Buffer {
  const out = Buffer.allocUnsafe(META_BYTES + meta.extra.length);
  meta.id.copy(out, 0);
  writeUInt64BE(out, meta.count, ID_BYTES);
  meta.extra.copy(out, META_BYTES);
  return out;
}

export function memberKey(id: Buffer, member: Buffer): Buffer {
  if (member.length <= MEMBER_DIRECT_MAX) return Buffer.concat([id, member]);
  return Buffer.concat([id, member.subarray(0, MEMBER_DIRECT_MAX), createHash('sha1').update(member).digest()]);
}

export function encodeMemberValue(member: Buffer, value: Buffer): Buffer {
  if (member.length <= MEMBER_DIRECT_MAX) return Buffer.concat([Buffer.of(0), value]);
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(member.length, 0);
  return Buffer.concat([Buffer.of(1), len, member, value]);
}

/** The member and its value from a member record. */
export function decodeMember(key: Buffer, raw: Uint8Array): { member: Buffer; value: Buffer } {
  const v = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
  if (v[0] === 0) return { member: Buffer.from(key.subarray(ID_BYTES)), value: Buffer.from(v.subarray(1)) };
  const len = v.readUInt32BE(1);
  return { member: Buffer.from(v.subarray(5, 5 + len)), value: Buffer.from(v.subarray(5 + len)) };
}

/** The value stored for a member, or undefined. */
export function memberValue(env: SlotEnv, db: SubDbName, id: Buffer, member: Buffer): Buffer | undefined {
  const raw = env.dbs[db].getBinaryFast(memberKey(id, member));
  if (!raw) return undefined;
  const v = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
  return Buffer.from(v[0] === 0 ? v.subarray(1) : v.subarray(5 + v.readUInt32BE(1)));
}

/** Every member record of a collection, in member-key order. */
export function* members(env: SlotEnv, db: SubDbName, id: Buffer): Generator<{ member: Buffer; value: Buffer }> {
  for (const { key, value } of env.dbs[db].getRange(prefixRange(id)) as Iterable<{ key: Buffer; value: Buffer }>) {
    yield decodeMember(key, value);
  }
}

/** The live collection of `type` at `key`: its meta, or undefined; WRONGTYPE for another type. */
export function getCollection(env: SlotEnv | null, key: Buffer, type: KeyType, now: number): (Meta & { expireAt: number }) | undefined {
  const rec = lookup(env, key, now);
  if (!rec) return undefined;
  if (rec.type !== type) throw new CommandError(ERR_WRONGTYPE);
  return { ...decodeMeta(rec.payload), expireAt: rec.expireAt };
}

/** Writes a collection's meta (not when unchanged); a count of 0 deletes the key, as Redis removes empty collections. */
export function putCollection(env: SlotEnv, key: Buffer, type: KeyType, meta: Meta, expireAt: number, now: number): void {
  if (meta.count === 0) remove(env, key, now);
  else store(env, key, type, expireAt, encodeMeta(meta), true);
}

/** An index a collection type may keep in another sub-database, under the collection's id, once it has more than `minCount` members. */
export interface CollectionIndex {
  db: MemberDbName;
  minCount: number;
  /** Records the index holds for `count` members (an estimate is enough: it picks inline or queued reclaim). */
  records(count: number): number;
  /** Whether the collection `id` has its index (it may never have been built). */
  exists(env: SlotEnv, id: Buffer): boolean;
}

/**
 * Registers where a collection type keeps its members (`recordsPerMember` records each, a
 * fraction when records hold several) and
 * any index of them, for drops and copies of its keys. Copies leave the index behind.
 */
export function registerCollection(type: KeyType, db: MemberDbName, recordsPerMember = 1, index?: CollectionIndex): void {
  registerMemberLocator(type, (env: SlotEnv, payload: Buffer) => {
    const { id, count } = decodeMeta(payload);
    const at = [{ db, id, records: Math.ceil(count * recordsPerMember) }];
    if (index && count > index.minCount && index.exists(env, id)) at.push({ db: index.db, id, records: index.records(count) });
    return at;
  });
  registerMemberCopier(type, (src: SlotEnv, rec: KeyRecord, dst: SlotEnv) => {
    const meta = decodeMeta(rec.payload);
    // keys first (src may be dst), then one value at a time: records may be large (list elements)
    const keys = [...(src.dbs[db].getKeys(prefixRange(meta.id)) as Iterable<Buffer>)].map((k) => Buffer.from(k));
    const id = allocateId(dst, db);
    for (const k of keys) {
      const raw = src.dbs[db].getBinaryFast(k);
      if (raw) dst.dbs[db].putSync(Buffer.concat([id, k.subarray(ID_BYTES)]), Buffer.from(Buffer.from(raw.buffer, raw.byteOffset, raw.length)));
    }
    return encodeMeta({ ...meta, id });
  });
  registerMemberSerializer(type, rawMemberSerializer(db));
}

/** A collection's member records as they are stored, without the collection id: [tail, value, ...]. */
export function rawMemberSerializer(db: MemberDbName): MemberSerializer {
  return {
    dump: (env: SlotEnv, rec: KeyRecord) => {
      const out: Buffer[] = [];
      const { id } = decodeMeta(rec.payload);
      for (const { key, value } of env.dbs[db].getRange(prefixRange(id)) as Iterable<{ key: Buffer; value: Uint8Array }>) {
        out.push(Buffer.from(key.subarray(ID_BYTES)), Buffer.from(value));
      }
      return out;
    },
    load: (env: SlotEnv, payload: Buffer, pairs: Buffer[]) => {
      const id = allocateId(env, db);
      for (let i = 0; i + 1 < pairs.length; i += 2) env.dbs[db].putSync(Buffer.concat([id, pairs[i]]), pairs[i + 1]);
      return encodeMeta({ ...decodeMeta(payload), id });
    },
  };
}
