// One client connection: framing state, its pending replies in command order, and the
// ClientInfo that CLIENT LIST shows.
import * as net from 'net';
import Denque from 'denque';
import { ClientInfo, ServerContext } from '../commands/types';
import { OutputLimitTracker } from '../common/output-limits';
import { RequestParser } from '../protocol/parser';
import { replySlab } from './reply-slab';
import type { Scope, Wait } from '../replication/consensus';
import type { Monitor } from './monitor';
import type { ClientTx } from './transaction';

export interface Pending {
  reply: Buffer | null;
  /** For the slow log, kept only while the command is in flight. */
  args: Buffer[];
  name: string;
  startedAt: number;
  micros: number;
  /** CLIENT REPLY OFF or SKIP: the reply is dropped, its place in the order kept. */
  silent?: boolean;
  /** Consistent mode: a write's or read's reply, held until followers acknowledged what it waits for. */
  consensus?: ConsensusHold;
}

/** The slots a reply waits on; once it arrived, the indexes there and how long it may wait (deadline 0 before). */
export interface ConsensusHold {
  scope: Scope;
  write: boolean;
  wait: Wait | null;
  deadline: number;
}

export class Client {
  readonly info: ClientInfo;
  readonly pending = new Denque<Pending>();
  /** Sequence number of pending.peekFront(). */
  frontSeq = 0;
  closeAfterFlush = false;
  closed = false;
  paused = false;
  /** Pub/Sub subscriptions (dispatch/pubsub.ts). */
  channels = new Set<string>();
  patterns = new Set<string>();
  /** MULTI queue and watched keys (dispatch/transaction.ts); made at the first MULTI or WATCH. */
  tx: ClientTx | null = null;
  /** While a blocking command waits for its reply: the commands sent since, run once it has one. */
  hold: Buffer[][] | null = null;
  /** Keys with parked clients that EXEC's queued writes touched: served before EXEC answers. */
  woken: string[] | null = null;
  /** What main-thread handlers see of this client and the server; made on first use. */
  context: ServerContext | null = null;
  /** Set once the client sent MONITOR. */
  monitor: Monitor | null = null;
  /** Time spent over the soft output limit (client-output-buffer-limit). */
  readonly outputLimit = new OutputLimitTracker();
  /** CLIENT REPLY OFF, and SKIP waiting for the next command. */
  private replyOff = false;
  private skipNext = false;
  private outbox: Buffer[] = [];
  private outboxBytes = 0;

  constructor(readonly socket: net.Socket, readonly parser: RequestParser, id: number) {
    const now = Date.now();
    this.info = {
      id,
      name: '',
      addr: `${formatHost(socket.remoteAddress)}:${socket.remotePort}`,
      laddr: `${formatHost(socket.localAddress)}:${socket.localPort}`,
      fd: (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1,
      createdAt: now,
      lastActive: now,
      table: 0,
      lastCommand: 'NULL',
      resp: 2,
      grant: 'none',
      grantTableUid: 0,
      sub: 0,
      psub: 0,
      multi: -1,
      multiMem: 0,
      monitor: false,
      watchDirty: false,
      blocked: false,
    };
  }

  /** Reserves the next reply position; returns its sequence number. */
  push(p: Pending): number {
    this.pending.push(p);
    return this.frontSeq + this.pending.length - 1;
  }

  /** Whether the command being dispatched answers nothing; asked once per command, before it runs. */
  takeSilence(): boolean {
    const silent = this.replyOff || this.skipNext;
    this.skipNext = false;
    return silent;
  }

  /** CLIENT REPLY, run by the newest pending command (its own reply: ON sends it, OFF and SKIP do not). */
  setReplyMode(mode: 'on' | 'off' | 'skip'): void {
    if (mode === 'on') this.replyOff = this.skipNext = false;
    else if (mode === 'off') this.replyOff = true;
    else if (!this.replyOff) this.skipNext = true;
    const current = this.pending.peekBack();
    if (current) current.silent = mode !== 'on';
  }

  /** RESET: replies on again. Its own reply is sent unless a CLIENT REPLY SKIP was for it (Redis clears OFF before replying, not the skip in force). */
  resetReplyMode(): void {
    const current = this.pending.peekBack();
    if (current && this.replyOff) current.silent = false;
    this.replyOff = this.skipNext = false;
  }

  entry(seq: number): Pending | undefined {
    return this.pending.peekAt((seq - this.frontSeq) >>> 0);
  }

  /** Moves every ready reply at the front into the outbox (`held` keeps one back, and those after it). */
  collect(onDone: (p: Pending) => void, held: (p: Pending) => boolean): void {
    while (this.pending.length > 0 && this.pending.peekFront()!.reply !== null && !held(this.pending.peekFront()!)) {
      const p = this.pending.shift()!;
      this.frontSeq = (this.frontSeq + 1) >>> 0;
      if (!p.silent) {
        this.outbox.push(p.reply!);
        this.outboxBytes += p.reply!.length;
      }
      onDone(p);
    }
  }

  /** Bytes handed to the socket and not yet sent, plus replies collected but not written. */
  backlog(): number {
    return this.socket.writableLength + this.outboxBytes;
  }

  flush(): void {
    if (this.closed) return;
    if (this.outbox.length > 0) {
      const replies = this.outbox;
      const data = replies.length === 1 ? replies[0] : Buffer.concat(replies, this.outboxBytes);
      this.outbox = [];
      this.outboxBytes = 0;
      this.socket.write(data);
      // the kernel took the write whole (nothing queued in the socket), or concat copied them
      if (replies.length > 1 || this.socket.writableLength === 0) for (const r of replies) replySlab.release(r);
    }
    // checked even with nothing written: a silenced QUIT (CLIENT REPLY OFF) still closes
    if (this.closeAfterFlush && this.pending.length === 0) this.close();
  }

  /** Closes after what was written is sent; `now` drops unsent output too (a reader that stopped reading). */
  close(now = false): void {
    if (this.closed) return;
    this.closed = true;
    if (now) return void this.socket.destroy();
    this.socket.end();
    this.socket.destroySoon?.();
  }
}

function formatHost(h: string | undefined): string {
  if (!h) return '?';
  if (h.startsWith('::ffff:')) return h.slice(7);
  return h.includes(':') ? `[${h}]` : h;
}
