// One LMDB environment per slot, opened on first use, at most `maxOpen` open at once.
// All environments run noSync: durability is an explicit env sync, after each batch
// (`sync : always`), once a second (`everysec`) or never (`no`). See native-notes/.
import * as fs from 'fs';
import * as path from 'path';
import { open, RootDatabase, Database } from 'lmdb';
import { SLOTS_PER_TABLE_MAX } from '../common/limits';
import type { LogState } from './binlog';
import { CountedTree, DEFAULT_SHAPE, TreeCache, TreeShape } from './counted-btree';

export type SyncMode = 'always' | 'everysec' | 'no';

/**
 * Sub-databases of a slot environment. `keys` is the keyspace directory (see keyspace.ts);
 * `garbage` queues dropped collections for reclaim (reclaim.ts); `setranks` holds the rank
 * trees of large sets (types/set.ts). Append only: reclaim.ts stores a member sub-database by
 * its index here.
 */
export const SUB_DBS = ['keys', 'strings', 'hashes', 'lists', 'sets', 'zsets', 'expires', 'garbage', 'setranks'] as const;
export type SubDbName = (typeof SUB_DBS)[number];
/** The sub-databases that hold collection members (or indexes of them) under a collection id. */
export const MEMBER_DBS = ['hashes', 'lists', 'sets', 'zsets', 'setranks'] as const satisfies readonly SubDbName[];
export type MemberDbName = (typeof MEMBER_DBS)[number];
const MAX_DBS = 12;
/** lmdb-js TransactionFlags: ABORTABLE = 1, SYNCHRONOUS_COMMIT = 2. */
const TXN_SYNCHRONOUS_COMMIT = 2;
const TXN_ABORTABLE_SYNCHRONOUS = 3;
/** Starting map size: small, since writemap makes a sparse file of it at creation (native-notes/lmdb-options.md); lmdb-js grows it as needed and keeps old mappings until close. */
const INITIAL_MAP_BYTES = 1024 * 1024;
/** Options every opener of a slot environment uses (workers, and main for snapshots). */
export const ENV_OPTIONS = { maxDbs: MAX_DBS, noSync: true, useWritemap: true, mapSize: INITIAL_MAP_BYTES, encoding: 'binary', keyEncoding: 'binary' } as const;

/** Data sub-databases' write methods, counted so a command's log entry is only written when it changed something. */
const MUTATORS = ['putSync', 'removeSync', 'clearSync'] as const;

export class SlotEnv {
  readonly dbs: Record<SubDbName, Database<Buffer, Buffer>>;
  /** The slot's binlog and its replication meta (storage/binlog.ts); outside `dbs`, so clearing data keeps them. */
  readonly binlog: Database<Buffer, Buffer>;
  readonly meta: Database<Buffer, Buffer>;
  /** Writes to data sub-databases since the environment was opened. */
  mutations = 0;
  /** Binlog entries appended by this thread since opened. */
  appended = 0;
  /** Cached term and last offset; null when it must be read again (storage/binlog.ts). */
  logState: LogState | null = null;
  dirty = false;
  /** A file was created in `dir` (reclaim's marker): sync() makes its directory entry durable too. */
  dirSyncPending = false;
  /** LRU clock value of the last use, and its wall time for idle closing. */
  lastUsed = 0;
  lastUsedAt = 0;
  private txnDepth = 0;
  /** Rank-tree nodes the open write transaction changed, written back before it commits. */
  private readonly trees = new TreeCache();

  constructor(
    readonly table: number,
    readonly slot: number,
    /** The environment's directory. */
    readonly dir: string,
    readonly root: RootDatabase<Buffer, Buffer>,
    /** Called when a dropped collection is queued here, so the store's worker reclaims it. */
    readonly onGarbage: () => void = () => {},
    /** Called when a write transaction here failed: whatever it appended was never committed. */
    readonly onAbort: () => void = () => {},
  ) {
    const dbs = {} as Record<SubDbName, Database<Buffer, Buffer>>;
    for (const name of SUB_DBS) {
      const db = root.openDB<Buffer, Buffer>(name, { encoding: 'binary', keyEncoding: 'binary' });
      for (const m of MUTATORS) {
        const original = (db[m] as (...a: unknown[]) => unknown).bind(db);
        (db as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
          this.mutations++;
          return original(...a);
        };
      }
      // a cleared sub-database leaves no cached tree node to write back at commit
      const clearSync = db.clearSync.bind(db);
      db.clearSync = (() => {
        this.trees.discard(db);
        return clearSync();
      }) as typeof db.clearSync;
      // every range read (getKeys, getKeysCount and getValues call getRange) first settles
      // the cached trees whose records it could see: copies, drops and DUMP read them so
      const getRange = db.getRange.bind(db);
      db.getRange = ((options?: { start?: Buffer; end?: Buffer; reverse?: boolean }) => {
        this.trees.settleRange(db, options);
        return getRange(options as never);
      }) as typeof db.getRange;
      dbs[name] = db;
    }
    this.dbs = dbs;
    this.binlog = root.openDB<Buffer, Buffer>('binlog', { encoding: 'binary', keyEncoding: 'binary' });
    this.meta = root.openDB<Buffer, Buffer>('replmeta', { encoding: 'binary', keyEncoding: 'binary' });
  }

  /**
   * Runs `fn` in this environment's write transaction, joining one already open. A throw
   * aborts the transaction unless `batch` is set: a worker's per-slot batch is not abortable
   * (25% cheaper commits, native-notes/lmdb-options.md), its commands validate before writing.
   */
  write<T>(fn: () => T, batch = false): T {
    if (this.txnDepth > 0) return fn();
    this.txnDepth++;
    this.trees.active = true;
    try {
      const settled = () => {
        const result = fn();
        this.trees.settle();
        return result;
      };
      const result = this.root.transactionSync(settled, (batch ? TXN_SYNCHRONOUS_COMMIT : TXN_ABORTABLE_SYNCHRONOUS) as never);
      this.dirty = true;
      return result;
    } catch (e) {
      // an aborted or failed transaction leaves the cached log offset ahead of the database
      this.logState = null;
      this.trees.discard();
      this.onAbort();
      throw e;
    } finally {
      this.trees.active = false;
      this.txnDepth--;
    }
  }

  inWrite(): boolean {
    return this.txnDepth > 0;
  }

  /** The rank tree under `prefix` in `db`; inside a write transaction its nodes go through the transaction's cache (TreeCache). */
  tree(db: SubDbName, prefix: Buffer, shape: TreeShape = DEFAULT_SHAPE): CountedTree {
    return new CountedTree(this.dbs[db], prefix, shape, this.trees);
  }

  /** Forces committed data to disk (mdb_env_sync with force). */
  sync(): void {
    if (!this.dirty) return;
    (this.root as unknown as { env: { sync(): void } }).env.sync();
    this.dirty = false;
    if (this.dirSyncPending) {
      this.dirSyncPending = false;
      const fd = fs.openSync(this.dir, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  }

  close(): void {
    this.sync();
    this.root.close();
  }
}

export class SlotStore {
  private open = new Map<number, SlotEnv>();
  /** Slots known to have no environment on disk, so reads of them skip the file system. */
  private absent = new Set<number>();
  private clock = 0;
  /** Wall time as of the current batch (set by the worker), cheaper than Date.now() per access. */
  now = Date.now();
  /**
   * Background reclaim (reclaim.ts) of this store's thread: the slots (table *
   * SLOTS_PER_TABLE_MAX + slot) that may hold queued garbage, whether it is paused (DEBUG
   * RECLAIM), and what it reclaimed so far.
   */
  readonly reclaim = { slots: new Set<number>(), paused: false, records: 0, collections: 0 };
  /** Told of an environment whose write transaction failed (see SlotEnv.onAbort). */
  onAbort: (env: SlotEnv) => void = () => {};

  constructor(readonly dbPath: string, private maxOpen: number, public syncMode: SyncMode) {
    if (maxOpen < 1) throw new Error('max-open-slots must be ≥ 1');
  }

  slotDir(table: number, slot: number): string {
    return path.join(this.dbPath, String(table), String(slot));
  }

  /** The slot's environment; when it has never been written, null unless `create`. */
  env(table: number, slot: number, create: boolean): SlotEnv | null {
    const id = table * SLOTS_PER_TABLE_MAX + slot;
    let env = this.open.get(id);
    if (!env) {
      if (!create && this.absent.has(id)) return null;
      const dir = this.slotDir(table, slot);
      if (!create && !fs.existsSync(path.join(dir, 'data.mdb'))) {
        this.absent.add(id);
        return null;
      }
      this.absent.delete(id);
      fs.mkdirSync(dir, { recursive: true });
      this.evictIfFull();
      // useWritemap halves commit cost; DiskGuard keeps it from meeting a full disk (SIGBUS).
      const root = open<Buffer, Buffer>({ path: dir, ...ENV_OPTIONS } as never);
      const created: SlotEnv = new SlotEnv(table, slot, dir, root, () => this.reclaim.slots.add(id), () => this.onAbort(created));
      env = created;
      this.open.set(id, env);
    }
    env.lastUsed = ++this.clock;
    env.lastUsedAt = this.now;
    return env;
  }

  private evictIfFull(): void {
    while (this.open.size >= this.maxOpen) {
      let victim: [number, SlotEnv] | undefined;
      for (const entry of this.open) {
        if (entry[1].inWrite()) continue;
        if (!victim || entry[1].lastUsed < victim[1].lastUsed) victim = entry;
      }
      if (!victim) return;
      victim[1].close();
      this.open.delete(victim[0]);
    }
  }

  openEnvs(): IterableIterator<SlotEnv> {
    return this.open.values();
  }

  /** Another thread wrote into these slots: drop cached read snapshots and absences. */
  resetReadTxns(): void {
    for (const env of this.open.values()) {
      env.root.resetReadTxn();
      env.logState = null;
    }
    this.absent.clear();
  }

  /** Closes environments unused for `idleMs` (their data is synced first). Returns how many. */
  closeIdle(idleMs: number): number {
    let n = 0;
    for (const [id, env] of this.open) {
      if (env.inWrite() || this.now - env.lastUsedAt < idleMs) continue;
      env.close();
      this.open.delete(id);
      n++;
    }
    return n;
  }

  /** Closes this thread's handle of one slot's environment (before its files are replaced). */
  closeSlot(table: number, slot: number): void {
    const id = table * SLOTS_PER_TABLE_MAX + slot;
    const env = this.open.get(id);
    if (env) {
      env.close();
      this.open.delete(id);
    }
    this.absent.delete(id);
  }

  /** Closes every environment of `table` this thread holds, so its files can be deleted. */
  closeTable(table: number): void {
    for (const [id, env] of this.open) {
      if (env.table !== table) continue;
      env.root.close();
      this.open.delete(id);
    }
    for (const id of this.absent) if (Math.floor(id / SLOTS_PER_TABLE_MAX) === table) this.absent.delete(id);
  }

  openCount(): number {
    return this.open.size;
  }

  /** Slots of `table` that exist on disk. */
  existingSlots(table: number): number[] {
    const dir = path.join(this.dbPath, String(table));
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((d) => /^\d+$/.test(d) && fs.existsSync(path.join(dir, d, 'data.mdb')))
      .map(Number)
      .sort((a, b) => a - b);
  }

  syncDirty(): void {
    for (const env of this.open.values()) env.sync();
  }

  dirtyCount(): number {
    let n = 0;
    for (const env of this.open.values()) if (env.dirty) n++;
    return n;
  }

  closeAll(): void {
    for (const env of this.open.values()) env.close();
    this.open.clear();
  }
}
