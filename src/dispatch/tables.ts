// The node's tables: each a numbered keyspace with its own slot count, password and counters.
// Ids, slot counts and password digests live in <db-path>/tables.json, replaced atomically on
// every change; slot counts are also in a SharedArrayBuffer the workers read per request, so a
// table added at run time reaches them without a message.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CommandError } from '../common/errors';
import { SLOTS_PER_TABLE_MAX, TABLE_ID_MAX } from '../common/limits';
import { logger } from '../common/log';
import type { TableAdmin, TableInfo } from '../commands/types';

const log = logger('M');
const META_FILE = 'tables.json';
const META_VERSION = 1;

interface Table {
  id: number;
  slots: number;
  /** SHA-256 of salt + password; null when the table has none. */
  digest: Buffer | null;
  /** Distinguishes this table from an earlier one of the same id (a grant names it). */
  uid: number;
  commands: number;
  writes: number;
  /** Counters at the last one-second sample, and the rates it measured. */
  seenCommands: number;
  seenWrites: number;
  qps: number;
  writeQps: number;
}

interface MetaFile {
  version: number;
  salt: string;
  tables: { id: number; slots: number; password: string }[];
}

/** What dropping a table needs from the node. */
export interface TableHooks {
  /** Runs `fn` while no other command runs anywhere (Node.exclusive). */
  exclusive(fn: () => Promise<Buffer>): Promise<Buffer>;
  /** Sends an internal command for `table` to every worker and waits for all. */
  everyWorker(table: number, args: Buffer[]): Promise<unknown>;
  /** Passwords a table may not reuse (requirepass, userpass): AUTH could not tell them apart. */
  globalPasswords(): string[];
}

export class Tables implements TableAdmin {
  /** Slot count by table id, 0 where there is no table; shared with every worker. */
  readonly slots = new Int32Array(new SharedArrayBuffer((TABLE_ID_MAX + 1) * 4));
  private byId = new Map<number, Table>();
  private salt: Buffer;
  private nextUid = 1;
  private readonly file: string;

  constructor(private dbPath: string, databases: number, defaultSlots: number, private hooks: TableHooks) {
    this.file = path.join(dbPath, META_FILE);
    const meta = this.read();
    if (meta) {
      this.salt = Buffer.from(meta.salt, 'hex');
      for (const t of meta.tables) this.put(t.id, t.slots, t.password ? Buffer.from(t.password, 'hex') : null);
      if (databases !== meta.tables.length || meta.tables.some((t) => t.slots !== defaultSlots)) {
        log.info(`tables come from ${this.file} (${meta.tables.length} tables); 'databases' and 'default-slot-num' only shape a new db-path`);
      }
      return;
    }
    // a new db-path: the `databases` tables of `default-slot-num` slots, as Redis's SELECT 0..15
    this.salt = crypto.randomBytes(16);
    for (let id = 0; id < databases; id++) this.put(id, defaultSlots, null);
    this.save();
  }

  private read(): MetaFile | null {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    let meta: MetaFile;
    try {
      meta = JSON.parse(text) as MetaFile;
    } catch (e) {
      throw new Error(`${this.file}: ${(e as Error).message}`);
    }
    const valid = meta.version === META_VERSION && typeof meta.salt === 'string' && Array.isArray(meta.tables) &&
      meta.tables.every((t) => validId(t.id) && validSlots(t.slots) && typeof t.password === 'string');
    if (!valid) throw new Error(`${this.file} is not a tables file of version ${META_VERSION}`);
    return meta;
  }

  /** Replaces the file atomically: a crash leaves the old or the new version, never a mix. */
  private save(): void {
    const meta: MetaFile = {
      version: META_VERSION,
      salt: this.salt.toString('hex'),
      tables: this.ids().map((id) => {
        const t = this.byId.get(id)!;
        return { id, slots: t.slots, password: t.digest ? t.digest.toString('hex') : '' };
      }),
    };
    fs.mkdirSync(this.dbPath, { recursive: true });
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, JSON.stringify(meta, null, 1) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    const dir = fs.openSync(this.dbPath, 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  }

  private put(id: number, slots: number, digest: Buffer | null): void {
    this.byId.set(id, { id, slots, digest, uid: this.nextUid++, commands: 0, writes: 0, seenCommands: 0, seenWrites: 0, qps: 0, writeQps: 0 });
    this.slots[id] = slots;
  }

  ids(): number[] {
    return [...this.byId.keys()].sort((a, b) => a - b);
  }

  exists(id: number): boolean {
    return this.byId.has(id);
  }

  slotCount(id: number): number {
    return this.byId.get(id)?.slots ?? 0;
  }

  hasPassword(id: number): boolean {
    return this.byId.get(id)?.digest != null;
  }

  /** Names this incarnation of the table; 0 when there is none. */
  uid(id: number): number {
    return this.byId.get(id)?.uid ?? 0;
  }

  /**
   * The table whose password this is, or -1. Every table's digest is compared, with
   * timingSafeEqual on fixed-length digests, so the time taken says nothing about the password.
   */
  tableOfPassword(password: Buffer): number {
    const d = this.digest(password);
    let found = -1;
    for (const t of this.byId.values()) if (t.digest && crypto.timingSafeEqual(d, t.digest) && found < 0) found = t.id;
    return found;
  }

  private digest(password: Buffer | string): Buffer {
    return crypto.createHash('sha256').update(this.salt).update(password).digest();
  }

  count(id: number, write: boolean): void {
    const t = this.byId.get(id);
    if (!t) return;
    t.commands++;
    if (write) t.writes++;
  }

  /** Called once a second: the rates `pkcluster info table` shows. */
  sampleQps(): void {
    for (const t of this.byId.values()) {
      t.qps = t.commands - t.seenCommands;
      t.writeQps = t.writes - t.seenWrites;
      t.seenCommands = t.commands;
      t.seenWrites = t.writes;
    }
  }

  info(id: number): TableInfo | undefined {
    const t = this.byId.get(id);
    return t && { id, slots: t.slots, commands: t.commands, writes: t.writes, qps: t.qps, writeQps: t.writeQps };
  }

  async add(id: number, slots: number, password: string): Promise<void> {
    if (this.byId.has(id)) throw new CommandError('ERR Internal error: table already exist!');
    this.checkPassword(id, password);
    // files of a table whose deletion a crash interrupted: no table owns them
    const dir = path.join(this.dbPath, String(id));
    if (fs.existsSync(dir)) {
      log.warn(`removing ${dir}: files of a deleted table, found by pkcluster addtable ${id}`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    this.put(id, slots, password ? this.digest(password) : null);
    this.save();
    log.info(`table ${id} added with ${slots} slots${password ? ' and a password' : ''}`);
  }

  async drop(id: number): Promise<void> {
    if (id === 0) throw new CommandError('ERR table 0 is the default table and cannot be deleted');
    if (!this.byId.has(id)) throw new CommandError('ERR Internal error: table not found!');
    await this.hooks.exclusive(async () => {
      if (!this.byId.has(id)) throw new CommandError('ERR Internal error: table not found!');
      // metadata first: a crash after it leaves only files no table owns, which addtable clears
      this.byId.delete(id);
      this.slots[id] = 0;
      this.save();
      await this.hooks.everyWorker(id, [Buffer.from('__droptable')]);
      fs.rmSync(path.join(this.dbPath, String(id)), { recursive: true, force: true });
      return Buffer.alloc(0);
    });
    log.info(`table ${id} deleted with its data`);
  }

  setPassword(id: number, password: string): void {
    const t = this.byId.get(id);
    if (!t) throw new CommandError('ERR Internal error: table not found!');
    this.checkPassword(id, password);
    t.digest = password ? this.digest(password) : null;
    this.save();
    log.info(`table ${id}: password ${password ? 'set' : 'removed'}`);
  }

  /** A table password must name one table alone, or AUTH could not tell which it opens. */
  private checkPassword(id: number, password: string): void {
    if (!password) return;
    const other = this.tableOfPassword(Buffer.from(password));
    if ((other >= 0 && other !== id) || this.hooks.globalPasswords().includes(password)) {
      throw new CommandError('ERR this password is already in use; a table password must differ from every other password');
    }
  }
}

const validId = (id: unknown): id is number => Number.isInteger(id) && (id as number) >= 0 && (id as number) <= TABLE_ID_MAX;
const validSlots = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= SLOTS_PER_TABLE_MAX;
