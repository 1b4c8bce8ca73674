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

/** One frame in one buffer: an E frame carries hundreds of entries, and a buffer per header cost main more than the entries' copy. */
export function frame(parts: (Buffer | string | number)[]): Buffer {
  const items = parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(String(p))));
  let size = headerBytes(items.length);
  for (const b of items) size += headerBytes(b.length) + b.length + 2;
  const out = Buffer.allocUnsafe(size);
  let o = writeHeader(out, 0, 0x2a, items.length);
  for (const b of items) {
    o = writeHeader(out, o, 0x24, b.length);
    o += b.copy(out, o);
    out[o++] = 0x0d;
    out[o++] = 0x0a;
  }
  return out;
}

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
