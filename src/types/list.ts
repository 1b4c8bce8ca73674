// List storage on top of types/collection.ts. Elements have absolute indexes, as in Pika
// blackwidow's lists (head .. tail-1 in the meta; LPUSH decrements head, RPUSH increments tail),
// and live in fixed chunks of LIST_CHUNK_ELEMENTS consecutive indexes, so an element at any
// position is one record read, and LRANGE reads one record per chunk instead of one per element.
//
// Meta extra:    [i64 BE head][i64 BE tail]  (count = tail - head)
// Chunk key:     [u64 BE collection id][u64 BE (floor(index / K) + 2^63)]
// Chunk value:   [u8 0][entry]...  — the elements of the chunk's indexes within head .. tail-1,
//                in order; entry = [u32 BE header][bytes], header = length, or LARGE for an
//                element longer than LIST_INLINE_MAX_BYTES, which has a record of its own:
// Large key:     [u64 BE collection id][u8 0][u64 BE (index + 2^63)]  → [u8 0][element]
// Chunk numbers stay near 2^63 (a list would need 2^59 pushes to reach a chunk whose biased
// number starts with a zero byte), so large-element keys never fall between chunk keys. Values
// start with a zero byte, the collection member-value layout, so registerCollection's dropper,
// copier and serializer (which range over the id prefix and re-key under a new id) work as they
// are. LINSERT and LREM re-push one side of the list (O(n), as in Redis); LTRIM only deletes.
import { LIST_CHUNK_ELEMENTS, LIST_INLINE_MAX_BYTES } from '../common/limits';
import { KeyType, remove } from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';
import { allocateId, getCollection, Meta, putCollection, registerCollection } from './collection';

const DB = 'lists' as const;
registerCollection(KeyType.List, DB, 1 / LIST_CHUNK_ELEMENTS);

const K = BigInt(LIST_CHUNK_ELEMENTS);
const BIAS = 2n ** 63n;
const ENTRY_HEADER = 4;
/** Header of an entry whose element lives in its own record. */
const LARGE = 0xffffffff;
const ZERO_BYTE = Buffer.of(0);

export type ListMeta = Meta & { expireAt: number };

function head(meta: ListMeta): bigint {
  return meta.extra.readBigInt64BE(0);
}

function setBounds(meta: ListMeta, h: bigint, t: bigint): void {
  const extra = Buffer.allocUnsafe(16);
  extra.writeBigInt64BE(h, 0);
  extra.writeBigInt64BE(t, 8);
  meta.extra = extra;
  meta.count = Number(t - h);
}

const chunkOf = (index: bigint) => (index >= 0n ? index / K : -((-index + K - 1n) / K));

function chunkKey(id: Buffer, chunk: bigint): Buffer {
  const k = Buffer.allocUnsafe(id.length + 8);
  id.copy(k, 0);
  k.writeBigUInt64BE(chunk + BIAS, id.length);
  return k;
}

function largeKey(id: Buffer, index: bigint): Buffer {
  const k = Buffer.allocUnsafe(id.length + 9);
  id.copy(k, 0);
  k[id.length] = 0;
  k.writeBigUInt64BE(index + BIAS, id.length + 1);
  return k;
}

/** A view of a value lmdb-js lent: its shared buffer reports the value's length, its typed array does not. */
const lent = (raw: Uint8Array) => Buffer.from(raw.buffer, raw.byteOffset, raw.length);

const u32 = (v: Uint8Array, o: number) => ((v[o] << 24) | (v[o + 1] << 16) | (v[o + 2] << 8) | v[o + 3]) >>> 0;

/** The chunk's entries as [start, end) offsets into its value (headers included). */
function entryBounds(v: Uint8Array): number[] {
  const out: number[] = [];
  for (let o = 1; o < v.length; ) {
    const header = u32(v, o);
    const end = o + ENTRY_HEADER + (header === LARGE ? 0 : header);
    out.push(o, end);
    o = end;
  }
  return out;
}

/** The first index a chunk holds: its own first index, or the list's head inside it. */
const chunkFirst = (chunk: bigint, h: bigint) => (chunk * K > h ? chunk * K : h);

/**
 * The chunks an operation changes, read once (copied) and written once by flush: entries are
 * kept encoded, so moving them costs a copy of their bytes and nothing else.
 */
class ChunkEdit {
  private chunks = new Map<bigint, Buffer[]>();

  constructor(private env: SlotEnv, private meta: ListMeta) {}

  entries(chunk: bigint): Buffer[] {
    let es = this.chunks.get(chunk);
    if (es) return es;
    es = [];
    const raw = this.env.dbs[DB].getBinaryFast(chunkKey(this.meta.id, chunk));
    if (raw) {
      const v = Buffer.from(lent(raw));
      const b = entryBounds(v);
      for (let i = 0; i < b.length; i += 2) es.push(v.subarray(b[i], b[i + 1]));
    }
    this.chunks.set(chunk, es);
    return es;
  }

  /** An entry for `el` at absolute `index`, writing a large element's own record. */
  encode(index: bigint, el: Buffer): Buffer {
    const e = Buffer.allocUnsafe(ENTRY_HEADER + (el.length > LIST_INLINE_MAX_BYTES ? 0 : el.length));
    if (el.length > LIST_INLINE_MAX_BYTES) {
      e.writeUInt32BE(LARGE, 0);
      this.env.dbs[DB].putSync(largeKey(this.meta.id, index), Buffer.concat([ZERO_BYTE, el]));
    } else {
      e.writeUInt32BE(el.length, 0);
      el.copy(e, ENTRY_HEADER);
    }
    return e;
  }

  /** The element of an entry at absolute `index` (a copy); `drop` also deletes a large element's record. */
  decode(index: bigint, e: Buffer, drop = false): Buffer {
    if (u32(e, 0) !== LARGE) return Buffer.from(e.subarray(ENTRY_HEADER));
    const key = largeKey(this.meta.id, index);
    const raw = this.env.dbs[DB].getBinaryFast(key);
    if (!raw) throw new Error(`list element ${index} has no record`);
    const el = Buffer.from(lent(raw).subarray(1));
    if (drop) this.env.dbs[DB].removeSync(key);
    return el;
  }

  flush(): void {
    const db = this.env.dbs[DB];
    for (const [chunk, es] of this.chunks) {
      const key = chunkKey(this.meta.id, chunk);
      if (es.length === 0) db.removeSync(key);
      else db.putSync(key, Buffer.concat([ZERO_BYTE, ...es]));
    }
    this.chunks.clear();
  }
}

/** The live list at `key`, undefined when absent; throws WRONGTYPE for another type. */
export function getList(env: SlotEnv | null, key: Buffer, now: number): ListMeta | undefined {
  return getCollection(env, key, KeyType.List, now);
}

/** A fresh, empty list meta (not stored yet). Inside env.write. */
export function newListMeta(env: SlotEnv): ListMeta {
  const meta: ListMeta = { id: allocateId(env, DB), count: 0, extra: Buffer.alloc(16), expireAt: 0 };
  setBounds(meta, 0n, 0n);
  return meta;
}

/** The list at `key` for writing, created (after dropping any expired record) when absent. Inside env.write. */
export function listForWrite(env: SlotEnv, key: Buffer, now: number): ListMeta {
  const meta = getList(env, key, now);
  if (meta) return meta;
  remove(env, key, now);
  return newListMeta(env);
}

/** Writes the list's meta back; an empty list deletes the key. Inside env.write. */
export function listSave(env: SlotEnv, key: Buffer, meta: ListMeta, now: number): void {
  putCollection(env, key, KeyType.List, meta, meta.expireAt, now);
}

/** Pushes elements one by one at the head (`left`) or the tail. Inside env.write. */
export function listPush(env: SlotEnv, meta: ListMeta, items: Buffer[], left: boolean): void {
  let h = head(meta);
  let t = h + BigInt(meta.count);
  const edit = new ChunkEdit(env, meta);
  for (const el of items) {
    if (left) {
      h--;
      edit.entries(chunkOf(h)).unshift(edit.encode(h, el));
    } else {
      edit.entries(chunkOf(t)).push(edit.encode(t, el));
      t++;
    }
  }
  edit.flush();
  setBounds(meta, h, t);
}

/**
 * Hands each element of positions start..end (inclusive, already clamped) to `fn` as bytes
 * [from, to) of `src`, valid only during the call: LRANGE writes them into its reply without a
 * copy per element.
 */
export function listRangeEach(env: SlotEnv, meta: ListMeta, start: number, end: number, fn: (src: Uint8Array, from: number, to: number) => void): void {
  if (start > end) return;
  const h = head(meta);
  const first = h + BigInt(start);
  const last = h + BigInt(end);
  const db = env.dbs[DB];
  let index = first;
  for (const { key, value } of db.getRange({ start: chunkKey(meta.id, chunkOf(first)), end: chunkKey(meta.id, chunkOf(last) + 1n) }) as Iterable<{ key: Buffer; value: Uint8Array }>) {
    const chunk = key.readBigUInt64BE(meta.id.length) - BIAS;
    if (chunk !== chunkOf(index)) throw new Error(`list chunk ${chunkOf(index)} is missing`);
    let v = lent(value);
    const b = entryBounds(v);
    // a large element's read would reuse the buffer this chunk was lent in
    if (b.some((o, i) => i % 2 === 0 && u32(v, o) === LARGE)) v = Buffer.from(v);
    for (let i = Number(index - chunkFirst(chunk, h)) * 2; i < b.length && index <= last; i += 2, index++) {
      if (u32(v, b[i]) !== LARGE) fn(v, b[i] + ENTRY_HEADER, b[i + 1]);
      else {
        const raw = db.getBinaryFast(largeKey(meta.id, index));
        if (!raw) throw new Error(`list element ${index} has no record`);
        fn(lent(raw), 1, raw.length);
      }
    }
  }
  if (index !== last + 1n) throw new Error(`list chunks hold ${index - first} of ${last - first + 1n} elements`);
}

/** Elements at positions start..end (inclusive, already clamped to the list), head to tail or reversed; copies. */
export function listRange(env: SlotEnv, meta: ListMeta, start: number, end: number, reverse = false): Buffer[] {
  const out: Buffer[] = [];
  listRangeEach(env, meta, start, end, (src, from, to) => out.push(Buffer.from(src.subarray(from, to))));
  return reverse ? out.reverse() : out;
}

/** Iterates elements from the head (or from the tail when `reverse`), with their positions, a chunk at a time. */
export function* listEntries(env: SlotEnv, meta: ListMeta, reverse = false): Generator<{ pos: number; value: Buffer }> {
  const step = LIST_CHUNK_ELEMENTS;
  for (let i = 0; i < meta.count; i += step) {
    const from = reverse ? Math.max(0, meta.count - i - step) : i;
    const to = reverse ? meta.count - i - 1 : Math.min(meta.count, i + step) - 1;
    const items = listRange(env, meta, from, to, reverse);
    for (let j = 0; j < items.length; j++) yield { pos: reverse ? to - j : from + j, value: items[j] };
  }
}

/** The element at position `pos` (0 ≤ pos < count). */
export function listGet(env: SlotEnv, meta: ListMeta, pos: number): Buffer {
  return listRange(env, meta, pos, pos)[0];
}

/** Replaces the element at position `pos`. Inside env.write. */
export function listSet(env: SlotEnv, meta: ListMeta, pos: number, el: Buffer): void {
  const h = head(meta);
  const index = h + BigInt(pos);
  const chunk = chunkOf(index);
  const edit = new ChunkEdit(env, meta);
  const es = edit.entries(chunk);
  const at = Number(index - chunkFirst(chunk, h));
  if (at >= es.length) throw new Error(`list chunk ${chunk} has no element ${index}`);
  edit.decode(index, es[at], true);
  es[at] = edit.encode(index, el);
  edit.flush();
}

/**
 * Removes `fromHead` elements from the head and `fromTail` from the tail, answering the removed
 * ones when `keep` (in removal order: head ones first to last, then tail ones last to first).
 * Inside env.write; call listSave after.
 */
function trimEnds(env: SlotEnv, meta: ListMeta, fromHead: number, fromTail: number, keep: boolean): Buffer[] {
  const h = head(meta);
  const t = h + BigInt(meta.count);
  const edit = new ChunkEdit(env, meta);
  const out: Buffer[] = [];
  for (let i = 0n; i < BigInt(fromHead); i++) {
    const e = edit.entries(chunkOf(h + i)).shift();
    if (!e) throw new Error(`list chunk ${chunkOf(h + i)} has no element ${h + i}`);
    const el = edit.decode(h + i, e, true);
    if (keep) out.push(el);
  }
  for (let i = 1n; i <= BigInt(fromTail); i++) {
    const e = edit.entries(chunkOf(t - i)).pop();
    if (!e) throw new Error(`list chunk ${chunkOf(t - i)} has no element ${t - i}`);
    const el = edit.decode(t - i, e, true);
    if (keep) out.push(el);
  }
  edit.flush();
  setBounds(meta, h + BigInt(fromHead), t - BigInt(fromTail));
  return out;
}

/** Removes `n` elements from the head (`left`) or the tail. Inside env.write; call listSave after. */
export function listTrimEnds(env: SlotEnv, meta: ListMeta, fromHead: number, fromTail: number): void {
  trimEnds(env, meta, fromHead, fromTail, false);
}

/** Pops up to `n` elements from the head (`left`) or the tail, in pop order. Inside env.write. */
export function listPop(env: SlotEnv, meta: ListMeta, n: number, left: boolean): Buffer[] {
  const k = Math.min(n, meta.count);
  if (k === 0) return [];
  return left ? trimEnds(env, meta, k, 0, true) : trimEnds(env, meta, 0, k, true);
}

/** Inserts `el` so that it ends up at position `pos` (0 ≤ pos ≤ count), re-pushing the shorter side. Inside env.write. */
export function listInsertAt(env: SlotEnv, meta: ListMeta, pos: number, el: Buffer): void {
  if (pos <= meta.count - pos) {
    const before = listPop(env, meta, pos, true);
    listPush(env, meta, [el, ...before.reverse()], true);
  } else {
    const after = listPop(env, meta, meta.count - pos, false);
    listPush(env, meta, [el, ...after.reverse()], false);
  }
}

/**
 * Removes the elements at the given positions (any order, distinct), closing the gaps by
 * re-pushing everything after the first removed position. Inside env.write.
 */
export function listRemovePositions(env: SlotEnv, meta: ListMeta, positions: number[]): void {
  if (positions.length === 0) return;
  const gone = new Set(positions);
  const first = Math.min(...positions);
  const tail = listPop(env, meta, meta.count - first, false).reverse();
  listPush(env, meta, tail.filter((_, i) => !gone.has(first + i)), false);
}
