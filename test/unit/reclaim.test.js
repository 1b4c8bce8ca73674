// storage/reclaim.ts against real LMDB environments in a temp dir: collection ids, inline drops
// of small collections, the garbage queue and its bounded steps, the marker file.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { test } = require('uvu');
const assert = require('uvu/assert');
const { SlotStore } = require('../../dist/storage/slot-store');
const rc = require('../../dist/storage/reclaim');
const { RECLAIM_INLINE_MAX_RECORDS, SLOTS_PER_TABLE_MAX } = require('../../dist/common/limits');

let dir;
let stores = [];
function newStore() {
  const s = new SlotStore(dir, 8, 'no');
  stores.push(s);
  return s;
}

test.before.each(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pika-reclaim-test-'));
  stores = [];
});
test.after.each(() => {
  for (const s of stores) s.closeAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A collection of `n` records in `db`: its id. */
function collection(env, db, n) {
  return env.write(() => {
    const id = rc.allocateId(env, db);
    for (let i = 0; i < n; i++) env.dbs[db].putSync(Buffer.concat([id, Buffer.from(`m${i}`)]), Buffer.of(0));
    return id;
  });
}

const records = (env, db, id) => env.dbs[db].getKeys({ start: id, end: Buffer.concat([id, Buffer.of(0xff)]) }).asArray.length;
const marker = (env) => fs.existsSync(path.join(env.dir, rc.RECLAIM_MARKER));
const drop = (env, db, id, n) => env.write(() => rc.dropCollection(env, db, id, n));

test('ids grow per sub-database and are not reused after clearMembers (FLUSHDB)', () => {
  const env = newStore().env(0, 0, true);
  const a = collection(env, 'hashes', 3);
  const b = collection(env, 'hashes', 3);
  const s = collection(env, 'sets', 1);
  assert.is(a.readBigUInt64BE(0), 1n);
  assert.is(b.readBigUInt64BE(0), 2n);
  assert.is(s.readBigUInt64BE(0), 1n);
  env.write(() => rc.clearMembers(env));
  assert.is(records(env, 'hashes', a) + records(env, 'hashes', b) + records(env, 'sets', s), 0);
  assert.is(collection(env, 'hashes', 1).readBigUInt64BE(0), 3n);
  assert.is(collection(env, 'sets', 1).readBigUInt64BE(0), 2n);
});

test('a small collection is dropped inline; a big one is queued with a marker and its store notified', () => {
  const store = newStore();
  const env = store.env(0, 5, true);
  const small = collection(env, 'sets', RECLAIM_INLINE_MAX_RECORDS);
  const big = collection(env, 'sets', RECLAIM_INLINE_MAX_RECORDS + 1);
  drop(env, 'sets', small, RECLAIM_INLINE_MAX_RECORDS);
  assert.is(records(env, 'sets', small), 0);
  assert.is(marker(env), false);
  assert.equal(rc.pendingGarbage(env), { collections: 0, records: 0 });

  drop(env, 'sets', big, RECLAIM_INLINE_MAX_RECORDS + 1);
  assert.is(records(env, 'sets', big), RECLAIM_INLINE_MAX_RECORDS + 1, 'members stay until reclaimed');
  assert.is(marker(env), true);
  assert.equal(rc.pendingGarbage(env), { collections: 1, records: RECLAIM_INLINE_MAX_RECORDS + 1 });
  assert.equal([...store.reclaim.slots], [5]);
});

test('reclaimStep deletes at most its budget, spares live collections, and removes the marker when done', () => {
  const env = newStore().env(0, 0, true);
  const live1 = collection(env, 'zsets', 700);
  const dead = collection(env, 'zsets', 2500);
  const live2 = collection(env, 'zsets', 700);
  const deadList = collection(env, 'lists', 600);
  drop(env, 'zsets', dead, 2500);
  drop(env, 'lists', deadList, 600);
  assert.equal(rc.pendingGarbage(env), { collections: 2, records: 3100 });

  // queue order is sub-database, then id: the list goes first
  let step = rc.reclaimStep(env, 1000, Infinity);
  assert.equal(step, { records: 1000, collections: 1, empty: false });
  assert.is(records(env, 'lists', deadList), 0);
  assert.is(records(env, 'zsets', dead), 2100);
  assert.equal(rc.pendingGarbage(env), { collections: 1, records: 2100 });

  step = rc.reclaimStep(env, 2000, Infinity);
  assert.equal(step, { records: 2000, collections: 0, empty: false });
  step = rc.reclaimStep(env, 2000, Infinity);
  assert.equal(step, { records: 100, collections: 1, empty: true });
  assert.is(marker(env), false);
  assert.equal(rc.pendingGarbage(env), { collections: 0, records: 0 });
  assert.is(records(env, 'zsets', live1), 700);
  assert.is(records(env, 'zsets', live2), 700);
});

test('reclaimPass works through the store slot by slot within its budget, and not while paused', () => {
  const store = newStore();
  const envs = [store.env(0, 1, true), store.env(2, 7, true)];
  for (const env of envs) drop(env, 'hashes', collection(env, 'hashes', 1000), 1000);
  assert.equal([...store.reclaim.slots].sort((a, b) => a - b), [1, 2 * SLOTS_PER_TABLE_MAX + 7]);
  store.reclaim.paused = true;
  assert.is(rc.reclaimPass(store, 10_000, 1000), false);
  assert.is(store.reclaim.records, 0);
  store.reclaim.paused = false;
  assert.is(rc.reclaimPass(store, 1500, 1000), true);
  assert.is(store.reclaim.records, 1500);
  assert.is(store.reclaim.collections, 1);
  assert.is(rc.reclaimPass(store, 1500, 1000), false);
  assert.is(store.reclaim.records, 2000);
  assert.is(store.reclaim.collections, 2);
  assert.is(store.reclaim.slots.size, 0);
});

test('a restarted store finds the slots with queued garbage through their markers, only those it owns', () => {
  const first = newStore();
  for (const slot of [2, 3, 4]) {
    const env = first.env(1, slot, true);
    const id = collection(env, 'sets', 600);
    if (slot !== 4) drop(env, 'sets', id, 600);
  }
  first.closeAll();
  const again = newStore();
  rc.findQueuedGarbage(again, 3, (slot) => slot % 2 === 0);
  assert.equal([...again.reclaim.slots], [SLOTS_PER_TABLE_MAX + 2]);
  rc.findQueuedGarbage(again, 3, (slot) => slot % 2 === 1);
  assert.equal([...again.reclaim.slots].sort((a, b) => a - b), [SLOTS_PER_TABLE_MAX + 2, SLOTS_PER_TABLE_MAX + 3]);
  assert.is(rc.reclaimPass(again, 10_000, 1000), false);
  assert.is(again.reclaim.records, 1200);
});

test('a slot file that arrives whole (a full sync) has its queued garbage marked and scheduled', () => {
  const s = newStore();
  const env = s.env(0, 3, true);
  const id = collection(env, 'sets', RECLAIM_INLINE_MAX_RECORDS + 10);
  drop(env, 'sets', id, RECLAIM_INLINE_MAX_RECORDS + 10);
  env.sync();
  // the snapshot is the data file alone: no marker comes with it
  const other = newStore();
  fs.mkdirSync(other.slotDir(1, 3), { recursive: true });
  fs.copyFileSync(path.join(env.dir, 'data.mdb'), path.join(other.slotDir(1, 3), 'data.mdb'));
  const copy = other.env(1, 3, false);
  assert.not.ok(marker(copy));
  rc.adoptQueuedGarbage(copy);
  assert.ok(marker(copy));
  assert.ok(other.reclaim.slots.has(1 * SLOTS_PER_TABLE_MAX + 3));
  // nothing queued: nothing marked
  const empty = other.env(1, 4, true);
  rc.adoptQueuedGarbage(empty);
  assert.not.ok(marker(empty));
  assert.not.ok(other.reclaim.slots.has(1 * SLOTS_PER_TABLE_MAX + 4));
});

test('clearMembers drops queued garbage and its marker with the members', () => {
  const env = newStore().env(0, 0, true);
  drop(env, 'hashes', collection(env, 'hashes', 800), 800);
  assert.is(marker(env), true);
  env.write(() => rc.clearMembers(env));
  assert.is(marker(env), false);
  assert.equal(rc.pendingGarbage(env), { collections: 0, records: 0 });
  assert.equal(rc.reclaimStep(env, 100, Infinity), { records: 0, collections: 0, empty: true });
});

test.run();
