// The node's replication: which local slots follow which leader (kept in
// <db-path>/replication.json, so a restarted node resumes), the follower links it runs, the
// leader links follower nodes opened to it, and the checks dispatch asks of it.
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { REPL_LAG_SAMPLES, REPL_SEND_BATCH_MS, SLOTS_PER_TABLE_MAX } from '../common/limits';
import { logger } from '../common/log';
import { errorReply } from '../protocol/reply';
import { keysOf } from '../commands/server-family';
import { CommandSpec, QueuedCommand, ReplicationAdmin } from '../commands/types';
import { slotOf } from '../common/crc32';
import { Consensus, Scope } from './consensus';
import { FollowerLink } from './follower';
import { LeaderLink } from './leader';
import { slotId } from './protocol';

const log = logger('repl');
export const ERR_READONLY = errorReply("READONLY You can't write against a read only replica.");
/** Pika's answer to a write when fewer than consensus-level followers stream its slot. */
export const ERR_CONSENSUS = errorReply('ERR Consensus level not match');

export interface ReplicationNode {
  dbPath: string;
  callWorker(worker: number, table: number, args: Buffer[]): Promise<Buffer>;
  workerOfSlot(slot: number): number;
  workerCount(): number;
  slotCount(table: number): number;
  slotDir(table: number, slot: number): string;
  masterauth(): string;
  serveReads(): boolean;
  /** Whether workers hand new binlog entries to main with their appends (while followers stream). */
  pushEntries(on: boolean): void;
  consensusLevel(): number;
  /** Followers acknowledged what some held replies wait for (consistent mode). */
  committed(): void;
}

/** A slot's binlog grew to `index`; `entries` holds the `count` new ones when the worker pushed them, as RESP bulk strings. */
export interface SlotAppends {
  table: number;
  slot: number;
  index: number;
  count: number;
  entries: Buffer;
}

export class Replication implements ReplicationAdmin {
  /** Local slots following a leader: table * SLOTS_PER_TABLE_MAX + slot → leader "host:port". */
  private following = new Map<number, string>();
  private links = new Map<string, FollowerLink>();
  private leaderLinks = new Set<LeaderLink>();
  /** Last binlog index per slot (table * SLOTS_PER_TABLE_MAX + slot) as workers reported it. */
  private lastIndex = new Map<number, number>();
  /** Per slot, when its recent appends committed: [index, ms] pairs, oldest first, at most REPL_LAG_SAMPLES. */
  private appendTimes = new Map<number, [number, number][]>();
  /** Some slot appended since leader links last looked. */
  private appendedSince = false;
  private file: string;
  readonly consensus: Consensus;

  constructor(private node: ReplicationNode) {
    this.file = path.join(node.dbPath, 'replication.json');
    this.consensus = new Consensus({ acks: (id) => this.acks(id) }, () => node.consensusLevel());
  }

  /** The acknowledged index of each follower streaming this slot (table * SLOTS_PER_TABLE_MAX + slot). */
  private acks(id: number): number[] {
    const key = slotId(Math.floor(id / SLOTS_PER_TABLE_MAX), id % SLOTS_PER_TABLE_MAX);
    const out: number[] = [];
    for (const link of this.leaderLinks) {
      const st = link.slots.get(key);
      if (st && st.state === 'streaming') out.push(st.acked);
    }
    return out;
  }

  /** What replication.json names: slot "table:slot" → leader "host:port". */
  static saved(dbPath: string): Record<string, string> {
    const file = path.join(dbPath, 'replication.json');
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>) : {};
  }

  /** The follower slots a restarted node's workers must know before they run an expiry cycle. */
  static savedFollowerIds(dbPath: string): number[] {
    return Object.keys(Replication.saved(dbPath)).map((id) => {
      const [t, s] = id.split(':').map(Number);
      return t * SLOTS_PER_TABLE_MAX + s;
    });
  }

  /** Follows again what replication.json names (a restarted node). */
  async restore(): Promise<void> {
    for (const [id, leader] of Object.entries(Replication.saved(this.node.dbPath))) {
      const [t, s] = id.split(':').map(Number);
      const colon = leader.lastIndexOf(':');
      await this.follow(leader.slice(0, colon), Number(leader.slice(colon + 1)), t, [s], false);
    }
  }

  private save(): void {
    const out: Record<string, string> = {};
    for (const [id, leader] of this.following) out[slotId(Math.floor(id / SLOTS_PER_TABLE_MAX), id % SLOTS_PER_TABLE_MAX)] = leader;
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(out));
    fs.renameSync(tmp, this.file);
  }

  isFollower(table: number, slot: number): boolean {
    return this.following.has(table * SLOTS_PER_TABLE_MAX + slot);
  }

  async follow(host: string, port: number, table: number, slots: number[], force: boolean): Promise<void> {
    const leader = `${host}:${port}`;
    for (const slot of slots) {
      const id = table * SLOTS_PER_TABLE_MAX + slot;
      const old = this.following.get(id);
      if (old === leader && !force) continue;
      if (old) this.links.get(old)?.remove(table, slot);
      this.consensus.forget(id);
      await this.node.callWorker(this.node.workerOfSlot(slot), table, [Buffer.from('__slotrole'), Buffer.from(String(slot)), Buffer.from('follower')]);
      this.following.set(id, leader);
      // nodes that followed this slot here must not take the log it now copies for a leader's
      for (const l of this.leaderLinks) l.drop(table, slot);
      let link = this.links.get(leader);
      if (!link) this.links.set(leader, (link = new FollowerLink(host, port, this.node)));
      link.add(table, slot, force);
    }
    this.dropIdleLinks();
    this.save();
  }

  async lead(table: number, slots: number[]): Promise<void> {
    for (const slot of slots) {
      const id = table * SLOTS_PER_TABLE_MAX + slot;
      const leader = this.following.get(id);
      // an existing leader keeps its term; a follower promoted starts a new one
      if (leader === undefined) continue;
      this.links.get(leader)?.remove(table, slot);
      this.following.delete(id);
      this.consensus.forget(id);
      await this.node.callWorker(this.node.workerOfSlot(slot), table, [Buffer.from('__slotrole'), Buffer.from(String(slot)), Buffer.from('leader')]);
      log.info(`slot ${slotId(table, slot)} is a leader now (was following ${leader})`);
    }
    this.dropIdleLinks();
    this.save();
  }

  private dropIdleLinks(): void {
    for (const [leader, link] of this.links) {
      if (link.slots.size > 0) continue;
      link.stop();
      this.links.delete(leader);
    }
  }

  /** PKSYNC: the connection of a follower node becomes a leader link. */
  acceptLink(socket: net.Socket): void {
    const link = new LeaderLink(socket, {
      callWorker: (w, t, a) => this.node.callWorker(w, t, a),
      workerOfSlot: (s) => this.node.workerOfSlot(s),
      slotCount: (t) => this.node.slotCount(t),
      isFollower: (t, s) => this.isFollower(t, s),
      slotDir: (t, s) => this.node.slotDir(t, s),
      dbPath: this.node.dbPath,
      lastIndex: (t, s) => this.lastIndex.get(t * SLOTS_PER_TABLE_MAX + s),
      acked: (t, s) => {
        if (this.consensus.acked(t * SLOTS_PER_TABLE_MAX + s)) this.node.committed();
      },
      sendBatchMs: () => this.sendBatchMs(),
    }, (l) => {
      this.leaderLinks.delete(l);
      if (this.leaderLinks.size === 0) this.node.pushEntries(false);
    });
    this.leaderLinks.add(link);
    this.node.pushEntries(true);
  }

  /** How long entries gather before a leader link sends them: none while writes wait on acks. */
  private sendBatchMs(): number {
    return this.node.consensusLevel() > 0 ? 0 : REPL_SEND_BATCH_MS;
  }

  /** consensus-level changed: entries gathered so far go now, so no write waits out a batch. */
  consensusLevelChanged(): void {
    for (const l of this.leaderLinks) l.flush();
  }

  /** INFO replication: slots follow leaders one by one, so the node counts its links both ways. */
  summary(): [string, string | number][] {
    return [
      ['role', this.following.size > 0 && this.leaderLinks.size === 0 ? 'slave' : 'master'],
      ['connected_slaves', this.leaderLinks.size],
      ['following_slots', this.following.size],
      ['leaders', new Set(this.following.values()).size],
    ];
  }

  /** A worker committed entries up to `index` in this slot (before the replies of that batch). */
  appended(a: SlotAppends): void {
    const id = a.table * SLOTS_PER_TABLE_MAX + a.slot;
    this.lastIndex.set(id, a.index);
    // a follower slot's entries are its leader's to wait on
    if (!this.following.has(id)) this.consensus.appended(id, a.index);
    if (this.leaderLinks.size > 0) {
      let times = this.appendTimes.get(id);
      if (!times) this.appendTimes.set(id, (times = []));
      if (times.length >= REPL_LAG_SAMPLES) times.shift();
      times.push([a.index, Date.now()]);
    }
    this.appendedSince = true;
    if (a.count > 0) for (const l of this.leaderLinks) l.offer(a.table, a.slot, a.index - a.count + 1, a.count, a.entries);
  }

  /** After worker replies: links read the slots that appended since. */
  pumpAppended(): void {
    if (!this.appendedSince) return;
    this.appendedSince = false;
    for (const l of this.leaderLinks) l.pump();
  }

  /** Whether a client command must be refused here: a write (or, without replica-serve-reads, a read) of a follower slot. */
  refusal(table: number, spec: CommandSpec, args: Buffer[]): Buffer | null {
    if (this.following.size === 0) return null;
    const write = spec.flags.includes('write');
    const keys = keysOf(spec, args);
    const slots = this.node.slotCount(table);
    if (keys.length === 0) {
      // keyless writes (FLUSHDB, FLUSHALL) would reach follower slots too
      return write && [...this.following.keys()].some((id) => spec.allTables || Math.floor(id / SLOTS_PER_TABLE_MAX) === table) ? ERR_READONLY : null;
    }
    for (const key of keys) {
      const slot = slotOf(key, slots);
      const leader = this.following.get(table * SLOTS_PER_TABLE_MAX + slot);
      if (leader === undefined) continue;
      if (write) return ERR_READONLY;
      if (!this.node.serveReads()) return errorReply(`ERR slot ${slot} follows ${leader} and replica-serve-reads is no`);
    }
    return null;
  }

  /**
   * Consistent mode, before a command runs: Pika's refusal (ConsensusCheck) of a write to a slot
   * fewer than consensus-level followers stream, or the slots its reply must wait on (null: none,
   * or not in consistent mode). A write waits on the slots it writes, a read on those it reads, so
   * neither answers with an entry a promoted follower could lack; a keyless command (FLUSHDB,
   * DBSIZE) waits on every slot of its table (FLUSHALL: of every table). EXEC (carriesWrites)
   * waits on what its `queued` commands would, and is refused as one of them would be.
   */
  consensusCheck(table: number, spec: CommandSpec, args: Buffer[], queued?: readonly QueuedCommand[]): Buffer | Scope | null {
    const k = this.node.consensusLevel();
    if (k === 0) return null;
    if (spec.carriesWrites) return queued ? this.queueCheck(table, queued) : 'all';
    const write = spec.flags.includes('write');
    if (!write && !spec.flags.includes('readonly')) return null;
    const keys = keysOf(spec, args);
    const slots = this.node.slotCount(table);
    if (keys.length === 0) {
      // a keyless write (FLUSHDB) is refused when any slot of its table lacks followers
      if (write) for (let s = 0; s < slots; s++) if (this.acks(table * SLOTS_PER_TABLE_MAX + s).length < k) return ERR_CONSENSUS;
      return spec.allTables ? 'all' : { tables: [table] };
    }
    const tables = spec.crossTable ? [table, spec.targetTable?.(args) ?? table] : [table];
    const ids: number[] = [];
    for (const t of tables) {
      const n = this.node.slotCount(t);
      // a bad target table fails when the command runs
      if (n === 0) continue;
      for (const key of keys) {
        const id = t * SLOTS_PER_TABLE_MAX + slotOf(key, n);
        if (write && this.acks(id).length < k) return ERR_CONSENSUS;
        ids.push(id);
      }
    }
    return { ids };
  }

  /**
   * EXEC's check: the union of its queued commands' scopes, or the first refusal among them (a
   * slot that lost its followers since the command was queued: nothing runs). Commands queued
   * after one that may change the table (SELECT) run in a table not known yet: every slot.
   */
  private queueCheck(table: number, queued: readonly QueuedCommand[]): Buffer | Scope | null {
    if (queued.some((q) => q.spec.selectsTable)) return 'all';
    const ids = new Set<number>();
    const tables = new Set<number>();
    for (const q of queued) {
      const c = this.consensusCheck(table, q.spec, q.args);
      if (c === null) continue;
      if (Buffer.isBuffer(c) || c === 'all') return c;
      for (const id of c.ids ?? []) ids.add(id);
      for (const t of c.tables ?? []) tables.add(t);
    }
    return ids.size + tables.size > 0 ? { ids: [...ids], tables: [...tables] } : null;
  }

  slotInfo(table: number, slot: number, offset: string): { role: string; lines: string[] } {
    const leader = this.following.get(table * SLOTS_PER_TABLE_MAX + slot);
    if (leader !== undefined) {
      const st = this.links.get(leader)?.slots.get(slotId(table, slot));
      return { role: 'Slave', lines: [`master: ${leader}`, `repl_state: ${st?.state ?? 'connecting'}`] };
    }
    const lines: string[] = [];
    const last = Number(offset.split(':')[1] ?? 0);
    for (const link of this.leaderLinks) {
      const st = link.slots.get(slotId(table, slot));
      if (st) lines.push(`slave[${lines.length}]: ${link.addr} state=${st.state} acked=${st.acked} lag=${Math.max(0, last - st.acked)} lag_ms=${this.lagMs(table * SLOTS_PER_TABLE_MAX + slot, st.acked, last)} send_batch_ms=${this.sendBatchMs()}`);
    }
    return { role: 'Master', lines: [`connected_slaves: ${lines.length}`, ...lines] };
  }

  /**
   * How long ago the oldest entry a follower lacks committed here: 0 when it has everything; at
   * least the age of the oldest sample when it lacks more than the samples cover.
   */
  private lagMs(id: number, acked: number, last: number): number {
    if (acked >= last) return 0;
    const times = this.appendTimes.get(id);
    if (!times || times.length === 0) return 0;
    // the first batch that took the log past `acked` holds its oldest missing entry
    const missing = times.find(([index]) => index > acked);
    return missing ? Date.now() - missing[1] : 0;
  }

  stop(): void {
    for (const l of this.links.values()) l.stop();
    for (const l of this.leaderLinks) l.close('shutdown');
  }
}
