// List storage on top of types/collection.ts, indexed like Pika blackwidow's lists so that an
// element at any position is one LMDB lookup and a range is one cursor walk.
//
// Meta extra:  [i64 BE head][i64 BE tail]  — the elements occupy indexes head .. tail-1, so
//              count = tail - head; LPUSH decrements head, RPUSH increments tail.
// Element key: [u64 BE collection id][u64 BE (index + 2^63)]  (sorts as the signed index)
// Element value: [u8 0][element]  — the collection member-value layout for a short "member"
//              (the 8-byte index), so registerCollection's dropper and copier (which range over
//              the id prefix and re-key each record under a new id) work unchanged.
// LINSERT and LREM renumber one side of the list (O(n), as in Redis); LTRIM only deletes.
import { KeyType, remove } from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';
import { allocateId, getCollection, Meta, putCollection, registerCollection } from './collection';

const DB = 'lists' as const;
registerCollection(KeyType.List, DB);

const BIAS = 2n ** 63n;
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

function indexKey(id: Buffer, index: bigint): Buffer {
  const k = Buffer.allocUnsafe(id.length + 8);
  id.copy(k, 0);
  k.writeBigUInt64BE(index + BIAS, id.length);
  return k;
}

/** The key of the element at position `pos` (0-based from the head). */
const posKey = (meta: ListMeta, pos: number) => indexKey(meta.id, head(meta) + BigInt(pos));

const encodeValue = (el: Buffer) => Buffer.concat([ZERO_BYTE, el]);
const decodeValue = (raw: Uint8Array) => Buffer.from(Buffer.from(raw.buffer, raw.byteOffset, raw.length).subarray(1));

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
  const db = env.dbs[DB];
  for (const el of items) {
    if (left) db.putSync(indexKey(meta.id, --h), encodeValue(el));
    else db.putSync(indexKey(meta.id, t++), encodeValue(el));
  }
  setBounds(meta, h, t);
}

/** Elements at positions start..end (inclusive, already clamped to the list), head to tail or reversed. */
export function listRange(env: SlotEnv, meta: ListMeta, start: number, end: number, reverse = false): Buffer[] {
  if (start > end) return [];
  const lo = posKey(meta, start);
  const hi = posKey(meta, end + 1);
  const out: Buffer[] = [];
  const range = reverse ? env.dbs[DB].getRange({ start: hi, end: lo, reverse: true, exclusiveStart: true, inclusiveEnd: true } as never) : env.dbs[DB].getRange({ start: lo, end: hi });
  for (const { value } of range as Iterable<{ key: Buffer; value: Uint8Array }>) out.push(decodeValue(value));
  return out;
}

/**
 * Hands each element of positions start..end (inclusive, already clamped) to `fn` as bytes
 * [from, to) of `src`, valid only during the call: LRANGE writes them into its reply without
 * a copy per element.
 */
export function listRangeEach(env: SlotEnv, meta: ListMeta, start: number, end: number, fn: (src: Uint8Array, from: number, to: number) => void): void {
  if (start > end) return;
  for (const { value } of env.dbs[DB].getRange({ start: posKey(meta, start), end: posKey(meta, end + 1) }) as Iterable<{ value: Uint8Array }>) {
    fn(value, 1, value.length);
  }
}

/** Iterates elements from the head (or from the tail when `reverse`), with their positions. */
export function* listEntries(env: SlotEnv, meta: ListMeta, reverse = false): Generator<{ pos: number; value: Buffer }> {
  const lo = posKey(meta, 0);
  const hi = posKey(meta, meta.count);
  let pos = reverse ? meta.count - 1 : 0;
  const range = reverse ? env.dbs[DB].getRange({ start: hi, end: lo, reverse: true, exclusiveStart: true, inclusiveEnd: true } as never) : env.dbs[DB].getRange({ start: lo, end: hi });
  for (const { value } of range as Iterable<{ key: Buffer; value: Uint8Array }>) {
    yield { pos, value: Buffer.from(value.buffer, value.byteOffset + 1, value.length - 1) };
    pos += reverse ? -1 : 1;
  }
}

/** The element at position `pos` (0 ≤ pos < count). */
export function listGet(env: SlotEnv, meta: ListMeta, pos: number): Buffer {
  const raw = env.dbs[DB].getBinaryFast(posKey(meta, pos));
  if (!raw) throw new Error('list index does not match its elements');
  return decodeValue(raw);
}

/** Replaces the element at position `pos`. Inside env.write. */
export function listSet(env: SlotEnv, meta: ListMeta, pos: number, el: Buffer): void {
  env.dbs[DB].putSync(posKey(meta, pos), encodeValue(el));
}

/** Removes `n` elements from the head (`left`) or the tail. Inside env.write; call listSave after. */
export function listTrimEnds(env: SlotEnv, meta: ListMeta, fromHead: number, fromTail: number): void {
  const h = head(meta);
  const t = h + BigInt(meta.count);
  const db = env.dbs[DB];
  for (let i = 0; i < fromHead; i++) db.removeSync(indexKey(meta.id, h + BigInt(i)));
  for (let i = 1; i <= fromTail; i++) db.removeSync(indexKey(meta.id, t - BigInt(i)));
  setBounds(meta, h + BigInt(fromHead), t - BigInt(fromTail));
}

/** Pops up to `n` elements from the head (`left`) or the tail, in pop order. Inside env.write. */
export function listPop(env: SlotEnv, meta: ListMeta, n: number, left: boolean): Buffer[] {
  const k = Math.min(n, meta.count);
  if (k === 0) return [];
  const items = left ? listRange(env, meta, 0, k - 1) : listRange(env, meta, meta.count - k, meta.count - 1, true);
  if (left) listTrimEnds(env, meta, k, 0);
  else listTrimEnds(env, meta, 0, k);
  return items;
}

/** Inserts `el` so that it ends up at position `pos` (0 ≤ pos ≤ count), shifting the shorter side. Inside env.write. */
export function listInsertAt(env: SlotEnv, meta: ListMeta, pos: number, el: Buffer): void {
  const h = head(meta);
  const t = h + BigInt(meta.count);
  const db = env.dbs[DB];
  if (pos <= meta.count - pos) {
    // move positions 0..pos-1 one index left
    const before = listRange(env, meta, 0, pos - 1);
    for (let i = 0; i < before.length; i++) db.putSync(indexKey(meta.id, h - 1n + BigInt(i)), encodeValue(before[i]));
    db.putSync(indexKey(meta.id, h - 1n + BigInt(pos)), encodeValue(el));
    setBounds(meta, h - 1n, t);
  } else {
    const after = listRange(env, meta, pos, meta.count - 1);
    for (let i = 0; i < after.length; i++) db.putSync(indexKey(meta.id, h + BigInt(pos + 1 + i)), encodeValue(after[i]));
    db.putSync(indexKey(meta.id, h + BigInt(pos)), encodeValue(el));
    setBounds(meta, h, t + 1n);
  }
}

/**
 * Removes the elements at the given positions (any order, distinct), closing the gaps by
 * renumbering everything after the first removed position. Inside env.write.
 */
export function listRemovePositions(env: SlotEnv, meta: ListMeta, positions: number[]): void {
  if (positions.length === 0) return;
  const gone = new Set(positions);
  const first = Math.min(...positions);
  const h = head(meta);
  const rest = listRange(env, meta, first, meta.count - 1).filter((_, i) => !gone.has(first + i));
  const db = env.dbs[DB];
  for (let p = first; p < meta.count; p++) db.removeSync(indexKey(meta.id, h + BigInt(p)));
  for (let i = 0; i < rest.length; i++) db.putSync(indexKey(meta.id, h + BigInt(first + i)), encodeValue(rest[i]));
  setBounds(meta, h, h + BigInt(first + rest.length));
}
