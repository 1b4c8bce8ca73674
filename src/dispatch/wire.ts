// Message layouts on the rings, shared by main and workers.
//
// Request payload:  [u32 connId][u32 seq][u16 table | RESP3_BIT][u16 command index][u32 argc]([u32 len][bytes])*
// Reply payload:    [u32 connId][u32 seq][u32 exec µs][RESP reply bytes]
// connId 0 marks main's own calls (fan-out parts, internal commands); seq then names the call.
// Events payload:   [u32 EVENTS_CONN]([u16 table][u16 class][u8 name length][name][u32 key length][key])*
// Keyspace events a command caused travel just before its reply, so main sees them in order.
// Appends payload:  [u32 APPENDS_CONN]([u16 table][u16 entry count][u32 slot][f64 last index][u32 entry bytes](entry as a RESP bulk string)*)*
// After a batch that grew binlogs, so main's replication reads only the slots that have news;
// while followers stream (LIVE_REPL_PUSH) it carries the new entries too, sparing the read.
// Syncs payload:    [u32 SYNC_CONN]([u16 table][u16 0][u32 slot])*
// `sync : everysec`: slots a worker dirtied, whose data.mdb main then fsyncs off every worker's path.
import { parseRetention } from '../common/retention';
import { bulkBytes, Protocol, writeBulkAt } from '../protocol/reply';
import type { SlotAppends } from '../replication/manager';

export const REQUEST_HEADER_BYTES = 16;
/** Set in the table field when the reply must be RESP3; tables stay below it. */
const RESP3_BIT = 0x8000;
export const REPLY_HEADER_BYTES = 12;
/** Cells of the live-settings Float64Array shared with workers. */
export const LIVE_MIN_FREE_DISK = 0;
export const LIVE_HLL_SPARSE_MAX_BYTES = 1;
/** Event classes workers report (common/notify.ts), 0 when notifications are off. */
export const LIVE_NOTIFY = 2;
/** 1 while some client watches a key: workers then report every modification. */
export const LIVE_WATCHING = 3;
/** binlog-retention, parsed by main: the kind as an index of RETENTION_KINDS (0: keep all) and its amount. */
export const LIVE_BINLOG_RETENTION_KIND = 4;
export const LIVE_BINLOG_RETENTION_AMOUNT = 5;
export const RETENTION_KINDS = [null, 'entries', 'bytes', 'age'] as const;
/** 1 while some follower streams from this node: workers then push new entries with their appends. */
export const LIVE_REPL_PUSH = 6;
/** The log level as an index of LOG_LEVELS (CONFIG SET loglevel). */
export const LIVE_LOG_LEVEL = 7;
/** consensus-level: above 0, workers take smaller batches (CONSENSUS_BATCH_MAX_COMMANDS). */
export const LIVE_CONSENSUS_LEVEL = 8;
export const LIVE_CELLS = 9;
/** The config keys workers read, by cell: main copies each into its cell at start and on CONFIG SET. */
export const LIVE_SETTINGS: ReadonlyMap<string, number> = new Map([
  ['min-free-disk', LIVE_MIN_FREE_DISK],
  ['hll-sparse-max-bytes', LIVE_HLL_SPARSE_MAX_BYTES],
  ['consensus-level', LIVE_CONSENSUS_LEVEL],
]);
/** The live cells of a binlog-retention value (entries 0: keep everything). */
export function retentionCells(text: string): [number, number][] {
  const r = parseRetention(text);
  const kind = !r || (r.kind === 'entries' && r.amount === 0) ? 0 : RETENTION_KINDS.indexOf(r.kind);
  return [[LIVE_BINLOG_RETENTION_KIND, kind], [LIVE_BINLOG_RETENTION_AMOUNT, r?.amount ?? 0]];
}
/** connId of a reply-ring message that carries keyspace events rather than a reply. */
export const EVENTS_CONN = 0xffffffff;
/** connId of a reply-ring message that lists slots whose binlog grew, with their last index. */
export const APPENDS_CONN = 0xfffffffe;
const APPEND_HEADER_BYTES = 20;

/** What a worker hands main of one slot's appends: the new entries when it pushes them. */
export interface PushedAppends {
  table: number;
  slot: number;
  index: number;
  entries: Buffer[];
}

/** Bytes of the appends message of `appends`. */
export function appendsBytes(appends: PushedAppends[]): number {
  let n = 4;
  for (const a of appends) {
    n += APPEND_HEADER_BYTES;
    for (const e of a.entries) n += bulkBytes(e.length);
  }
  return n;
}

/**
 * Writes the appends message at `off` of `dst` (appendsBytes of room): its APPENDS_CONN word,
 * then each slot's record, its entries as RESP bulk strings, as E frames carry them. A worker
 * writes it straight into its reply ring.
 */
export function writeAppends(dst: Uint8Array, off: number, appends: PushedAppends[]): void {
  const dv = viewOf(dst);
  dv.setUint32(off, APPENDS_CONN, true);
  let p = off + 4;
  for (const a of appends) {
    let end = p + APPEND_HEADER_BYTES;
    for (const e of a.entries) end = writeBulkAt(dst, end, e, 0, e.length);
    dv.setUint16(p, a.table, true);
    dv.setUint16(p + 2, a.entries.length, true);
    dv.setUint32(p + 4, a.slot, true);
    dv.setFloat64(p + 8, a.index, true);
    dv.setUint32(p + 16, end - p - APPEND_HEADER_BYTES, true);
    p = end;
  }
}

/** Decodes an appends payload (after its APPENDS_CONN word); each slot's entries are one view into `bytes`, valid during the visit only when `bytes` is the reply ring's. */
export function readAppends(bytes: Buffer, visit: (a: SlotAppends) => void): void {
  let p = 0;
  while (p + APPEND_HEADER_BYTES <= bytes.length) {
    const len = bytes.readUInt32LE(p + 16);
    const start = p + APPEND_HEADER_BYTES;
    visit({ table: bytes.readUInt16LE(p), slot: bytes.readUInt32LE(p + 4), index: bytes.readDoubleLE(p + 8), count: bytes.readUInt16LE(p + 2), entries: bytes.subarray(start, start + len) });
    p = start + len;
  }
}
/** connId of a reply-ring message that hands main the slots to fsync (everysec). */
export const SYNC_CONN = 0xfffffffd;
/** connIds from here up name messages that are not replies; clients' ids stay below. */
export const MESSAGE_CONN_MIN = SYNC_CONN;

export function encodeSyncs(slots: { table: number; slot: number }[]): Buffer {
  const out = Buffer.allocUnsafe(4 + slots.length * 8);
  out.writeUInt32LE(SYNC_CONN, 0);
  slots.forEach((s, i) => {
    out.writeUInt16LE(s.table, 4 + i * 8);
    out.writeUInt16LE(0, 6 + i * 8);
    out.writeUInt32LE(s.slot, 8 + i * 8);
  });
  return out;
}

export function readSyncs(bytes: Buffer, visit: (table: number, slot: number) => void): void {
  for (let p = 0; p + 8 <= bytes.length; p += 8) visit(bytes.readUInt16LE(p), bytes.readUInt32LE(p + 4));
}

/** A worker's counters main reads for INFO (Float64 cells of WorkerInit.counters). */
export const COUNTER_BATCHES = 0;
export const COUNTER_COMMANDS = 1;
export const COUNTER_SLEEPS = 2;
/** Binlog entries appended: writes that changed data, as Redis's dirty counter counts them (one per command here). */
export const COUNTER_APPENDS = 3;
export const COUNTER_CELLS = 4;

/** Command index reserved for "close every environment and stop". */
export const CONTROL_SHUTDOWN = 0xffff;

export function requestLength(args: Buffer[]): number {
  let n = REQUEST_HEADER_BYTES;
  for (const a of args) n += 4 + a.length;
  return n;
}

/** DataViews of long-lived arrays (the rings), so each request does not allocate one. */
const views = new WeakMap<Uint8Array, DataView>();

function viewOf(dst: Uint8Array): DataView {
  let dv = views.get(dst);
  if (!dv) views.set(dst, (dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength)));
  return dv;
}

export function writeRequest(
  dst: Uint8Array, off: number, connId: number, seq: number, table: number, cmd: number, args: Buffer[], resp: Protocol,
): void {
  const dv = viewOf(dst);
  dv.setUint32(off, connId, true);
  dv.setUint32(off + 4, seq, true);
  dv.setUint16(off + 8, resp === 3 ? table | RESP3_BIT : table, true);
  dv.setUint16(off + 10, cmd, true);
  dv.setUint32(off + 12, args.length, true);
  let p = off + REQUEST_HEADER_BYTES;
  for (const a of args) {
    dv.setUint32(p, a.length, true);
    dst.set(a, p + 4);
    p += 4 + a.length;
  }
}

export interface Request {
  connId: number;
  seq: number;
  table: number;
  resp: Protocol;
  cmd: number;
  args: Buffer[];
}

/** A Buffer of its own with bytes[start, start + len): allocUnsafe + set ran 5x faster than Buffer.copyBytesFrom here. */
export function copyOut(bytes: Uint8Array, start: number, len: number): Buffer {
  const own = Buffer.allocUnsafe(len);
  own.set(bytes.subarray(start, start + len));
  return own;
}

/** Copies a request out of the ring: LMDB must never see SharedArrayBuffer-backed bytes. */
export function readRequest(src: Uint8Array, off: number, len: number): Request {
  const own = copyOut(src, off, len);
  const connId = own.readUInt32LE(0);
  const seq = own.readUInt32LE(4);
  const tableWord = own.readUInt16LE(8);
  const cmd = own.readUInt16LE(10);
  const argc = own.readUInt32LE(12);
  const args: Buffer[] = new Array(argc);
  let p = REQUEST_HEADER_BYTES;
  for (let i = 0; i < argc; i++) {
    const n = own.readUInt32LE(p);
    args[i] = own.subarray(p + 4, p + 4 + n);
    p += 4 + n;
  }
  return { connId, seq, table: tableWord & ~RESP3_BIT, resp: tableWord & RESP3_BIT ? 3 : 2, cmd, args };
}

/** Capacity an EventLog keeps between batches. */
const EVENT_LOG_KEEP_BYTES = 1024 * 1024;

/** A worker's keyspace events, appended as commands report them; each command ships its own range. */
export class EventLog {
  private buf = Buffer.allocUnsafe(4096);
  private len = 0;

  add(table: number, type: number, event: string, key: Buffer): void {
    this.room(9 + event.length + key.length);
    let p = this.len;
    this.buf.writeUInt16LE(table, p);
    this.buf.writeUInt16LE(type, p + 2);
    this.buf[p + 4] = event.length;
    p += 5 + this.buf.write(event, p + 5, 'latin1');
    this.buf.writeUInt32LE(key.length, p);
    key.copy(this.buf, p + 4);
    this.len = p + 4 + key.length;
  }

  /** Bytes written so far: a mark to truncate to, or the start of a command's events. */
  size(): number {
    return this.len;
  }

  truncate(mark: number): void {
    this.len = mark;
  }

  /** Empties the log after its events were sent; a buffer grown by a huge batch is let go. */
  reset(): void {
    this.len = 0;
    if (this.buf.length > EVENT_LOG_KEEP_BYTES) this.buf = Buffer.allocUnsafe(4096);
  }

  /** The events between two marks, a view valid until the next add. */
  slice(start: number, end: number): Buffer {
    return this.buf.subarray(start, end);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

/** Calls `visit` for each event of an events payload after its EVENTS_CONN word. */
export function readEvents(bytes: Buffer, visit: (table: number, type: number, event: string, key: Buffer) => void): void {
  let p = 0;
  while (p < bytes.length) {
    const table = bytes.readUInt16LE(p);
    const type = bytes.readUInt16LE(p + 2);
    const nameLen = bytes[p + 4];
    const event = bytes.toString('latin1', p + 5, p + 5 + nameLen);
    p += 5 + nameLen;
    const keyLen = bytes.readUInt32LE(p);
    visit(table, type, event, bytes.subarray(p + 4, p + 4 + keyLen));
    p += 4 + keyLen;
  }
}
