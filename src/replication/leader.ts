// A leader's side of one follower node's link: per followed slot it reads the binlog from the
// follower's offset on (through the slot's worker), sends entries within a bounded window of
// unacknowledged ones, and falls back to a full sync when the follower's offset is gone or
// diverges.
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { open } from 'lmdb';
import {
  REPL_HEARTBEAT_MS, REPL_READ_BYTES, REPL_SEND_BATCH_MAX_BYTES, REPL_SNAPSHOT_CHUNK_BYTES, REPL_SNAPSHOT_LOG_BYTES, REPL_SOCKET_MAX_BYTES, REPL_TIMEOUT_MS, REPL_WINDOW_ENTRIES,
} from '../common/limits';
import { logger } from '../common/log';
import { decodeReply, RespError } from '../protocol/reply-reader';
import { entryOffset, readLogState } from '../storage/binlog';
import { ENV_OPTIONS, SlotEnv } from '../storage/slot-store';
import { bulks, EntryBlock, entriesFrame, frame, frameParser, slotId } from './protocol';

const log = logger('repl');
/** Why a follower may not follow a slot here: it follows another node. */
const NOT_A_LEADER = 'not a leader here';

/** What a leader link needs of the node. */
export interface LeaderHost {
  callWorker(worker: number, table: number, args: Buffer[]): Promise<Buffer>;
  workerOfSlot(slot: number): number;
  slotCount(table: number): number;
  isFollower(table: number, slot: number): boolean;
  slotDir(table: number, slot: number): string;
  dbPath: string;
  /** The slot's last index as its worker last reported it; undefined when it did not since the node started. */
  lastIndex(table: number, slot: number): number | undefined;
  /** Called when an ack of this slot arrives (consistent mode waits on them). */
  acked(table: number, slot: number): void;
  /** How long entries may gather before they are sent: 0 while writes wait on acks. */
  sendBatchMs(): number;
}

export interface FollowedSlot {
  table: number;
  slot: number;
  /** Next index to send; last index acknowledged. */
  next: number;
  acked: number;
  state: 'checking' | 'full_sync' | 'streaming';
  /** The leader's last index as of the last read (for lag), -1 before the first. */
  last: number;
}

export class LeaderLink {
  readonly slots = new Map<string, FollowedSlot>();
  private parser = frameParser();
  /** Workers (per table) with a read in flight: at most one each. */
  private reading = new Set<string>();
  /** Of those, the ones a pump found busy: they look again when their read ends. */
  private deferred = new Set<string>();
  /** E frames being assembled, per table (see send), their entry bytes, and the send scheduled. */
  private outgoing = new Map<number, EntryBlock[]>();
  private outgoingBytes = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private lastHeard = Date.now();
  private timer: NodeJS.Timeout;
  closed = false;
  readonly addr: string;

  constructor(private socket: net.Socket, private host: LeaderHost, private onClose: (l: LeaderLink) => void) {
    this.addr = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('drain', () => this.pump());
    socket.on('close', () => this.close('connection closed'));
    socket.on('error', () => {});
    this.timer = setInterval(() => this.tick(), REPL_HEARTBEAT_MS);
    socket.write(frame(['H']));
    log.info(`follower ${this.addr} connected`);
  }

  private tick(): void {
    if (Date.now() - this.lastHeard > REPL_TIMEOUT_MS) return this.close('no heartbeat');
    this.socket.write(frame(['P']));
    this.pump();
  }

  close(why: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.socket.destroy();
    log.info(`follower ${this.addr} gone (${why})`);
    this.onClose(this);
  }

  private onData(chunk: Buffer): void {
    this.lastHeard = Date.now();
    try {
      this.parser.feed(chunk, (args) => this.onFrame(args));
    } catch (e) {
      this.close(`bad frame: ${(e as Error).message}`);
    }
  }

  private onFrame(args: Buffer[]): void {
    const kind = args[0].toString();
    const n = (i: number) => Number(args[i]?.toString());
    if (kind === 'A') {
      // A <table> (<slot> <index>)...
      const table = n(1);
      let reopened = false;
      for (let i = 2; i + 1 < args.length; i += 2) {
        const st = this.slots.get(slotId(table, n(i)));
        if (!st) continue;
        const wasFull = this.windowFull(st);
        if (n(i + 1) > st.acked) st.acked = n(i + 1);
        this.host.acked(st.table, st.slot);
        reopened ||= wasFull;
      }
      // acks only matter to the pump when they reopen a full window
      if (reopened) this.pump();
    } else if (kind === 'S') {
      this.subscribe(n(1), n(2), { term: n(3), index: n(4), time: n(5) }, n(6) === 1).catch((e) => {
        log.warn(`follower ${this.addr}, slot ${n(1)}:${n(2)}: ${(e as Error).stack}`);
        this.close('handshake failed');
      });
    }
  }

  private async subscribe(table: number, slot: number, off: { term: number; index: number; time: number }, force: boolean): Promise<void> {
    const id = slotId(table, slot);
    if (slot >= this.host.slotCount(table) || this.host.isFollower(table, slot)) {
      this.socket.write(frame(['X', table, slot, this.host.isFollower(table, slot) ? NOT_A_LEADER : 'no such slot']));
      return;
    }
    const st: FollowedSlot = { table, slot, next: off.index + 1, acked: off.index, state: 'checking', last: -1 };
    this.slots.set(id, st);
    const w = this.host.workerOfSlot(slot);
    const ok = !force && (await this.call(w, table, ['__binlogcheck', slot, off.term, off.index, off.time])) === 1;
    if (this.closed || this.slots.get(id) !== st) return;
    log.info(`follower ${this.addr} follows ${id} from ${off.term}:${off.index}${ok ? '' : `, full sync${force ? ' (forced)' : ''}`}`);
    if (ok) {
      st.state = 'streaming';
      // what the follower has counts as acknowledged (an ack lost with its last link)
      this.host.acked(table, slot);
      this.pump();
    } else await this.fullSync(st);
  }

  /**
   * The slot stopped being a leader here: its log now follows another node's (and a full sync
   * may replace it), so it is not the follower's to stream any more. The follower hears why.
   */
  drop(table: number, slot: number): void {
    if (this.closed || !this.slots.delete(slotId(table, slot))) return;
    // entries queued in this task were the leader's log: they leave before the refusal
    this.flush();
    this.socket.write(frame(['X', table, slot, NOT_A_LEADER]));
    log.info(`follower ${this.addr} no longer follows ${slotId(table, slot)} here: it follows another leader now`);
  }

  private async call(w: number, table: number, args: (string | number)[]): Promise<unknown> {
    const reply = decodeReply(await this.host.callWorker(w, table, args.map((a) => Buffer.from(String(a)))));
    if (reply instanceof RespError) throw new Error(reply.message);
    return reply;
  }

  /** Reads what each streaming slot may send next, one read per worker and table at a time. */
  pump(): void {
    if (this.closed || this.socket.writableLength > REPL_SOCKET_MAX_BYTES) return;
    const groups = new Map<string, FollowedSlot[]>();
    for (const st of this.slots.values()) {
      if (st.state !== 'streaming' || this.windowFull(st)) continue;
      // a slot with nothing new since the last read is not read again (workers report appends)
      if (st.last >= 0 && st.next > Math.max(st.last, this.host.lastIndex(st.table, st.slot) ?? 0)) continue;
      const key = `${st.table}/${this.host.workerOfSlot(st.slot)}`;
      if (this.reading.has(key)) {
        this.deferred.add(key);
        continue;
      }
      const g = groups.get(key);
      if (g) g.push(st);
      else groups.set(key, [st]);
    }
    for (const [key, list] of groups) void this.read(key, list);
  }

  /**
   * `count` entries a worker pushed as it committed them (as RESP bulk strings), from index
   * `first` on: sent at once to a follower that is exactly there, sparing a read; any other
   * follower reads the log. `block` may be a view into the worker's reply ring, which the
   * worker writes over once main drained it: what is queued is a copy.
   */
  offer(table: number, slot: number, first: number, count: number, block: Buffer): void {
    const st = this.slots.get(slotId(table, slot));
    if (this.closed || !st || st.state !== 'streaming' || st.next !== first || this.windowFull(st)) return;
    if (this.socket.writableLength > REPL_SOCKET_MAX_BYTES) return;
    this.send(st, count, Buffer.from(block));
    st.last = Math.max(st.last, st.next - 1);
  }

  /**
   * Queues a slot's next entries. What gathered leaves as one E frame per table when the task
   * ends, or in asynchronous mode after REPL_SEND_BATCH_MS (sooner past REPL_SEND_BATCH_MAX_BYTES).
   */
  private send(st: FollowedSlot, count: number, block: Buffer): void {
    let blocks = this.outgoing.get(st.table);
    if (!blocks) {
      if (this.outgoing.size === 0) {
        const ms = this.host.sendBatchMs();
        if (ms > 0) this.flushTimer = setTimeout(() => this.flush(), ms);
        else queueMicrotask(() => this.flush());
      }
      this.outgoing.set(st.table, (blocks = []));
    }
    blocks.push({ slot: st.slot, count, bulks: block });
    st.next += count;
    this.outgoingBytes += block.length;
    if (this.outgoingBytes >= REPL_SEND_BATCH_MAX_BYTES) this.flush();
  }

  /** Sends what gathered (at once when writes start waiting on acks). */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.closed) for (const [table, blocks] of this.outgoing) this.socket.write(entriesFrame(table, blocks));
    this.outgoing.clear();
    this.outgoingBytes = 0;
  }

  private windowFull(st: FollowedSlot): boolean {
    return st.next - 1 - st.acked >= REPL_WINDOW_ENTRIES;
  }

  private async read(key: string, list: FollowedSlot[]): Promise<void> {
    this.reading.add(key);
    let sent = false;
    try {
      const args: (string | number)[] = ['__binlogread', REPL_READ_BYTES];
      for (const st of list) args.push(st.slot, st.next);
      const parts = (await this.call(this.host.workerOfSlot(list[0].slot), list[0].table, args)) as unknown[][];
      if (this.closed) return;
      list.forEach((st, i) => {
        const [last, purged, ...read] = parts[i] as [number, number, ...Buffer[]];
        st.last = last;
        if (st.state !== 'streaming' || this.slots.get(slotId(st.table, st.slot)) !== st) return;
        if (purged) {
          void this.fullSync(st);
          return;
        }
        // entries pushed while this read was in flight went already
        const entries = read.filter((e) => entryOffset(e).index >= st.next);
        if (entries.length === 0 || entryOffset(entries[0]).index !== st.next) return;
        this.send(st, entries.length, bulks(entries));
        sent = true;
      });
    } catch (e) {
      log.warn(`reading the binlog for ${this.addr}: ${(e as Error).message}`);
    } finally {
      this.reading.delete(key);
    }
    // entries past this read's byte limit, or appends reported while it was in flight
    if (this.deferred.delete(key) || sent) this.pump();
  }

  /**
   * Ships a consistent snapshot of the slot's environment (LMDB's copy runs in a read
   * transaction while writers go on), then streams from the snapshot's last index.
   */
  private async fullSync(st: FollowedSlot): Promise<void> {
    st.state = 'full_sync';
    const id = slotId(st.table, st.slot);
    const dir = path.join(this.host.dbPath, '.sync-out', `${st.table}-${st.slot}-${process.pid}-${Date.now()}`);
    try {
      fs.mkdirSync(dir, { recursive: true });
      const root = open<Buffer, Buffer>({ path: this.host.slotDir(st.table, st.slot), ...ENV_OPTIONS } as never);
      try {
        await root.backup(dir, false);
      } finally {
        await root.close();
      }
      const snap = open<Buffer, Buffer>({ path: dir, ...ENV_OPTIONS, readOnly: true } as never);
      const fake = { binlog: snap.openDB('binlog', { encoding: 'binary', keyEncoding: 'binary' }), meta: snap.openDB('replmeta', { encoding: 'binary', keyEncoding: 'binary' }) } as unknown as SlotEnv;
      const last = readLogState(fake).last;
      await snap.close();
      const file = path.join(dir, 'data.mdb');
      const size = fs.statSync(file).size;
      log.info(`full sync of ${id} to ${this.addr}: snapshot at ${last.term}:${last.index}, ${size} bytes`);
      this.socket.write(frame(['F', st.table, st.slot, 'begin', last.index, size]));
      const fd = fs.openSync(file, 'r');
      try {
        let sent = 0;
        let logged = 0;
        const buf = Buffer.allocUnsafe(REPL_SNAPSHOT_CHUNK_BYTES);
        while (sent < size) {
          if (this.closed || this.slots.get(id) !== st) return;
          const n = fs.readSync(fd, buf, 0, buf.length, sent);
          if (n <= 0) break;
          if (!this.socket.write(frame(['F', st.table, st.slot, 'chunk', buf.subarray(0, n)]))) await new Promise((r) => this.socket.once('drain', r));
          sent += n;
          if (sent - logged >= REPL_SNAPSHOT_LOG_BYTES) {
            logged = sent;
            log.info(`full sync of ${id} to ${this.addr}: ${sent} of ${size} bytes sent`);
          }
        }
      } finally {
        fs.closeSync(fd);
      }
      if (this.closed || this.slots.get(id) !== st) return;
      this.socket.write(frame(['F', st.table, st.slot, 'end']));
      log.info(`full sync of ${id} to ${this.addr}: snapshot sent, streaming from ${last.index + 1}`);
      st.next = last.index + 1;
      st.acked = last.index;
      st.state = 'streaming';
      this.pump();
    } catch (e) {
      log.warn(`full sync of ${id} to ${this.addr} failed: ${(e as Error).message}`);
      this.close('full sync failed');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
