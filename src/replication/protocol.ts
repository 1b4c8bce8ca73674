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

export function frame(parts: (Buffer | string | number)[]): Buffer {
  const bufs: Buffer[] = [Buffer.from(`*${parts.length}\r\n`)];
  for (const p of parts) {
    const b = Buffer.isBuffer(p) ? p : Buffer.from(String(p));
    bufs.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
  }
  return Buffer.concat(bufs);
}
const CRLF = Buffer.from('\r\n');

export const frameParser = () => new RequestParser({ maxBulkLen: REPL_FRAME_MAX_BYTES });

export const slotId = (table: number, slot: number) => `${table}:${slot}`;
