// types/zset.ts's records in a real LMDB environment: every record of a sorted set, its rank
// tree included, lives under the collection id, so copies take it along and drops leave nothing.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { useTempStore } = require('./support/temp-store');
const ks = require('../../dist/storage/keyspace');
const { CountedTree } = require('../../dist/storage/counted-btree');
const z = require('../../dist/types/zset');
const rc = require('../../dist/storage/reclaim');

const b = (s) => Buffer.from(s);
const NOW = 1000;
let store;
useTempStore(test, 'pika-zset-test-', (s) => {
  store = s;
});

/** Records of the `zsets` sub-database other than the id counter (the all-zero key). */
const records = (env) => env.dbs.zsets.getKeysCount() - (env.dbs.zsets.getBinaryFast(Buffer.alloc(8)) ? 1 : 0);

/** Runs the background reclaim of the slot to its end (big collections are dropped there). */
function reclaimAll(env) {
  while (!rc.reclaimStep(env, 100_000, Infinity).empty);
}

/** The rank tree of a zset, checked whole; returns its stats. */
function verifyTree(env, key) {
  const meta = z.getZset(env, b(key), NOW);
  return new CountedTree(env.dbs.zsets, Buffer.concat([meta.id, Buffer.of(2)])).verify();
}

function fill(env, key, n) {
  env.write(() => {
    const meta = z.newZsetMeta(env);
    for (let i = 0; i < n; i++) z.zput(env, meta, b(`m${i}`), i % 7);
    z.zsave(env, b(key), meta, NOW);
  });
}

test('a zset of thousands of members has a multi-level tree; DEL drops every record', () => {
  const env = store.env(0, 0, true);
  fill(env, 'z', 5000);
  const stats = verifyTree(env, 'z');
  assert.is(stats.count, 5000);
  assert.ok(stats.height >= 3, `height ${stats.height}`);
  // member records, index entries, tree nodes and the node counter
  assert.is(records(env), 5000 * 2 + stats.nodes + 1);
  const meta = z.getZset(env, b('z'), NOW);
  const order = Array.from({ length: 5000 }, (_, i) => [`m${i}`, i % 7]).sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
  for (const i of [0, 6, 1234, 4999]) assert.is(z.zrank(env, meta, b(`m${i}`)), order.findIndex(([m]) => m === `m${i}`));
  assert.is(ks.remove(env, b('z'), NOW), true);
  reclaimAll(env);
  assert.is(records(env), 0);
});

test('a copy in another slot gets its own tree; overwriting and expiring drop the old one', () => {
  const src = store.env(0, 1, true);
  const dst = store.env(0, 2, true);
  fill(src, 'z', 3000);
  const before = records(src);
  ks.copyKey(src, ks.lookup(src, b('z'), NOW), dst, b('c'));
  assert.is(records(dst), before);
  assert.is(verifyTree(dst, 'c').count, 3000);
  // writes to the copy leave the source's tree alone
  dst.write(() => {
    const meta = z.getZset(dst, b('c'), NOW);
    for (let i = 0; i < 1000; i++) z.zdel(dst, meta, b(`m${i}`));
    z.zsave(dst, b('c'), meta, NOW);
  });
  assert.is(verifyTree(dst, 'c').count, 2000);
  assert.is(verifyTree(src, 'z').count, 3000);
  // a stored result over the key replaces every record of the old collection
  dst.write(() => z.zreplace(dst, b('c'), [{ member: b('x'), score: 1 }, { member: b('y'), score: 0 }], NOW));
  reclaimAll(dst);
  assert.is(verifyTree(dst, 'c').count, 2);
  assert.is(records(dst), 2 * 2 + 1);
  // an expired zset reclaimed by the active cycle takes its tree along
  src.write(() => ks.setExpire(src, b('z'), NOW + 10, NOW));
  assert.is(ks.reclaimExpired(src, NOW + 11, 10, 1000), 1);
  reclaimAll(src);
  assert.is(records(src), 0);
});

test('a key state (as the binlog records a multi-slot write) carries the rank tree to another slot', () => {
  const src = store.env(0, 0, true);
  const dst = store.env(0, 1, true);
  fill(src, 'zs', 3000);
  const state = ks.keyStateArgs(src, b('zs'), NOW);
  dst.write(() => ks.applyKeyState(dst, state));
  const meta = z.getZset(dst, b('zs'), NOW);
  assert.is(meta.count, 3000);
  assert.ok(verifyTree(dst, 'zs').height > 1);
  assert.is(z.zrank(dst, meta, b('m6')), z.zrank(src, z.getZset(src, b('zs'), NOW), b('m6')));
  assert.equal(z.zrangeByRank(dst, meta, 2000, 2001, false), z.zrangeByRank(src, z.getZset(src, b('zs'), NOW), 2000, 2001, false));
  // applying over a big zset queues the old one's records as garbage, which the state never shows
  dst.write(() => ks.applyKeyState(dst, ks.keyStateArgs(src, b('zs'), NOW)));
  assert.ok(rc.pendingGarbage(dst).records > 0);
  assert.equal(ks.keyStateArgs(dst, b('zs'), NOW).slice(5), state.slice(5));
  reclaimAll(dst);
  assert.is(records(dst), records(src));
});

test('zreplace builds the tree bottom up in index order, long members included', () => {
  const env = store.env(0, 3, true);
  const items = [];
  for (let i = 0; i < 4000; i++) items.push({ member: b(`${'L'.repeat(i % 3 === 0 ? 2500 : 3)}${i}`), score: (i * 7919) % 13 });
  env.write(() => z.zreplace(env, b('z'), items, NOW));
  const stats = verifyTree(env, 'z');
  assert.is(stats.count, 4000);
  const meta = z.getZset(env, b('z'), NOW);
  const all = z.zall(env, meta);
  for (let i = 0; i < all.length; i += 97) {
    assert.is(z.zrank(env, meta, all[i].member), i);
    assert.equal(z.zrangeByRank(env, meta, i, i, false)[0].member, all[i].member);
  }
});

test.run();
