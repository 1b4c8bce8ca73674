// Collection ids, and the reclaim of dropped collections' member records, after Pika
// blackwidow's versions: DEL, overwrite or expiry of a big collection removes only its
// directory record and queues its id in the `garbage` sub-database, in the same transaction;
// the worker deletes the members in bounded passes between batches (worker-thread.ts), so the
// command is O(1) whatever the collection's size. Small ones are dropped inline.
//
// Ids come from a counter per member sub-database that is never reset, not even by FLUSHDB, so
// a queued id can never name a live collection.
//
// Garbage record: [u8 member sub-db's index in SUB_DBS][u64 BE collection id]
//              → [f64 records queued][f64 records left, an estimate][f64 queued at, ms]
// A slot with queued garbage has the marker file RECLAIM_MARKER in its directory, so a
// restarted worker finds what to reclaim without opening every environment. The marker is
// created and removed only inside the slot's write transaction, which every thread takes in
// turn, so queued garbage always has its marker (a marker without garbage is harmless).
import * as fs from 'fs';
import * as path from 'path';
import { RECLAIM_CHUNK_RECORDS, RECLAIM_INLINE_MAX_RECORDS, RECLAIM_LOG_MIN_RECORDS, SLOTS_PER_TABLE_MAX } from '../common/limits';
import { logger } from '../common/log';
import { MEMBER_DBS, MemberDbName, SlotEnv, SlotStore, SUB_DBS } from './slot-store';

const ID_BYTES = 8;
/** The counter record of a member sub-database: id 0, which no collection gets. */
const COUNTER_KEY = Buffer.alloc(ID_BYTES);
const VALUE_BYTES = 24;
export const RECLAIM_MARKER = 'reclaim.pending';
const log = logger('reclaim');

/** A fresh collection id for `db`, never handed out before in this slot. Inside env.write. */
export function allocateId(env: SlotEnv, db: MemberDbName): Buffer {
  const raw = env.dbs[db].getBinaryFast(COUNTER_KEY);
  const next = raw ? Buffer.from(raw.buffer, raw.byteOffset, raw.length).readBigUInt64BE(0) + 1n : 1n;
  const id = Buffer.allocUnsafe(ID_BYTES);
  id.writeBigUInt64BE(next, 0);
  env.dbs[db].putSync(COUNTER_KEY, id);
  return id;
}

/** The first key after every record of collection `id`. */
function idEnd(id: Buffer): Buffer {
  const end = Buffer.from(id);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] === 0xff) end[i] = 0;
    else {
      end[i]++;
      return end;
    }
  }
  return Buffer.alloc(ID_BYTES + 1, 0xff);
}

/**
 * Deletes up to `max` member records of collection `id`, stopping early once `deadline` (ms)
 * has passed; returns how many, and whether none are left. Inside env.write.
 */
function deleteMembers(env: SlotEnv, db: MemberDbName, id: Buffer, max: number, deadline = Infinity): { n: number; done: boolean } {
  const end = idEnd(id);
  let n = 0;
  while (n < max) {
    const want = Math.min(RECLAIM_CHUNK_RECORDS, max - n);
    const keys: Buffer[] = [];
    for (const k of env.dbs[db].getKeys({ start: id, end, limit: want }) as Iterable<Buffer>) keys.push(Buffer.from(k));
    for (const k of keys) env.dbs[db].removeSync(k);
    n += keys.length;
    if (keys.length < want) return { n, done: true };
    if (Date.now() > deadline) break;
  }
  return { n, done: false };
}

/**
 * Gets rid of the members of a collection whose directory record is going away: inline when
 * it has at most RECLAIM_INLINE_MAX_RECORDS records, else queued. Inside env.write.
 */
export function dropCollection(env: SlotEnv, db: MemberDbName, id: Buffer, records: number): void {
  if (records <= RECLAIM_INLINE_MAX_RECORDS) {
    deleteMembers(env, db, id, Infinity);
    return;
  }
  const value = Buffer.allocUnsafe(VALUE_BYTES);
  value.writeDoubleLE(records, 0);
  value.writeDoubleLE(records, 8);
  value.writeDoubleLE(Date.now(), 16);
  env.dbs.garbage.putSync(Buffer.concat([Buffer.of(SUB_DBS.indexOf(db)), id]), value);
  markPending(env);
  env.onGarbage();
  if (records >= RECLAIM_LOG_MIN_RECORDS) log.info(`${where(env, db, id)}: ${records} records queued for reclaim`);
}

const where = (env: SlotEnv, db: string, id: Buffer) => `${db} collection ${id.readBigUInt64BE(0)} of slot ${env.table}/${env.slot}`;

/**
 * Empties the member sub-databases and the garbage queue (FLUSHDB), keeping the id counters.
 * LMDB's drop frees whole pages without visiting records (a few ms for millions of members,
 * native-notes/storage-layout.md), so nothing needs queueing. Inside env.write.
 */
export function clearMembers(env: SlotEnv): void {
  for (const db of MEMBER_DBS) {
    const raw = env.dbs[db].getBinaryFast(COUNTER_KEY);
    const counter = raw ? Buffer.from(Buffer.from(raw.buffer, raw.byteOffset, raw.length)) : undefined;
    env.dbs[db].clearSync();
    if (counter) env.dbs[db].putSync(COUNTER_KEY, counter);
  }
  env.dbs.garbage.clearSync();
  unmarkPending(env);
}

/** What a slot has queued: collections and (estimated) member records left. */
export function pendingGarbage(env: SlotEnv): { collections: number; records: number } {
  // another worker may have written this slot since this thread's read snapshot was taken
  if (!env.inWrite()) env.root.resetReadTxn();
  let collections = 0;
  let records = 0;
  for (const { value } of env.dbs.garbage.getRange({}) as Iterable<{ value: Uint8Array }>) {
    collections++;
    records += Buffer.from(value.buffer, value.byteOffset, value.length).readDoubleLE(8);
  }
  return { collections, records };
}

interface Step {
  records: number;
  collections: number;
  /** Nothing is queued in the slot any more. */
  empty: boolean;
}

/**
 * Deletes up to `maxRecords` queued member records of a slot, oldest ids first, stopping at
 * `deadline` (ms) between collections. One write transaction.
 */
export function reclaimStep(env: SlotEnv, maxRecords: number, deadline: number): Step {
  return env.write(() => {
    const step: Step = { records: 0, collections: 0, empty: false };
    const garbage = env.dbs.garbage;
    // each queued collection has more than RECLAIM_INLINE_MAX_RECORDS records, so this many
    // entries cover the budget (one more for an estimate that ran high)
    const limit = Math.ceil(maxRecords / RECLAIM_INLINE_MAX_RECORDS) + 1;
    const entries: { key: Buffer; value: Buffer }[] = [];
    for (const { key, value } of garbage.getRange({ limit }) as Iterable<{ key: Buffer; value: Uint8Array }>) {
      entries.push({ key: Buffer.from(key), value: Buffer.from(value) });
    }
    for (const { key, value } of entries) {
      const db = SUB_DBS[key[0]] as MemberDbName;
      const id = key.subarray(1);
      const { n, done } = deleteMembers(env, db, id, maxRecords - step.records, deadline);
      step.records += n;
      if (done) {
        garbage.removeSync(key);
        step.collections++;
        const total = value.readDoubleLE(0);
        if (total >= RECLAIM_LOG_MIN_RECORDS) log.info(`${where(env, db, id)}: ${total} records reclaimed in ${((Date.now() - value.readDoubleLE(16)) / 1000).toFixed(1)} s`);
      } else {
        value.writeDoubleLE(Math.max(0, value.readDoubleLE(8) - n), 8);
        garbage.putSync(key, value);
      }
      if (step.records >= maxRecords || Date.now() > deadline) break;
    }
    if (isEmpty(env)) {
      unmarkPending(env);
      step.empty = true;
    }
    return step;
  });
}

/**
 * One background pass over the slots with queued garbage, within `maxRecords` and `budgetMs`.
 * Returns whether any slot still has garbage queued.
 */
export function reclaimPass(store: SlotStore, maxRecords: number, budgetMs: number): boolean {
  const state = store.reclaim;
  if (state.paused) return false;
  const deadline = Date.now() + budgetMs;
  let left = maxRecords;
  for (const key of state.slots) {
    const env = store.env(Math.floor(key / SLOTS_PER_TABLE_MAX), key % SLOTS_PER_TABLE_MAX, false);
    if (!env) {
      state.slots.delete(key);
      continue;
    }
    try {
      const step = reclaimStep(env, left, deadline);
      state.records += step.records;
      state.collections += step.collections;
      left -= step.records;
      if (step.empty) state.slots.delete(key);
    } catch (e) {
      // its marker stays: the next start tries again
      log.warn(`reclaim in slot ${env.table}/${env.slot} failed (${(e as Error).message}); left until restart`);
      state.slots.delete(key);
    }
    if (left <= 0 || Date.now() > deadline) break;
  }
  return state.slots.size > 0;
}

/** Adds the slots of `tables` that `owns` and that have garbage queued to the store's reclaim set. */
export function findQueuedGarbage(store: SlotStore, tables: number, owns: (slot: number) => boolean): void {
  for (let t = 0; t < tables; t++) {
    for (const s of store.existingSlots(t)) {
      if (owns(s) && fs.existsSync(path.join(store.slotDir(t, s), RECLAIM_MARKER))) store.reclaim.slots.add(t * SLOTS_PER_TABLE_MAX + s);
    }
  }
}

/**
 * A slot environment that arrived whole (a replication full sync copies the leader's file,
 * garbage queue included, but not its marker): marks and schedules what it has queued.
 */
export function adoptQueuedGarbage(env: SlotEnv): void {
  if (isEmpty(env)) return;
  markPending(env);
  env.onGarbage();
}

function isEmpty(env: SlotEnv): boolean {
  for (const _ of env.dbs.garbage.getKeys({ limit: 1 })) return false;
  return true;
}

function markPending(env: SlotEnv): void {
  const marker = path.join(env.dir, RECLAIM_MARKER);
  if (fs.existsSync(marker)) return;
  fs.writeFileSync(marker, '');
  // its directory entry reaches the disk with the queue it announces, at the env's next sync
  env.dirSyncPending = true;
}

function unmarkPending(env: SlotEnv): void {
  fs.rmSync(path.join(env.dir, RECLAIM_MARKER), { force: true });
}
