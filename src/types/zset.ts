// Sorted-set storage on top of types/collection.ts's meta (id, count, type byte), in the `zsets`
// sub-database, with two record kinds under the collection id:
//   [id][0x00][member key]                              → [u8 digested][u32 len + member if digested][f64 BE score]
//   [id][0x01][8-byte order-preserving score][member key] → [member, if digested] (else empty)
// where "member key" is the member itself up to MEMBER_DIRECT_MAX bytes, or its first
// MEMBER_DIRECT_MAX bytes plus a SHA-1 (collection.ts's scheme), so LMDB keys stay under 1978
// bytes. The score index sorts as Redis's skiplist does (score, then member bytes), so ranges by
// score and by lex are range scans. Ranks are found by walking the index (from the nearer end
// for ranges): O(rank) — an order-statistic index is future work. Members that differ only after
// their first MEMBER_DIRECT_MAX bytes and share a score are ordered by digest, not bytes.
import { createHash } from 'crypto';
import { COLLECTION_ID_BYTES, KeyRecord, KeyType, registerMemberCopier, remove } from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';
import { allocateId, decodeMeta, encodeMeta, getCollection, Meta, MEMBER_DIRECT_MAX, prefixRange, putCollection, registerCollection } from './collection';

const DB = 'zsets' as const;
const ID = COLLECTION_ID_BYTES;
const KIND_MEMBER = 0;
const KIND_INDEX = 1;
const ENC_LISTPACK = 0;
const ENC_SKIPLIST = 1;
/** Redis's zset-max-listpack-entries / zset-max-listpack-value defaults. */
export const LISTPACK_MAX_ENTRIES = 128;
export const LISTPACK_MAX_VALUE = 64;
const EMPTY = Buffer.alloc(0);

export type ZMeta = Meta & { expireAt: number };
export interface ZItem {
  member: Buffer;
  score: number;
}

// a member record and a score-index record per member; the copier below replaces the generic one
registerCollection(KeyType.ZSet, DB, 2);
registerMemberCopier(KeyType.ZSet, (src: SlotEnv, rec: KeyRecord, dst: SlotEnv) => {
  const meta = decodeMeta(rec.payload);
  const copied: [Buffer, Buffer][] = [];
  for (const { key, value } of src.dbs[DB].getRange(prefixRange(meta.id)) as Iterable<{ key: Buffer; value: Uint8Array }>) {
    copied.push([Buffer.from(key.subarray(ID)), Buffer.from(value)]);
  }
  const id = allocateId(dst, DB);
  for (const [tail, value] of copied) dst.dbs[DB].putSync(Buffer.concat([id, tail]), value);
  return encodeMeta({ ...meta, id });
});


function memberPart(member: Buffer): Buffer {
  if (member.length <= MEMBER_DIRECT_MAX) return member;
  return Buffer.concat([member.subarray(0, MEMBER_DIRECT_MAX), createHash('sha1').update(member).digest()]);
}

const memberRecordKey = (id: Buffer, member: Buffer) => Buffer.concat([id, Buffer.of(KIND_MEMBER), memberPart(member)]);

/** 8 bytes that sort as the doubles do (-0 as 0). */
export function encodeScore(score: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(score === 0 ? 0 : score, 0);
  if (b[0] & 0x80) for (let i = 0; i < 8; i++) b[i] = ~b[i] & 0xff;
  else b[0] |= 0x80;
  return b;
}

export function decodeScore(b: Buffer | Uint8Array, off: number): number {
  const c = Buffer.from(b.subarray(off, off + 8));
  if (c[0] & 0x80) c[0] &= 0x7f;
  else for (let i = 0; i < 8; i++) c[i] = ~c[i] & 0xff;
  return c.readDoubleBE(0);
}

const indexPrefix = (id: Buffer) => Buffer.concat([id, Buffer.of(KIND_INDEX)]);
const indexKey = (id: Buffer, score: number, member: Buffer) => Buffer.concat([id, Buffer.of(KIND_INDEX), encodeScore(score), memberPart(member)]);

function decodeIndex(key: Buffer, value: Uint8Array): ZItem {
  const score = decodeScore(key, ID + 1);
  const member = value.length > 0 ? Buffer.from(value) : Buffer.from(key.subarray(ID + 9));
  return { member, score };
}

export function getZset(env: SlotEnv | null, key: Buffer, now: number): ZMeta | undefined {
  return getCollection(env, key, KeyType.ZSet, now);
}

export function newZsetMeta(env: SlotEnv): ZMeta {
  return { id: allocateId(env, DB), count: 0, extra: Buffer.of(ENC_LISTPACK), expireAt: 0 };
}

export function zscore(env: SlotEnv, meta: ZMeta, member: Buffer): number | undefined {
  const raw = env.dbs[DB].getBinaryFast(memberRecordKey(meta.id, member));
  if (!raw) return undefined;
  const v = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
  return v.readDoubleBE(v[0] === 0 ? 1 : 5 + v.readUInt32BE(1));
}

/** Sets a member's score (adding it if new); returns whether it was new. Inside env.write; zsave after. */
export function zput(env: SlotEnv, meta: ZMeta, member: Buffer, score: number, old?: number): boolean {
  const db = env.dbs[DB];
  if (old === undefined) old = zscore(env, meta, member);
  if (old !== undefined) db.removeSync(indexKey(meta.id, old, member));
  const digested = member.length > MEMBER_DIRECT_MAX;
  let value: Buffer;
  if (!digested) {
    value = Buffer.allocUnsafe(9);
    value[0] = 0;
    value.writeDoubleBE(score, 1);
  } else {
    value = Buffer.allocUnsafe(13 + member.length);
    value[0] = 1;
    value.writeUInt32BE(member.length, 1);
    member.copy(value, 5);
    value.writeDoubleBE(score, 5 + member.length);
  }
  db.putSync(memberRecordKey(meta.id, member), value);
  db.putSync(indexKey(meta.id, score, member), digested ? member : EMPTY);
  if (old === undefined) {
    meta.count++;
    if (meta.count > LISTPACK_MAX_ENTRIES) meta.extra = Buffer.of(ENC_SKIPLIST);
  }
  if (member.length > LISTPACK_MAX_VALUE) meta.extra = Buffer.of(ENC_SKIPLIST);
  return old === undefined;
}

/** Removes a member; returns whether it was there. Inside env.write; zsave after. */
export function zdel(env: SlotEnv, meta: ZMeta, member: Buffer): boolean {
  const old = zscore(env, meta, member);
  if (old === undefined) return false;
  env.dbs[DB].removeSync(memberRecordKey(meta.id, member));
  env.dbs[DB].removeSync(indexKey(meta.id, old, member));
  meta.count--;
  return true;
}

export function zsave(env: SlotEnv, key: Buffer, meta: ZMeta, now: number): void {
  putCollection(env, key, KeyType.ZSet, meta, meta.expireAt, now);
}

/** Replaces whatever `key` holds with a new zset of `items` (distinct members). Inside env.write. */
export function zreplace(env: SlotEnv, key: Buffer, items: ZItem[], now: number): number {
  remove(env, key, now);
  if (items.length === 0) return 0;
  const meta = newZsetMeta(env);
  for (const it of items) zput(env, meta, it.member, it.score, undefined);
  // a fresh result is a listpack when it fits, as zsetConvertToListpackIfNeeded decides
  meta.extra = Buffer.of(meta.count <= LISTPACK_MAX_ENTRIES && items.every((i) => i.member.length <= LISTPACK_MAX_VALUE) ? ENC_LISTPACK : ENC_SKIPLIST);
  zsave(env, key, meta, now);
  return meta.count;
}

/** Index entries in order (or reverse), skipping `offset`, at most `limit` (-1: all). */
export function* zwalk(env: SlotEnv, meta: ZMeta, reverse: boolean, offset = 0, limit = -1, from?: Buffer): Generator<ZItem> {
  const r = prefixRange(indexPrefix(meta.id));
  const opts: Record<string, unknown> = reverse ? { start: r.end, end: r.start, reverse: true } : { start: r.start, end: r.end };
  if (from) opts.start = from;
  if (offset > 0) opts.offset = offset;
  if (limit >= 0) opts.limit = limit;
  for (const { key, value } of env.dbs[DB].getRange(opts) as Iterable<{ key: Buffer; value: Uint8Array }>) {
    if (reverse && from && Buffer.compare(key, from) > 0) continue;
    yield decodeIndex(key, value);
  }
}

/** Items by rank, start..end inclusive (already clamped to 0..count-1), in order or reversed. */
export function zrangeByRank(env: SlotEnv, meta: ZMeta, start: number, end: number, reverse: boolean): ZItem[] {
  const n = end - start + 1;
  if (n <= 0) return [];
  // walk from whichever end of the index is nearer (O(rank); an order-statistic index is future work)
  const fwdStart = reverse ? meta.count - 1 - end : start;
  const fromFront = fwdStart <= meta.count - (fwdStart + n);
  let items: ZItem[];
  if (fromFront) {
    items = [...zwalk(env, meta, false, fwdStart, n)];
    if (reverse) items.reverse();
  } else {
    items = [...zwalk(env, meta, true, meta.count - (fwdStart + n), n)];
    if (!reverse) items.reverse();
  }
  return items;
}

export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}
export interface LexBound {
  /** null: '-' (reaching below everything) or '+' (above everything), per `inf`. */
  value: Buffer | null;
  inf: -1 | 0 | 1;
  ex: boolean;
}
export interface LexRange {
  min: LexBound;
  max: LexBound;
}

export const gteMin = (s: number, r: ScoreRange) => (r.minex ? s > r.min : s >= r.min);
export const lteMax = (s: number, r: ScoreRange) => (r.maxex ? s < r.max : s <= r.max);
export function lexGteMin(m: Buffer, b: LexBound): boolean {
  if (b.inf === -1) return true;
  if (b.inf === 1) return false;
  const c = Buffer.compare(m, b.value!);
  return b.ex ? c > 0 : c >= 0;
}
export function lexLteMax(m: Buffer, b: LexBound): boolean {
  if (b.inf === 1) return true;
  if (b.inf === -1) return false;
  const c = Buffer.compare(m, b.value!);
  return b.ex ? c < 0 : c <= 0;
}

export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}
export function lexRangeEmpty(r: LexRange): boolean {
  if (r.min.inf === 1 || r.max.inf === -1) return true;
  if (r.min.inf === -1 || r.max.inf === 1) return false;
  const c = Buffer.compare(r.min.value!, r.max.value!);
  return c > 0 || (c === 0 && (r.min.ex || r.max.ex));
}

/** Items in a score range, ascending (or descending when `reverse`). */
export function* zscoreRange(env: SlotEnv, meta: ZMeta, r: ScoreRange, reverse: boolean): Generator<ZItem> {
  if (scoreRangeEmpty(r)) return;
  const p = indexPrefix(meta.id);
  if (!reverse) {
    for (const it of zwalk(env, meta, false, 0, -1, Buffer.concat([p, encodeScore(r.min)]))) {
      if (!gteMin(it.score, r)) continue;
      if (!lteMax(it.score, r)) return;
      yield it;
    }
  } else {
    const from = r.max === Infinity ? undefined : prefixRange(Buffer.concat([p, encodeScore(r.max)])).end;
    for (const it of zwalk(env, meta, true, 0, -1, from)) {
      if (!lteMax(it.score, r)) continue;
      if (!gteMin(it.score, r)) return;
      yield it;
    }
  }
}

/** Items in a lex range (meaningful when all scores are equal), ascending or descending. */
export function* zlexRange(env: SlotEnv, meta: ZMeta, r: LexRange, reverse: boolean): Generator<ZItem> {
  if (lexRangeEmpty(r)) return;
  if (!reverse) {
    for (const it of zwalk(env, meta, false)) {
      if (!lexGteMin(it.member, r.min)) continue;
      if (!lexLteMax(it.member, r.max)) return;
      yield it;
    }
  } else {
    for (const it of zwalk(env, meta, true)) {
      if (!lexLteMax(it.member, r.max)) continue;
      if (!lexGteMin(it.member, r.min)) return;
      yield it;
    }
  }
}

/** 0-based rank of a member in ascending order, or undefined. */
export function zrank(env: SlotEnv, meta: ZMeta, member: Buffer): number | undefined {
  const score = zscore(env, meta, member);
  if (score === undefined) return undefined;
  const p = indexPrefix(meta.id);
  return env.dbs[DB].getKeysCount({ start: p, end: indexKey(meta.id, score, member) });
}

/** Every item in score order. */
export function zall(env: SlotEnv, meta: ZMeta): ZItem[] {
  return [...zwalk(env, meta, false)];
}

/**
 * Up to `limit` items after the member key `after` (exclusive; null: from the start), in
 * member-record order; `next` is the last member key visited, or null when exhausted.
 */
export function zscan(env: SlotEnv, meta: ZMeta, after: Buffer | null, limit: number): { items: ZItem[]; next: Buffer | null } {
  const p = Buffer.concat([meta.id, Buffer.of(KIND_MEMBER)]);
  const r = prefixRange(p);
  const items: ZItem[] = [];
  let last: Buffer | null = null;
  const range = env.dbs[DB].getRange(
    after ? { start: Buffer.concat([p, after]), end: r.end, exclusiveStart: true, limit: limit + 1 } : { start: p, end: r.end, limit: limit + 1 },
  );
  for (const { key, value } of range as Iterable<{ key: Buffer; value: Uint8Array }>) {
    if (items.length === limit) return { items, next: last };
    const v = Buffer.from(value);
    const member = v[0] === 0 ? Buffer.from(key.subarray(ID + 1)) : Buffer.from(v.subarray(5, 5 + v.readUInt32BE(1)));
    items.push({ member, score: v.readDoubleBE(v[0] === 0 ? 1 : 5 + v.readUInt32BE(1)) });
    last = Buffer.from(key.subarray(ID + 1));
  }
  return { items, next: null };
}

export function zsetEncoding(payload: Buffer): string {
  return decodeMeta(payload).extra[0] === ENC_LISTPACK ? 'listpack' : 'skiplist';
}
