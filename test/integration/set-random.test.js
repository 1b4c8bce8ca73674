// SPOP and SRANDMEMBER on sets above SET_READ_ALL_MAX members, which pick through a rank tree
// (types/set.ts) built by the first pick: replies, uniqueness, exact shrinking, picks staying
// inside the set as it changes, DEL and re-creation, COPY/RENAME/MOVE of a set that has a tree,
// and every member of a 2000-member set being picked about equally often.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode } = require('./helpers');
const { SET_READ_ALL_MAX } = require('../../dist/common/limits');

const test = suite('set random picks');
const h = useNode(test);
const r = () => h.redis;

const range = (n, f = (i) => String(i)) => Array.from({ length: n }, (_, i) => f(i));
/** Above the read-all threshold, so picks go through the tree. */
const N = 3 * SET_READ_ALL_MAX;

async function fill(key, members) {
  for (let i = 0; i < members.length; i += 1000) await r().sadd(key, ...members.slice(i, i + 1000));
}

/** Asserts that every one of `picked` is in `members` (a Set). */
function inside(picked, members, what) {
  for (const m of picked) assert.ok(members.has(m), `${what}: ${m} is not a member`);
}

test.before.each(async () => {
  await r().flushall();
});

test('SRANDMEMBER: counts, uniqueness, repeats, and the set untouched', async () => {
  const all = range(N, (i) => `m:${i}`);
  const members = new Set(all);
  await fill('s', all);
  const one = await r().srandmember('s');
  assert.ok(members.has(one));
  for (const count of [1, 7, 300, Math.floor(N / 4) - 1]) {
    const picked = await r().srandmember('s', count);
    assert.strictEqual(picked.length, count);
    assert.strictEqual(new Set(picked).size, count, `SRANDMEMBER ${count} repeated a member`);
    inside(picked, members, `SRANDMEMBER ${count}`);
  }
  const rep = await r().srandmember('s', -(N - 1));
  assert.strictEqual(rep.length, N - 1);
  inside(rep, members, 'SRANDMEMBER negative');
  // N - 1 independent picks from N members repeat some (the chance of none is N!/N^N)
  assert.ok(new Set(rep).size < N - 1);
  assert.strictEqual(await r().scard('s'), N);
  assert.strictEqual(await r().object('ENCODING', 's'), 'hashtable');
});

test('SPOP: counts, uniqueness, and the set shrinks by exactly what was popped', async () => {
  const all = range(N, (i) => `m:${i}`);
  const left = new Set(all);
  await fill('s', all);
  const popped = [];
  const take = (ms, what) => {
    for (const m of ms) {
      assert.ok(left.has(m), `${what}: ${m} popped but not in the set`);
      left.delete(m);
      popped.push(m);
    }
  };
  for (let i = 0; i < 50; i++) take([await r().spop('s')], 'SPOP');
  for (const count of [1, 10, 200]) {
    const got = await r().spop('s', count);
    assert.strictEqual(got.length, count);
    take(got, `SPOP ${count}`);
  }
  assert.strictEqual(await r().scard('s'), left.size);
  assert.strictEqual(await r().sismember('s', popped[0]), 0);
  // what SSCAN sees is exactly what is left
  const seen = new Set();
  let cursor = '0';
  do {
    const [next, items] = await r().sscan('s', cursor, 'COUNT', 1000);
    for (const m of items) seen.add(m);
    cursor = next;
  } while (cursor !== '0');
  assert.deepStrictEqual([...seen].sort(), [...left].sort());
  // down through the drop threshold to a small set, then all of it
  while (left.size > 100) take(await r().spop('s', 97), 'SPOP 97');
  take(await r().spop('s', 1000), 'SPOP all');
  assert.strictEqual(left.size, 0);
  assert.strictEqual(await r().exists('s'), 0);
  assert.strictEqual(popped.length, N);
});

test('SADD and SREM after the tree exists: picks stay inside the set, new members get picked', async () => {
  const all = range(N, (i) => `m:${i}`);
  const members = new Set(all);
  await fill('s', all);
  await r().spop('s', 3).then((ms) => ms.forEach((m) => members.delete(m)));
  const removed = all.filter((_, i) => i % 3 === 0 && members.has(all[i]));
  assert.strictEqual(await r().srem('s', ...removed), removed.length);
  for (const m of removed) members.delete(m);
  const added = range(500, (i) => `new:${i}`);
  assert.strictEqual(await r().sadd('s', ...added), added.length);
  for (const m of added) members.add(m);
  assert.strictEqual(await r().scard('s'), members.size);
  let newSeen = 0;
  for (let i = 0; i < 20; i++) {
    const picked = await r().srandmember('s', -200);
    inside(picked, members, 'SRANDMEMBER after SADD/SREM');
    newSeen += picked.filter((m) => m.startsWith('new:')).length;
  }
  // about a fifth of the set is new; none at all would mean the tree never learnt of them
  assert.ok(newSeen > 200, `${newSeen} of 4000 picks were new members`);
  const popped = await r().spop('s', 100);
  inside(popped, members, 'SPOP after SADD/SREM');
  assert.strictEqual(await r().scard('s'), members.size - 100);
  // SMOVE out of and into a set with a tree
  const [m] = await r().srandmember('s', 1);
  assert.strictEqual(await r().smove('s', 'other', m), 1);
  assert.strictEqual(await r().smove('other', 's', m), 1);
  assert.strictEqual(await r().scard('s'), members.size - 100);
});

test('DEL, then a new set at the same key: picks come from the new members only', async () => {
  await fill('s', range(N, (i) => `old:${i}`));
  await r().spop('s');
  await r().srandmember('s', 5);
  assert.strictEqual(await r().del('s'), 1);
  assert.strictEqual(await r().srandmember('s'), null);
  assert.strictEqual(await r().spop('s'), null);
  const fresh = new Set(range(N, (i) => `new:${i}`));
  await fill('s', [...fresh]);
  for (let i = 0; i < 5; i++) inside(await r().srandmember('s', 400), fresh, 'after DEL');
  inside(await r().spop('s', 50), fresh, 'SPOP after DEL');
  // a STORE form replacing a set that has a tree, and expiry of one
  await r().sadd('src', ...range(N + 500, (i) => `u:${i}`));
  await r().spop('s');
  assert.strictEqual(await r().sunionstore('s', 'src'), N + 500);
  inside(await r().srandmember('s', 300), new Set(range(N + 500, (i) => `u:${i}`)), 'after SUNIONSTORE');
  await r().pexpire('s', 50);
  await new Promise((res) => setTimeout(res, 150));
  assert.strictEqual(await r().scard('s'), 0);
  await r().sadd('s', ...range(1500, (i) => `after:${i}`));
  inside(await r().spop('s', 10), new Set(range(1500, (i) => `after:${i}`)), 'after expiry');
});

test('COPY, RENAME and MOVE of a set with a tree: the copy picks its own members', async () => {
  const all = range(N, (i) => `m:${i}`);
  await fill('s', all);
  await r().spop('s', 10);
  const left = new Set(await r().smembers('s'));
  assert.strictEqual(await r().copy('s', 'c'), 1);
  // the original shrinks; the copy keeps every member and picks among them
  const gone = await r().spop('s', 500);
  assert.strictEqual(await r().scard('c'), left.size);
  const picked = new Set();
  for (let i = 0; i < 10; i++) for (const m of await r().srandmember('c', 700)) picked.add(m);
  inside(picked, left, 'COPY');
  assert.ok(gone.some((m) => picked.has(m)), 'the copy picks members the original has lost');
  inside(await r().spop('c', 100), left, 'SPOP from the copy');
  assert.strictEqual(await r().scard('c'), left.size - 100);
  assert.strictEqual(await r().scard('s'), left.size - 500);
  assert.strictEqual(await r().rename('c', 'renamed'), 'OK');
  inside(await r().srandmember('renamed', 300), left, 'RENAME');
  assert.strictEqual(await r().move('renamed', 1), 1);
  await r().select(1);
  try {
    inside(await r().spop('renamed', 300), left, 'MOVE');
    assert.strictEqual(await r().scard('renamed'), left.size - 400);
  } finally {
    await r().select(0);
  }
});

test('every member of a 2000-member set is picked, about equally often', async () => {
  const n = 2000;
  const all = range(n, (i) => `member:${i}`);
  await fill('s', all);
  const hits = new Map(all.map((m) => [m, 0]));
  // SRANDMEMBER -1999 makes independent picks through the tree (a count of n or more reads all)
  const rounds = 100;
  for (let i = 0; i < rounds; i++) {
    for (const m of await r().srandmember('s', -(n - 1))) {
      assert.ok(hits.has(m), `${m} is not a member`);
      hits.set(m, hits.get(m) + 1);
    }
  }
  const expected = (rounds * (n - 1)) / n;
  let chi2 = 0;
  let never = 0;
  for (const c of hits.values()) {
    chi2 += (c - expected) ** 2 / expected;
    if (c === 0) never++;
  }
  assert.strictEqual(never, 0, `${never} members never picked`);
  // 1999 degrees of freedom: mean 1999, standard deviation ~63; a skew (one leaf never reached,
  // the first rank favoured) lands far above
  assert.ok(chi2 < 1999 + 8 * 63, `chi-square ${chi2.toFixed(0)} over ${n - 1} degrees of freedom`);
  // distinct picks and SPOP: every member reachable too
  const seen = new Set();
  for (let i = 0; i < 100; i++) for (const m of await r().srandmember('s', 400)) seen.add(m);
  assert.strictEqual(seen.size, n);
  const popped = new Set();
  while ((await r().scard('s')) > 0) for (const m of await r().spop('s', 150)) popped.add(m);
  assert.strictEqual(popped.size, n);
});

test.run();
