// Clients parked by blocking commands (BLPOP, BZPOPMIN, BLMOVE ...), after Redis's blocked.c.
//
// A blocking command first runs once on its worker(s) in First mode (commands/blocking.ts): a pop
// if there is something, else no reply bytes, and the client is parked on its source keys, FIFO
// per (table, key), until its deadline. Once a write command has completed on a key with parked
// clients, the key is "ready": one drain at a time serves ready keys in the order they became
// ready, retrying each parked client's pop on that key alone (Wake mode) from the first parked,
// until the key has nothing left. The writer's own reply waits for that drain, so the writer sees
// its wake-ups done, as in Redis where they happen before the next command.
//
// A client that comes while others wait on one of its keys must not overtake them: it only
// validates (Check mode), parks at the tail, and the drain serves it in turn. A client still in
// its first try heads its queues; a drain reaching it stops there and the try result re-readies
// its keys.
import { TIMER_MAX_MS } from '../common/limits';
import { errorReply, ReplyWriter } from '../protocol/reply';
import { BlockMode, parseTimeout, SKIP, withMode } from '../commands/blocking';
import { keysOf } from '../commands/server-family';
import { CommandSpec } from '../commands/types';
import { Client, Pending } from './client';

/** What the registry needs from the node. */
export interface BlockingHost {
  /** Runs a worker command for main in the client's table and protocol, atomically across workers. */
  replyOf(client: Client, spec: CommandSpec, args: Buffer[]): Promise<Buffer>;
  /** Gives the blocked command its reply and runs the commands the client sent meanwhile. */
  answer(client: Client, pending: Pending, reply: Buffer): void;
  tableCount(): number;
}

const enum State {
  /** First (or Check) try in flight. */
  Trying,
  Parked,
  /** A Wake retry in flight. */
  Serving,
  Done,
}

interface Waiter {
  client: Client;
  pending: Pending;
  spec: CommandSpec;
  args: Buffer[];
  table: number;
  /** Queue ids of its source keys, each once. */
  ids: string[];
  /** ms since the epoch; 0 waits forever. */
  deadline: number;
  timer: NodeJS.Timeout | null;
  state: State;
  /** A drain found it still trying: its keys are readied again once the try is over. */
  missed: boolean;
  /** The reply CLIENT UNBLOCK or the deadline asked for while a retry was in flight. */
  cancel: Buffer | null;
}

interface Queue {
  table: number;
  key: Buffer;
  waiters: Set<Waiter>;
}

const ERR_UNBLOCKED = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';

const idOf = (table: number, key: Buffer) => `${table}:${key.toString('latin1')}`;

export class BlockingRegistry {
  private queues = new Map<string, Queue>();
  private byClient = new Map<Client, Waiter>();
  /** Keys written while clients wait on them, to serve in this order; each once. */
  private ready = new Set<string>();
  private draining: Promise<void> | null = null;
  /** Clients between their blocking command and its reply. */
  waiting = 0;
  /** Clients parked (INFO's blocked_clients). */
  blocked = 0;

  constructor(private host: BlockingHost) {}

  /** Runs a blocking command for `client`, whose later commands dispatch holds meanwhile. */
  start(client: Client, spec: CommandSpec, socketArgs: Buffer[], pending: Pending): void {
    // copies: the arguments are views into socket chunks, which a long wait would keep alive
    const args = socketArgs.map((a) => Buffer.from(a));
    pending.args = args;
    const table = client.info.table;
    const now = Date.now();
    const block = spec.block!;
    let ms = 0;
    try {
      ms = parseTimeout(args[block.timeoutIndex(args)], now);
    } catch {
      // the try answers the error, in Redis's order of checks
    }
    const keys = new Map<string, Buffer>();
    for (const k of block.sources(args)) {
      const id = idOf(table, k);
      if (!keys.has(id)) keys.set(id, k);
    }
    const ids = [...keys.keys()];
    const w: Waiter = { client, pending, spec, args, table, ids, deadline: ms ? now + ms : 0, timer: null, state: State.Trying, missed: false, cancel: null };
    const queued = ids.some((id) => this.queues.has(id));
    for (const [id, key] of keys) {
      let q = this.queues.get(id);
      if (!q) this.queues.set(id, (q = { table, key, waiters: new Set() }));
      q.waiters.add(w);
    }
    this.byClient.set(client, w);
    this.waiting++;
    const mode = queued ? BlockMode.Check : BlockMode.First;
    this.host.replyOf(client, spec, withMode(args, mode)).then(
      (reply) => this.tried(w, mode, reply),
      (e) => this.tried(w, mode, errorReply(`ERR ${(e as Error).message}`)),
    );
  }

  private tried(w: Waiter, mode: BlockMode, reply: Buffer): void {
    // a pop is a write: it may wake others (BLMOVE's destination above all)
    const popped = reply.length > 0 && mode === BlockMode.First && reply[0] !== 0x2d;
    const woken = popped ? this.wokenBy(w.table, w.spec, w.args) : null;
    if (w.state === State.Done) {
      if (woken) void this.afterWrite(woken);
      return;
    }
    if (reply.length > 0) this.finish(w, reply, woken);
    else if (w.deadline && Date.now() >= w.deadline) this.finish(w, this.timedOut(w.client), null);
    else {
      w.state = State.Parked;
      w.client.info.blocked = true;
      this.blocked++;
      this.arm(w);
      if (mode === BlockMode.Check) this.readyAll(w.ids);
    }
    if (w.missed) this.readyAll(w.ids);
    void this.drain();
  }

  private arm(w: Waiter): void {
    if (!w.deadline) return;
    w.timer = setTimeout(() => this.expire(w), Math.min(Math.max(w.deadline - Date.now(), 0), TIMER_MAX_MS));
    w.timer.unref(); // a parked client never keeps a stopping node alive
  }

  private expire(w: Waiter): void {
    w.timer = null;
    if (Date.now() < w.deadline) return this.arm(w);
    this.interrupt(w, this.timedOut(w.client));
  }

  /** A timed-out blocking command's reply: a null array, `*-1` or RESP3's `_`. */
  private timedOut(client: Client): Buffer {
    const out = new ReplyWriter(client.info.resp);
    out.nullArray();
    return out.take();
  }

  /** Answers a parked client with `reply` now, or after the retry in flight when it pops nothing. */
  private interrupt(w: Waiter, reply: Buffer): boolean {
    if (w.state === State.Parked) this.finish(w, reply, null);
    else if (w.state === State.Serving) w.cancel = reply;
    else return false;
    return true;
  }

  /** CLIENT UNBLOCK: whether the client was blocked (and is answered as timed out, or with an error). */
  unblock(client: Client, error: boolean): boolean {
    const w = this.byClient.get(client);
    return w !== undefined && this.interrupt(w, error ? errorReply(ERR_UNBLOCKED) : this.timedOut(client));
  }

  /** The client went away: it is forgotten wherever it waits. */
  forget(client: Client): void {
    const w = this.byClient.get(client);
    if (!w) return;
    this.remove(w);
    // a drain that stopped at its first try goes on without it
    if (w.missed) void this.afterWrite(w.ids);
  }

  /** Queue ids of the keys of a write command that clients wait on; null when none. */
  wokenBy(table: number, spec: CommandSpec, args: Buffer[]): string[] | null {
    if (this.queues.size === 0) return null;
    let ids: string[] | null = null;
    const tables = spec.crossTable ? Array.from({ length: this.host.tableCount() }, (_, t) => t) : [table];
    for (const key of keysOf(spec, args)) {
      for (const t of tables) {
        const id = idOf(t, key);
        if (this.queues.has(id)) (ids ??= []).push(id);
      }
    }
    return ids;
  }

  /** After a write completed on the keys `ids`: serves their parked clients; resolves when done. */
  afterWrite(ids: string[]): Promise<void> {
    this.readyAll(ids);
    return this.drain();
  }

  private readyAll(ids: string[]): void {
    for (const id of ids) if (this.queues.has(id)) this.ready.add(id);
  }

  private drain(): Promise<void> {
    if (this.draining) return this.draining;
    if (this.ready.size === 0) return Promise.resolve();
    this.draining = this.serveReady();
    return this.draining;
  }

  private async serveReady(): Promise<void> {
    await null; // `draining` is set before the loop can end
    try {
      while (this.ready.size) {
        const id: string = this.ready.values().next().value!;
        this.ready.delete(id);
        const q = this.queues.get(id);
        if (q) await this.serveKey(id, q);
      }
    } finally {
      this.draining = null;
    }
  }

  /** Serves `q`'s clients in arrival order until one finds nothing (later arrivals included). */
  private async serveKey(id: string, q: Queue): Promise<void> {
    for (const w of q.waiters) {
      if (w.state === State.Trying) {
        w.missed = true;
        return;
      }
      if (w.state !== State.Parked) continue;
      w.state = State.Serving;
      const narrowed = w.spec.block!.narrow(w.args, q.key);
      let reply: Buffer;
      try {
        reply = await this.host.replyOf(w.client, w.spec, withMode(narrowed, BlockMode.Wake));
      } catch (e) {
        reply = errorReply(`ERR ${(e as Error).message}`);
      }
      if (reply.length === 0 || reply.equals(SKIP)) {
        if (w.state === State.Serving) {
          w.state = State.Parked;
          if (w.cancel) this.finish(w, w.cancel, null);
        }
        if (reply.length === 0) return;
        continue;
      }
      // served, or refused (BLMOVE's destination of another type): either way it is answered
      const popped = reply[0] !== 0x2d;
      const woken = popped ? this.wokenBy(q.table, w.spec, narrowed)?.filter((k) => k !== id) ?? null : null;
      if ((w.state as State) === State.Done) {
        if (woken) this.readyAll(woken);
      } else this.finish(w, reply, woken);
    }
  }

  /** Answers the waiter; with `woken`, only once the clients its write wakes are served. */
  private finish(w: Waiter, reply: Buffer, woken: string[] | null): void {
    this.remove(w);
    if (!woken || woken.length === 0) return this.host.answer(w.client, w.pending, reply);
    this.afterWrite(woken).then(() => this.host.answer(w.client, w.pending, reply));
  }

  private remove(w: Waiter): void {
    if (w.state === State.Done) return;
    if (w.state === State.Parked || w.state === State.Serving) this.blocked--;
    w.state = State.Done;
    w.client.info.blocked = false;
    if (w.timer) clearTimeout(w.timer);
    this.waiting--;
    this.byClient.delete(w.client);
    for (const id of w.ids) {
      const q = this.queues.get(id);
      if (!q) continue;
      q.waiters.delete(w);
      if (q.waiters.size === 0) this.queues.delete(id);
    }
  }
}
