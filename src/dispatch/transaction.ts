// MULTI, EXEC, DISCARD, WATCH and UNWATCH as Redis 7.0's multi.c: per-connection queues,
// and a node-wide registry of watched keys that writes mark dirty.
//
// How a watched key is known to have changed:
// - while any key is watched, workers report every key a command really modified (Redis's
//   signalModifiedKey, see WorkerContext.notify), on the reply ring ahead of the command's
//   reply; such a report dirties the key's watchers. A watcher counts reports only once its
//   worker answered the WATCH's liveness question: reports before that answer are of commands
//   that ran before the WATCH, as they would have in Redis;
// - WATCH asks the key's worker whether the key is live (exists and has not expired) and EXEC
//   asks again: a change means it expired, or a keyless write (FLUSHDB, FLUSHALL) removed it.
//   A key already expired when watched counts as absent, so its expiry fails nothing, as
//   Redis's "stale" watched keys.
// EXEC runs its queue inside the node's exclusive() barrier, so no other client's command
// runs between the watch check and the last queued command, whichever workers they reach.
import { CommandError } from '../common/errors';
import { MULTI_QUEUE_MAX_BYTES, MULTI_QUEUE_MAX_COMMANDS, WATCH_MAX_KEYS } from '../common/limits';
import { decodeReply, RespError } from '../protocol/reply-reader';
import { EMPTY_ARRAY, errorReply, OK, Protocol, QUEUED, ReplyWriter } from '../protocol/reply';
import { CommandSpec, QueuedCommand as Queued, ServerContext } from '../commands/types';
import type { Client } from './client';

/** What transactions need of the node (dispatch/server.ts). */
export interface TxHost {
  /** Runs `fn` while no other command runs anywhere on the node. */
  exclusive(fn: () => Promise<Buffer>): Promise<Buffer>;
  /**
   * Runs one command at once for `client`, outside its reply queue, and resolves with the
   * reply (errors included). Called inside exclusive(), so it must never wait for keys: a
   * blocking command answers as if its timeout had expired (Redis's CLIENT_DENY_BLOCKING).
   */
  runNow(client: Client, spec: CommandSpec, args: Buffer[]): Promise<Buffer>;
  /** `onAnswer` runs as the reply is taken from the ring, before any later message of that worker. */
  callWorker(worker: number, table: number, args: Buffer[], onAnswer?: () => void): Promise<Buffer>;
  workerOfKey(table: number, key: Buffer): number;
  /** Some key became watched, or none is any more. */
  watchingChanged(): void;
}

export interface WatchedKey {
  tx: ClientTx;
  table: number;
  key: Buffer;
  /** Registry key: the key's bytes as latin1, one-to-one. */
  id: string;
  /** Live when watched; undefined until the worker answered. */
  live?: boolean;
  /** The worker answered the liveness question: its later modification reports count. */
  armed: boolean;
}


/** One connection's transaction state; made at its first MULTI or WATCH. */
export class ClientTx {
  /** Commands queued since MULTI; null outside MULTI. */
  queue: Queued[] | null = null;
  bytes = 0;
  /** A command was refused while queueing: EXEC answers EXECABORT (CLIENT_DIRTY_EXEC). */
  aborted = false;
  watched: WatchedKey[] = [];
  /** `${table} ${key id}` of every watched key, against duplicates. */
  watchedIds = new Set<string>();
  /** WATCH liveness answers not yet in. */
  snapshots: Promise<void>[] = [];

  private casDirty = false;

  constructor(readonly client: Client) {}

  /** A watched key changed: EXEC answers a null array (CLIENT_DIRTY_CAS, CLIENT LIST's flag d). */
  get dirty(): boolean {
    return this.casDirty;
  }
  set dirty(v: boolean) {
    this.casDirty = v;
    this.client.info.watchDirty = v;
  }
}

const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';
/** Redis counts a queued command's memory as its arguments plus one pointer each. */
const ARG_OVERHEAD = 8;

export class Transactions {
  /** Watchers by key bytes (any table): a modification report filters by its table. */
  private watchers = new Map<string, Set<WatchedKey>>();

  constructor(private host: TxHost) {}

  /** True while some client watches a key: only then do workers report every modification. */
  get watching(): boolean {
    return this.watchers.size > 0;
  }

  /** What EXEC would run now: nothing outside MULTI or for a doomed transaction (refused command, watched key changed). */
  toRun(client: Client): readonly Queued[] {
    const tx = client.tx;
    return tx?.queue && !tx.aborted && !tx.dirty ? tx.queue : [];
  }

  /** The context's transaction commands, bound to `client`. */
  commandsFor(client: Client): ServerContext['transaction'] {
    return {
      multi: () => this.multi(client),
      exec: () => this.exec(client),
      discard: () => this.discard(client),
      watch: (keys) => this.watch(client, keys),
      unwatch: () => this.unwatch(client),
    };
  }

  /**
   * For a client in MULTI: the reply when the command is queued (+QUEUED) or refused, or null
   * when it runs at once (MULTI, EXEC, DISCARD, WATCH, QUIT...: spec.runsInMulti).
   */
  intercept(client: Client, spec: CommandSpec, args: Buffer[]): Buffer | null {
    const tx = client.tx!;
    if (spec.runsInMulti) return null;
    if (spec.flags.includes('no_multi')) {
      tx.aborted = true;
      return errorReply('ERR Command not allowed inside a transaction');
    }
    // a doomed transaction keeps nothing, as Redis's queueMultiCommand
    if (tx.aborted || tx.dirty) return QUEUED;
    let bytes = 0;
    for (const a of args) bytes += a.length + ARG_OVERHEAD;
    if (tx.queue!.length >= MULTI_QUEUE_MAX_COMMANDS || tx.bytes + bytes > MULTI_QUEUE_MAX_BYTES) {
      tx.aborted = true;
      return errorReply(`ERR Transaction too large: at most ${MULTI_QUEUE_MAX_COMMANDS} commands and ${MULTI_QUEUE_MAX_BYTES} bytes may be queued`);
    }
    // copies: the arguments are views into socket chunks, which a long queue would keep alive
    tx.queue!.push({ spec, args: args.map((a) => Buffer.from(a)) });
    tx.bytes += bytes;
    client.info.multi = tx.queue!.length;
    client.info.multiMem = tx.bytes;
    return QUEUED;
  }

  /**
   * A command refused before it could run or be queued (unknown, arity, auth...): inside MULTI
   * EXEC will abort; a refused EXEC itself ends the transaction naming the reason (Redis's
   * rejectCommand). Returns the reply to send.
   */
  refused(client: Client, spec: CommandSpec | undefined, reply: Buffer): Buffer {
    const tx = client.tx;
    if (tx?.queue) tx.aborted = true;
    if (!spec?.abortsTransaction) return reply;
    if (tx) this.reset(tx);
    // Redis's own texts carry no 'ERR ' here, its shared errors keep their code (NOAUTH ...)
    const reason = reply.toString('latin1', reply.subarray(0, 5).toString('latin1') === '-ERR ' ? 5 : 1, reply.length - 2);
    return errorReply(`EXECABORT Transaction discarded because of: ${reason}`);
  }

  /** A worker reports that a command modified `key` in `table`: its armed watchers' transactions will fail. */
  modified(table: number, key: Buffer): void {
    const set = this.watchers.get(key.toString('latin1'));
    if (!set) return;
    for (const wk of set) {
      if (wk.table !== table || !wk.armed) continue;
      wk.tx.dirty = true;
      // as Redis: nothing more can happen to a dirty transaction, so stop watching now
      this.unwatchAll(wk.tx);
    }
  }

  /** The connection closed, or RESET: its MULTI queue and watched keys go. */
  forget(client: Client): void {
    if (client.tx) this.reset(client.tx);
  }

  private multi(client: Client): Buffer {
    const tx = (client.tx ??= new ClientTx(client));
    if (tx.queue) throw new CommandError('ERR MULTI calls can not be nested');
    tx.queue = [];
    client.info.multi = 0;
    return OK;
  }

  private discard(client: Client): Buffer {
    if (!client.tx?.queue) throw new CommandError('ERR DISCARD without MULTI');
    this.reset(client.tx);
    return OK;
  }

  /** Leaves MULTI, forgets the watch state: after EXEC and DISCARD (Redis's discardTransaction). */
  private reset(tx: ClientTx): void {
    tx.queue = null;
    tx.bytes = 0;
    tx.aborted = false;
    tx.dirty = false;
    tx.client.info.multi = -1;
    tx.client.info.multiMem = 0;
    this.unwatchAll(tx);
  }

  private unwatch(client: Client): Buffer {
    if (client.tx) {
      this.unwatchAll(client.tx);
      client.tx.dirty = false;
    }
    return OK;
  }

  private unwatchAll(tx: ClientTx): void {
    const before = this.watchers.size;
    for (const wk of tx.watched) {
      const set = this.watchers.get(wk.id);
      if (!set) continue;
      set.delete(wk);
      if (set.size === 0) this.watchers.delete(wk.id);
    }
    if (before > 0 && this.watchers.size === 0) this.host.watchingChanged();
    tx.watched = [];
    tx.watchedIds.clear();
    tx.snapshots = [];
  }

  private watch(client: Client, keys: Buffer[]): Buffer | Promise<Buffer> {
    const tx = (client.tx ??= new ClientTx(client));
    if (tx.queue) throw new CommandError('ERR WATCH inside MULTI is not allowed');
    // no point in watching once a watched key changed
    if (tx.dirty) return OK;
    const table = client.info.table;
    const added: WatchedKey[] = [];
    for (const key of keys) {
      const id = key.toString('latin1');
      if (tx.watchedIds.has(`${table} ${id}`)) continue;
      if (tx.watched.length + added.length >= WATCH_MAX_KEYS) {
        for (const wk of added) tx.watchedIds.delete(`${table} ${wk.id}`);
        throw new CommandError(`ERR WATCH limit reached: a connection may watch at most ${WATCH_MAX_KEYS} keys`);
      }
      tx.watchedIds.add(`${table} ${id}`);
      added.push({ tx, table, key: Buffer.from(key), id, armed: false });
    }
    // registered now, before any later command is dispatched; liveness is filled in below
    const before = this.watchers.size;
    for (const wk of added) {
      tx.watched.push(wk);
      let set = this.watchers.get(wk.id);
      if (!set) this.watchers.set(wk.id, (set = new Set()));
      set.add(wk);
    }
    if (before === 0 && this.watchers.size > 0) this.host.watchingChanged();
    const snapshot = this.liveness(table, added).then((live) => added.forEach((wk, i) => (wk.live = live[i])));
    tx.snapshots.push(snapshot);
    return snapshot.then(() => OK);
  }

  /** Whether each key exists and has not expired, asking each key's worker once. */
  private async liveness(table: number, keys: WatchedKey[]): Promise<boolean[]> {
    const byWorker = new Map<number, number[]>();
    keys.forEach((wk, i) => {
      const w = this.host.workerOfKey(table, wk.key);
      const list = byWorker.get(w);
      if (list) list.push(i);
      else byWorker.set(w, [i]);
    });
    const live: boolean[] = new Array(keys.length).fill(false);
    await Promise.all(
      [...byWorker].map(async ([w, positions]) => {
        const arm = () => positions.forEach((i) => (keys[i].armed = true));
        const reply = decodeReply(await this.host.callWorker(w, table, [Buffer.from('__live'), ...positions.map((i) => keys[i].key)], arm));
        if (reply instanceof RespError) throw new CommandError(reply.message);
        positions.forEach((i, j) => (live[i] = (reply as number[])[j] === 1));
      }),
    );
    return live;
  }

  /** True when a watched key's liveness differs from when it was watched (expired, flushed...). */
  private async changedSinceWatch(tx: ClientTx): Promise<boolean> {
    await Promise.all(tx.snapshots);
    const byTable = new Map<number, WatchedKey[]>();
    for (const wk of tx.watched) {
      const list = byTable.get(wk.table);
      if (list) list.push(wk);
      else byTable.set(wk.table, [wk]);
    }
    for (const [table, keys] of byTable) {
      const now = await this.liveness(table, keys);
      if (keys.some((wk, i) => wk.live !== now[i])) return true;
    }
    return false;
  }

  private exec(client: Client): Buffer | Promise<Buffer> {
    const tx = client.tx;
    if (!tx?.queue) throw new CommandError('ERR EXEC without MULTI');
    const queue = tx.queue;
    if (tx.aborted) {
      this.reset(tx);
      throw new CommandError(EXECABORT);
    }
    if (tx.dirty) {
      this.reset(tx);
      return nullArray(client.info.resp);
    }
    if (queue.length === 0 && tx.watched.length === 0) {
      this.reset(tx);
      return EMPTY_ARRAY;
    }
    // the client leaves MULTI now; its watches stay until the barrier, where writes sent
    // before this EXEC have all answered
    tx.queue = null;
    client.info.multi = -1;
    return this.host.exclusive(async () => {
      let changed = tx.dirty;
      try {
        if (!changed && tx.watched.length > 0) changed = await this.changedSinceWatch(tx);
      } finally {
        this.reset(tx);
      }
      if (changed) return nullArray(client.info.resp);
      const out = new ReplyWriter();
      out.arrayHeader(queue.length);
      // as in Redis, the client shows as in MULTI until its last queued command ran
      client.info.multi = queue.length;
      try {
        for (const { spec, args } of queue) out.raw(await this.host.runNow(client, spec, args));
      } finally {
        client.info.multi = -1;
      }
      return out.take();
    });
  }
}

/** EXEC of a transaction whose watched keys changed: *-1, or RESP3's null. */
function nullArray(resp: Protocol): Buffer {
  const out = new ReplyWriter(resp);
  out.nullArray();
  return out.take();
}
