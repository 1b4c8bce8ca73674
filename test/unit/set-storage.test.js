// types/set.ts's rank tree in a real LMDB environment: the first random pick (SPOP, or
// SRANDMEMBER outside any write) builds it for a large set, adds and removals keep it equal to
// the member records, it goes when the set shrinks well below the build threshold or is
// dropped, and copies of the set leave it behind.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { useTempStore } = require('./support/temp-store');
const ks = require('../../dist/storage/keyspace');
const { CountedTree } = require('../../dist/storage/counted-btree');
const st = require('../../dist/types/set');
const rc = require('../../dist/storage/reclaim');
const { prefixRange } = require('../../dist/types/collection');
const { SET_READ_ALL_MAX, SET_RANK_TREE_DROP_MAX } = require('../../dist/common/limits');

const b = (s) => Buffer.from(s);
const NOW = 1000;
/** Sets of at most this many members never get a tree built. */
const TREE_MIN = SET_READ_ALL_MAX;
/** Longer than MEMBER_DIRECT_MAX, so its member key is a digest. */
const LONG = 'L'.repeat(2500);
let store;
useTempStore(test, 'pika-set-test-', (s) => {
  store = s;
});

const treeRecords = (env) => env.dbs.setranks.getKeysCount();
const meta = (env, key) => st.getSet(env, b(key), NOW);
const tree = (env, key) => new CountedTree(env.dbs.setranks, meta(env, key).id);

function fill(env, key, members) {
  env.write(() => {
    const m = st.getSet(env, b(key), NOW) ?? st.newSetMeta(env);
    st.setAddMembers(env, m, members.map(b));
    st.setSave(env, b(key), m, NOW);
  });
}

/** SPOP's path: pick and remove inside the write transaction (building the tree), save. */
function pop(env, key, count) {
  return env.write(() => {
    const m = meta(env, key);
    const before = m.count;
    const picked = st.setPopRandom(env, m, count);
    assert.is(m.count, before - picked.length);
    st.setSave(env, b(key), m, NOW);
    return picked.map(String);
  });
}

/** The tree holds exactly the set's member keys, in their order. */
function checkTree(env, key) {
  const m = meta(env, key);
  const t = tree(env, key);
  assert.is(t.verify().count, m.count);
  const keys = [...env.dbs.sets.getKeys(prefixRange(m.id))].map((k) => Buffer.from(k));
  for (const i of [0, Math.floor(m.count / 2), m.count - 1]) assert.ok(t.select(i).equals(keys[i].subarray(m.id.length)), `select(${i})`);
}

test('a small set never gets a tree, a large one gets it from its first pop', () => {
  const env = store.env(0, 0, true);
  fill(env, 'small', Array.from({ length: TREE_MIN }, (_, i) => `m${i}`));
  pop(env, 'small', 1);
  assert.is(treeRecords(env), 0);
  fill(env, 'big', [...Array.from({ length: 3000 }, (_, i) => `m${i}`), LONG]);
  assert.is(treeRecords(env), 0, 'SADD alone builds nothing');
  const picked = pop(env, 'big', 1);
  assert.is(picked.length, 1);
  assert.ok(treeRecords(env) > 1);
  assert.is(meta(env, 'big').count, 3000);
  assert.is(st.setHas(env, meta(env, 'big'), b(picked[0])), false);
  checkTree(env, 'big');
});

test('adds and removals keep the tree exact; every member can be picked, the long one whole', () => {
  const env = store.env(0, 0, true);
  fill(env, 's', [...Array.from({ length: 1500 }, (_, i) => `m${i}`), LONG]);
  pop(env, 's', 1);
  fill(env, 's', Array.from({ length: 500 }, (_, i) => `n${i}`));
  env.write(() => {
    const m = meta(env, 's');
    st.setRemoveMembers(env, m, [b('m1'), b('m2'), b('absent')]);
    st.setSave(env, b('s'), m, NOW);
  });
  checkTree(env, 's');
  const left = new Set(st.setMembers(env, meta(env, 's')).map(String));
  const seen = new Set();
  while (meta(env, 's').count > TREE_MIN + 100) {
    for (const p of pop(env, 's', 7)) {
      assert.ok(left.has(p), `popped ${p.slice(0, 20)}, not a member`);
      assert.not.ok(seen.has(p), 'popped twice');
      seen.add(p);
    }
  }
  checkTree(env, 's');
  // reads use the tree without writing: SRANDMEMBER's members are members
  for (const p of st.setRandomMembers(env, meta(env, 's'), 50, false).map(String)) assert.ok(left.has(p) && !seen.has(p));
  // the long member is either still there or came back whole
  assert.ok(seen.has(LONG) || st.setHas(env, meta(env, 's'), b(LONG)));
});

test('the tree stays while the set hovers around the build threshold, goes at SET_RANK_TREE_DROP_MAX; a later pick past the threshold builds a new one', () => {
  const env = store.env(0, 0, true);
  fill(env, 's', Array.from({ length: 1200 }, (_, i) => `m${i}`));
  pop(env, 's', 1);
  assert.ok(treeRecords(env) > 0);
  while (meta(env, 's').count > TREE_MIN - 10) pop(env, 's', 1);
  // below the build threshold but above the drop one: kept exact, not rebuilt when the set grows back
  checkTree(env, 's');
  fill(env, 's', Array.from({ length: 20 }, (_, i) => `y${i}`));
  checkTree(env, 's');
  while (meta(env, 's').count > SET_RANK_TREE_DROP_MAX + 1) pop(env, 's', 1);
  checkTree(env, 's');
  pop(env, 's', 1);
  assert.is(meta(env, 's').count, SET_RANK_TREE_DROP_MAX);
  assert.is(treeRecords(env), 0);
  fill(env, 's', Array.from({ length: TREE_MIN }, (_, i) => `x${i}`));
  assert.is(treeRecords(env), 0);
  pop(env, 's', 1);
  checkTree(env, 's');
});

test('SRANDMEMBER builds the tree outside any write transaction; picks stay uniform over the members', () => {
  const env = store.env(0, 0, true);
  const all = Array.from({ length: 1500 }, (_, i) => `m${i}`);
  fill(env, 's', all);
  assert.is(treeRecords(env), 0);
  assert.not.ok(env.inWrite());
  const hits = new Map();
  for (let round = 0; round < 40; round++) {
    // distinct picks below a quarter of the set, and repeating picks: both through the tree
    for (const p of st.setRandomMembers(env, meta(env, 's'), 300, true).map(String)) hits.set(p, (hits.get(p) ?? 0) + 1);
    for (const p of st.setRandomMembers(env, meta(env, 's'), 1000, false).map(String)) hits.set(p, (hits.get(p) ?? 0) + 1);
    if (round === 0) checkTree(env, 's');
  }
  const picks = 40 * 1300;
  const expected = picks / all.length;
  let chi2 = 0;
  for (const m of all) chi2 += ((hits.get(m) ?? 0) - expected) ** 2 / expected;
  assert.is(hits.size, all.length, 'every member was picked');
  // 1499 degrees of freedom: mean 1499, sd ~55; a biased pick (say, never the last leaf) lands far above
  assert.ok(chi2 < 1499 + 8 * 55, `chi-square ${chi2.toFixed(0)}`);
});

test('a set with an empty member and members sharing long prefixes builds a tree with all of them', () => {
  const env = store.env(0, 0, true);
  const members = ['', ...Array.from({ length: 1200 }, (_, i) => `${'p'.repeat(i % 40)}${i}`), LONG];
  fill(env, 's', members);
  const seen = new Set();
  for (let i = 0; i < 200; i++) for (const p of st.setRandomMembers(env, meta(env, 's'), 200, true).map(String)) seen.add(p);
  checkTree(env, 's');
  assert.is(tree(env, 's').select(0).length, 0, 'the empty member sorts first');
  assert.is(seen.size, members.length);
});

test('dropping a big set queues its tree for reclaim only when it has one', () => {
  const env = store.env(0, 0, true);
  const big = Array.from({ length: 10_000 }, (_, i) => `m${i}`);
  fill(env, 'never', big);
  fill(env, 'picked', big);
  pop(env, 'picked', 1);
  env.write(() => ks.remove(env, b('never'), NOW));
  assert.is(rc.pendingGarbage(env).collections, 1, 'the members alone');
  env.write(() => ks.remove(env, b('picked'), NOW));
  assert.is(rc.pendingGarbage(env).collections, 3, 'members and tree');
  while (!rc.reclaimStep(env, 100_000, Infinity).empty);
  assert.is(treeRecords(env), 0);
});

test('DEL drops the tree (inline, or through reclaim for a huge one); a copy has none', () => {
  const env = store.env(0, 0, true);
  fill(env, 's', Array.from({ length: 2000 }, (_, i) => `m${i}`));
  pop(env, 's', 1);
  const dst = store.env(0, 1, true);
  ks.copyKey(env, ks.lookup(env, b('s'), NOW), dst, b('copy'));
  assert.is(treeRecords(dst), 0);
  assert.is(st.getSet(dst, b('copy'), NOW).count, 1999);
  env.write(() => ks.remove(env, b('s'), NOW));
  while (!rc.reclaimStep(env, 100_000, Infinity).empty);
  assert.is(treeRecords(env), 0);
  assert.is(env.dbs.sets.getKeysCount() - (env.dbs.sets.getBinaryFast(Buffer.alloc(8)) ? 1 : 0), 0);
});

test.run();
