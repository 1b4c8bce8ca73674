// The node's main thread: accepts RESP connections, frames commands, looks each up in the
// command table, routes it to the worker owning its key's slot (or runs it here), and writes
// replies back in command order.
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Config, ConfigError } from '../common/config';
import { slotOf } from '../common/crc32';
import { arityError, CommandError } from '../common/errors';
import { BLOCKED_HELD_COMMANDS_MAX, CLIENT_MAX_INFLIGHT, FRAMED_ARGS_NODE_MAX, SLOWLOG_ARG_BYTES_MAX, SLOWLOG_ARGS_MAX } from '../common/limits';
import { LOG_LEVELS, logger, setLogLevel } from '../common/log';
import { OutputLimits, parseOutputLimits } from '../common/output-limits';
import { ProtocolError, RequestParser } from '../protocol/parser';
import { decodeReply, RespError } from '../protocol/reply-reader';
import { errorReply, intReply, NULL3, NULL_ARRAY, NULL_BULK, OK, Protocol, ReplyWriter } from '../protocol/reply';
import { keysOf, matchConfig, SERVER_VERSION } from '../commands/server-family';
import { checkCommand } from '../commands/container';
import { COMMAND_INDEX, COMMANDS } from '../commands/table';
import { ClientInfo, CommandSpec, ServerContext } from '../commands/types';
import { SyncMode } from '../storage/slot-store';
import { Replication } from '../replication/manager';
import { Access, DENIED_PROTECTED } from './access';
import { BlockingRegistry } from './blocking';
import { Client, Pending } from './client';
import { CommandStats } from './command-stats';
import { EveryWorker, InfoText, keyspaceLine, reclaimStats, workerStats } from './info';
import { KeyspaceEvents } from './keyspace-events';
import { MonitorFeed } from './monitor';
import { ClientPause } from './pause';
import { PubSub, Subscriber } from './pubsub';
import { Tables } from './tables';
import { Transactions } from './transaction';
import { LIVE_LOG_LEVEL, LIVE_REPL_PUSH, LIVE_SETTINGS, readAppends, readSyncs, retentionCells } from './wire';
import { BackgroundSync } from './background-sync';
import { groupKeys } from './key-groups';
import { WorkerPool } from './worker-pool';
import { ConsensusHolds } from './consensus-holds';

const log = logger('M');
/** Output bytes queued on a socket past which main stops reading that client. */
const OUTPUT_PAUSE_BYTES = 64 * 1024 * 1024;
const NO_BYTES = Buffer.alloc(0);
/** Samples of the ops/sec meter, one per interval, as Redis's 16 × 100 ms. */
const OPS_SAMPLES = 16;
const OPS_SAMPLE_MS = 100;
/** Spellings of command names remembered (GET, get, Get ...), so lookups skip lowercasing. */
const SPELLINGS_MAX = 1024;

interface SlowEntry {
  id: number;
  time: number;
  micros: number;
  args: string[];
  addr: string;
  name: string;
}

export class Node {
  private server: net.Server | null = null;
  private clients = new Map<number, Client>();
  private bySpelling = new Map<string, CommandSpec>();
  private pubsub = new PubSub();
  private monitors = new MonitorFeed();
  private commandStats = new CommandStats();
  private clientPause = new ClientPause((client, args) => this.dispatchSafely(client, args));
  private blocking = new BlockingRegistry({
    replyOf: (client, spec, args) => this.replyOf(client, spec, args),
    answer: (client, pending, reply) => {
      // as Redis, time spent blocked is not the command's (SLOWLOG)
      pending.reply = reply;
      if (reply[0] === 0x2d) this.stats.errors++;
      this.markDirty(client);
      this.release(client);
    },
    tableCount: () => this.tableSlots.length,
  });
  private subscribers = new WeakMap<Client, Subscriber>();
  private nextClientId = 1;
  private nextCallId = 1;
  private calls = new Map<number, (reply: Buffer) => void>();
  private pool: WorkerPool;
  private dirty = new Set<Client>();
  /** Arguments every client's unfinished command holds, bounded by FRAMED_ARGS_NODE_MAX. */
  private framedArgs = 0;
  /** The set flushDirty walks while `dirty` collects clients its resumed parsers make dirty again. */
  private flushing = new Set<Client>();
  private flushQueued = false;
  /** While an exclusive command runs, every new command waits here, in arrival order. */
  private held: [Client, Buffer[]][] | null = null;
  private idleWaiters: (() => void)[] = [];
  private exclusiveQueue: (() => Promise<void>)[] = [];
  /** Slot count by table id (0: no such table), shared with the workers. */
  readonly tableSlots: Int32Array;
  readonly tables: Tables;
  private access: Access;
  readonly replication: Replication;
  private backgroundSync: BackgroundSync;
  /** Consistent mode: replies held until followers acknowledged what they wait on. */
  private consensusHolds: ConsensusHolds;
  readonly parserLimits: { maxBulkLen: number };
  private slowlog: SlowEntry[] = [];
  private slowlogNextId = 0;
  readonly scanCursors = new Map<string, Buffer>();
  private startedAt = Date.now();
  private stats = { commands: 0, connections: 0, rejected: 0, netIn: 0, netOut: 0, errors: 0, outputLimitDrops: 0 };
  /** Binlog entries appended when SAVE last ran: INFO's rdb_changes_since_last_save counts from it. */
  private appendsAtSave = 0;
  private outputLimits: OutputLimits;
  private opsSamples: number[] = [];
  private lastOpsCount = 0;
  private timers: NodeJS.Timeout[] = [];
  private stopping: Promise<void> | null = null;
  private transactions = new Transactions({
    exclusive: (fn) => this.exclusive(fn),
    runNow: (client, spec, args) => this.runNow(client, spec, args),
    callWorker: (w, table, args, onAnswer) => this.callWorker(w, table, args, onAnswer),
    workerOfKey: (table, key) => this.workerOfSlot(slotOf(key, this.tableSlots[table])),
    watchingChanged: () => this.keyspaceEvents.tellWorkers(),
  });
  private keyspaceEvents = new KeyspaceEvents(this.pubsub, this.transactions, () => this.pool);

  constructor(readonly config: Config) {
    this.tables = new Tables(config.str('db-path'), config.num('databases'), config.num('default-slot-num'), {
      exclusive: (fn) => this.exclusive(fn),
      everyWorker: (table, args) => this.everyWorker(table, args),
      globalPasswords: () => [config.str('requirepass'), config.str('userpass')].filter(Boolean),
    });
    this.tableSlots = this.tables.slots;
    this.access = new Access(config, this.tables);
    this.parserLimits = { maxBulkLen: config.num('proto-max-bulk-len') };
    this.outputLimits = parseOutputLimits(config.str('client-output-buffer-limit'));
    this.pool = new WorkerPool(
      {
        workers: config.num('thread-pool-size'),
        dbPath: config.str('db-path'),
        maxOpenSlots: config.num('max-open-slots'),
        syncMode: config.str('sync') as SyncMode,
        tableSlots: this.tableSlots,
        followers: Replication.savedFollowerIds(config.str('db-path')),
        live: new Map([...[...LIVE_SETTINGS].map(([key, cell]) => [cell, config.num(key)] as [number, number]), ...retentionCells(config.str('binlog-retention')), [LIVE_LOG_LEVEL, LOG_LEVELS.indexOf(config.str('loglevel') as (typeof LOG_LEVELS)[number])]]),
      },
      {
        reply: (connId, seq, micros, reply) => this.onReply(connId, seq, micros, reply),
        events: (events) => this.keyspaceEvents.deliver(events),
        appends: (appends) => readAppends(appends, (a) => this.replication.appended(a)),
        syncs: (syncs) => readSyncs(syncs, (table, slot) => this.backgroundSync.request(table, slot)),
      },
    );
    const dbPath = config.str('db-path');
    this.backgroundSync = new BackgroundSync((t, s) => path.join(dbPath, String(t), String(s)));
    this.replication = new Replication({
      dbPath,
      callWorker: (w, t, a) => this.callWorker(w, t, a),
      workerOfSlot: (s) => this.workerOfSlot(s),
      workerCount: () => this.pool.count,
      slotCount: (t) => (t >= 0 && t < this.tableSlots.length ? this.tableSlots[t] : 0),
      slotDir: (t, s) => path.join(dbPath, String(t), String(s)),
      masterauth: () => config.str('masterauth'),
      serveReads: () => config.str('replica-serve-reads') === 'yes',
      pushEntries: (on) => this.pool.setLive(LIVE_REPL_PUSH, on ? 1 : 0),
      consensusLevel: () => this.config.num('consensus-level'),
      committed: () => this.consensusHolds.recheck(),
    });
    this.consensusHolds = new ConsensusHolds(this.replication.consensus, () => this.config.num('consensus-level'), (c) => this.markDirty(c), () => this.stats.errors++);
    this.keyspaceEvents.configure(config.str('notify-keyspace-events'));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true }, (s) => this.accept(s));
      server.once('error', reject);
      server.listen(this.config.num('port'), this.config.str('bind'), () => {
        server.off('error', reject);
        server.on('error', (e) => log.error(`listener: ${e.message}`));
        this.replication.restore().then(resolve, reject);
      });
      this.server = server;
      this.timers.push(setInterval(() => this.sampleOps(), OPS_SAMPLE_MS));
      this.timers.push(setInterval(() => this.closeIdleClients(), 1000));
      this.timers.push(setInterval(() => this.tables.sampleQps(), 1000));
    });
  }

  port(): number {
    return (this.server!.address() as net.AddressInfo).port;
  }

  private accept(socket: net.Socket): void {
    this.stats.connections++;
    if (this.clients.size >= this.config.num('maxclients')) {
      this.stats.rejected++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    if (this.access.refuses(socket)) {
      this.stats.rejected++;
      socket.end(DENIED_PROTECTED);
      return;
    }
    socket.setNoDelay(true);
    const client: Client = new Client(socket, new RequestParser(this.parserLimits, () => this.access.authRequired(client.info)), this.nextClientId++);
    client.info.grant = this.access.initialGrant();
    this.clients.set(client.info.id, client);
    socket.on('data', (chunk) => this.onData(client, chunk));
    socket.on('drain', () => this.maybeResume(client));
    socket.on('error', () => {});
    socket.on('close', () => {
      client.closed = true;
      this.framedArgs -= client.parser.framedArgs();
      this.clients.delete(client.info.id);
      this.leaveSession(client);
      this.blocking.forget(client);
      this.consensusHolds.forget(client);
    });
  }

  /** `arrived`: the chunk is new from the socket (not held back by the parser and fed again). */
  private onData(client: Client, chunk: Buffer, arrived = true): void {
    if (client.closeAfterFlush) return;
    if (arrived) this.stats.netIn += chunk.length;
    const framedBefore = client.parser.framedArgs();
    try {
      client.parser.feed(chunk, (args) => {
        this.dispatchSafely(client, args);
        if (this.overloaded(client)) client.parser.stop();
      });
    } catch (e) {
      // anything else the parser throws (an allocation refused for a huge bulk) costs the
      // client its connection, never the node
      if (!(e instanceof ProtocolError)) log.warn(`closing client ${client.info.addr}: its input failed to parse (${(e as Error).message})`);
      const message = e instanceof ProtocolError ? e.message : 'Protocol error: input could not be parsed';
      this.immediate(client, errorReply(`ERR ${message}`, 'latin1'), 'protocol');
      client.closeAfterFlush = true;
      client.socket.pause();
      this.markDirty(client);
      return;
    } finally {
      this.framedArgs += client.parser.framedArgs() - framedBefore;
    }
    if (client.parser.footprint() > this.config.num('client-query-buffer-limit')) {
      log.warn(`closing client ${client.info.addr}: query buffer over client-query-buffer-limit`);
      client.close();
      return;
    }
    if (this.framedArgs > FRAMED_ARGS_NODE_MAX && client.parser.framedArgs() > 0) {
      log.warn(`closing client ${client.info.addr}: unfinished commands of all clients hold over ${FRAMED_ARGS_NODE_MAX} arguments`);
      client.close();
      return;
    }
    if (this.overloaded(client)) {
      client.paused = true;
      client.socket.pause();
    }
  }

  /** Too many commands in flight, or replies not taken: stop reading (and parsing) this client. */
  private overloaded(client: Client): boolean {
    return client.pending.length > CLIENT_MAX_INFLIGHT || client.backlog() > OUTPUT_PAUSE_BYTES || this.pool.congested() || this.consensusHolds.full();
  }

  private maybeResume(client: Client): void {
    if (!client.paused || client.closeAfterFlush || client.closed) return;
    if (client.pending.length > CLIENT_MAX_INFLIGHT / 2 || client.backlog() > OUTPUT_PAUSE_BYTES / 2) return;
    client.paused = false;
    client.socket.resume();
    // commands received before the stop are still in the parser
    if (client.parser.pendingBytes() > 0) this.onData(client, NO_BYTES);
  }

  /** Queues an answer that is known at once, behind the client's earlier replies. */
  private immediate(client: Client, reply: Buffer, name: string, silent = false): void {
    client.push({ reply, args: [], name, startedAt: 0, micros: 0, silent });
    this.markDirty(client);
  }

  /** Nothing a client sends may take the node down: a bug in routing answers an error instead. */
  private dispatchSafely(client: Client, args: Buffer[]): void {
    try {
      this.dispatch(client, args);
    } catch (e) {
      log.error(`dispatch of '${args[0]?.toString('latin1', 0, 64)}' failed: ${(e as Error).stack}`);
      this.immediate(client, errorReply(`ERR internal error: ${(e as Error).message}`), 'error');
    }
  }

  private dispatch(client: Client, args: Buffer[]): void {
    // after QUIT (or CLIENT KILL of itself) Redis reads nothing more from the client
    if (client.closeAfterFlush) return;
    if (client.hold) return this.holdBack(client, args);
    if (this.held) {
      this.held.push([client, args]);
      return;
    }
    const info = client.info;
    const now = Date.now();
    info.lastActive = now;
    const spelled = args[0].toString('latin1');
    let spec = this.bySpelling.get(spelled);
    if (spec === undefined) {
      spec = COMMANDS.get(spelled.toLowerCase());
      if (spec && this.bySpelling.size < SPELLINGS_MAX) this.bySpelling.set(spelled, spec);
    }
    if (this.clientPause.holds(client, spec, args)) return;
    const silent = client.takeSilence();
    const name = spec ? spec.name : spelled.toLowerCase();
    // unknown command or subcommand, wrong argument count: Redis's texts (commands/container.ts)
    const refusal = checkCommand(spec, args);
    if (refusal !== null || !spec) return this.refuse(client, refusal!, name, spec, silent);
    if (info.sub + info.psub > 0 && info.resp === 2 && !spec.whileSubscribed) {
      const msg = `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
      return this.refuse(client, errorReply(msg), name, spec, silent);
    }
    const denied = this.access.check(info, spec, args);
    if (denied !== null) return this.refuse(client, denied, name, spec, silent);
    // a MONITOR connection is a replica to Redis, and replicas may not touch the keyspace
    if (info.monitor && (spec.flags.includes('write') || spec.flags.includes('readonly'))) {
      return this.refuse(client, errorReply("ERR Replica can't interact with the keyspace"), name, spec, silent);
    }
    // checked before MULTI queues it, as Redis does: EXEC then answers EXECABORT
    const readonly = this.replication.refusal(info.table, spec, args);
    if (readonly !== null) return this.refuse(client, readonly, name, spec, silent);
    // EXEC is checked, and waits, as the commands it runs
    const queued = spec.carriesWrites ? this.transactions.toRun(client) : undefined;
    const consensus = this.replication.consensusCheck(info.table, spec, args, queued);
    if (Buffer.isBuffer(consensus)) return this.refuse(client, consensus, name, spec, silent);
    if (client.tx?.queue) {
      const answer = this.transactions.intercept(client, spec, args);
      if (answer !== null) return answer[0] === 0x2d ? this.refuse(client, answer, name, spec, silent) : this.immediate(client, answer, name, silent);
    }
    this.stats.commands++;
    this.tables.count(info.table, spec.flags.includes('write'));
    info.lastCommand = name;
    const pending: Pending = { reply: null, args, name, startedAt: now, micros: 0, silent: silent && !spec.pushReply };
    if (consensus !== null) this.consensusHolds.mark(pending, consensus, spec.flags.includes('write') || (queued?.some((q) => q.spec.flags.includes('write')) ?? false));
    const seq = client.push(pending);
    // monitors are fed once the command is queued, and main's own commands once they ran, as
    // Redis feeds them after call(): a monitoring client gets its reply before the line, and
    // RESET no longer shows to the client it took out of MONITOR
    if (spec.main) return this.runMain(client, spec, args, pending);
    this.feedMonitors(client, spec, args);
    if (spec.block) {
      client.hold = [];
      return this.blocking.start(client, spec, args, pending);
    }
    if (this.blocking.waiting > 0 && spec.worker && spec.flags.includes('write')) {
      // a write to keys clients wait on: its reply, and the writer's next commands, come after
      // those clients are served, as in Redis where that happens before the next command
      const woken = this.blocking.wokenBy(info.table, spec, args);
      if (woken) {
        client.hold = [];
        return this.settle(client, pending, this.replyOf(client, spec, args), woken);
      }
    }
    this.route(client, spec, args, seq, pending);
  }

  /** Out of MULTI (and its watches), MONITOR and every subscription: on close, and for RESET. */
  private leaveSession(client: Client): void {
    this.transactions.forget(client);
    if (client.monitor) this.monitors.remove(client.monitor);
    client.monitor = null;
    this.pubsub.leave(this.subscriberOf(client));
    Object.assign(client.info, { monitor: false, sub: 0, psub: 0 });
  }

  private feedMonitors(client: Client, spec: CommandSpec, args: Buffer[]): void {
    if (this.monitors.active) this.monitors.feed(spec, args, client.info.table, client.info.addr);
  }

  /** A command sent while a blocking command waits: kept, in order, until that one is answered. */
  private holdBack(client: Client, args: Buffer[]): void {
    client.hold!.push(args);
    if (client.hold!.length >= BLOCKED_HELD_COMMANDS_MAX) client.parser.suspend();
  }

  /** Runs the commands held behind a blocking command (or a write waking one) that has its reply. */
  private release(client: Client): void {
    const held = client.hold;
    client.hold = null;
    if (!held || client.closed) return;
    for (const args of held) this.dispatchSafely(client, args);
    if (client.parser.suspendedNow()) this.onData(client, client.parser.resume(), false);
    this.maybeResume(client);
  }

  /**
   * A worker command's reply for main's own use (blocking pops, writes that wake them); while
   * an exclusive command runs it waits its turn, as dispatched commands do.
   */
  private replyOf(client: Client, spec: CommandSpec, args: Buffer[]): Promise<Buffer> {
    const table = client.info.table;
    const w = this.placement(spec, table, args);
    const run = () => this.callSpec(w, table, spec, args, client.info.resp);
    if (w < 0) return this.spanning(spec, table, args, -1 - w, false, client.info.resp);
    return this.held ? this.exclusive(run) : run();
  }

  /** Fills `pending` once `reply` settles, after the clients that the write wakes (`woken`) are served. */
  private settle(client: Client, pending: Pending, reply: Promise<Buffer>, woken: string[]): void {
    reply
      .then(async (r) => {
        if (r[0] === 0x2d) this.stats.errors++;
        else await this.blocking.afterWrite(woken);
        return r;
      })
      .then(
        (r) => (pending.reply = r),
        (e) => (pending.reply = this.errorFor(e)),
      )
      .then(() => {
        pending.micros = (Date.now() - pending.startedAt) * 1000;
        this.markDirty(client);
        this.release(client);
      });
  }

  /** A command refused before it runs; inside MULTI it dooms the transaction (Redis's rejectCommand). */
  private refuse(client: Client, reply: Buffer, name: string, spec: CommandSpec | undefined, silent: boolean): void {
    this.stats.errors++;
    this.commandStats.rejected(spec ? spec.name : null, reply);
    this.immediate(client, this.transactions.refused(client, spec, reply), name, silent);
  }

  private runMain(client: Client, spec: CommandSpec, args: Buffer[], pending: Pending): void {
    const done = (reply: Buffer): void => {
      if (client.woken) {
        // EXEC's writes reached keys clients wait on: they are served first, as in Redis
        const woken = client.woken;
        client.woken = null;
        void this.blocking.afterWrite(woken).then(() => done(reply));
        return;
      }
      pending.reply = this.forProtocol(client, reply);
      pending.micros = (Date.now() - pending.startedAt) * 1000;
      this.markDirty(client);
    };
    // Redis feeds monitors once call() returns: after whatever the command ran (EXEC's queue)
    const ran = (reply: Buffer): void => {
      this.feedMonitors(client, spec, args);
      done(reply);
    };
    try {
      const r = spec.main!((client.context ??= this.contextFor(client)), args);
      if (r instanceof Promise) r.then(ran, (e) => ran(this.errorFor(e)));
      else ran(r);
    } catch (e) {
      ran(this.errorFor(e));
    }
  }

  private errorFor(e: unknown): Buffer {
    this.stats.errors++;
    if (e instanceof CommandError) return errorReply(e.message);
    log.warn(`command failed: ${(e as Error).stack}`);
    return errorReply(`ERR ${(e as Error).message}`);
  }

  workerOfSlot(slot: number): number {
    return slot % this.pool.count;
  }

  private route(client: Client, spec: CommandSpec, args: Buffer[], seq: number, pending: Pending): void {
    const table = client.info.table;
    const w = this.placement(spec, table, args);
    if (w >= 0) {
      this.pool.send(w, client.info.id, seq, table, COMMAND_INDEX.get(spec)!, args, client.info.resp);
      return;
    }
    const done = (reply: Buffer) => {
      pending.reply = reply;
      this.markDirty(client);
    };
    this.spanning(spec, table, args, -1 - w, false, client.info.resp).then(done, (e) => done(this.errorFor(e)));
  }

  /** The worker holding every key of the command, or -1 - (its first key's worker) when they span workers or tables. */
  private placement(spec: CommandSpec, table: number, args: Buffer[]): number {
    const slots = this.tableSlots[table];
    // a table deleted under a queued command: worker 0 answers that it is gone
    if (slots === 0) return 0;
    // a `keys` function may name more keys than the positions do (GEORADIUS ... STORE dst)
    if (spec.firstKey === spec.lastKey && !spec.keys && !spec.crossTable) return this.workerOfSlot(slotOf(args[spec.firstKey], slots));
    const keys = keysOf(spec, args);
    const first = this.workerOfSlot(slotOf(keys[0], slots));
    if (spec.crossTable) return -1 - first;
    for (let i = 1; i < keys.length; i++) if (this.workerOfSlot(slotOf(keys[i], slots)) !== first) return -1 - first;
    return first;
  }

  /** A command whose keys span workers: split and merged, or run whole while every worker idles (`inBarrier`: the caller already holds exclusive()). */
  private spanning(spec: CommandSpec, table: number, args: Buffer[], first: number, inBarrier: boolean, resp: Protocol): Promise<Buffer> {
    if (spec.spread !== 'exclusive') return this.spread(spec, table, args, resp);
    const run = () => this.callSpec(first, table, spec, args, resp);
    return inBarrier ? run() : this.exclusive(run);
  }

  /** Main handlers answer absent values with the RESP2 constants; RESP3 has one null. */
  private forProtocol(client: Client, reply: Buffer): Buffer {
    return client.info.resp === 3 && (reply === NULL_BULK || reply === NULL_ARRAY) ? NULL3 : reply;
  }

  /**
   * Runs a command of EXEC's queue, inside exclusive(), and resolves with its reply. Blocking
   * commands answer here as their non-blocking forms, null when there is nothing to pop, as
   * Redis's CLIENT_DENY_BLOCKING does: a worker runs them so unless main asks otherwise.
   */
  private async runNow(client: Client, spec: CommandSpec, args: Buffer[]): Promise<Buffer> {
    this.stats.commands++;
    this.tables.count(client.info.table, spec.flags.includes('write'));
    if (this.blocking.waiting > 0 && spec.flags.includes('write')) {
      const woken = this.blocking.wokenBy(client.info.table, spec, args);
      if (woken) (client.woken ??= []).push(...woken);
    }
    let reply: Buffer;
    const resp = client.info.resp;
    try {
      if (spec.main) reply = this.forProtocol(client, await spec.main((client.context ??= this.contextFor(client)), args));
      else {
        const table = client.info.table;
        const w = this.placement(spec, table, args);
        reply = await (w >= 0 ? this.callSpec(w, table, spec, args, resp) : this.spanning(spec, table, args, -1 - w, true, resp));
      }
    } catch (e) {
      return this.errorFor(e);
    } finally {
      // EXEC's commands each show in MONITOR as they ran, before EXEC's own line
      this.feedMonitors(client, spec, args);
    }
    if (reply[0] === 0x2d) this.stats.errors++;
    return reply;
  }

  /** Splits a multi-key command by worker and merges the parts as Redis would answer. */
  private async spread(spec: CommandSpec, table: number, args: Buffer[], resp: Protocol): Promise<Buffer> {
    const slots = this.tableSlots[table];
    const parts = groupKeys(spec, args, (key) => this.workerOfSlot(slotOf(key, slots)));
    if (!parts) throw new CommandError(arityError(spec.name));
    const entries = [...parts.entries()];
    const replies = (await Promise.all(entries.map(([w, p]) => this.callSpec(w, table, spec, p.args)))).map(decodeReply);
    const failed = replies.find((r) => r instanceof RespError) as RespError | undefined;
    if (failed) throw new CommandError(failed.message);
    if (spec.spread === 'sum') return intReply(replies.reduce((a: number, r) => a + Number(r), 0));
    if (spec.spread === 'mset') return OK;
    const values: (Buffer | null)[] = new Array((args.length - spec.firstKey) / spec.keyStep);
    entries.forEach(([, p], i) => (replies[i] as (Buffer | null)[]).forEach((v, j) => (values[p.positions[j]] = v)));
    const out = new ReplyWriter(resp);
    out.bulkArray(values);
    return out.take();
  }

  /**
   * Runs `fn` while no other command executes anywhere on this node: new commands are held,
   * in-flight ones drain first. Used for multi-key commands that must stay atomic across workers.
   */
  private exclusive(fn: () => Promise<Buffer>): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const task = async () => {
        try {
          while (this.pool.inflight() > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
          resolve(await fn());
        } catch (e) {
          reject(e);
        }
      };
      this.exclusiveQueue.push(task);
      if (this.held === null) {
        this.held = [];
        void this.runExclusiveQueue();
      }
    });
  }

  private async runExclusiveQueue(): Promise<void> {
    while (this.exclusiveQueue.length > 0) await this.exclusiveQueue.shift()!();
    const held = this.held!;
    this.held = null;
    for (const [client, args] of held) if (!client.closed) this.dispatchSafely(client, args);
  }

  /** Runs a command on worker `w` as main's own call; the reply comes in protocol `resp`. */
  private callSpec(w: number, table: number, spec: CommandSpec, args: Buffer[], resp: Protocol = 2, onAnswer?: () => void): Promise<Buffer> {
    const id = this.nextCallId;
    this.nextCallId = this.nextCallId >= 0xfffffffe ? 1 : this.nextCallId + 1;
    return new Promise((resolve) => {
      this.calls.set(id, onAnswer ? (reply) => (onAnswer(), resolve(reply)) : resolve);
      this.pool.send(w, 0, id, table, COMMAND_INDEX.get(spec)!, args, resp);
    });
  }

  /** Sends an internal command to every worker; resolves with their raw replies, by worker. */
  everyWorker(table: number, args: Buffer[]): Promise<Buffer[]> {
    return Promise.all(Array.from({ length: this.pool.count }, (_, w) => this.callWorker(w, table, args)));
  }

  callWorker(w: number, table: number, args: Buffer[], onAnswer?: () => void, resp: Protocol = 2): Promise<Buffer> {
    const spec = COMMANDS.get(args[0].toString().toLowerCase());
    if (!spec || !spec.worker) throw new Error(`no worker command ${args[0]}`);
    return this.callSpec(w, table, spec, args, resp, onAnswer);
  }

  private onReply(connId: number, seq: number, micros: number, reply: Buffer): void {
    if (this.idleWaiters.length > 0 && this.pool.inflight() === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      queueMicrotask(() => waiters.forEach((w) => w()));
    }
    if (connId === 0) {
      const call = this.calls.get(seq);
      this.calls.delete(seq);
      call?.(reply);
      return;
    }
    const client = this.clients.get(connId);
    if (!client || client.closed) return;
    const entry = client.entry(seq);
    if (!entry) return;
    entry.reply = reply;
    entry.micros = micros;
    this.consensusHolds.arrived(entry);
    if (reply[0] === 0x2d) this.stats.errors++;
    this.markDirty(client);
  }

  private markDirty(client: Client): void {
    this.dirty.add(client);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flushDirty());
  }

  private flushDirty(): void {
    this.flushQueued = false;
    this.replication.pumpAppended();
    const slower = this.config.num('slowlog-log-slower-than');
    // a client resumed below parses what it held back and is marked dirty again: it must land
    // in a set this pass does not clear, or those replies would wait for a flush that never comes
    [this.flushing, this.dirty] = [this.dirty, this.flushing];
    for (const client of this.flushing) {
      client.collect((p) => {
        this.stats.netOut += p.reply!.length;
        // replies queued at once (refusals, messages) have no start time and are not command calls
        if (p.startedAt > 0) this.commandStats.ran(p.name, p.micros, p.reply!);
        if (slower >= 0 && p.micros >= slower && p.args.length) this.recordSlow(client, p);
      }, (p) => this.consensusHolds.holds(client, p));
      client.flush();
      const why = this.outputOverLimit(client, 0);
      if (why !== null) this.dropForOutput(client, why);
      else this.maybeResume(client);
    }
    this.flushing.clear();
  }

  /** Why `client` must be disconnected if `extra` more reply bytes were queued, or null. */
  private outputOverLimit(client: Client, extra: number): string | null {
    const cls = client.info.sub + client.info.psub > 0 ? 'pubsub' : 'normal';
    return client.outputLimit.check(this.outputLimits[cls], client.backlog() + extra, Date.now());
  }

  private dropForOutput(client: Client, why: string): void {
    if (client.closed) return;
    this.stats.outputLimitDrops++;
    log.warn(`closing client ${client.info.addr} (id ${client.info.id}): output buffer over its ${why} (client-output-buffer-limit)`);
    client.close(true);
  }

  private recordSlow(client: Client, p: Pending): void {
    const shown = p.args.slice(0, SLOWLOG_ARGS_MAX).map((a) =>
      a.length > SLOWLOG_ARG_BYTES_MAX ? `${a.toString('latin1', 0, SLOWLOG_ARG_BYTES_MAX)}... (${a.length - SLOWLOG_ARG_BYTES_MAX} more bytes)` : a.toString('latin1'),
    );
    if (p.args.length > SLOWLOG_ARGS_MAX) shown[SLOWLOG_ARGS_MAX - 1] = `... (${p.args.length - SLOWLOG_ARGS_MAX + 1} more arguments)`;
    this.slowlog.unshift({ id: this.slowlogNextId++, time: Math.floor(p.startedAt / 1000), micros: p.micros, args: shown, addr: client.info.addr, name: client.info.name });
    const max = this.config.num('slowlog-max-len');
    if (this.slowlog.length > max) this.slowlog.length = max;
  }

  private sampleOps(): void {
    this.opsSamples.push((this.stats.commands - this.lastOpsCount) * (1000 / OPS_SAMPLE_MS));
    this.lastOpsCount = this.stats.commands;
    if (this.opsSamples.length > OPS_SAMPLES) this.opsSamples.shift();
  }

  private closeIdleClients(): void {
    const timeout = this.config.num('timeout');
    if (timeout <= 0) return;
    const now = Date.now();
    for (const c of this.clients.values()) {
      if (c.pending.length === 0 && now - c.info.lastActive > timeout * 1000) {
        log.info(`closing idle client ${c.info.addr}`);
        c.close();
      }
    }
  }

  /** The client as Pub/Sub sees it: messages queue behind its replies, in order. */
  private subscriberOf(client: Client): Subscriber {
    let s = this.subscribers.get(client);
    if (!s) {
      s = {
        id: client.info.id,
        resp: () => client.info.resp,
        channels: client.channels,
        patterns: client.patterns,
        deliver: (bytes: Buffer) => this.immediate(client, bytes, 'message'),
        overLimit: (extra: number) => this.outputOverLimit(client, extra),
        drop: (why: string) => this.dropForOutput(client, why),
      };
      this.subscribers.set(client, s);
    }
    return s;
  }

  private contextFor(client: Client): ServerContext {
    const node = this;
    const ctx = {
      client: client.info,
      scanCursors: this.scanCursors,
      transaction: this.transactions.commandsFor(client),
      callWorker: (w: number, table: number, args: Buffer[], resp?: Protocol) => node.callWorker(w, table, args, undefined, resp),
      everyWorker: (table: number, args: Buffer[]) => node.everyWorker(table, args),
      useTable: (t: number) => {
        const refusal = node.access.tableRefusal(client.info, t);
        if (refusal) throw new CommandError(refusal);
        client.info.table = t;
      },
      slotCount: (t: number) => node.tableSlots[t],
      tables: node.tables,
      replication: node.replication,
      detach: () => {
        // only a connection with nothing else in flight or buffered can change hands whole
        if (client.pending.length > 1 || client.parser.pendingBytes() > 0) throw new CommandError('ERR PKSYNC must be the only command in flight on its connection');
        // replies to it are dropped from now on; the socket belongs to the caller
        client.closed = true;
        client.socket.removeAllListeners('data');
        client.socket.removeAllListeners('drain');
        node.clients.delete(client.info.id);
        return client.socket;
      },
      workerOfSlot: (s: number) => node.workerOfSlot(s),
      configGet: (pattern: string) => node.config.entries().filter(([k]) => matchConfig(pattern, k)),
      configSet: (key: string, value: string) => node.configSet(key, value),
      configRewrite: () => {
        if (!node.config.file) throw new CommandError('ERR The server is running without a config file');
        node.config.rewrite(node.config.file);
      },
      resetStats: () => node.resetStats(),
      markSaved: () => {
        node.appendsAtSave = node.pool.appends();
      },
      info: (sections: string[]) => node.info(sections, client),
      clients: () => [...node.clients.values()].map((c) => c.info),
      killClients: (filter: (c: ClientInfo) => boolean) => {
        let n = 0;
        for (const c of node.clients.values()) {
          if (!filter(c.info)) continue;
          n++;
          if (c === client) c.closeAfterFlush = true;
          else c.close();
        }
        return n;
      },
      closeAfterReply: () => {
        client.closeAfterFlush = true;
      },
      resetConnection: () => {
        node.leaveSession(client);
        client.resetReplyMode();
        Object.assign(client.info, { resp: 2, table: 0, name: '', grant: node.access.initialGrant(), grantTableUid: 0 });
      },
      monitor: () => {
        client.monitor ??= {
          id: client.info.id,
          deliver: (line: Buffer) => node.immediate(client, line, 'monitor'),
          backlog: () => client.backlog(),
          drop: (why: string) => node.dropForOutput(client, why),
        };
        client.info.monitor = true;
        node.monitors.add(client.monitor);
      },
      pauseClients: (ms: number, writesOnly: boolean) => node.clientPause.pause(ms, writesOnly),
      unpauseClients: () => node.clientPause.unpause(),
      unblockClient: (id: number, error: boolean) => {
        const c = node.clients.get(id);
        return c !== undefined && node.blocking.unblock(c, error);
      },
      setClientName: (name: string) => {
        client.info.name = name;
      },
      setReplyMode: (mode: 'on' | 'off' | 'skip') => client.setReplyMode(mode),
      slowlogGet: (count: number) => node.slowlogReply(count),
      slowlogLen: () => node.slowlog.length,
      slowlogReset: () => {
        node.slowlog = [];
      },
      shutdown: () => {
        setImmediate(() => void node.shutdown('SHUTDOWN command'));
      },
      authenticate: (user: string | null, pw: Buffer) => node.access.authenticate(client.info, user, pw),
      authRequired: () => node.access.authRequired(client.info),
      commandTable: () => COMMANDS,
      pubsub: {
        subscribe: (names: Buffer[], pattern: boolean) => node.countSubscriptions(client, node.pubsub.subscribe(node.subscriberOf(client), names, pattern)),
        unsubscribe: (names: Buffer[], pattern: boolean) => node.countSubscriptions(client, node.pubsub.unsubscribe(node.subscriberOf(client), names, pattern)),
        publish: (channel: Buffer, message: Buffer) => node.pubsub.publish(channel, message),
        channelsMatching: (pattern: Buffer | null) => node.pubsub.channelsMatching(pattern),
        numsub: (channel: Buffer) => node.pubsub.numsub(channel),
        numpat: () => node.pubsub.numpat(),
      },
    };
    return ctx;
  }

  private countSubscriptions(client: Client, reply: Buffer): Buffer {
    client.info.sub = client.channels.size;
    client.info.psub = client.patterns.size;
    return reply;
  }

  private configSet(key: string, value: string): void {
    const k = key.toLowerCase();
    if (!this.config.has(k)) throw new CommandError(`ERR Unknown option or number of arguments for CONFIG SET - '${key}'`);
    try {
      this.access.checkSetting(k, value);
      this.config.set(k, value);
    } catch (e) {
      if (e instanceof ConfigError) throw new CommandError(`ERR CONFIG SET failed (possibly related to argument '${key}') - ${e.message}`);
      throw e;
    }
    if (k === 'proto-max-bulk-len') this.parserLimits.maxBulkLen = this.config.num(k);
    if (k === 'client-output-buffer-limit') this.outputLimits = parseOutputLimits(this.config.str(k));
    const cell = LIVE_SETTINGS.get(k);
    if (cell !== undefined) this.pool.setLive(cell, this.config.num(k));
    if (k === 'binlog-retention') for (const [c, v] of retentionCells(this.config.str(k))) this.pool.setLive(c, v);
    if (k === 'notify-keyspace-events') this.keyspaceEvents.configure(this.config.str(k));
    if (k === 'consensus-level') this.replication.consensusLevelChanged();
    if (k === 'consensus-level' && this.config.num(k) === 0) {
      this.replication.consensus.reset();
      this.consensusHolds.recheck();
    }
    if (k === 'loglevel') {
      const level = this.config.str(k) as (typeof LOG_LEVELS)[number];
      setLogLevel(level);
      this.pool.setLive(LIVE_LOG_LEVEL, LOG_LEVELS.indexOf(level));
    }
  }

  /** As Redis's resetServerStats: counters only, the slow log stays. */
  private async resetStats(): Promise<void> {
    this.stats = { commands: 0, connections: 0, rejected: 0, netIn: 0, netOut: 0, errors: 0, outputLimitDrops: 0 };
    this.commandStats.reset();
    this.lastOpsCount = 0;
    this.opsSamples = [];
    await this.everyWorker(0, [Buffer.from('__resetstats')]);
  }

  private slowlogReply(count: number): ReplyWriter {
    const entries = this.slowlog.slice(0, count);
    const out = new ReplyWriter();
    out.arrayHeader(entries.length);
    for (const e of entries) {
      out.arrayHeader(6);
      out.int(e.id);
      out.int(e.time);
      out.int(e.micros);
      out.bulkArray(e.args);
      out.bulk(e.addr);
      out.bulk(e.name);
    }
    return out;
  }

  /** INFO's text for the named sections (dispatch/info.ts). */
  async info(sections: string[], client?: Client): Promise<string> {
    const info = new InfoText(sections);
    const want = (s: string) => info.want(s);
    const add = (title: string, fields: [string, string | number][]) => info.add(title, fields);
    const call: EveryWorker = (table, args) => this.everyWorker(table, args);
    const mem = process.memoryUsage();
    const uptime = Math.floor((Date.now() - this.startedAt) / 1000);
    add('Server', [
      ['redis_version', SERVER_VERSION], ['pika_version', '0.1.0'], ['redis_mode', 'standalone'], ['os', `${os.type()} ${os.release()} ${os.arch()}`],
      ['arch_bits', 64], ['process_id', process.pid], ['tcp_port', this.port()], ['uptime_in_seconds', uptime], ['uptime_in_days', Math.floor(uptime / 86400)],
      ['executable', process.argv[1] ?? ''], ['config_file', this.config.file ?? ''], ['node_version', process.version],
    ]);
    add('Clients', [['connected_clients', this.clients.size], ['paused_clients', this.clientPause.count()], ['maxclients', this.config.num('maxclients')], ['blocked_clients', this.blocking.blocked]]);
    // Redis's lazyfree_* fields count objects freed in the background: here, dropped collections
    const rs = want('memory') || want('stats') || want('pika') ? await reclaimStats(call) : undefined;
    add('Memory', [
      ['used_memory', mem.heapUsed + mem.external], ['used_memory_rss', mem.rss], ['used_memory_human', `${(mem.rss / 1048576).toFixed(2)}M`], ['mem_allocator', 'libc'],
      ['maxmemory', 0], ['mem_fragmentation_ratio', '1.00'], ['lazyfree_pending_objects', rs?.pendingCollections ?? 0],
    ]);
    add('Persistence', [['loading', 0], ['sync', this.config.str('sync')], ['db_path', this.config.str('db-path')], ['rdb_changes_since_last_save', this.pool.appends() - this.appendsAtSave], ['aof_enabled', 0],
      ['background_fsyncs', this.backgroundSync.done], ['background_fsync_failures', this.backgroundSync.failed]]);
    const needWorkers = want('stats') || want('pika');
    const ws = needWorkers ? await workerStats(call) : { hits: 0, misses: 0, expired: 0, open: 0 };
    const ops = this.opsSamples.length ? Math.round(this.opsSamples.reduce((a, b) => a + b, 0) / this.opsSamples.length) : 0;
    add('Stats', [
      ['total_connections_received', this.stats.connections], ['total_commands_processed', this.stats.commands], ['instantaneous_ops_per_sec', ops],
      ['total_net_input_bytes', this.stats.netIn], ['total_net_output_bytes', this.stats.netOut], ['rejected_connections', this.stats.rejected],
      ['expired_keys', ws.expired], ['keyspace_hits', ws.hits], ['keyspace_misses', ws.misses], ['total_error_replies', this.stats.errors],
      ['client_output_buffer_limit_disconnections', this.stats.outputLimitDrops],
      ...this.access.stats(),
      ['lazyfreed_objects', rs?.collections ?? 0],
    ]);
    add('Replication', this.replication.summary());
    add('CPU', [['used_cpu_sys', (process.cpuUsage().system / 1e6).toFixed(6)], ['used_cpu_user', (process.cpuUsage().user / 1e6).toFixed(6)]]);
    add('Commandstats', this.commandStats.commandLines());
    add('Errorstats', this.commandStats.errorLines());
    if (want('keyspace')) {
      const fields: [string, string][] = [];
      // a table's tenant does not learn about the other tables
      for (const t of this.tables.ids().filter((id) => !client || this.access.maySee(client.info, id))) {
        const line = await keyspaceLine(call, t);
        if (line) fields.push(line);
      }
      add('Keyspace', fields);
    }
    const counts = this.pool.counters();
    add('Pika', [
      ['workers', this.pool.count], ['tables', this.tables.ids().length], ['default_slot_num', this.config.num('default-slot-num')],
      ['slots_open', ws.open], ['max_open_slots', this.config.num('max-open-slots')],
      ['queue_depth', this.pool.depths().map((d, i) => `w${i}=${d}`).join(',')],
      // commands per batch and sleeps per batch: how much a wake-up carries (native-notes/atomics.md)
      ['worker_batches', counts.map((c, i) => `w${i}=${c.batches}`).join(',')],
      ['worker_commands_per_batch', counts.map((c, i) => `w${i}=${(c.commands / Math.max(1, c.batches)).toFixed(2)}`).join(',')],
      ['worker_sleeps', counts.map((c, i) => `w${i}=${c.sleeps}`).join(',')],
      ['reclaim_pending_collections', rs?.pendingCollections ?? 0], ['reclaim_pending_records', rs?.pendingRecords ?? 0],
      ['reclaimed_collections', rs?.collections ?? 0], ['reclaimed_records', rs?.records ?? 0], ['reclaim_paused', rs?.paused ?? 0],
    ]);
    return info.text();
  }

  /** Stops accepting, closes clients, closes every environment; resolves when done. */
  shutdown(reason: string): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      log.info(`shutting down (${reason})`);
      for (const t of this.timers) clearInterval(t);
      this.server?.close();
      this.flushDirty();
      for (const c of this.clients.values()) c.close();
      this.replication.stop();
      await this.pool.stop();
      const pidfile = this.config.str('pidfile');
      if (pidfile) fs.rmSync(pidfile, { force: true });
      log.info('bye');
    })();
    return this.stopping;
  }
}
