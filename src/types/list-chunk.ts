// The byte layout of a list's records (src/types/list.ts uses it; no LMDB here).
//
// Chunk key:   [u64 BE collection id][0x00][u64 BE (chunk number + 2^63)]  (sorts as the number)
// Big key:     [u64 BE collection id][0x01][u64 BE reference]
// Values:      [u8 0][...]: the collection member-value layout of a short member (the key tail),
//              so registerCollection's dropper, copier and serializer handle lists unchanged.
// Chunk value: [0] then one entry per element the chunk holds, in index order. An entry is a
//              varint of (payload length << 1 | big) and the payload: the element itself, or for
//              a big element the u64 BE reference of its own record (whose value is [0][element]).
// Which elements a chunk holds follows from the list's bounds: chunk c holds the absolute
// indexes [max(head, cK), min(tail, cK + K)), K = LIST_CHUNK_ELEMENTS, so entries carry no index.
import { LIST_CHUNK_ELEMENTS as K, LIST_INLINE_MAX_BYTES } from '../common/limits';

const CHUNK_TAG = 0;
const BIG_TAG = 1;
const REF_BYTES = 8;
const TWO32 = 2 ** 32;
/** Record values start with the collection member-value byte. */
export const VALUE_START = 1;
export const VALUE_HEAD = Buffer.of(0);

/** The chunk holding absolute index `i`. */
export const chunkOf = (i: number) => Math.floor(i / K);

/** [id][tag][u64 BE n], n a signed chunk number biased by 2^63 or an unsigned reference. */
function tailKey(id: Buffer, tag: number, hi: number, lo: number): Buffer {
  const k = Buffer.allocUnsafe(id.length + 9);
  id.copy(k, 0);
  k[id.length] = tag;
  k.writeUInt32BE(hi, id.length + 1);
  k.writeUInt32BE(lo, id.length + 5);
  return k;
}

export function chunkKey(id: Buffer, c: number): Buffer {
  const hi = Math.floor(c / TWO32);
  return tailKey(id, CHUNK_TAG, hi + 2 ** 31, c - hi * TWO32);
}

export function bigKey(id: Buffer, ref: number): Buffer {
  const hi = Math.floor(ref / TWO32);
  return tailKey(id, BIG_TAG, hi, ref - hi * TWO32);
}

function header(len: number, big: boolean): Buffer {
  let v = len * 2 + (big ? 1 : 0);
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

/** An element short enough to live in its chunk, as an entry; undefined when it needs a record of its own. */
export function inlineEntry(el: Buffer): Buffer | undefined {
  if (el.length > LIST_INLINE_MAX_BYTES) return undefined;
  const h = header(el.length, false);
  const out = Buffer.allocUnsafe(h.length + el.length);
  h.copy(out, 0);
  el.copy(out, h.length);
  return out;
}

/** The entry of a big element whose record is `ref`. */
export function bigEntry(ref: number): Buffer {
  const h = header(REF_BYTES, true);
  const out = Buffer.allocUnsafe(h.length + REF_BYTES);
  h.copy(out, 0);
  const hi = Math.floor(ref / TWO32);
  out.writeUInt32BE(hi, h.length);
  out.writeUInt32BE(ref - hi * TWO32, h.length + 4);
  return out;
}

/**
 * The entry parsed last by parseEntry: its payload is bytes [start, end) and `big` says the
 * payload is a reference. Module state rather than an object per entry: LRANGE parses many.
 */
export const entry = { start: 0, end: 0, big: false };

/** Parses the entry at `off` of `buf` into `entry` and returns the offset after it. */
export function parseEntry(buf: Uint8Array, off: number): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    if (off >= buf.length) throw new Error('list chunk is truncated');
    const b = buf[off++];
    v += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 0x80;
  }
  entry.big = v % 2 === 1;
  entry.start = off;
  entry.end = off + Math.floor(v / 2);
  if (entry.end > buf.length) throw new Error('list chunk is truncated');
  return entry.end;
}

/** The reference in a big entry's payload at `start`. */
export function refAt(buf: Uint8Array, start: number): number {
  const v = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  return v.readUInt32BE(start) * TWO32 + v.readUInt32BE(start + 4);
}

/** Offsets where the `n` entries of a chunk value start, and the value's end as the last. */
export function entryOffsets(buf: Uint8Array, n: number): number[] {
  const at = [VALUE_START];
  for (let i = 0; i < n; i++) at.push(parseEntry(buf, at[i]));
  return at;
}

/** A chunk value of the given entries. */
export function chunkValue(entries: Uint8Array[]): Buffer {
  let n = VALUE_START;
  for (const e of entries) n += e.length;
  const out = Buffer.allocUnsafe(n);
  out[0] = 0;
  let at = VALUE_START;
  for (const e of entries) {
    out.set(e, at);
    at += e.length;
  }
  return out;
}
