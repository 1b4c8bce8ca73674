// Sorted-set storage on top of types/collection.ts's meta (id, count, type byte), in the `zsets`
// sub-database, with three record kinds under the collection id:
//   [id][0x00][member key]                              → [u8 digested][u32 len + member if digested][f64 BE score]
//   [id][0x01][8-byte order-preserving score][member key] → [member, if digested] (else empty)
//   [id][0x02]...                                       → the rank tree (storage/counted-btree.ts)
//                                                          over the same [score][member key] entries
// where "member key" is the member itself up to MEMBER_DIRECT_MAX bytes, or its first
// MEMBER_DIRECT_MAX bytes plus a SHA-1 (collection.ts's scheme), so LMDB keys stay under 1978
// bytes. The score index sorts as Redis's skiplist does (score, then member bytes), so ranges are
// cursor walks; the rank tree, a counted B+tree in the same order, turns a rank into an entry and
// an entry or a bound into a rank in O(log n) reads, so ZRANK, ranges by rank, LIMIT offsets and
// ZCOUNT/ZLEXCOUNT never walk to their position. Members that differ only after their first
// MEMBER_DIRECT_MAX bytes and share a score are ordered by digest, not bytes.
import { createHash } from 'crypto';
import { COLLECTION_ID_BYTES, KeyRecord, KeyType, registerMemberCopier, remove } from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';
import { allocateId, decodeMeta, encodeMeta, getCollection, Meta, MEMBER_DIRECT_MAX, prefixRange, putCollection, registerCollection } from './collection';

const DB = 'zsets' as const;
const ID = COLLECTION_ID_BYTES;
const KIND_MEMBER = 0;
const KIND_INDEX = 1;
const KIND_TREE = 2;
/** Bytes of the order-preserving score that starts every index and tree entry. */
const SCORE_BYTES = 8;
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
/** An entry of the index and of the rank tree: score, then member key. */
const entryKey = (score: number, member: Buffer) => Buffer.concat([encodeScore(score), memberPart(member)]);
const indexKey = (id: Buffer, entry: Buffer) => Buffer.concat([id, Buffer.of(KIND_INDEX), entry]);
const rankTree = (env: SlotEnv, meta: ZMeta) => env.tree(DB, Buffer.concat([meta.id, Buffer.of(KIND_TREE)]));

function decodeIndex(key: Buffer, value: Uint8Array): ZItem {
  const score = decodeScore(key, ID + 1);
  const member = value.length > 0 ? Buffer.from(value) : Buffer.from(key.subarray(ID + 1 + SCORE_BYTES));
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

/** Writes a member's record (not its index or tree entries). */
function putMemberRecord(env: SlotEnv, meta: ZMeta, member: Buffer, score: number): void {
  let value: Buffer;
  if (member.length <= MEMBER_DIRECT_MAX) {
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
  env.dbs[DB].putSync(memberRecordKey(meta.id, member), value);
}

function putIndex(env: SlotEnv, meta: ZMeta, entry: Buffer, member: Buffer): void {
  env.dbs[DB].putSync(indexKey(meta.id, entry), member.length > MEMBER_DIRECT_MAX ? member : EMPTY);
}

/** Counts a new member in the meta, and moves it to the skiplist encoding as Redis would. */
function countAdded(meta: ZMeta, member: Buffer, isNew: boolean): void {
  if (isNew) meta.count++;
  if (meta.extra[0] !== ENC_SKIPLIST && (meta.count > LISTPACK_MAX_ENTRIES || member.length > LISTPACK_MAX_VALUE)) meta.extra = Buffer.of(ENC_SKIPLIST);
}

/** Sets a member's score (adding it if new); returns whether it was new. Inside env.write; zsave after. */
export function zput(env: SlotEnv, meta: ZMeta, member: Buffer, score: number, old?: number): boolean {
  if (old === undefined) old = zscore(env, meta, member);
  putMemberRecord(env, meta, member, score);
  const entry = entryKey(score, member);
  if (old !== undefined) {
    const oldEntry = entryKey(old, member);
    if (oldEntry.equals(entry)) return false;
    env.dbs[DB].removeSync(indexKey(meta.id, oldEntry));
    rankTree(env, meta).remove(oldEntry);
  }
  putIndex(env, meta, entry, member);
  rankTree(env, meta).insert(entry);
  countAdded(meta, member, old === undefined);
  return old === undefined;
}

/** Removes a member; returns whether it was there. Inside env.write; zsave after. */
export function zdel(env: SlotEnv, meta: ZMeta, member: Buffer): boolean {
  const old = zscore(env, meta, member);
  if (old === undefined) return false;
  const entry = entryKey(old, member);
  env.dbs[DB].removeSync(memberRecordKey(meta.id, member));
  env.dbs[DB].removeSync(indexKey(meta.id, entry));
  rankTree(env, meta).remove(entry);
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
  const entries: Buffer[] = new Array(items.length);
  items.forEach((it, i) => {
    putMemberRecord(env, meta, it.member, it.score);
    entries[i] = entryKey(it.score, it.member);
    putIndex(env, meta, entries[i], it.member);
    countAdded(meta, it.member, true);
  });
  // a new collection's tree is built bottom up from its sorted entries, not by n inserts
  rankTree(env, meta).build(entries.sort(Buffer.compare));
  // a fresh result is a listpack when it fits, as zsetConvertToListpackIfNeeded decides
  meta.extra = Buffer.of(meta.count <= LISTPACK_MAX_ENTRIES && items.every((i) => i.member.length <= LISTPACK_MAX_VALUE) ? ENC_LISTPACK : ENC_SKIPLIST);
  zsave(env, key, meta, now);
  return meta.count;
}

/** Up to `limit` index entries (-1: all) in order, from the entry `from` on (default: the first). */
function* zwalk(env: SlotEnv, meta: ZMeta, from?: Buffer, limit = -1): Generator<ZItem> {
  const r = prefixRange(indexPrefix(meta.id));
  const opts: Record<string, unknown> = { start: from ? indexKey(meta.id, from) : r.start, end: r.end };
  if (limit >= 0) opts.limit = limit;
  for (const { key, value } of env.dbs[DB].getRange(opts) as Iterable<{ key: Buffer; value: Uint8Array }>) yield decodeIndex(key, value);
}

/** Items of ascending ranks first..last (inclusive, within 0..count-1): the tree finds the first, the index walks on. */
function itemsAt(env: SlotEnv, meta: ZMeta, first: number, last: number): ZItem[] {
  if (last < first) return [];
  // either end of the index is a cursor walk away (ZPOPMIN, ZPOPMAX, ZRANGE 0 n): no tree read
  if (first === 0) return [...zwalk(env, meta, undefined, last + 1)];
  if (last === meta.count - 1) return zwalkFromTop(env, meta, last - first + 1).reverse();
  const from = rankTree(env, meta).select(first);
  return from ? [...zwalk(env, meta, from, last - first + 1)] : [];
}

/** The last `limit` index entries, highest first. */
function zwalkFromTop(env: SlotEnv, meta: ZMeta, limit: number): ZItem[] {
  const r = prefixRange(indexPrefix(meta.id));
  const out: ZItem[] = [];
  for (const { key, value } of env.dbs[DB].getRange({ start: r.end, end: r.start, reverse: true, exclusiveStart: true, limit } as never) as Iterable<{ key: Buffer; value: Uint8Array }>) out.push(decodeIndex(key, value));
  return out;
}

/** Items by rank, start..end inclusive (already clamped to 0..count-1), in order or, when `reverse`, counted from the top. */
export function zrangeByRank(env: SlotEnv, meta: ZMeta, start: number, end: number, reverse: boolean): ZItem[] {
  if (!reverse) return itemsAt(env, meta, start, end);
  return itemsAt(env, meta, meta.count - 1 - end, meta.count - 1 - start).reverse();
}

/**
 * The items of ascending ranks [lo, hi) after skipping `offset` of them, at most `limit` (-1:
 * all), from the bottom, or from the top when `reverse`, as ZRANGE ... LIMIT takes them.
 */
export function zrankWindow(env: SlotEnv, meta: ZMeta, lo: number, hi: number, reverse: boolean, offset: number, limit: number): ZItem[] {
  const n = hi - lo - offset;
  if (offset < 0 || limit === 0 || n <= 0) return [];
  const take = limit < 0 ? n : Math.min(limit, n);
  if (!reverse) return itemsAt(env, meta, lo + offset, lo + offset + take - 1);
  return itemsAt(env, meta, hi - offset - take, hi - offset - 1).reverse();
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

function lexGteMin(m: Buffer, b: LexBound): boolean {
  if (b.inf === -1) return true;
  if (b.inf === 1) return false;
  const c = Buffer.compare(m, b.value!);
  return b.ex ? c > 0 : c >= 0;
}
function lexLteMax(m: Buffer, b: LexBound): boolean {
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

/** The ascending ranks [lo, hi) of the items in a score range: two rank lookups. */
export function zscoreRanks(env: SlotEnv, meta: ZMeta, r: ScoreRange): [number, number] {
  if (scoreRangeEmpty(r)) return [0, 0];
  const tree = rankTree(env, meta);
  // entries of score s sort from encodeScore(s) (an empty member) up to just before its successor
  const below = (s: number, inclusive: boolean) => {
    const k = encodeScore(s);
    return tree.rank(inclusive ? prefixRange(k).end : k);
  };
  const lo = r.min === -Infinity && !r.minex ? 0 : below(r.min, r.minex);
  const hi = r.max === Infinity && !r.maxex ? meta.count : below(r.max, !r.maxex);
  return [lo, Math.max(lo, hi)];
}

/**
 * The ascending ranks [lo, hi) of the items in a lex range. Like Redis's skiplist search it
 * compares members only, so it is meaningful when all scores are equal.
 */
export function zlexRanks(env: SlotEnv, meta: ZMeta, r: LexRange): [number, number] {
  if (lexRangeEmpty(r)) return [0, 0];
  const tree = rankTree(env, meta);
  // bounds compare with member keys as the index holds them (digested past MEMBER_DIRECT_MAX)
  const asKey = (b: LexBound): LexBound => (b.value ? { ...b, value: memberPart(b.value) } : b);
  const min = asKey(r.min), max = asKey(r.max);
  const member = (k: Buffer) => k.subarray(SCORE_BYTES);
  const lo = min.inf === -1 ? 0 : tree.countWhile((k) => !lexGteMin(member(k), min));
  const hi = max.inf === 1 ? meta.count : tree.countWhile((k) => lexLteMax(member(k), max));
  return [lo, Math.max(lo, hi)];
}

/** 0-based rank of a member in ascending order, or undefined. */
export function zrank(env: SlotEnv, meta: ZMeta, member: Buffer): number | undefined {
  const score = zscore(env, meta, member);
  if (score === undefined) return undefined;
  return rankTree(env, meta).rank(entryKey(score, member));
}

/** Every item in score order. */
export function zall(env: SlotEnv, meta: ZMeta): ZItem[] {
  return [...zwalk(env, meta)];
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
