// A storage worker: drains its request ring in batches, runs each batch's commands grouped by
// slot (one LMDB transaction per slot per batch), syncs as the sync mode asks, then answers
// through its reply ring. It blocks in Atomics.wait when idle, so it only uses LMDB's
// synchronous API (see native-notes/atomics.md).
import { MessagePort, parentPort, workerData } from 'worker_threads';
import { slotOf } from '../common/crc32';
import { CommandError, ERR_DB_INDEX, ERR_DISK_FULL } from '../common/errors';
import {
  BINLOG_PURGE_MAX_PER_PASS, BINLOG_RETENTION_INTERVAL_MS, EXPIRE_CYCLE_BUDGET_MS, REPORTED_EXPIRED_MAX, SLOT_IDLE_CLOSE_MS, SLOT_IDLE_SWEEP_MS, SLOTS_PER_TABLE_MAX, EXPIRE_CYCLE_INTERVAL_MS, EXPIRE_CYCLE_MAX_KEYS, RING_INLINE_MAX_BYTES, WORKER_BATCH_MAX_COMMANDS, CONSENSUS_BATCH_MAX_COMMANDS,
  WORKER_IDLE_WAIT_MS, WORKER_SPIN_POLLS, RECLAIM_PASS_MAX_RECORDS, RECLAIM_PASS_BUDGET_MS, RECLAIM_BUSY_INTERVAL_MS, RECLAIM_LOG_INTERVAL_MS, RECLAIM_LOG_MIN_RECORDS, RECLAIM_IDLE_REST_MS, REPL_PUSH_MAX_BYTES,
} from '../common/limits';
import { applyLogSettings, LOG_LEVELS, logger, logSettings, setLogLevel } from '../common/log';
import { NOTIFY_EXPIRED, NOTIFY_NEW, NOTIFY_NOT_MODIFYING } from '../common/notify';
import { ReplyWriter } from '../protocol/reply';
import { COMMAND_LIST } from '../commands/table';
import { CommandSpec, WorkerContext } from '../commands/types';
import { Retention } from '../common/retention';
import { lastOffset, observeAppends, purgeTo, retentionTarget } from '../storage/binlog';
import { KeyspaceObserver, observeKeyspace, reclaimExpired } from '../storage/keyspace';
import { DiskGuard } from '../storage/disk-guard';
import { findQueuedGarbage, pendingGarbage, reclaimPass } from '../storage/reclaim';
import { SlotEnv, SlotStore, SyncMode } from '../storage/slot-store';
import { BinlogWriter } from './binlog-writer';
import { groupKeys } from './key-groups';
import { Doorbell, RingConsumer, RingProducer, RingShared } from './ring';
import {
  CONTROL_SHUTDOWN, COUNTER_APPENDS, COUNTER_BATCHES, COUNTER_COMMANDS, COUNTER_SLEEPS, appendsBytes, encodeSyncs, PushedAppends, EVENTS_CONN, EventLog, LIVE_BINLOG_RETENTION_AMOUNT, LIVE_BINLOG_RETENTION_KIND, LIVE_CONSENSUS_LEVEL, LIVE_HLL_SPARSE_MAX_BYTES, LIVE_MIN_FREE_DISK, LIVE_LOG_LEVEL, LIVE_NOTIFY, LIVE_REPL_PUSH, LIVE_WATCHING, writeAppends,
  readRequest, Request, REPLY_HEADER_BYTES, RETENTION_KINDS,
} from './wire';

export interface WorkerInit {
  index: number;
  count: number;
  dbPath: string;
  maxOpenSlots: number;
  syncMode: SyncMode;
  /** Slot count by table id, 0 where there is none; main changes it (pkcluster addtable/deltable). */
  tableSlots: Int32Array;
  requests: RingShared;
  replies: RingShared;
  ownDoorbell: SharedArrayBuffer;
  /** Batches run, commands in them, sleeps and binlog appends (COUNTER_*): this worker writes, main reads for INFO. */
  counters: SharedArrayBuffer;
  mainDoorbell: SharedArrayBuffer;
  /** Bumped whenever a worker wrote into slots another worker owns (exclusive commands). */
  foreignEpoch: SharedArrayBuffer;
  /** Settings main changes live (CONFIG SET), as Float64 cells; see LIVE_*. */
  live: SharedArrayBuffer;
  /** Slots following a leader at start (table * SLOTS_PER_TABLE_MAX + slot). */
  followers: number[];
  requestPort: MessagePort;
  replyPort: MessagePort;
  controlPort: MessagePort;
  /** Rings main's doorbell: main waits for messages here, never on an Atomics cell. */
  wakePort: MessagePort;
  /** Main's log level and directory. */
  log: ReturnType<typeof logSettings>;
}

const init = workerData as WorkerInit;
applyLogSettings(init.log);
const log = logger(`W${init.index}`);
const store = new SlotStore(init.dbPath, init.maxOpenSlots, init.syncMode);
const requests = new RingConsumer(init.requests, init.requestPort);
const replies = new RingProducer(init.replies, init.replyPort, new Doorbell(init.mainDoorbell, init.wakePort), RING_INLINE_MAX_BYTES);
const ownDoorbell = new Doorbell(init.ownDoorbell);
const epochCell = new Int32Array(init.foreignEpoch);
let seenEpoch = Atomics.load(epochCell, 0);
const live = new Float64Array(init.live);
const counters = new Float64Array(init.counters);
const diskGuard = new DiskGuard(init.dbPath, live[LIVE_MIN_FREE_DISK]);

const stats = { keyspaceHits: 0, keyspaceMisses: 0, expiredKeys: 0, commands: 0 };

const tableSlots = init.tableSlots;
const writer = new BinlogWriter(store, (t) => (t >= 0 && t < tableSlots.length ? tableSlots[t] : 0));
/**
 * Slots whose binlog grew since main was last told (noteAppends): the last index appended
 * (INDEX_UNKNOWN after a failed transaction: read back from the log) and the new entries while
 * followers stream (null once they are over what one message carries, or a transaction failed:
 * main then reads the log).
 */
const appended = new Map<SlotEnv, { index: number; entries: Buffer[] | null }>();
let pushedBytes = 0;
/** Entries per slot one appends record can carry (its count field is a u16). */
const PUSH_MAX_ENTRIES = 0xffff;
const INDEX_UNKNOWN = -1;
store.onAbort = (env) => appended.set(env, { index: INDEX_UNKNOWN, entries: null });
observeAppends((env, index, entry) => {
  counters[COUNTER_APPENDS]++;
  let rec = appended.get(env);
  if (!rec) appended.set(env, (rec = { index, entries: [] }));
  rec.index = index;
  if (rec.entries === null) return;
  if (live[LIVE_REPL_PUSH] === 0 || pushedBytes + entry.length > REPL_PUSH_MAX_BYTES || rec.entries.length >= PUSH_MAX_ENTRIES) {
    rec.entries = null;
    return;
  }
  pushedBytes += entry.length;
  rec.entries.push(entry);
});
/** Slots (table * SLOTS_PER_TABLE_MAX + slot) that follow a leader: no expiry cycle, no retention. */
const followers = new Set<number>(init.followers);
/** Keyspace events of the commands run since the last send, and what main wants reported (read once per batch). */
const events = new EventLog();
let notifyFlags = 0;
let watching = false;
/** Expired records already reported by a lookup, so reclaiming them later says nothing more. */
const reportedExpired = new Set<string>();

function report(table: number, type: number, event: string, key: Buffer): void {
  if ((notifyFlags & type) === 0 && !(watching && (type & NOTIFY_NOT_MODIFYING) === 0)) return;
  events.add(table, type, event, key);
}

const observer: KeyspaceObserver = {
  now: () => ctx.now,
  expired(env, key, expireAt) {
    if (!(notifyFlags & NOTIFY_EXPIRED)) return;
    const id = `${env.table} ${env.slot} ${expireAt} ${key.toString('latin1')}`;
    if (reportedExpired.has(id)) return;
    if (reportedExpired.size >= REPORTED_EXPIRED_MAX) reportedExpired.clear();
    reportedExpired.add(id);
    events.add(env.table, NOTIFY_EXPIRED, 'expired', key);
  },
  created(env, key) {
    if (notifyFlags & NOTIFY_NEW) events.add(env.table, NOTIFY_NEW, 'new', key);
  },
};

function readLogLevel(): void {
  const level = LOG_LEVELS[live[LIVE_LOG_LEVEL]];
  if (level !== logSettings().level) setLogLevel(level);
}

/** Takes main's live settings for the coming batch or expiry pass. */
function readLive(): void {
  readLogLevel();
  notifyFlags = live[LIVE_NOTIFY];
  watching = live[LIVE_WATCHING] !== 0;
  observeKeyspace(notifyFlags & (NOTIFY_EXPIRED | NOTIFY_NEW) ? observer : null);
}

class Context implements WorkerContext {
  table = 0;
  slotCount = tableSlots[0];
  now = Date.now();
  store = store;
  workerIndex = init.index;
  workerCount = init.count;
  stats = stats;

  get hllSparseMaxBytes(): number {
    return live[LIVE_HLL_SPARSE_MAX_BYTES];
  }
  env(key: Buffer, create: boolean) {
    return this.envIn(this.table, key, create);
  }
  envIn(table: number, key: Buffer, create: boolean) {
    const slots = tableSlots[table];
    if (!slots) throw new CommandError(ERR_DB_INDEX);
    return store.env(table, slotOf(key, slots), create);
  }
  tableExists(table: number): boolean {
    return table >= 0 && table < tableSlots.length && tableSlots[table] > 0;
  }
  ownSlots(): number[] {
    const out: number[] = [];
    for (let s = init.index; s < this.slotCount; s += init.count) out.push(s);
    return out;
  }
  notify(type: number, event: string, key: Buffer, table = this.table): void {
    report(table, type, event, key);
  }
  use(table: number): void {
    this.table = table;
    this.slotCount = tableSlots[table];
    this.now = Date.now();
  }
  followers = followers;
  replaySlot: SlotEnv | null = null;
  get replaying(): boolean {
    return writer.replaying;
  }
  propagate(argv: Buffer[] | null, env?: SlotEnv): void {
    writer.propagate(this.table, this.now, argv, env);
  }
  replay(env: SlotEnv, time: number, fn: () => void): void {
    const now = this.now;
    writer.replaying = true;
    this.replaySlot = env;
    this.now = time;
    try {
      fn();
    } finally {
      writer.replaying = false;
      this.replaySlot = null;
      this.now = now;
    }
  }
}
const ctx = new Context();
const out = new ReplyWriter();

interface Item {
  req: Request;
  spec: CommandSpec;
  /** Reply bytes within `out`, and its events within `events`, filled when the item ran. */
  start: number;
  end: number;
  evStart: number;
  evEnd: number;
  micros: number;
  /** A command split by slot (DEL, MSET...): its parts, run in their slots' groups; its reply joins theirs. */
  parts?: Item[];
}

/** Runs one command; `env` is the slot whose batch transaction is open around it, if any. */
function run(item: Item, env: SlotEnv | null): void {
  ctx.use(item.req.table);
  out.resp = item.req.resp;
  const t0 = performance.now();
  const mark = out.size();
  const spec = item.spec;
  const call = (args: Buffer[]) => {
    spec.worker!(ctx, args, out);
    return true;
  };
  const evMark = events.size();
  try {
    if (!spec.flags.includes('write')) call(item.req.args);
    else if (env) writer.runInSlot(env, ctx.now, item.req.args, call);
    else writer.runSpanning(spec, ctx.table, ctx.now, item.req.args, out, call);
  } catch (e) {
    out.truncate(mark);
    events.truncate(evMark);
    if (e instanceof CommandError) out.error(e.message);
    else {
      log.warn(`${item.spec.name} failed: ${(e as Error).message}`);
      out.error(`ERR ${(e as Error).message}`);
    }
  }
  item.start = mark;
  item.end = out.size();
  item.evStart = evMark;
  item.evEnd = events.size();
  item.micros = Math.round((performance.now() - t0) * 1000);
  stats.commands++;
}

function refuse(item: Item, message: string): void {
  item.start = out.size();
  out.error(message);
  item.end = out.size();
  item.evStart = item.evEnd = events.size();
}

/** Runs a group of single-slot commands in one transaction; on a storage failure, one by one. */
function runGroup(table: number, slot: number, items: Item[], writes: boolean): void {
  const env = writes ? store.env(table, slot, true) : null;
  if (!env) {
    for (const it of items) run(it, null);
    return;
  }
  const mark = out.size();
  const evMark = events.size();
  try {
    env.write(() => {
      for (const it of items) run(it, env);
    }, true);
  } catch (e) {
    log.warn(`batch transaction on ${table}/${slot} failed (${(e as Error).message}); retrying one by one`);
    out.truncate(mark);
    events.truncate(evMark);
    for (const it of items) run(it, null);
  }
}

/**
 * The parts of a command whose keys split by slot with integer replies summed or +OK (DEL,
 * EXISTS, MSET...), each with its slot; the item itself when one slot holds every key; null for
 * any other command. Parts join the batch's slot groups, so N such commands over S slots pay S
 * transactions, not one per part; a key's commands still run in batch order within its slot.
 */
function slotParts(item: Item, slots: number): { item: Item; slot: number }[] | null {
  const { spec, req } = item;
  if (spec.spread !== 'sum' && spec.spread !== 'mset') return null;
  const bySlot = groupKeys(spec, req.args, (key) => slotOf(key, slots));
  if (!bySlot) return null;
  if (bySlot.size === 1) return [{ item, slot: bySlot.keys().next().value! }];
  const parts: { item: Item; slot: number }[] = [];
  for (const [slot, { args }] of bySlot) parts.push({ item: { req: { ...req, args }, spec, start: 0, end: 0, evStart: 0, evEnd: 0, micros: 0 }, slot });
  return parts;
}

/** A split command's reply from its parts': the first error, else the sum or +OK, as the whole command would answer. */
function joinParts(item: Item): void {
  const bytes = out.view();
  let sum = 0;
  let error: Buffer | null = null;
  item.micros = 0;
  for (const p of item.parts!) {
    item.micros += p.micros;
    const reply = bytes.subarray(p.start, p.end);
    if (reply[0] === 0x2d) {
      error ??= Buffer.from(reply);
    } else if (reply[0] === 0x3a) sum += Number(reply.toString('latin1', 1, reply.length - 2));
  }
  item.start = out.size();
  if (error) out.raw(error);
  else if (item.spec.spread === 'sum') out.int(sum);
  else out.ok();
  item.end = out.size();
  item.evStart = item.evEnd = events.size();
  stats.commands -= item.parts!.length - 1;
}

function executeBatch(batch: Item[]): void {
  store.now = Date.now();
  readLive();
  const current = Atomics.load(epochCell, 0);
  if (current !== seenEpoch) {
    seenEpoch = current;
    store.resetReadTxns();
  }
  let writeBytes = 0;
  for (const item of batch) if (item.spec.flags.includes('write')) for (const a of item.req.args) writeBytes += a.length;
  diskGuard.minFreeBytes = live[LIVE_MIN_FREE_DISK];
  const refuseWrites = writeBytes > 0 && !diskGuard.allows(writeBytes, Date.now());
  const groups = new Map<number, { table: number; slot: number; items: Item[]; writes: boolean }>();
  const flushGroups = () => {
    for (const g of groups.values()) runGroup(g.table, g.slot, g.items, g.writes);
    groups.clear();
  };
  const join = (item: Item, slot: number) => {
    const table = item.req.table;
    const id = table * SLOTS_PER_TABLE_MAX + slot;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { table, slot, items: [], writes: false }));
    g.items.push(item);
    if (item.spec.flags.includes('write')) g.writes = true;
  };
  const split: Item[] = [];
  for (const item of batch) {
    const { spec, req } = item;
    if (refuseWrites && spec.flags.includes('write')) {
      refuse(item, ERR_DISK_FULL);
      continue;
    }
    const slots = tableSlots[req.table];
    const singleKey = spec.firstKey > 0 && spec.lastKey === spec.firstKey && spec.spread === undefined && req.args[spec.firstKey] !== undefined;
    const parts = singleKey || slots === 0 ? null : slotParts(item, slots);
    if (parts) {
      if (parts.length > 1) {
        item.parts = parts.map((p) => p.item);
        split.push(item);
      }
      for (const p of parts) join(p.item, p.slot);
      continue;
    }
    if (!singleKey) {
      flushGroups();
      if (spec.spread === 'exclusive') {
        store.resetReadTxns();
        run(item, null);
        Atomics.add(epochCell, 0, 1);
        seenEpoch = Atomics.load(epochCell, 0);
      } else run(item, null);
      continue;
    }
    if (slots === 0) {
      refuse(item, ERR_DB_INDEX);
      continue;
    }
    join(item, slotOf(req.args[spec.firstKey], slots));
  }
  flushGroups();
  for (const item of split) joinParts(item);
  if (init.syncMode === 'always') store.syncDirty();
  noteAppends();
}

/** Tells main's replication which slots have new entries (after they committed), ahead of the replies. */
function noteAppends(): void {
  if (appended.size === 0) return;
  const appends: PushedAppends[] = [];
  for (const [env, rec] of appended) {
    const index = rec.index !== INDEX_UNKNOWN ? rec.index : committedIndex(env);
    if (index !== INDEX_UNKNOWN) appends.push({ table: env.table, slot: env.slot, index, entries: rec.entries ?? [] });
  }
  appended.clear();
  pushedBytes = 0;
  if (appends.length > 0) sendMessage(appendsBytes(appends), (dst, off) => writeAppends(dst, off, appends));
}

/** The slot's last committed index, read back after a failed transaction; unknown if it was closed since. */
function committedIndex(env: SlotEnv): number {
  try {
    return lastOffset(env).index;
  } catch {
    return INDEX_UNKNOWN;
  }
}

const replyScratch = Buffer.allocUnsafe(REPLY_HEADER_BYTES);

function sendReplies(batch: Item[]): void {
  const bytes = out.view();
  for (const it of batch) {
    for (const p of it.parts ?? [it]) if (p.evEnd > p.evStart) sendEvents(p.evStart, p.evEnd);
    const len = REPLY_HEADER_BYTES + it.end - it.start;
    replyScratch.writeUInt32LE(it.req.connId, 0);
    replyScratch.writeUInt32LE(it.req.seq, 4);
    replyScratch.writeUInt32LE(Math.min(it.micros, 0xffffffff), 8);
    if (len > replies.inlineMax) {
      while (!replies.writeLarge(Buffer.concat([replyScratch, bytes.subarray(it.start, it.end)]))) waitForRoom();
      continue;
    }
    let off: number;
    while ((off = replies.reserve(len)) < 0) waitForRoom();
    const dst = replies.bytes;
    dst.set(replyScratch, off);
    dst.set(bytes.subarray(it.start, it.end), off + REPLY_HEADER_BYTES);
    replies.commit(len);
  }
  replies.publish();
  out.reset();
  events.reset();
}

const EVENTS_HEADER = Buffer.alloc(4);
EVENTS_HEADER.writeUInt32LE(EVENTS_CONN, 0);

/** Ships events[start, end) as one message, ahead of the reply that follows it. */
function sendEvents(start: number, end: number): void {
  const logged = events.slice(start, end);
  sendMessage(EVENTS_HEADER.length + logged.length, (dst, off) => {
    dst.set(EVENTS_HEADER, off);
    dst.set(logged, off + EVENTS_HEADER.length);
  });
}

/**
 * Puts one message that is not a reply (events, appends, syncs) on the reply ring: `fill`
 * writes its `len` bytes in place, or into a buffer of its own that goes by port when too large.
 */
function sendMessage(len: number, fill: (dst: Uint8Array, off: number) => void): void {
  while (!replies.write(len, fill)) waitForRoom();
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** The reply ring is full: let main see what is there, and give it a moment to drain. */
function waitForRoom(): void {
  replies.publish();
  Atomics.wait(pause, 0, 0, 1);
}

let lastReclaim = 0;
let lastReclaimLog = Date.now();

/**
 * One bounded pass of background reclaim (storage/reclaim.ts); returns whether garbage is left.
 * Big backlogs are logged now and then.
 */
function reclaim(): boolean {
  if (store.reclaim.slots.size === 0) return false;
  const now = Date.now();
  lastReclaim = now;
  if (now - lastReclaimLog >= RECLAIM_LOG_INTERVAL_MS) {
    lastReclaimLog = now;
    let records = 0;
    for (const key of store.reclaim.slots) {
      const env = store.env(Math.floor(key / SLOTS_PER_TABLE_MAX), key % SLOTS_PER_TABLE_MAX, false);
      if (env) records += pendingGarbage(env).records;
    }
    if (records >= RECLAIM_LOG_MIN_RECORDS) log.info(`reclaim: ~${records} member records left in ${store.reclaim.slots.size} slots, ${store.reclaim.records} reclaimed so far`);
  }
  return reclaimPass(store, RECLAIM_PASS_MAX_RECORDS, RECLAIM_PASS_BUDGET_MS);
}

let lastExpireCycle = 0;
let lastRetention = Date.now();
let lastIdleSweep = Date.now();
let lastSync = Date.now();

function timers(): void {
  const now = Date.now();
  store.now = now;
  if (now - lastIdleSweep >= SLOT_IDLE_SWEEP_MS) {
    lastIdleSweep = now;
    store.closeIdle(SLOT_IDLE_CLOSE_MS);
  }
  if (now - lastExpireCycle >= EXPIRE_CYCLE_INTERVAL_MS) {
    lastExpireCycle = now;
    readLive();
    const deadline = now + EXPIRE_CYCLE_BUDGET_MS;
    for (const env of store.openEnvs()) {
      // a follower's keys go when its leader's DEL arrives, as a Redis replica's
      if (env.slot % init.count !== init.index || followers.has(env.table * SLOTS_PER_TABLE_MAX + env.slot)) continue;
      stats.expiredKeys += reclaimExpired(env, now, EXPIRE_CYCLE_MAX_KEYS, EXPIRE_CYCLE_BUDGET_MS, (key) => writer.appendTo(env, now, [DEL, key]));
      if (Date.now() > deadline) break;
    }
    noteAppends();
    if (events.size() > 0) {
      sendEvents(0, events.size());
      events.reset();
    }
    replies.publish();
  }
  if (now - lastRetention >= BINLOG_RETENTION_INTERVAL_MS) {
    lastRetention = now;
    applyRetention(now);
  }
  if (init.syncMode === 'everysec' && now - lastSync >= 1000) {
    lastSync = now;
    handOverSyncs();
  }
}

/** everysec: main fsyncs the slots dirtied since the last pass, so this worker keeps serving meanwhile. */
function handOverSyncs(): void {
  const slots: SlotEnv[] = [];
  for (const env of store.openEnvs()) {
    if (!env.dirty) continue;
    // a new file's directory entry needs a directory fsync too: rare (reclaim), done here
    if (env.dirSyncPending) env.sync();
    else {
      env.dirty = false;
      slots.push(env);
    }
  }
  if (slots.length === 0) return;
  const msg = encodeSyncs(slots);
  sendMessage(msg.length, (dst, off) => dst.set(msg, off));
  replies.publish();
}

const DEL = Buffer.from('DEL');

function applyRetention(now: number): void {
  const kind = RETENTION_KINDS[live[LIVE_BINLOG_RETENTION_KIND]];
  if (!kind) return;
  const r: Retention = { kind, amount: live[LIVE_BINLOG_RETENTION_AMOUNT] };
  for (const env of store.openEnvs()) {
    if (env.slot % init.count !== init.index) continue;
    const to = retentionTarget(env, r, now);
    if (to > 0) env.write(() => purgeTo(env, to, BINLOG_PURGE_MAX_PER_PASS));
  }
}

function loop(): void {
  const batch: Item[] = [];
  let stopping = false;
  for (;;) {
    const batchMax = live[LIVE_CONSENSUS_LEVEL] > 0 ? CONSENSUS_BATCH_MAX_COMMANDS : WORKER_BATCH_MAX_COMMANDS;
    requests.drain(batchMax, (bytes, off, len) => {
      const req = readRequest(bytes, off, len);
      if (req.cmd === CONTROL_SHUTDOWN) {
        stopping = true;
        return;
      }
      batch.push({ req, spec: COMMAND_LIST[req.cmd], start: 0, end: 0, evStart: 0, evEnd: 0, micros: 0 });
    });
    if (batch.length > 0) {
      counters[COUNTER_BATCHES]++;
      counters[COUNTER_COMMANDS] += batch.length;
      executeBatch(batch);
      sendReplies(batch);
      batch.length = 0;
      // a steady stream of batches must starve neither the everysec sync, the expiry cycle nor
      // reclaim: each runs on its own interval between batches (timers() checks the clock)
      timers();
      if (Date.now() - lastReclaim >= RECLAIM_BUSY_INTERVAL_MS) reclaim();
      continue;
    }
    if (stopping) break;
    timers();
    // idle: reclaim pass after pass, resting between them so main and the other workers keep a core
    const rest = reclaim() ? RECLAIM_IDLE_REST_MS : WORKER_IDLE_WAIT_MS;
    let spins = WORKER_SPIN_POLLS;
    while (spins-- > 0 && !requests.hasData());
    if (requests.hasData()) continue;
    const signal = ownDoorbell.prepareSleep();
    if (requests.hasData()) {
      ownDoorbell.cancelSleep();
      continue;
    }
    counters[COUNTER_SLEEPS]++;
    ownDoorbell.sleep(signal, rest);
  }
  readLogLevel();
  store.closeAll();
  log.info(`closed its slots cleanly (${stats.commands} commands served)`);
  init.controlPort.postMessage({ stopped: true, stats });
}

parentPort!.on('message', () => {}); // keeps the port referenced for the lifetime of the loop
try {
  findQueuedGarbage(store, init.tableSlots.length, (slot) => slot % init.count === init.index);
  if (store.reclaim.slots.size > 0) log.info(`resuming reclaim of dropped collections in ${store.reclaim.slots.size} slots`);
  loop();
} catch (e) {
  log.error(`worker crashed: ${(e as Error).stack}`);
  try {
    store.closeAll();
  } finally {
    process.exit(1);
  }
}
process.exit(0);
