// storage/slot-store.ts + storage/keyspace.ts against real LMDB environments in a temp dir.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { test } = require('uvu');
const assert = require('uvu/assert');
const { SlotStore, SUB_DBS } = require('../../dist/storage/slot-store');
const ks = require('../../dist/storage/keyspace');
const { encodeMeta } = require('../../dist/types/collection');
const { DIRECT_KEY_MAX_BYTES, LMDB_MAX_KEY_BYTES } = require('../../dist/common/limits');

const { KeyType } = ks;
const b = (s) => Buffer.from(s);

let dir;
let stores = [];
function newStore(maxOpen = 8) {
  const s = new SlotStore(dir, maxOpen, 'no');
  stores.push(s);
  return s;
}

test.before.each(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pika-keyspace-test-'));
  stores = [];
});
test.after.each(() => {
  for (const s of stores) s.closeAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

function put(env, key, value, expireAt = 0, type = KeyType.String) {
  env.write(() => ks.store(env, key, type, expireAt, value));
}

/** All live keys of a slot as latin1 strings, via scanKeys in pages of `page`. */
function scanAll(env, now, page = 1000) {
  const out = [];
  let cursor = null;
  for (;;) {
    const last = ks.scanKeys(env, cursor, page, now, (key, type) => out.push([key.toString('latin1'), type]));
    if (last === null) break;
    cursor = last;
  }
  return out;
}

test('a slot that was never written has no environment unless created', () => {
  const s = newStore();
  assert.is(s.env(0, 3, false), null);
  assert.is(s.openCount(), 0);
  assert.is(ks.lookup(null, b('k'), 0), null);
  assert.is(ks.remove(null, b('k'), 0), false);
  assert.is(ks.setExpire(null, b('k'), 5, 0), false);
  const env = s.env(0, 3, true);
  assert.ok(env);
  assert.is(env.table, 0);
  assert.is(env.slot, 3);
  assert.is(s.env(0, 3, false), env, 'the open environment is reused');
  assert.equal(Object.keys(env.dbs).sort(), [...SUB_DBS].sort());
});

test('store, lookup, lookupString, remove', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  const now = 1_000_000;
  put(env, b('k1'), b('v1'));
  put(env, b('k2'), Buffer.from([0, 1, 2, 255]));
  put(env, b('h'), b('meta'), 0, KeyType.Hash);

  const r = ks.lookup(env, b('k1'), now);
  assert.equal({ ...r, payload: r.payload.toString() }, { type: KeyType.String, expireAt: 0, payload: 'v1' });
  assert.ok(ks.lookup(env, b('k2'), now).payload.equals(Buffer.from([0, 1, 2, 255])));
  assert.is(ks.lookup(env, b('nope'), now), null);

  assert.is(ks.lookupString(env, b('k1'), now).toString(), 'v1');
  assert.is(ks.lookupString(env, b('h'), now), null, 'another type gives null');
  assert.is(ks.lookupString(env, b('nope'), now), undefined);
  assert.is(ks.lookup(env, b('h'), now).type, KeyType.Hash);
  assert.is(ks.TYPE_NAMES[KeyType.Hash], 'hash');

  // overwrite, also with another type
  put(env, b('k1'), b('v1-new'));
  assert.is(ks.lookupString(env, b('k1'), now).toString(), 'v1-new');
  // a collection meta ([u64 id][u64 count]): sets have a member locator once types/set is loaded
  const setMeta = Buffer.alloc(17);
  setMeta.writeBigUInt64BE(77n, 0);
  put(env, b('k1'), setMeta, 0, KeyType.Set);
  assert.is(ks.lookup(env, b('k1'), now).type, KeyType.Set);
  assert.is(ks.countKeys(env), 3);

  assert.is(ks.remove(env, b('k1'), now), true);
  assert.is(ks.lookup(env, b('k1'), now), null);
  assert.is(ks.remove(env, b('k1'), now), false);
  assert.is(ks.countKeys(env), 2);
});

test('a collection meta equal to the stored one is not written again; a string always is', () => {
  const env = newStore().env(0, 0, true);
  const later = Date.now() + 60_000;
  const store = (value, expireAt, type = KeyType.Hash, unlessEqual = true) => env.write(() => ks.store(env, b('k'), type, expireAt, value, unlessEqual));
  // a meta as collections write it: collection id, member count (no members stored here)
  const meta = (count) => encodeMeta({ id: Buffer.alloc(8, 7), count, extra: Buffer.alloc(0) });
  store(meta(1), later);
  let before = env.mutations;
  store(meta(1), later);
  assert.is(env.mutations, before, 'equal record: no write');
  for (const [count, expireAt, type] of [[2, later], [2, later + 1], [2, 0], [2, 0, KeyType.Set]]) {
    before = env.mutations;
    store(meta(count), expireAt, type);
    assert.ok(env.mutations > before, `changed to count ${count}, expiry ${expireAt}, type ${type ?? KeyType.Hash}: written`);
  }
  assert.is(ks.lookup(env, b('k'), Date.now()).type, KeyType.Set);
  put(env, b('s'), b('v'));
  before = env.mutations;
  put(env, b('s'), b('v'));
  assert.ok(env.mutations > before, 'SET of the same value writes (and so is logged), as Redis propagates it');
});

test('lookup returns a copy of the payload', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  put(env, b('k'), b('original'));
  const r = ks.lookup(env, b('k'), 0);
  put(env, b('k'), b('replaced'));
  assert.is(r.payload.toString(), 'original');
});

test('expiry hides a key at and after its time; remove of an expired key reports false', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  put(env, b('temp'), b('v'), 5000);
  put(env, b('perm'), b('p'));
  assert.is(ks.lookup(env, b('temp'), 4999).expireAt, 5000);
  assert.is(ks.lookupString(env, b('temp'), 4999).toString(), 'v');
  assert.is(ks.lookup(env, b('temp'), 5001), null);
  assert.is(ks.lookupString(env, b('temp'), 5001), undefined);
  assert.ok(ks.lookup(env, b('perm'), 1e15));
  // scan hides it too
  assert.equal(scanAll(env, 4999).map(([k]) => k), ['perm', 'temp']);
  assert.equal(scanAll(env, 6000).map(([k]) => k), ['perm']);
  // the record is still there until reclaimed
  assert.is(ks.countKeys(env), 2);
  assert.is(ks.remove(env, b('temp'), 6000), false);
  assert.is(ks.countKeys(env), 1);
  assert.is(ks.countExpires(env), 0);
});

test('expiry boundary: a key is still live at exactly its expireAt (Redis expires when now > when)', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  put(env, b('edge'), b('v'), 5000);
  assert.ok(ks.lookup(env, b('edge'), 5000), 'live at now === expireAt');
  assert.is(ks.lookupString(env, b('edge'), 5000).toString(), 'v');
  assert.equal(scanAll(env, 5000).map(([k]) => k), ['edge']);
  assert.is(ks.reclaimExpired(env, 5000, 10, 1000), 0);
  assert.is(ks.lookup(env, b('edge'), 5001), null);
  assert.is(ks.reclaimExpired(env, 5001, 10, 1000), 1);
});

test('setExpire changes and clears the expiry and keeps one index entry', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  put(env, b('k'), b('v'));
  assert.is(ks.countExpires(env), 0);
  assert.is(ks.setExpire(env, b('k'), 1000, 0), true);
  assert.is(ks.countExpires(env), 1);
  assert.is(ks.setExpire(env, b('k'), 2000, 0), true);
  assert.is(ks.countExpires(env), 1);
  assert.is(ks.lookup(env, b('k'), 1500).payload.toString(), 'v');
  assert.is(ks.setExpire(env, b('k'), 0, 0), true);
  assert.is(ks.countExpires(env), 0);
  assert.ok(ks.lookup(env, b('k'), 1e12));
  assert.is(ks.setExpire(env, b('missing'), 10, 0), false);
  // overwriting with a new value and no expiry drops the old index entry (SET without KEEPTTL)
  ks.setExpire(env, b('k'), 3000, 0);
  put(env, b('k'), b('v2'), 0);
  assert.is(ks.countExpires(env), 0);
  assert.ok(ks.lookup(env, b('k'), 5000));
});

test('reclaimExpired removes expired keys and their index entries only', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  for (let i = 0; i < 10; i++) put(env, b(`dead${i}`), b('x'), 1000 + i);
  put(env, b('later'), b('x'), 50_000);
  put(env, b('forever'), b('x'));
  assert.is(ks.countExpires(env), 11);
  assert.is(ks.countKeys(env), 12);

  assert.is(ks.reclaimExpired(env, 500, 100, 1000), 0, 'nothing expired yet');
  assert.is(ks.reclaimExpired(env, 2000, 4, 1000), 4, 'bounded by maxKeys');
  assert.is(ks.reclaimExpired(env, 2000, 100, 1000), 6);
  assert.is(ks.reclaimExpired(env, 2000, 100, 1000), 0);
  assert.is(ks.countKeys(env), 2);
  assert.is(ks.countExpires(env), 1);
  for (let i = 0; i < 10; i++) assert.is(ks.lookup(env, b(`dead${i}`), 0), null, 'gone even for an earlier clock');
  assert.ok(ks.lookup(env, b('later'), 2000));
  assert.ok(ks.lookup(env, b('forever'), 2000));
});

test('reclaimExpired ignores stale index entries of keys whose expiry moved', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  put(env, b('k'), b('v'), 1000);
  ks.setExpire(env, b('k'), 100_000, 0);
  assert.is(ks.reclaimExpired(env, 2000, 100, 1000), 0);
  assert.ok(ks.lookup(env, b('k'), 2000));
  assert.is(ks.reclaimExpired(env, 200_000, 100, 1000), 1);
  assert.is(ks.lookup(env, b('k'), 0), null);
  assert.is(ks.countExpires(env), 0);
});

test('a 5000-byte key round-trips and scanKeys returns it whole', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  const long = Buffer.alloc(5000);
  for (let i = 0; i < long.length; i++) long[i] = 97 + (i % 26);
  assert.ok(long.length > LMDB_MAX_KEY_BYTES);
  put(env, long, b('long-value'), 0);
  put(env, b('short'), b('short-value'));
  assert.is(ks.lookupString(env, long, 0).toString(), 'long-value');
  assert.is(ks.lookup(env, long, 0).type, KeyType.String);
  const keys = [];
  ks.scanKeys(env, null, 100, 0, (k) => keys.push(Buffer.from(k)));
  assert.is(keys.length, 2);
  const found = keys.find((k) => k.length === 5000);
  assert.ok(found, 'scan returns the full 5000-byte key');
  assert.ok(found.equals(long));
  assert.ok(keys.some((k) => k.toString() === 'short'));
  // a directory key never exceeds LMDB's limit
  assert.ok(ks.directoryKey(long).length <= LMDB_MAX_KEY_BYTES);
  assert.ok(ks.directoryKey(b('short')).equals(b('short')));
  // randomKey returns the full key too
  for (let i = 0; i < 20; i++) {
    const r = ks.randomKey(env, 0);
    assert.ok(r.equals(long) || r.toString() === 'short');
  }
  assert.is(ks.remove(env, long, 0), true);
  assert.is(ks.lookup(env, long, 0), null);
  assert.is(ks.countKeys(env), 1);
});

test('long keys with an expiry are indexed and reclaimed', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  const long = Buffer.alloc(3000, 'q');
  put(env, long, b('v'), 1234);
  assert.is(ks.countExpires(env), 1);
  assert.ok(ks.lookup(env, long, 1000));
  assert.is(ks.reclaimExpired(env, 2000, 10, 1000), 1);
  assert.is(ks.countKeys(env), 0);
  assert.is(ks.countExpires(env), 0);
});

test('two long keys sharing the first 1900 bytes stay distinct', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  const prefix = Buffer.alloc(DIRECT_KEY_MAX_BYTES, 'p');
  const k1 = Buffer.concat([prefix, b('-first-suffix')]);
  const k2 = Buffer.concat([prefix, b('-second-suffix')]);
  const k3 = Buffer.concat([prefix, Buffer.alloc(3000, 'z')]);
  put(env, k1, b('one'));
  put(env, k2, b('two'));
  put(env, k3, b('three'));
  // a verbatim key equal to the shared prefix is a fourth key
  put(env, prefix, b('prefix'));
  assert.is(ks.countKeys(env), 4);
  assert.is(ks.lookupString(env, k1, 0).toString(), 'one');
  assert.is(ks.lookupString(env, k2, 0).toString(), 'two');
  assert.is(ks.lookupString(env, k3, 0).toString(), 'three');
  assert.is(ks.lookupString(env, prefix, 0).toString(), 'prefix');
  const scanned = [];
  ks.scanKeys(env, null, 100, 0, (k) => scanned.push(Buffer.from(k)));
  assert.is(scanned.length, 4);
  for (const k of [k1, k2, k3, prefix]) assert.ok(scanned.some((x) => x.equals(k)), `scan has the ${k.length}-byte key`);
  assert.is(ks.remove(env, k1, 0), true);
  assert.is(ks.lookup(env, k1, 0), null);
  assert.is(ks.lookupString(env, k2, 0).toString(), 'two');
  assert.is(ks.lookupString(env, prefix, 0).toString(), 'prefix');
});

test('keys at the verbatim/digest boundary', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  const keys = [DIRECT_KEY_MAX_BYTES - 1, DIRECT_KEY_MAX_BYTES, DIRECT_KEY_MAX_BYTES + 1, LMDB_MAX_KEY_BYTES, LMDB_MAX_KEY_BYTES + 1].map((n) => Buffer.alloc(n, 'k'));
  keys.forEach((k, i) => put(env, k, b(`v${i}`), 10_000 + i));
  keys.forEach((k, i) => assert.is(ks.lookupString(env, k, 0).toString(), `v${i}`, `${k.length}-byte key`));
  const lens = [];
  ks.scanKeys(env, null, 100, 0, (k) => lens.push(k.length));
  assert.equal(lens.sort((a, b) => a - b), keys.map((k) => k.length));
  assert.is(ks.reclaimExpired(env, 20_000, 100, 1000), keys.length);
  assert.is(ks.countKeys(env), 0);
});

test('empty key round-trips (Redis allows SET "" value)', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  const empty = Buffer.alloc(0);
  put(env, empty, b('empty-key-value'));
  assert.is(ks.lookupString(env, empty, 0).toString(), 'empty-key-value');
  const keys = [];
  ks.scanKeys(env, null, 10, 0, (k) => keys.push(k.length));
  assert.equal(keys, [0]);
  assert.is(ks.remove(env, empty, 0), true);
  assert.is(ks.lookup(env, empty, 0), null);
});

test('scanKeys pages through keys in order with a cursor', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  const names = [];
  for (let i = 0; i < 57; i++) names.push(`key:${String(i).padStart(3, '0')}`);
  for (const n of names) put(env, b(n), b('v'), n.endsWith('7') ? 100 : 0);
  const live = names.filter((n) => !n.endsWith('7'));
  for (const page of [1, 5, 10, 100]) assert.equal(scanAll(env, 1000, page).map(([k]) => k), live, `page ${page}`);
  assert.equal(scanAll(env, 50).length, 57);
  assert.ok(scanAll(env, 0).every(([, t]) => t === KeyType.String));
});

test('clearAll empties every sub-database of the slot', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  for (let i = 0; i < 20; i++) put(env, b(`k${i}`), b('v'), i % 2 ? 99_999 : 0);
  put(env, Buffer.alloc(4000, 'L'), b('v'), 5);
  assert.is(ks.countKeys(env), 21);
  assert.is(ks.countExpires(env), 11);
  ks.clearAll(env);
  assert.is(ks.countKeys(env), 0);
  assert.is(ks.countExpires(env), 0);
  assert.is(ks.lookup(env, b('k0'), 0), null);
  assert.is(ks.randomKey(env, 0), null);
  assert.equal(scanAll(env, 0), []);
  // usable afterwards
  put(env, b('again'), b('v'));
  assert.is(ks.countKeys(env), 1);
});

test('SlotEnv.write joins an open transaction and rolls back on error', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  assert.is(env.inWrite(), false);
  const r = env.write(() => {
    assert.is(env.inWrite(), true);
    ks.store(env, b('a'), KeyType.String, 0, b('1'));
    return env.write(() => {
      ks.store(env, b('b'), KeyType.String, 0, b('2'));
      return 'inner';
    });
  });
  assert.is(r, 'inner');
  assert.is(env.inWrite(), false);
  assert.is(ks.countKeys(env), 2);
  assert.throws(() =>
    env.write(() => {
      ks.store(env, b('c'), KeyType.String, 0, b('3'));
      throw new Error('abort');
    }),
  /abort/);
  assert.is(env.inWrite(), false);
  assert.is(ks.lookup(env, b('c'), 0), null, 'the failed transaction left nothing');
  assert.ok(env.dirty);
  env.sync();
  assert.is(env.dirty, false);
});

test('env LRU: maxOpen 2 with 3 slots closes the least recently used; data survives reopening', () => {
  const s = newStore(2);
  const e0 = s.env(0, 0, true);
  put(e0, b('in-slot-0'), b('zero'));
  const e1 = s.env(0, 1, true);
  put(e1, b('in-slot-1'), b('one'));
  assert.is(s.openCount(), 2);
  assert.is(s.dirtyCount(), 2);
  // touch slot 0 so slot 1 becomes the least recently used
  assert.is(s.env(0, 0, false), e0);
  const e2 = s.env(0, 2, true);
  put(e2, b('in-slot-2'), b('two'));
  assert.is(s.openCount(), 2);
  const open = [...s.openEnvs()].map((e) => e.slot).sort();
  assert.equal(open, [0, 2], 'slot 1 was evicted');
  assert.is(s.env(0, 0, false), e0, 'slot 0 stayed open');

  // reopening slot 1 (evicting slot 2 now, the least recently used) finds its data
  const e1again = s.env(0, 1, false);
  assert.ok(e1again, 'slot 1 exists on disk');
  assert.is.not(e1again, e1);
  assert.is(ks.lookupString(e1again, b('in-slot-1'), 0).toString(), 'one');
  assert.equal([...s.openEnvs()].map((e) => e.slot).sort(), [0, 1]);
  const e2again = s.env(0, 2, false);
  assert.is(ks.lookupString(e2again, b('in-slot-2'), 0).toString(), 'two');
  assert.is(s.openCount(), 2);
  assert.equal(s.existingSlots(0), [0, 1, 2]);
  assert.equal(s.existingSlots(7), []);

  // everything is still there from a fresh store over the same directory
  s.closeAll();
  assert.is(s.openCount(), 0);
  const s2 = newStore(1);
  for (const [slot, key, val] of [[0, 'in-slot-0', 'zero'], [1, 'in-slot-1', 'one'], [2, 'in-slot-2', 'two']]) {
    const env = s2.env(0, slot, false);
    assert.ok(env);
    assert.is(ks.lookupString(env, b(key), 0).toString(), val);
    assert.is(s2.openCount(), 1);
  }
});

test('env LRU: an environment inside a write transaction is not evicted', () => {
  const s = newStore(1);
  const e0 = s.env(0, 0, true);
  e0.write(() => {
    ks.store(e0, b('x'), KeyType.String, 0, b('y'));
    const e1 = s.env(0, 1, true);
    assert.ok(e1);
    assert.ok([...s.openEnvs()].includes(e0), 'slot 0 still open during its transaction');
  });
  assert.is(ks.lookupString(e0, b('x'), 0).toString(), 'y');
});

test('SlotStore rejects maxOpen < 1 and tables are separate directories', () => {
  assert.throws(() => new SlotStore(dir, 0, 'no'));
  const s = newStore();
  const a = s.env(0, 5, true);
  const c = s.env(1, 5, true);
  assert.is.not(a, c);
  put(a, b('k'), b('table0'));
  put(c, b('k'), b('table1'));
  assert.is(ks.lookupString(a, b('k'), 0).toString(), 'table0');
  assert.is(ks.lookupString(c, b('k'), 0).toString(), 'table1');
  assert.is(s.slotDir(1, 5), path.join(dir, '1', '5'));
});

test('records of 16 MiB and more (lmdb-js returns a plain Uint8Array) read back', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  const big = Buffer.alloc(17 * 1024 * 1024, 'z');
  big.write('head', 0);
  put(env, b('huge'), big, 5000);
  const rec = ks.lookup(env, b('huge'), 1000);
  assert.ok(rec);
  assert.is(rec.expireAt, 5000);
  assert.ok(rec.payload.equals(big));
  assert.ok(ks.lookupString(env, b('huge'), 1000).equals(big));
  assert.equal(scanAll(env, 1000), [['huge', KeyType.String]]);
  assert.is(ks.randomKey(env, 1000).toString(), 'huge');
  put(env, b('huge'), b('small'));
  assert.is(ks.lookupString(env, b('huge'), 1000).toString(), 'small');
  assert.is(ks.remove(env, b('huge'), 1000), true);
});
test('randomKey finds the one live key among many expired records, and null only when none is live', () => {
  const s = newStore();
  const env = s.env(0, 0, true);
  for (let i = 0; i < 200; i++) put(env, b(`gone:${i}`), b('v'), 500);
  assert.is(ks.randomKey(env, 1000), null);
  put(env, b('live'), b('v'));
  for (let i = 0; i < 20; i++) assert.is(ks.randomKey(env, 1000).toString(), 'live');
  assert.is(ks.keyAt(env, 0, 1000), null, 'gone:0 sorts first and is expired');
});

test.run();
