// The replication link's frames: RESP multibulk arrays (the same framing as client commands, so
// one parser reads both), the first element naming the frame.
//
// Follower → leader, after `AUTH <masterauth>` and `PKSYNC 2` (the protocol version) on the leader's client port:
//   S <table> <slot> <term> <index> <time> <force 0|1>   follow this slot from this offset
//   A <table> <slot> <index> [<slot> <index> ...]         entries up to each index are applied
//   P                                                     heartbeat
// Leader → follower:
//   H                                                     the link is open (PKSYNC's answer)
//   E <table> <slot> <n> <entry>×n [<slot> <n> ...]       binlog entries, in order per slot
//   F <table> <slot> begin <index> <bytes>                a full sync: snapshot at index follows
//   F <table> <slot> chunk <bytes>                        its data.mdb, in order
//   F <table> <slot> end                                  install it; entries after index follow
//   X <table> <slot> <reason>                             this slot cannot be followed here
//   P                                                     heartbeat
import { REPL_FRAME_MAX_BYTES } from '../common/limits';
import { RequestParser } from '../protocol/parser';

/** One frame, written in one buffer (a buffer per header and a concat cost main more than the copy). */
export function frame(parts: (Buffer | string | number)[]): Buffer {
  const items = parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(String(p))));
  const out = Buffer.allocUnsafe(headerBytes(items.length) + bulksBytes(items));
  writeBulks(out, writeHeader(out, 0, ARRAY, items.length), items);
  return out;
}

/** A slot's part of an E frame: `count` entries already written as bulk strings (writeBulks). */
export interface EntryBlock {
  slot: number;
  count: number;
  bulks: Buffer;
}

/** `E <table> (<slot> <n> <entry>×n)...` around blocks of entries encoded once, by the worker that logged them. */
export function entriesFrame(table: number, blocks: EntryBlock[]): Buffer {
  const heads = blocks.map((b) => [Buffer.from(String(b.slot)), Buffer.from(String(b.count))]);
  const start = [Buffer.from('E'), Buffer.from(String(table))];
  let elements = start.length;
  let size = bulksBytes(start);
  blocks.forEach((b, i) => {
    elements += 2 + b.count;
    size += bulksBytes(heads[i]) + b.bulks.length;
  });
  const out = Buffer.allocUnsafe(headerBytes(elements) + size);
  let o = writeBulks(out, writeHeader(out, 0, ARRAY, elements), start);
  blocks.forEach((b, i) => {
    o = writeBulks(out, o, heads[i]);
    o += b.bulks.copy(out, o);
  });
  return out;
}

/** `items` as RESP bulk strings, back to back: a block entriesFrame carries as it is. */
export function bulks(items: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafe(bulksBytes(items));
  writeBulks(out, 0, items);
  return out;
}

/** Bytes `writeBulks` writes for `items`. */
export function bulksBytes(items: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of items) n += headerBytes(b.length) + b.length + 2;
  return n;
}

/** Writes each item as a RESP bulk string from `o` on; returns the end. */
export function writeBulks(out: Buffer, o: number, items: readonly Uint8Array[]): number {
  for (const b of items) {
    o = writeHeader(out, o, BULK, b.length);
    out.set(b, o);
    o += b.length;
    out[o++] = 0x0d;
    out[o++] = 0x0a;
  }
  return o;
}

const ARRAY = 0x2a;
const BULK = 0x24;

/** Bytes of `*n\r\n` or `$n\r\n`. */
function headerBytes(n: number): number {
  return 3 + (n < 10 ? 1 : Math.floor(Math.log10(n)) + 1);
}

function writeHeader(out: Buffer, o: number, mark: number, n: number): number {
  out[o++] = mark;
  o += out.write(String(n), o, 'latin1');
  out[o++] = 0x0d;
  out[o++] = 0x0a;
  return o;
}

export const frameParser = () => new RequestParser({ maxBulkLen: REPL_FRAME_MAX_BYTES });

export const slotId = (table: number, slot: number) => `${table}:${slot}`;
