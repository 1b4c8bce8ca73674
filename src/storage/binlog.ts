// A slot's binlog: the `binlog` sub-database of its environment, written in the same LMDB
// transaction as the data change it records, so data and log never disagree after a crash.
//
// Key:   [index u64 BE]
// Entry: [term u32][index u64][time f64 ms][argc u32]([len u32][bytes])*   (all big-endian)
//   `time` is the leader's clock when the write ran: a follower replays the entry at that time,
//   so expiry checks during the replay see what the leader saw.
// Meta (`replmeta` sub-database): `term` u32, the slot's current term; `purged` an entry header
// ([term][index][time]) of the last purged entry, so the offset survives when the log is empty.
import { readUInt64BE, writeUInt64BE } from '../common/int64';
import { BINLOG_AGE_SCAN_MAX } from '../common/limits';
import type { Retention } from '../common/retention';
import type { SlotEnv } from './slot-store';

export const ENTRY_HEADER_BYTES = 24;
const TERM_KEY = Buffer.from('term');
const PURGED_KEY = Buffer.from('purged');

export interface Offset {
  term: number;
  index: number;
  /** Leader time of the entry, 0 for the empty log. */
  time: number;
}

export const ZERO_OFFSET: Offset = { term: 0, index: 0, time: 0 };

/** Told of every entry a slot's log gained (its thread reports them to replication after the batch). */
let onAppend: ((env: SlotEnv, index: number, entry: Buffer) => void) | null = null;
export function observeAppends(fn: ((env: SlotEnv, index: number, entry: Buffer) => void) | null): void {
  onAppend = fn;
}

/** What a SlotEnv caches of its log between appends (dropped when another thread may have written). */
export interface LogState {
  term: number;
  last: Offset;
}

export function encodeEntry(term: number, index: number, time: number, argv: Buffer[]): Buffer {
  let n = ENTRY_HEADER_BYTES;
  for (const a of argv) n += 4 + a.length;
  const out = Buffer.allocUnsafe(n);
  out.writeUInt32BE(term, 0);
  writeUInt64BE(out, index, 4);
  out.writeDoubleBE(time, 12);
  out.writeUInt32BE(argv.length, 20);
  let o = ENTRY_HEADER_BYTES;
  for (const a of argv) {
    out.writeUInt32BE(a.length, o);
    a.copy(out, o + 4);
    o += 4 + a.length;
  }
  return out;
}

export function entryOffset(e: Uint8Array): Offset {
  const b = Buffer.isBuffer(e) ? e : Buffer.from(e.buffer, e.byteOffset, e.length);
  return { term: b.readUInt32BE(0), index: readUInt64BE(b, 4), time: b.readDoubleBE(12) };
}

/** The argument vector of an entry; throws on a malformed one (a follower checks what it gets). */
export function entryArgs(e: Buffer): Buffer[] {
  if (e.length < ENTRY_HEADER_BYTES) throw new Error('binlog entry too short');
  const argc = e.readUInt32BE(20);
  const argv: Buffer[] = [];
  let o = ENTRY_HEADER_BYTES;
  for (let i = 0; i < argc; i++) {
    if (o + 4 > e.length) throw new Error('binlog entry truncated');
    const len = e.readUInt32BE(o);
    if (o + 4 + len > e.length) throw new Error('binlog entry truncated');
    argv.push(e.subarray(o + 4, o + 4 + len));
    o += 4 + len;
  }
  if (argv.length === 0) throw new Error('binlog entry without a command');
  return argv;
}

/** Entries only ever go after the last one: MDB_APPEND skips the search and fills pages whole. */
const APPEND = { append: true };

/**
 * Stores entry `index`. MDB_APPEND refuses a key not past the last (the cached offset was
 * wrong): lmdb-js's putSync then answers false, though its types say void.
 */
function putEntry(env: SlotEnv, index: number, entry: Buffer): void {
  const stored = env.binlog.putSync(indexKey(index), entry, APPEND) as unknown as boolean;
  if (!stored) throw new Error(`binlog of ${env.table}/${env.slot}: entry ${index} is not past the last one`);
}

function indexKey(index: number): Buffer {
  const k = Buffer.allocUnsafe(8);
  writeUInt64BE(k, index, 0);
  return k;
}

function headerOffset(raw: Uint8Array | undefined): Offset | null {
  return raw ? entryOffset(raw) : null;
}

/** The last purged entry's offset (the zero offset when nothing was purged). */
export function purgedOffset(env: SlotEnv): Offset {
  return headerOffset(env.meta.getBinaryFast(PURGED_KEY)) ?? ZERO_OFFSET;
}

/** The slot's current term and last offset, read from the database. */
export function readLogState(env: SlotEnv): LogState {
  const raw = env.meta.getBinaryFast(TERM_KEY);
  const term = raw ? Buffer.from(raw.buffer, raw.byteOffset, raw.length).readUInt32BE(0) : 0;
  let last: Offset | null = null;
  for (const { value } of env.binlog.getRange({ reverse: true, limit: 1 }) as Iterable<{ value: Uint8Array }>) last = entryOffset(value);
  return { term, last: last ?? purgedOffset(env) };
}

function state(env: SlotEnv): LogState {
  return (env.logState ??= readLogState(env));
}

export function lastOffset(env: SlotEnv): Offset {
  return state(env).last;
}

export function currentTerm(env: SlotEnv): number {
  return state(env).term;
}

/** The first entry still kept, or null when the log is empty. */
export function firstOffset(env: SlotEnv): Offset | null {
  for (const { value } of env.binlog.getRange({ limit: 1 }) as Iterable<{ value: Uint8Array }>) return entryOffset(value);
  return null;
}

/** Appends one entry in the slot's current term. Inside env.write. */
export function append(env: SlotEnv, time: number, argv: Buffer[]): Offset {
  const s = state(env);
  const off = { term: s.term, index: s.last.index + 1, time };
  const entry = encodeEntry(off.term, off.index, time, argv);
  putEntry(env, off.index, entry);
  s.last = off;
  env.appended++;
  onAppend?.(env, off.index, entry);
  return off;
}

/** Stores an entry received from the leader, as it is (a follower's log equals its leader's). Inside env.write. */
export function appendReceived(env: SlotEnv, entry: Buffer): Offset {
  const s = state(env);
  const off = entryOffset(entry);
  putEntry(env, off.index, entry);
  s.last = off;
  if (off.term > s.term) setTerm(env, off.term);
  onAppend?.(env, off.index, entry);
  return off;
}

/** Makes `term` the slot's term (a promotion starts a new one). Inside env.write. */
export function setTerm(env: SlotEnv, term: number): void {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(term, 0);
  env.meta.putSync(TERM_KEY, b);
  state(env).term = term;
}

/** The entry at `index`, or null when it is not kept. */
export function entryAt(env: SlotEnv, index: number): Buffer | null {
  // getBinary copies; getBinaryFast's shared buffer is not a plain array to copy from
  return env.binlog.getBinary(indexKey(index)) ?? null;
}

/** Entries from `from` on, at most `maxBytes` of them (at least one when there is one). */
export function readFrom(env: SlotEnv, from: number, maxBytes: number, maxEntries: number): Buffer[] {
  const out: Buffer[] = [];
  let bytes = 0;
  for (const { value } of env.binlog.getRange({ start: indexKey(from), limit: maxEntries }) as Iterable<{ value: Uint8Array }>) {
    if (out.length > 0 && bytes + value.length > maxBytes) break;
    out.push(Buffer.from(value));
    bytes += value.length;
  }
  return out;
}

/**
 * Whether a follower whose last entry is `off` can continue from this log: its entry is the
 * one kept here at that index (same term and time), or it is exactly where the purged part ends.
 */
export function continuesFrom(env: SlotEnv, off: Offset): boolean {
  const last = lastOffset(env);
  if (off.index > last.index) return false;
  const purged = purgedOffset(env);
  if (off.index < purged.index) return false;
  if (off.index === purged.index) return off.term === purged.term && off.time === purged.time;
  const e = entryAt(env, off.index);
  if (!e) return false;
  const mine = entryOffset(e);
  return mine.term === off.term && mine.time === off.time;
}

/** Deletes entries with index ≤ `to`, at most `max` of them; returns how many. Inside env.write. */
export function purgeTo(env: SlotEnv, to: number, max: number): number {
  const victims: Buffer[] = [];
  let lastValue: Buffer | null = null;
  for (const { key, value } of env.binlog.getRange({ end: indexKey(to + 1), limit: max }) as Iterable<{ key: Buffer; value: Uint8Array }>) {
    victims.push(Buffer.from(key));
    lastValue = Buffer.from(value);
  }
  if (!lastValue) return 0;
  for (const k of victims) env.binlog.removeSync(k);
  env.meta.putSync(PURGED_KEY, lastValue.subarray(0, ENTRY_HEADER_BYTES));
  return victims.length;
}

/** Bytes the log's pages take (LMDB's own count: cheap, no walk). */
export function logBytes(env: SlotEnv): number {
  const s = env.binlog.getStats() as { pageSize: number; treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
  return s.pageSize * (s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages);
}

/** The index up to which `retention` lets entries go now (0: none). */
export function retentionTarget(env: SlotEnv, r: Retention, now: number): number {
  const first = firstOffset(env);
  if (!first) return 0;
  const last = lastOffset(env).index;
  if (r.kind === 'entries') return Math.max(0, last - r.amount);
  if (r.kind === 'age') {
    // entries are in time order: walk from the oldest while they are too old
    let to = 0;
    for (const { value } of env.binlog.getRange({ limit: BINLOG_AGE_SCAN_MAX }) as Iterable<{ value: Uint8Array }>) {
      const off = entryOffset(value);
      if (now - off.time <= r.amount) break;
      to = off.index;
    }
    return to;
  }
  const bytes = logBytes(env);
  if (bytes <= r.amount) return 0;
  // drop the oldest share of entries that takes the log back under the bound
  const keep = Math.floor(((last - first.index + 1) * r.amount) / bytes);
  return Math.max(0, last - keep);
}
