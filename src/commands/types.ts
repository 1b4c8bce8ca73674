// What command handlers see. Worker handlers execute against slot storage; main handlers
// act on connection and server state through ServerContext, which dispatch implements.
import { Protocol, ReplyWriter } from '../protocol/reply';
import { SlotEnv, SlotStore } from '../storage/slot-store';

export type Flag = 'pubsub' | 'noscript' | 'write' | 'readonly' | 'admin' | 'fast' | 'denyoom' | 'noauth' | 'loading' | 'stale' | 'random' | 'internal' | 'no_multi' | 'blocking';

/** How a command whose keys span several workers is carried out. */
export type Spread =
  /** Per-worker parts, integer replies summed (DEL, EXISTS, ...). */
  | 'sum'
  /** Per-worker parts, bulk replies put back in key order (MGET). */
  | 'mget'
  /** Per-worker parts of key/value pairs, +OK (MSET). */
  | 'mset'
  /** Every worker idles while the first key's worker runs the whole command (RENAME, MSETNX...). */
  | 'exclusive';

export interface WorkerContext {
  readonly table: number;
  readonly slotCount: number;
  /** Whether a table of this id exists now (MOVE, COPY ... DB). */
  tableExists(table: number): boolean;
  /** Time of the command, ms; fixed for its whole execution. */
  now: number;
  readonly store: SlotStore;
  readonly workerIndex: number;
  readonly workerCount: number;
  readonly stats: { keyspaceHits: number; keyspaceMisses: number; expiredKeys: number };
  /** CONFIG hll-sparse-max-bytes as of now: the largest sparse HLL before it turns dense. */
  readonly hllSparseMaxBytes: number;
  /** The environment of the slot holding `key`; null when `create` is false and it was never written. */
  env(key: Buffer, create: boolean): SlotEnv | null;
  /** The same, in another table (COPY ... DB n). */
  envIn(table: number, key: Buffer, create: boolean): SlotEnv | null;
  /** Slots of this table owned by this worker. */
  ownSlots(): number[];
  /**
   * Chooses what the binlog records for this write instead of the command as received (Redis's
   * alsoPropagate): each call appends one entry — to `env`, or to the slot of argv's first key —
   * inside the open transaction; `propagate(null)` records nothing. Commands whose effect
   * depends on chance or the clock log their effect (SPOP as SREM, EXPIRE as PEXPIREAT).
   */
  propagate(argv: Buffer[] | null, env?: SlotEnv): void;
  /** Set while a follower replays its leader's entries, at the leader's time. */
  readonly replaying: boolean;
  /** The slot a replayed keyless entry applies to (__clearslot). */
  readonly replaySlot: SlotEnv | null;
  /** Runs `fn` as a replay of the leader's entry written at `time` into `env`. */
  replay(env: SlotEnv, time: number, fn: () => void): void;
  /** This worker's slots that follow a leader (table * SLOTS_PER_TABLE_MAX + slot). */
  readonly followers: Set<number>;
  /**
   * Reports that the command changed `key` (in `table`, by default the command's), as Redis's
   * signalModifiedKey + notifyKeyspaceEvent: `type` is its NOTIFY_* class (common/notify.ts),
   * `event` Redis's event name. Call it after the change, in Redis's order; it costs nothing
   * while neither notifications nor WATCH want it. Every change of a key must be reported:
   * WATCH learns of writes only this way.
   */
  notify(type: number, event: string, key: Buffer, table?: number): void;
}

export type WorkerHandler = (ctx: WorkerContext, args: Buffer[], out: ReplyWriter) => void;

export type Grant = 'none' | 'open' | 'admin' | 'user' | 'table';

/** What AUTH made of a password: accepted, refused, or no password is configured anywhere. */
export type AuthOutcome = 'ok' | 'wrongpass' | 'nopass';

/** A table as `pkcluster info table` shows it. */
export interface TableInfo {
  id: number;
  slots: number;
  commands: number;
  writes: number;
  /** Commands (and writes) in the last whole second. */
  qps: number;
  writeQps: number;
}

/** The node's tables as pkcluster administers them; errors are thrown as CommandError. */
export interface TableAdmin {
  ids(): number[];
  info(id: number): TableInfo | undefined;
  add(id: number, slots: number, password: string): Promise<void>;
  /** Deletes the table and every slot environment of it. */
  drop(id: number): Promise<void>;
  /** An empty password removes it. */
  setPassword(id: number, password: string): void;
}

/** The node's replication as pkcluster drives it (dispatch's replication/manager.ts). */
export interface ReplicationAdmin {
  /** Role and replication fields of a slot for `pkcluster info slot`; `offset` is its last "term:index". */
  slotInfo(table: number, slot: number, offset: string): { role: string; lines: string[] };
  /** slotsslaveof <host> <port>: these local slots follow the same slots there (`force`: full sync). */
  follow(host: string, port: number, table: number, slots: number[], force: boolean): Promise<void>;
  /** slotsslaveof no one: these slots lead (a follower promoted starts a new term). */
  lead(table: number, slots: number[]): Promise<void>;
  /** PKSYNC: this connection is a follower node's link from now on. */
  acceptLink(socket: import('net').Socket): void;
}

export interface ClientInfo {
  id: number;
  name: string;
  addr: string;
  laddr: string;
  fd: number;
  createdAt: number;
  lastActive: number;
  table: number;
  lastCommand: string;
  resp: Protocol;
  /** What the client may do: nothing yet, what a client needing no password may, or what AUTH granted (see dispatch/access.ts). */
  grant: Grant;
  /** For a table grant: which table (Tables.uid), so a table deleted and made again is not opened. */
  grantTableUid: number;
  /** Channels and patterns subscribed to (CLIENT LIST's sub= and psub=). */
  sub: number;
  psub: number;
  /** Commands queued since MULTI, -1 outside MULTI; their argument bytes; a watched key changed. */
  multi: number;
  multiMem: number;
  /** Sent MONITOR: receives every command. */
  monitor: boolean;
  watchDirty: boolean;
  /** Parked by a blocking command (CLIENT LIST's flag b). */
  blocked: boolean;
}

/** What main-thread handlers may ask of the server; implemented in dispatch. */
export interface ServerContext {
  readonly client: ClientInfo;
  /** Sends an internal command to one worker and resolves with its raw reply, in RESP2 unless `resp` says otherwise (a reply passed on to the client). */
  callWorker(worker: number, table: number, args: Buffer[], resp?: Protocol): Promise<Buffer>;
  /** The same to every worker; the raw replies, by worker. */
  everyWorker(table: number, args: Buffer[]): Promise<Buffer[]>;
  /** SELECT: makes `table` the client's table, or throws the refusal (no such table, no access). */
  useTable(table: number): void;
  slotCount(table: number): number;
  readonly tables: TableAdmin;
  readonly replication: ReplicationAdmin;
  /** Takes the client's socket away from command dispatch (PKSYNC hands it to replication). */
  detach(): import('net').Socket;
  workerOfSlot(slot: number): number;
  configGet(pattern: string): [string, string][];
  /** Throws an Error whose message is the reply text on a bad value. */
  configSet(key: string, value: string): void;
  configRewrite(): void;
  /** SAVE finished: INFO's rdb_changes_since_last_save counts from now. */
  markSaved(): void;
  /** CONFIG RESETSTAT: main's counters and every worker's. */
  resetStats(): Promise<void>;
  /** INFO text of the named sections (lowercase); none, 'all', 'everything' or 'default' name every section. */
  info(sections: string[]): Promise<string>;
  clients(): ClientInfo[];
  killClients(filter: (c: ClientInfo) => boolean): number;
  /** CLIENT UNBLOCK: answers a parked client as timed out (or with an error); false when none is parked. */
  unblockClient(id: number, error: boolean): boolean;
  closeAfterReply(): void;
  /** RESET: the connection as a new one finds it (no MULTI, watches, subscriptions or MONITOR; RESP2, table 0, not authenticated, no name, replies on). */
  resetConnection(): void;
  setClientName(name: string): void;
  /** Makes this connection a MONITOR client. */
  monitor(): void;
  /** CLIENT PAUSE: holds every command (or writes only) for `ms`; CLIENT UNPAUSE ends it. */
  pauseClients(ms: number, writesOnly: boolean): void;
  unpauseClients(): void;
  /** CLIENT REPLY: OFF and SKIP also silence the calling command's own reply, ON lets it through. */
  setReplyMode(mode: 'on' | 'off' | 'skip'): void;
  slowlogGet(count: number): ReplyWriter;
  slowlogLen(): number;
  slowlogReset(): void;
  shutdown(): void;
  /** AUTH [user] password: on success the client's grant (and for a table password, its table) changes. */
  authenticate(user: string | null, password: Buffer): AuthOutcome;
  /** The client may run nothing but AUTH, HELLO and QUIT until it authenticates. */
  authRequired(): boolean;
  commandTable(): Map<string, CommandSpec>;
  /** This client's view of Pub/Sub: its (un)subscriptions answer per name; publish counts receivers. */
  readonly pubsub: {
    subscribe(names: Buffer[], pattern: boolean): Buffer;
    unsubscribe(names: Buffer[], pattern: boolean): Buffer;
    publish(channel: Buffer, message: Buffer): number;
    channelsMatching(pattern: Buffer | null): Buffer[];
    numsub(channel: Buffer): number;
    numpat(): number;
  };
  scanCursors: Map<string, Buffer>;
  /** This client's MULTI/EXEC state (dispatch/transaction.ts). */
  readonly transaction: {
    multi(): Buffer;
    exec(): Buffer | Promise<Buffer>;
    discard(): Buffer;
    watch(keys: Buffer[]): Buffer | Promise<Buffer>;
    unwatch(): Buffer;
  };
}

export type MainHandler = (ctx: ServerContext, args: Buffer[]) => Buffer | Promise<Buffer>;

/**
 * How main blocks a command flagged 'blocking' (dispatch/blocking.ts). Its worker handler runs
 * the non-blocking form; commands/blocking.ts says how main asks for the other modes.
 */
export interface BlockingSpec {
  /** The keys it waits on, in the order it tries them (duplicates allowed). */
  sources(args: Buffer[]): Buffer[];
  /** Index of the timeout argument. */
  timeoutIndex(args: Buffer[]): number;
  /** The same command limited to one ready source key: a wake-up serves that key alone. */
  narrow(args: Buffer[], key: Buffer): Buffer[];
}

/** A command queued in MULTI, as EXEC will run it. */
export interface QueuedCommand {
  spec: CommandSpec;
  args: Buffer[];
}

export interface CommandSpec {
  name: string;
  /** Redis's arity: N means exactly N arguments with the name, -N at least N. */
  arity: number;
  flags: Flag[];
  /** Key positions: first, last (-1 = last argument, -2 = one before), step; 0,0,0 for none. */
  firstKey: number;
  lastKey: number;
  keyStep: number;
  /** The key arguments when positions cannot say (SINTERCARD's numkeys); overrides first/last/step. */
  keys?: (args: Buffer[]) => Buffer[];
  group: string;
  summary: string;
  since: string;
  spread?: Spread;
  /**
   * A container command's subcommands (lowercase) with their Redis arities: dispatch answers
   * an unknown one, or a wrong argument count, as Redis 7.0 does before the handler runs.
   */
  subcommands?: Record<string, number>;
  /** Allowed while the client is subscribed (RESP2): (P)(UN)SUBSCRIBE, PING, QUIT. */
  whileSubscribed?: boolean;
  /** Positions of the arguments MONITOR shows as "(redacted)" (passwords), as Redis 7.0 redacts them. */
  redactedArgs?: (args: Buffer[]) => number[];
  /** Its replies are pushes ((P)(UN)SUBSCRIBE confirmations), which CLIENT REPLY OFF|SKIP never silences. */
  pushReply?: boolean;
  /** Runs at once inside MULTI instead of being queued (MULTI EXEC DISCARD WATCH QUIT, as Redis). */
  runsInMulti?: boolean;
  /**
   * Its reply reports queued writes (EXEC): consistent mode holds it as a write's reply, on the
   * slots its queued commands touch.
   */
  carriesWrites?: boolean;
  /** May change the connection's table (SELECT, AUTH or HELLO with a table's password). */
  selectsTable?: boolean;
  /** Acts on every table, not the connection's (FLUSHALL). */
  allTables?: boolean;
  /** Refused before it runs (arity, auth...), it ends the transaction with EXECABORT naming why (EXEC). */
  abortsTransaction?: boolean;
  /** Reaches into another table (MOVE, COPY ... DB): always run as 'exclusive'. */
  crossTable?: boolean;
  /** The other table a crossTable command names, so access is checked for it too. */
  targetTable?: (args: Buffer[]) => number | undefined;
  /** Checks table access itself (SELECT): dispatch skips its check of the current table. */
  ownTableCheck?: boolean;
  /**
   * A container's subcommands that need admin rights, as Redis 7.0 flags them one by one
   * (CONFIG SET but not CONFIG HELP); when absent, the 'admin' flag covers the whole command.
   */
  adminSubcommands?: string[];
  /** Set on the blocking commands (BLPOP ...). */
  block?: BlockingSpec;
  worker?: WorkerHandler;
  main?: MainHandler;
}
