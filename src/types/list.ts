// List storage on top of types/collection.ts: elements live in chunk records of
// LIST_CHUNK_ELEMENTS consecutive indexes (byte layout in types/list-chunk.ts), so LINDEX and
// LSET read one record and LRANGE of n elements about n / LIST_CHUNK_ELEMENTS + 1, while a push
// or pop rewrites one chunk of at most LIST_CHUNK_MAX_BYTES. Elements over LIST_INLINE_MAX_BYTES
// get a record of their own, referenced from their chunk, so chunks stay small whatever is stored.
//
// Meta extra:  [i64 BE head][i64 BE tail][u64 BE next big reference] — the elements occupy the
//              absolute indexes head .. tail-1 (count = tail - head); LPUSH decrements head,
//              RPUSH increments tail. Chunk boundaries are fixed (absolute index i lives in chunk
//              floor(i / K)), so pushes and pops never move other elements.
// LINSERT and LREM shift one side of the list by a position (O(n), as in Redis), rewriting the
// chunks of that side; LTRIM rewrites at most two chunks and deletes the ones in between.
// The difference from the first chunked layout (514cf10): a long element's record is keyed by a
// reference that stays with the element, so LINSERT/LREM move 9-byte references instead of
// rewriting long elements, and trims read chunks, not elements. Lists written by earlier layouts
// (one record per element, or 514cf10's chunks) are not converted: there are no users yet.
import { readInt64BE, readUInt64BE, writeInt64BE, writeUInt64BE } from '../common/int64';
import { LIST_CHUNK_ELEMENTS as K, LIST_INLINE_MAX_BYTES } from '../common/limits';
import { KeyType, remove } from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';
import { allocateId, getCollection, Meta, putCollection, registerCollection } from './collection';
import {
  bigEntry, bigKey, chunkKey, chunkOf, chunkValue, entry, entryOffsets, inlineEntry, parseEntry, refAt, VALUE_HEAD, VALUE_START,
} from './list-chunk';

const DB = 'lists' as const;
/** Reclaim estimates records from the count: one chunk per K elements (big elements come on top). */
registerCollection(KeyType.List, DB, 1 / K);

const EXTRA_BYTES = 24;

export type ListMeta = Meta & { expireAt: number };

interface Bounds {
  head: number;
  tail: number;
  /** The reference the next big element gets. */
  ref: number;
}

function bounds(meta: ListMeta): Bounds {
  const head = readInt64BE(meta.extra, 0);
  const ref = meta.extra.length >= EXTRA_BYTES ? readUInt64BE(meta.extra, 16) : 0;
  return { head, tail: head + meta.count, ref };
}

function setBounds(meta: ListMeta, b: Bounds): void {
  const extra = Buffer.allocUnsafe(EXTRA_BYTES);
  writeInt64BE(extra, b.head, 0);
  writeInt64BE(extra, b.tail, 8);
  writeUInt64BE(extra, b.ref, 16);
  meta.extra = extra;
  meta.count = b.tail - b.head;
}

/** Chunk copies one command already read, by chunk number: a pop reads its chunk once. */
type ChunkCache = Map<number, Buffer>;

const asBuffer = (raw: Uint8Array) => Buffer.from(raw.buffer, raw.byteOffset, raw.length);

/** A copy of chunk `c`; throws when absent (the bounds say it holds elements). */
function readChunk(env: SlotEnv, meta: ListMeta, c: number, cache?: ChunkCache): Buffer {
  const hit = cache?.get(c);
  if (hit) return hit;
  const raw = env.dbs[DB].getBinaryFast(chunkKey(meta.id, c));
  if (!raw) throw new Error('list chunk is missing');
  const copy = Buffer.from(asBuffer(raw));
  cache?.set(c, copy);
  return copy;
}

/** Absolute indexes chunk `c` holds within [head, tail). */
const span = (b: { head: number; tail: number }, c: number): [number, number] => [Math.max(b.head, c * K), Math.min(b.tail, c * K + K)];

/** The encoded entries of absolute indexes [from, to) (inside the list), as views of chunk copies. */
function loadEntries(env: SlotEnv, meta: ListMeta, from: number, to: number, cache?: ChunkCache): Buffer[] {
  const b = bounds(meta);
  const out: Buffer[] = [];
  if (from >= to) return out;
  for (let c = chunkOf(from); c * K < to; c++) {
    const raw = readChunk(env, meta, c, cache);
    const [lo, hi] = span(b, c);
    const at = entryOffsets(raw, hi - lo);
    for (let i = Math.max(lo, from); i < Math.min(hi, to); i++) out.push(raw.subarray(at[i - lo], at[i - lo + 1]));
  }
  return out;
}

/** An element as an entry: inline, or written to a record of its own under the next reference. */
function encode(env: SlotEnv, meta: ListMeta, b: Bounds, el: Buffer): Buffer {
  const e = inlineEntry(el);
  if (e) return e;
  env.dbs[DB].putSync(bigKey(meta.id, b.ref), Buffer.concat([VALUE_HEAD, el]));
  return bigEntry(b.ref++);
}

/** The element an encoded entry stands for (a view of `e` when inline, else a copy of its record). */
function decode(env: SlotEnv, meta: ListMeta, e: Uint8Array): Buffer {
  parseEntry(e, 0);
  if (!entry.big) return asBuffer(e).subarray(entry.start, entry.end);
  return bigValue(env, meta, refAt(e, entry.start));
}

function bigValue(env: SlotEnv, meta: ListMeta, ref: number): Buffer {
  const raw = env.dbs[DB].getBinaryFast(bigKey(meta.id, ref));
  if (!raw) throw new Error('list element record is missing');
  return Buffer.from(asBuffer(raw).subarray(VALUE_START));
}

/** Deletes the records of the big elements among `entries` (elements leaving the list). */
function dropBig(env: SlotEnv, meta: ListMeta, entries: Uint8Array[]): void {
  for (const e of entries) {
    parseEntry(e, 0);
    if (entry.big) env.dbs[DB].removeSync(bigKey(meta.id, refAt(e, entry.start)));
  }
}

/**
 * Lays the list out as absolute indexes [head, tail) of `b`, where [at, at + entries.length)
 * hold `entries` and every other index keeps the entry it held before (it must have held one).
 * Rewrites the chunks that change, deletes those left empty, updates the meta. Inside env.write.
 */
function writeRange(env: SlotEnv, meta: ListMeta, b: Bounds, at: number, entries: Uint8Array[], cache?: ChunkCache): void {
  const old = bounds(meta);
  const end = at + entries.length;
  const ranges: [number, number][] = [];
  if (entries.length) ranges.push([chunkOf(at), chunkOf(end - 1)]);
  if (b.head > old.head && old.tail > old.head) ranges.push([chunkOf(old.head), chunkOf(Math.min(b.head, old.tail) - 1)]);
  if (old.tail > b.tail && old.tail > old.head) ranges.push([chunkOf(Math.max(b.tail, old.head)), chunkOf(old.tail - 1)]);
  ranges.sort((x, y) => x[0] - y[0]);
  const db = env.dbs[DB];
  let next = -Infinity; // chunks below were visited
  for (const [first, last] of ranges) {
    for (let c = Math.max(first, next); c <= last; c++) {
      const [lo, hi] = span(b, c);
      const [oldLo, oldHi] = span(old, c);
      if (lo >= hi) {
        if (oldLo < oldHi) db.removeSync(chunkKey(meta.id, c));
        continue;
      }
      let kept: number[] | undefined;
      let raw: Buffer | undefined;
      const parts: Uint8Array[] = [];
      for (let i = lo; i < hi; i++) {
        if (i >= at && i < end) parts.push(entries[i - at]);
        else {
          if (i < oldLo || i >= oldHi) throw new Error('list layout lost an element');
          raw ??= readChunk(env, meta, c, cache);
          kept ??= entryOffsets(raw, oldHi - oldLo);
          parts.push(raw.subarray(kept[i - oldLo], kept[i - oldLo + 1]));
        }
      }
      db.putSync(chunkKey(meta.id, c), chunkValue(parts));
    }
    next = Math.max(next, last + 1);
  }
  setBounds(meta, b);
}

/** The live list at `key`, undefined when absent; throws WRONGTYPE for another type. */
export function getList(env: SlotEnv | null, key: Buffer, now: number): ListMeta | undefined {
  return getCollection(env, key, KeyType.List, now);
}

/** A fresh, empty list meta (not stored yet). Inside env.write. */
export function newListMeta(env: SlotEnv): ListMeta {
  const meta: ListMeta = { id: allocateId(env, DB), count: 0, extra: Buffer.alloc(EXTRA_BYTES), expireAt: 0 };
  setBounds(meta, { head: 0, tail: 0, ref: 0 });
  return meta;
}

/** The list at `key` for writing, created (after dropping any expired record) when absent. Inside env.write. */
export function listForWrite(env: SlotEnv, key: Buffer, now: number): ListMeta {
  const meta = getList(env, key, now);
  if (meta) return meta;
  remove(env, key, now);
  return newListMeta(env);
}

/** Writes the list's meta back; an empty list deletes the key (and its records). Inside env.write. */
export function listSave(env: SlotEnv, key: Buffer, meta: ListMeta, now: number): void {
  putCollection(env, key, KeyType.List, meta, meta.expireAt, now);
}

/** Replaces whatever `key` holds with a list of `items` (deleted when there are none); returns its length. Inside env.write. */
export function listReplace(env: SlotEnv, key: Buffer, items: Buffer[], now: number): number {
  remove(env, key, now); // also drops the members of a collection (live or expired) stored there
  if (items.length === 0) return 0;
  const meta = newListMeta(env);
  listPush(env, meta, items, false);
  listSave(env, key, meta, now);
  return meta.count;
}

/** Pushes elements one by one at the head (`left`) or the tail. Inside env.write. */
export function listPush(env: SlotEnv, meta: ListMeta, items: Buffer[], left: boolean): void {
  const b = bounds(meta);
  const entries = items.map((el) => encode(env, meta, b, el));
  const n = entries.length;
  if (left) writeRange(env, meta, { ...b, head: b.head - n }, b.head - n, entries.reverse());
  else writeRange(env, meta, { ...b, tail: b.tail + n }, b.tail, entries);
}

/**
 * Hands each element of positions start..end (inclusive, already clamped) to `fn` as bytes
 * [from, to) of `src`, valid only during the call: LRANGE writes them into its reply straight
 * from LMDB's buffer, one read per chunk and no copy per element.
 */
export function listRangeEach(env: SlotEnv, meta: ListMeta, start: number, end: number, fn: (src: Uint8Array, from: number, to: number) => void): void {
  if (start > end) return;
  const b = bounds(meta);
  const from = b.head + start;
  const to = b.head + end + 1;
  const db = env.dbs[DB];
  for (let c = chunkOf(from); c * K < to; c++) {
    const fast = db.getBinaryFast(chunkKey(meta.id, c));
    if (!fast) throw new Error('list chunk is missing');
    // LMDB's shared read buffer: copied only before a big element's read would overwrite it
    let raw: Uint8Array = fast;
    let copied = false;
    const [lo, hi] = span(b, c);
    let off = VALUE_START;
    for (let i = lo; i < hi && i < to; i++) {
      off = parseEntry(raw, off);
      if (i < from) continue;
      if (!entry.big) {
        fn(raw, entry.start, entry.end);
        continue;
      }
      if (!copied) {
        raw = Buffer.from(asBuffer(raw));
        copied = true;
      }
      const big = db.getBinaryFast(bigKey(meta.id, refAt(raw, entry.start)));
      if (!big) throw new Error('list element record is missing');
      fn(big, VALUE_START, big.length);
    }
  }
}

/** Elements at positions start..end (inclusive, already clamped to the list), head to tail or reversed. */
export function listRange(env: SlotEnv, meta: ListMeta, start: number, end: number, reverse = false, cache?: ChunkCache): Buffer[] {
  if (start > end) return [];
  const { head } = bounds(meta);
  const out = loadEntries(env, meta, head + start, head + end + 1, cache).map((e) => Buffer.from(decode(env, meta, e)));
  return reverse ? out.reverse() : out;
}

/** Every encoded entry from the head (or the tail when `reverse`) with its position: views of chunk copies. */
function* walk(env: SlotEnv, meta: ListMeta, reverse: boolean): Generator<{ pos: number; e: Buffer }> {
  const b = bounds(meta);
  if (b.tail <= b.head) return;
  const first = chunkOf(b.head);
  const last = chunkOf(b.tail - 1);
  for (let k = 0; k <= last - first; k++) {
    const c = reverse ? last - k : first + k;
    const raw = readChunk(env, meta, c);
    const [lo, hi] = span(b, c);
    const at = entryOffsets(raw, hi - lo);
    for (let j = 0; j < hi - lo; j++) {
      const i = reverse ? hi - lo - 1 - j : j;
      yield { pos: lo + i - b.head, e: raw.subarray(at[i], at[i + 1]) };
    }
  }
}

/** Iterates elements from the head (or from the tail when `reverse`), with their positions; values are views valid until the next. */
export function* listEntries(env: SlotEnv, meta: ListMeta, reverse = false): Generator<{ pos: number; value: Buffer }> {
  for (const { pos, e } of walk(env, meta, reverse)) yield { pos, value: decode(env, meta, e) };
}

/**
 * Every position from the head (or the tail) and whether its element equals `needle`
 * (LINSERT's pivot, LREM's and LPOS's element): a long element is read only when the needle is
 * long too, and compared in LMDB's buffer without a copy.
 */
export function* listMatches(env: SlotEnv, meta: ListMeta, needle: Buffer, reverse = false): Generator<{ pos: number; match: boolean }> {
  for (const { pos, e } of walk(env, meta, reverse)) {
    parseEntry(e, 0);
    if (!entry.big) yield { pos, match: needle.equals(e.subarray(entry.start, entry.end)) };
    else if (needle.length <= LIST_INLINE_MAX_BYTES) yield { pos, match: false };
    else {
      const raw = env.dbs[DB].getBinaryFast(bigKey(meta.id, refAt(e, entry.start)));
      if (!raw) throw new Error('list element record is missing');
      yield { pos, match: needle.equals(asBuffer(raw).subarray(VALUE_START)) };
    }
  }
}

/** The element at position `pos` (0 ≤ pos < count). */
export function listGet(env: SlotEnv, meta: ListMeta, pos: number): Buffer {
  const b = bounds(meta);
  const i = b.head + pos;
  const c = chunkOf(i);
  const raw = env.dbs[DB].getBinaryFast(chunkKey(meta.id, c));
  if (!raw) throw new Error('list chunk is missing');
  let off = VALUE_START;
  for (let j = span(b, c)[0]; j <= i; j++) off = parseEntry(raw, off);
  if (entry.big) return bigValue(env, meta, refAt(raw, entry.start));
  return Buffer.from(asBuffer(raw).subarray(entry.start, entry.end));
}

/** Replaces the element at position `pos`. Inside env.write; call listSave after (a big element takes a reference). */
export function listSet(env: SlotEnv, meta: ListMeta, pos: number, el: Buffer): void {
  const b = bounds(meta);
  const i = b.head + pos;
  const cache: ChunkCache = new Map();
  const [old] = loadEntries(env, meta, i, i + 1, cache);
  parseEntry(old, 0);
  const inline = inlineEntry(el);
  if (entry.big) {
    const ref = refAt(old, entry.start);
    // a big element over a big one keeps its reference: the chunk stays as it is
    if (!inline) return void env.dbs[DB].putSync(bigKey(meta.id, ref), Buffer.concat([VALUE_HEAD, el]));
    env.dbs[DB].removeSync(bigKey(meta.id, ref));
  }
  writeRange(env, meta, b, i, [inline ?? encode(env, meta, b, el)], cache);
}

/** Removes `fromHead` elements from the head and `fromTail` from the tail. Inside env.write; call listSave after. */
export function listTrimEnds(env: SlotEnv, meta: ListMeta, fromHead: number, fromTail: number, cache?: ChunkCache): void {
  const b = bounds(meta);
  if (fromHead + fromTail >= meta.count) {
    fromHead = meta.count;
    fromTail = 0;
    // emptied: listSave removes the key and drops every record with it (or queues a big list's
    // for reclaim); only a list LMOVE refills at once must lose its records here
    if (meta.count > K) return setBounds(meta, { ...b, tail: b.head });
  }
  const head = b.head + fromHead;
  const tail = b.tail - fromTail;
  forEachBigRef(env, meta, b.head, head, cache);
  forEachBigRef(env, meta, tail, b.tail, cache);
  writeRange(env, meta, { ...b, head, tail }, head, [], cache);
}

/** Deletes the records of big elements at absolute indexes [from, to), a chunk at a time. */
function forEachBigRef(env: SlotEnv, meta: ListMeta, from: number, to: number, cache?: ChunkCache): void {
  for (let c = chunkOf(from); c * K < to; c++) {
    const lo = Math.max(from, c * K);
    dropBig(env, meta, loadEntries(env, meta, lo, Math.min(to, c * K + K), cache));
  }
}

/** Pops up to `n` elements from the head (`left`) or the tail, in pop order. Inside env.write. */
export function listPop(env: SlotEnv, meta: ListMeta, n: number, left: boolean): Buffer[] {
  const k = Math.min(n, meta.count);
  if (k === 0) return [];
  const cache: ChunkCache = new Map();
  const items = left ? listRange(env, meta, 0, k - 1, false, cache) : listRange(env, meta, meta.count - k, meta.count - 1, true, cache);
  if (left) listTrimEnds(env, meta, k, 0, cache);
  else listTrimEnds(env, meta, 0, k, cache);
  return items;
}

/** Inserts `el` so that it ends up at position `pos` (0 ≤ pos ≤ count), shifting the shorter side. Inside env.write. */
export function listInsertAt(env: SlotEnv, meta: ListMeta, pos: number, el: Buffer): void {
  const b = bounds(meta);
  const cache: ChunkCache = new Map();
  const e = encode(env, meta, b, el);
  const i = b.head + pos;
  if (pos <= meta.count - pos) {
    // positions 0..pos-1 move one index left
    const before = loadEntries(env, meta, b.head, i, cache);
    writeRange(env, meta, { ...b, head: b.head - 1 }, b.head - 1, [...before, e], cache);
  } else {
    const after = loadEntries(env, meta, i, b.tail, cache);
    writeRange(env, meta, { ...b, tail: b.tail + 1 }, i, [e, ...after], cache);
  }
}

/**
 * Removes the elements at the given positions (any order, distinct), closing the gaps by
 * moving everything after the first removed position. Inside env.write.
 */
export function listRemovePositions(env: SlotEnv, meta: ListMeta, positions: number[]): void {
  if (positions.length === 0) return;
  const b = bounds(meta);
  const gone = new Set(positions);
  const first = Math.min(...positions);
  const cache: ChunkCache = new Map();
  const rest = loadEntries(env, meta, b.head + first, b.tail, cache);
  dropBig(env, meta, rest.filter((_, j) => gone.has(first + j)));
  const kept = rest.filter((_, j) => !gone.has(first + j));
  writeRange(env, meta, { ...b, tail: b.head + first + kept.length }, b.head + first, kept, cache);
}
