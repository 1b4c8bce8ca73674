// A follower node's link to one leader node, carrying every local slot that follows it: it
// connects (AUTH masterauth, PKSYNC), sends each slot's last offset, applies the entries and
// snapshots that come back through the slot's worker, in order per slot, and acknowledges.
// A broken or silent link is dropped and reconnected with backoff.
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { REPL_BACKOFF_MAX_MS, REPL_BACKOFF_MIN_MS, REPL_HEARTBEAT_MS, REPL_SNAPSHOT_LOG_BYTES, REPL_TIMEOUT_MS } from '../common/limits';
import { logger } from '../common/log';
import { decodeReply, RespError } from '../protocol/reply-reader';
import { REPL_PROTOCOL_VERSION } from '../commands/binlog-family';
import { frame, frameParser, slotId } from './protocol';

const log = logger('repl');

export interface FollowerHost {
  callWorker(worker: number, table: number, args: Buffer[]): Promise<Buffer>;
  workerOfSlot(slot: number): number;
  workerCount(): number;
  masterauth(): string;
  dbPath: string;
}

export interface FollowingSlot {
  table: number;
  slot: number;
  force: boolean;
  state: 'connecting' | 'handshake' | 'full_sync' | 'streaming' | 'refused';
  applied: number;
  /** Entries received and not yet handed to the worker; one apply takes all of them. */
  pending: Buffer[];
  /** Every operation on the slot runs after the previous one, so entries apply in order. */
  chain: Promise<void>;
  snapshot?: { dir: string; fd: number; size: number; got: number; logged: number; index: number };
  /** Refused: the leader's reason (logged once per reason), and whether a retry is out, unanswered. */
  refusal?: string;
  retrying?: boolean;
}

/** The slots of one worker waiting for its next batched apply, and whether a batch is running. */
interface ApplyQueue {
  waiting: Map<FollowingSlot, { resolve: () => void; reject: (e: Error) => void }>;
  running: boolean;
}

export class FollowerLink {
  readonly slots = new Map<string, FollowingSlot>();
  private applyQueues = new Map<string, ApplyQueue>();
  private socket: net.Socket | null = null;
  private parser = frameParser();
  private open = false;
  private backoff = REPL_BACKOFF_MIN_MS;
  private lastHeard = 0;
  private timer: NodeJS.Timeout;
  private reconnect: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Bytes before the first frame: AUTH's +OK, or an error line. */
  private preamble = true;
  /** AUTH went and its +OK has not come back: PKSYNC waits for it (the leader hands over only an idle connection). */
  private awaitingAuth = false;

  constructor(readonly host: string, readonly port: number, private node: FollowerHost) {
    this.timer = setInterval(() => this.tick(), REPL_HEARTBEAT_MS);
    this.connect();
  }

  get leader(): string {
    return `${this.host}:${this.port}`;
  }

  add(table: number, slot: number, force: boolean): void {
    const st: FollowingSlot = { table, slot, force, state: 'connecting', applied: 0, pending: [], chain: Promise.resolve() };
    this.slots.set(slotId(table, slot), st);
    if (this.open) this.handshake(st);
  }

  remove(table: number, slot: number): void {
    const st = this.slots.get(slotId(table, slot));
    if (st) this.abandonSnapshot(st);
    this.slots.delete(slotId(table, slot));
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.reconnect) clearTimeout(this.reconnect);
    this.socket?.destroy();
  }

  private tick(): void {
    if (!this.open || !this.socket) return;
    if (Date.now() - this.lastHeard > REPL_TIMEOUT_MS) {
      log.warn(`leader ${this.leader} silent for ${REPL_TIMEOUT_MS} ms; reconnecting`);
      this.socket.destroy();
      return;
    }
    this.socket.write(frame(['P']));
    this.retryRefused();
  }

  /**
   * A refused slot asks again each other heartbeat: the node it follows may lead the slot later
   * (a failover whose followers were re-pointed before the promotion). A retry that a whole
   * heartbeat left unanswered was accepted: a refusal comes at once.
   */
  private retryRefused(): void {
    for (const st of this.slots.values()) {
      if (st.state !== 'refused') continue;
      if (!st.retrying) {
        st.retrying = true;
        this.handshake(st, true);
        continue;
      }
      this.accepted(st);
    }
  }

  /** A refused slot's retry went through: the leader streams it now. */
  private accepted(st: FollowingSlot): void {
    st.retrying = false;
    st.state = 'streaming';
    log.info(`leader ${this.leader} accepts ${slotId(st.table, st.slot)} now`);
    st.refusal = undefined;
  }

  private connect(): void {
    if (this.stopped) return;
    this.reconnect = null;
    this.preamble = true;
    this.parser = frameParser();
    const s = net.connect({ host: this.host, port: this.port });
    this.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      const auth = this.node.masterauth();
      this.awaitingAuth = auth !== '';
      s.write(frame(this.awaitingAuth ? ['AUTH', auth] : ['PKSYNC', REPL_PROTOCOL_VERSION]));
    });
    s.on('data', (chunk) => this.onData(chunk));
    s.on('error', (e) => log.debug(`link to ${this.leader}: ${e.message}`));
    s.on('close', () => {
      if (this.socket !== s) return;
      this.open = false;
      this.socket = null;
      for (const st of this.slots.values()) {
        this.abandonSnapshot(st);
        st.pending.length = 0;
        st.retrying = false;
        if (st.state !== 'refused') st.state = 'connecting';
      }
      if (this.stopped) return;
      this.reconnect = setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, REPL_BACKOFF_MAX_MS);
    });
  }

  private onData(chunk: Buffer): void {
    this.lastHeard = Date.now();
    // AUTH's +OK comes before the first frame; an error line (wrong masterauth, not admin) ends the attempt
    while (this.preamble && chunk.length > 0 && chunk[0] !== 0x2a) {
      const eol = chunk.indexOf('\r\n');
      if (eol < 0) return;
      const line = chunk.toString('latin1', 0, eol);
      if (line.startsWith('-')) {
        log.warn(`leader ${this.leader} refused the link: ${line.slice(1)}`);
        this.socket?.destroy();
        return;
      }
      if (this.awaitingAuth && line === '+OK') {
        this.awaitingAuth = false;
        this.socket?.write(frame(['PKSYNC', REPL_PROTOCOL_VERSION]));
      }
      chunk = chunk.subarray(eol + 2);
    }
    // lines only so far (AUTH's +OK): PKSYNC's refusal could still come as a line
    if (chunk.length === 0) return;
    this.preamble = false;
    try {
      this.parser.feed(chunk, (args) => this.onFrame(args));
    } catch (e) {
      log.warn(`bad frame from ${this.leader}: ${(e as Error).message}`);
      this.socket?.destroy();
    }
  }

  private onFrame(args: Buffer[]): void {
    const kind = args[0].toString();
    if (kind === 'H') {
      this.open = true;
      this.backoff = REPL_BACKOFF_MIN_MS;
      log.info(`linked to leader ${this.leader}`);
      for (const st of this.slots.values()) if (st.state !== 'refused') this.handshake(st);
      return;
    }
    if (kind === 'P') return;
    if (kind === 'E') return this.onEntries(args);
    const st = this.slots.get(slotId(Number(args[1]), Number(args[2])));
    if (!st) return;
    if (kind === 'F') this.onSnapshotFrame(st, args);
    else if (kind === 'X') this.refused(st, args[3].toString());
  }

  private refused(st: FollowingSlot, why: string): void {
    st.state = 'refused';
    st.retrying = false;
    this.abandonSnapshot(st);
    if (st.refusal !== why) log.warn(`leader ${this.leader} refuses ${slotId(st.table, st.slot)}: ${why}; asking again every ${2 * REPL_HEARTBEAT_MS} ms`);
    st.refusal = why;
  }

  /** `E <table> (<slot> <n> <entry>×n)...`: queues each slot's entries behind its previous apply. */
  private onEntries(args: Buffer[]): void {
    const table = Number(args[1]);
    for (let i = 2; i < args.length; ) {
      const n = Number(args[i + 1]);
      if (!Number.isInteger(n) || n < 0 || i + 2 + n > args.length) throw new Error('malformed E frame');
      const st = this.slots.get(slotId(table, Number(args[i])));
      if (st) {
        // entries for a slot that asked again mean the leader took it, before a heartbeat says so
        if (st.state === 'refused' && st.retrying) this.accepted(st);
        // frames that arrive while an apply runs are applied together by the next one
        if (st.pending.length === 0) this.enqueue(st, () => this.apply(st));
        for (let j = i + 2; j < i + 2 + n; j++) st.pending.push(args[j]);
      }
      i += 2 + n;
    }
  }

  private enqueue(st: FollowingSlot, op: () => Promise<void>): void {
    st.chain = st.chain.then(op).catch((e) => {
      log.warn(`slot ${slotId(st.table, st.slot)} from ${this.leader}: ${(e as Error).message}; reconnecting`);
      this.socket?.destroy();
    });
  }

  private async call(w: number, table: number, args: (string | number | Buffer)[]): Promise<unknown> {
    const reply = decodeReply(await this.node.callWorker(w, table, args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a))))));
    if (reply instanceof RespError) throw new Error(reply.message);
    return reply;
  }

  /** Sends the slot's last offset, once the operations queued on it are done (a retry leaves a refused slot's state). */
  private handshake(st: FollowingSlot, retry = false): void {
    if (!retry) st.state = 'handshake';
    const socket = this.socket;
    this.enqueue(st, async () => {
      const [[term, index, time]] = (await this.call(this.node.workerOfSlot(st.slot), st.table, ['__binloglast', st.slot])) as [number, number, Buffer][];
      st.applied = index;
      if (socket !== this.socket || !this.open) return;
      socket!.write(frame(['S', st.table, st.slot, term, index, time.toString(), st.force ? 1 : 0]));
      st.force = false;
      if (!retry) st.state = 'streaming';
    });
  }

  /**
   * Applies the slot's pending entries: slots of one worker that are ready in the same task go
   * in one `__binlogapply` call and are acknowledged in one frame. Resolves once this slot's
   * entries are applied, in order after its earlier operations (the slot's chain awaits it).
   */
  private apply(st: FollowingSlot): Promise<void> {
    const worker = this.node.workerOfSlot(st.slot);
    const key = `${st.table}/${worker}`;
    let q = this.applyQueues.get(key);
    if (!q) this.applyQueues.set(key, (q = { waiting: new Map(), running: false }));
    const queue = q;
    return new Promise<void>((resolve, reject) => {
      queue.waiting.set(st, { resolve, reject });
      if (queue.running) return;
      queue.running = true;
      queueMicrotask(() => void this.runApplies(queue, st.table, worker));
    });
  }

  private async runApplies(q: ApplyQueue, table: number, worker: number): Promise<void> {
    while (q.waiting.size > 0) {
      const batch = [...q.waiting];
      q.waiting.clear();
      const args: (number | Buffer | string)[] = ['__binlogapply'];
      for (const [st] of batch) {
        const entries = st.pending.splice(0);
        args.push(st.slot, entries.length, ...entries);
      }
      let results: unknown[];
      try {
        results = (await this.call(worker, table, args)) as unknown[];
      } catch (e) {
        for (const [, waiter] of batch) waiter.reject(e as Error);
        continue;
      }
      const ack: (number | string)[] = ['A', table];
      batch.forEach(([st, waiter], i) => {
        const r = results[i];
        if (r instanceof RespError) return waiter.reject(new Error(r.message));
        st.applied = r as number;
        ack.push(st.slot, st.applied);
        waiter.resolve();
      });
      if (this.socket && ack.length > 2) this.socket.write(frame(ack));
    }
    q.running = false;
  }

  private onSnapshotFrame(st: FollowingSlot, args: Buffer[]): void {
    const step = args[3].toString();
    const id = slotId(st.table, st.slot);
    if (step === 'begin') {
      this.abandonSnapshot(st);
      const dir = path.join(this.node.dbPath, '.sync-in', `${st.table}-${st.slot}-${Date.now()}`);
      fs.mkdirSync(dir, { recursive: true });
      const size = Number(args[5]);
      st.snapshot = { dir, fd: fs.openSync(path.join(dir, 'data.mdb'), 'w'), size, got: 0, logged: 0, index: Number(args[4]) };
      st.state = 'full_sync';
      st.retrying = false;
      log.info(`full sync of ${id} from ${this.leader}: receiving ${size} bytes (snapshot at index ${args[4]})`);
    } else if (step === 'chunk' && st.snapshot) {
      const snap = st.snapshot;
      fs.writeSync(snap.fd, args[4]);
      snap.got += args[4].length;
      if (snap.got - snap.logged >= REPL_SNAPSHOT_LOG_BYTES) {
        snap.logged = snap.got;
        log.info(`full sync of ${id}: ${snap.got} of ${snap.size} bytes received`);
      }
    } else if (step === 'end' && st.snapshot) {
      const snap = st.snapshot;
      st.snapshot = undefined;
      fs.closeSync(snap.fd);
      this.enqueue(st, async () => {
        // every worker drops its handle first: the file under it is replaced
        await Promise.all(Array.from({ length: this.node.workerCount() }, (_, w) => this.call(w, st.table, ['__slotclose', st.slot])));
        st.applied = (await this.call(this.node.workerOfSlot(st.slot), st.table, ['__slotinstall', st.slot, snap.dir])) as number;
        st.state = 'streaming';
        log.info(`full sync of ${id} from ${this.leader}: installed at index ${st.applied}`);
        this.socket?.write(frame(['A', st.table, st.slot, st.applied]));
      });
    }
  }

  private abandonSnapshot(st: FollowingSlot): void {
    if (!st.snapshot) return;
    fs.closeSync(st.snapshot.fd);
    fs.rmSync(st.snapshot.dir, { recursive: true, force: true });
    st.snapshot = undefined;
  }
}
