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
import { ReplyWriter } from '../protocol/reply';

/** Frames are written here and copied out: one buffer per frame, however many parts it has. */
const writer = new ReplyWriter();

/** What the writer holds, copied out; a writer a huge frame grew does not keep that size. */
function taken(): Buffer {
  const out = writer.take();
  writer.reset();
  return out;
}

export function frame(parts: (Buffer | string | number)[]): Buffer {
  writer.arrayHeader(parts.length);
  for (const p of parts) writer.bulk(Buffer.isBuffer(p) ? p : String(p));
  return taken();
}

/** A slot's part of an E frame: `count` entries already written as bulk strings (`bulks`). */
export interface EntryBlock {
  slot: number;
  count: number;
  bulks: Buffer;
}

/** `E <table> (<slot> <n> <entry>×n)...` around blocks of entries encoded once, by the worker that logged them. */
export function entriesFrame(table: number, blocks: EntryBlock[]): Buffer {
  let elements = 2;
  for (const b of blocks) elements += 2 + b.count;
  writer.arrayHeader(elements);
  writer.bulk('E');
  writer.bulk(String(table));
  for (const b of blocks) {
    writer.bulk(String(b.slot));
    writer.bulk(String(b.count));
    writer.raw(b.bulks);
  }
  return taken();
}

/** `items` as RESP bulk strings, back to back: a block entriesFrame carries as it is. */
export function bulks(items: readonly Buffer[]): Buffer {
  for (const b of items) writer.bulk(b);
  return taken();
}

export const frameParser = () => new RequestParser({ maxBulkLen: REPL_FRAME_MAX_BYTES });

export const slotId = (table: number, slot: number) => `${table}:${slot}`;
