// Main's side of the workers: spawns them, writes requests into their rings (published every
// MAIN_PUBLISH_EVERY_REQUESTS and at the end of the event-loop turn, a wake-up only for a
// sleeping worker), and drains all reply rings whenever a worker rings main's doorbell (a
// message on its wake port).
import * as path from 'path';
import { MessageChannel, Worker } from 'worker_threads';
import Denque from 'denque';
import { MAIN_OVERFLOW_MAX_COMMANDS, MAIN_PUBLISH_EVERY_REQUESTS, REPLY_RING_BYTES, REQUEST_RING_BYTES, RING_INLINE_MAX_BYTES } from '../common/limits';
import { logger, logSettings } from '../common/log';
import type { Protocol } from '../protocol/reply';
import { SyncMode } from '../storage/slot-store';
import { createRing, Doorbell, RingConsumer, RingProducer } from './ring';
import { replySlab } from './reply-slab';
import { APPENDS_CONN, CONTROL_SHUTDOWN, COUNTER_APPENDS, COUNTER_BATCHES, COUNTER_CELLS, COUNTER_COMMANDS, COUNTER_SLEEPS, EVENTS_CONN, MESSAGE_CONN_MIN, SYNC_CONN, LIVE_CELLS, REPLY_HEADER_BYTES, requestLength, writeRequest } from './wire';
import type { WorkerInit } from './worker-thread';

const log = logger('M');
/** Reply messages main takes from one ring per drain pass, so sockets get written in between. */
const REPLY_DRAIN_MAX = 4096;

export interface PoolOptions {
  workers: number;
  dbPath: string;
  maxOpenSlots: number;
  syncMode: SyncMode;
  /** Slot count by table id, SharedArrayBuffer-backed: tables added later reach workers through it. */
  tableSlots: Int32Array;
  /** Slots that followed a leader when the node stopped (replication.json): no expiry cycle from the start. */
  followers: number[];
  /** Initial values of the live-settings cells (see LIVE_SETTINGS), by cell. */
  live: Map<number, number>;
}

/** Called for each reply; `reply` is the handler's to keep (copied out of the ring once). */
export type ReplyHandler = (connId: number, seq: number, micros: number, reply: Buffer) => void;
/** Called with the payload of a message that is not a reply (see wire.ts): a view, as replies. */
export type MessageHandler = (payload: Buffer) => void;
/** What main does with the messages workers send besides replies, by their connId word. */
export interface PoolHandlers {
  reply: ReplyHandler;
  /** Keyspace events a command caused, before its reply. */
  events: MessageHandler;
  /** A batch's binlog appends, before its replies. */
  appends: MessageHandler;
  /** Slots to fsync (sync : everysec). */
  syncs: MessageHandler;
}

interface Lane {
  worker: Worker;
  requests: RingProducer;
  replies: RingConsumer;
  /** Requests that found the ring full, already encoded, in order. */
  overflow: Denque<Buffer>;
  /** Requests sent and not yet answered. */
  inflight: number;
  /** The worker's counters (COUNTER_* cells of wire.ts). */
  counters: Float64Array;
  exited: Promise<void>;
}

export class WorkerPool {
  private lanes: Lane[] = [];
  private mainDoorbell = new Doorbell();
  private publishScheduled = false;
  private stopped = false;
  readonly foreignEpoch = new SharedArrayBuffer(4);
  private live = new Float64Array(new SharedArrayBuffer(LIVE_CELLS * 8));

  private messages: Map<number, MessageHandler>;

  constructor(private opts: PoolOptions, private handlers: PoolHandlers) {
    this.messages = new Map([[EVENTS_CONN, handlers.events], [APPENDS_CONN, handlers.appends], [SYNC_CONN, handlers.syncs]]);
    for (const [cell, value] of opts.live) this.live[cell] = value;
    for (let i = 0; i < opts.workers; i++) this.lanes.push(this.spawn(i));
    this.onWake();
  }

  get count(): number {
    return this.lanes.length;
  }

  private spawn(index: number): Lane {
    const reqRing = createRing(REQUEST_RING_BYTES);
    const repRing = createRing(REPLY_RING_BYTES);
    const reqChan = new MessageChannel();
    const repChan = new MessageChannel();
    const ctlChan = new MessageChannel();
    const wakeChan = new MessageChannel();
    wakeChan.port1.on('message', () => this.onWake());
    const ownDoorbell = new Doorbell();
    const counters = new Float64Array(new SharedArrayBuffer(COUNTER_CELLS * 8));
    const init: WorkerInit = {
      index, count: this.opts.workers, dbPath: this.opts.dbPath, maxOpenSlots: Math.max(1, Math.floor(this.opts.maxOpenSlots / this.opts.workers)),
      syncMode: this.opts.syncMode, tableSlots: this.opts.tableSlots, requests: reqRing, replies: repRing,
      ownDoorbell: ownDoorbell.sab, counters: counters.buffer as SharedArrayBuffer, mainDoorbell: this.mainDoorbell.sab, foreignEpoch: this.foreignEpoch, live: this.live.buffer as SharedArrayBuffer,
      followers: this.opts.followers,
      requestPort: reqChan.port2, replyPort: repChan.port1, controlPort: ctlChan.port2, wakePort: wakeChan.port2, log: logSettings(),
    };
    const worker = new Worker(path.join(__dirname, 'worker-thread.js'), {
      workerData: init,
      transferList: [reqChan.port2, repChan.port1, ctlChan.port2, wakeChan.port2],
    });
    const exited = new Promise<void>((resolve) => worker.once('exit', (code) => {
      wakeChan.port1.close();
      if (code !== 0 && !this.stopped) {
        log.error(`worker ${index} exited with code ${code}; stopping the node`);
        process.exit(1);
      }
      resolve();
    }));
    worker.on('error', (e) => log.error(`worker ${index}: ${e.stack}`));
    return {
      worker,
      requests: new RingProducer(reqRing, reqChan.port1, ownDoorbell, RING_INLINE_MAX_BYTES),
      replies: new RingConsumer(repRing, repChan.port2),
      overflow: new Denque<Buffer>(),
      inflight: 0,
      counters,
      exited,
    };
  }

  /** Queues a request; it is published at the end of this event-loop turn, or with MAIN_PUBLISH_EVERY_REQUESTS others. */
  send(w: number, connId: number, seq: number, table: number, cmd: number, args: Buffer[], resp: Protocol = 2): void {
    const lane = this.lanes[w];
    const len = requestLength(args);
    lane.inflight++;
    if (lane.overflow.length === 0 && lane.requests.write(len, (dst, off) => writeRequest(dst, off, connId, seq, table, cmd, args, resp))) {
      if (lane.requests.unpublished >= MAIN_PUBLISH_EVERY_REQUESTS) lane.requests.publish();
      else this.schedulePublish();
      return;
    }
    if (lane.overflow.length >= MAIN_OVERFLOW_MAX_COMMANDS) throw new Error('worker queue full');
    const encoded = Buffer.allocUnsafe(len);
    writeRequest(encoded, 0, connId, seq, table, cmd, args, resp);
    lane.overflow.push(encoded);
    this.schedulePublish();
  }

  /** A setting workers read live (CONFIG SET); they see it from their next batch. */
  setLive(cell: number, value: number): void {
    this.live[cell] = value;
  }

  /** Whether main should stop reading sockets until workers catch up. */
  congested(): boolean {
    return this.lanes.some((l) => l.overflow.length > MAIN_OVERFLOW_MAX_COMMANDS / 2);
  }

  inflight(w?: number): number {
    if (w !== undefined) return this.lanes[w].inflight;
    return this.lanes.reduce((a, l) => a + l.inflight, 0);
  }

  /** Each worker's batches run, commands in them, sleeps and binlog appends so far. */
  counters(): { batches: number; commands: number; sleeps: number; appends: number }[] {
    return this.lanes.map((l) => ({
      batches: l.counters[COUNTER_BATCHES], commands: l.counters[COUNTER_COMMANDS], sleeps: l.counters[COUNTER_SLEEPS], appends: l.counters[COUNTER_APPENDS],
    }));
  }

  /** Binlog entries all workers appended so far. */
  appends(): number {
    return this.lanes.reduce((n, l) => n + l.counters[COUNTER_APPENDS], 0);
  }

  depths(): number[] {
    return this.lanes.map((l) => l.inflight);
  }

  private schedulePublish(): void {
    if (this.publishScheduled) return;
    this.publishScheduled = true;
    setImmediate(() => this.publish());
  }

  private publish(): void {
    this.publishScheduled = false;
    // replies that came while this turn read sockets go out now, not a poll later with the doorbell
    if (this.lanes.some((l) => l.replies.hasData())) this.drainReplies();
    for (const lane of this.lanes) {
      this.moveOverflow(lane);
      lane.requests.publish();
    }
  }

  private moveOverflow(lane: Lane): void {
    while (lane.overflow.length > 0) {
      const msg = lane.overflow.peekFront()!;
      if (!lane.requests.write(msg.length, (dst, off) => dst.set(msg, off))) {
        setTimeout(() => this.schedulePublish(), 1);
        return;
      }
      lane.overflow.shift();
    }
  }

  /** Drains every reply ring, then sleeps until a worker posts on its wake port. */
  private onWake(): void {
    for (;;) {
      this.drainReplies();
      if (this.stopped) return;
      this.mainDoorbell.prepareSleep();
      if (!this.lanes.some((l) => l.replies.hasData())) return;
      this.mainDoorbell.cancelSleep();
    }
  }

  private drainReplies(): void {
    for (const lane of this.lanes) {
      lane.replies.drain(REPLY_DRAIN_MAX, (bytes, off, len) => {
        const inRing = bytes === lane.replies.bytes;
        const header = inRing ? lane.replies.view : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const conn = header.getUint32(off, true);
        if (conn >= MESSAGE_CONN_MIN) return this.messages.get(conn)!(Buffer.from(bytes.buffer, bytes.byteOffset + off + 4, len - 4));
        lane.inflight--;
        // a reply that came over the port is already main's own; one in the ring is copied once
        const start = off + REPLY_HEADER_BYTES;
        const reply = inRing ? replySlab.copy(bytes, start, len - REPLY_HEADER_BYTES) : Buffer.from(bytes.buffer, bytes.byteOffset + start, len - REPLY_HEADER_BYTES);
        this.handlers.reply(conn, header.getUint32(off + 4, true), header.getUint32(off + 8, true), reply);
      });
      if (lane.overflow.length) this.schedulePublish();
    }
  }

  /** Asks every worker to close its environments and waits for them to exit. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    for (const lane of this.lanes) {
      this.moveOverflow(lane);
      const off = lane.requests.reserve(16);
      if (off >= 0) {
        writeRequest(lane.requests.bytes, off, 0, 0, 0, CONTROL_SHUTDOWN, [], 2);
        lane.requests.commit(16);
      }
      lane.requests.publish();
    }
    this.stopped = true;
    this.mainDoorbell.ring();
    await Promise.all(this.lanes.map((l) => l.exited));
  }
}
