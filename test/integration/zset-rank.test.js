// Rank answers of sorted sets (the rank tree of types/zset.ts) against a model kept in the test:
// thousands of members, so the tree has several levels, many equal scores, -inf/+inf, and
// random ZADD/ZREM/ZINCRBY/ZREMRANGEBY*/ZPOP* between the checks.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode } = require('./helpers');

const test = suite('zset ranks');
const h = useNode(test);
const r = () => h.redis;

test.before.each(async () => {
  await r().flushall();
});

/** A deterministic PRNG, so a failure replays. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SCORES = [-Infinity, -3, -1, 0, 0.5, 2, 7, Infinity];
const fmt = (s) => (s === Infinity ? 'inf' : s === -Infinity ? '-inf' : String(s));
// ASCII members: JS string order is byte order
const byRank = (a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const sorted = (model) => [...model].sort((a, b) => (a[1] === b[1] ? byRank(a, b) : a[1] < b[1] ? -1 : 1));
const withScores = (items) => items.flatMap(([m, s]) => [m, fmt(s)]);
const inRange = (s, min, minex, max, maxex) => (minex ? s > min : s >= min) && (maxex ? s < max : s <= max);

class Model {
  constructor(random) {
    this.random = random;
    this.scores = new Map();
  }
  member() {
    // lengths vary so members are often prefixes of others (m1, m10, m100)
    return `m${Math.floor(this.random() * 6000)}`;
  }
  score() {
    return SCORES[Math.floor(this.random() * SCORES.length)];
  }
  items() {
    return sorted(this.scores);
  }
}

/** Applies `ops` random writes to `key` and the model, pipelined. */
async function randomWrites(key, model, ops) {
  const p = r().pipeline();
  for (let i = 0; i < ops; i++) {
    const x = model.random();
    const m = model.member();
    if (x < 0.55) {
      const s = model.score();
      p.zadd(key, s, m);
      model.scores.set(m, s);
    } else if (x < 0.8) {
      p.zrem(key, m);
      model.scores.delete(m);
    } else {
      const cur = model.scores.get(m);
      // an infinite score plus the opposite infinity is NaN (refused): step by finite amounts only
      const by = Math.floor(model.random() * 7) - 3 || 1;
      p.zincrby(key, by, m);
      model.scores.set(m, (cur ?? 0) + by);
    }
  }
  for (const [err] of await p.exec()) assert.ifError(err);
}

/** ZCARD, ZRANK/ZREVRANK of sampled and absent members, windows by rank, in one pipeline. */
async function checkRanks(key, model, samples = 150) {
  const items = model.items();
  const n = items.length;
  const p = r().pipeline();
  const expect = [];
  p.zcard(key);
  expect.push(n);
  for (let i = 0; i < samples; i++) {
    const at = Math.floor(model.random() * n);
    p.zrank(key, items[at][0]);
    expect.push(at);
    p.zrevrank(key, items[at][0]);
    expect.push(n - 1 - at);
  }
  p.zrank(key, 'absent');
  expect.push(null);
  for (let i = 0; i < 40; i++) {
    const a = Math.floor(model.random() * (n + 20)) - 10;
    const len = Math.floor(model.random() * 30);
    p.zrange(key, a, a + len, 'WITHSCORES');
    const start = Math.max(0, a < 0 ? a + n : a);
    const end = Math.min(n - 1, a + len < 0 ? a + len + n : a + len);
    expect.push(start <= end ? withScores(items.slice(start, end + 1)) : []);
    p.zrevrange(key, a, a + len);
    const rev = items.slice().reverse();
    expect.push(start <= end ? rev.slice(start, end + 1).map((it) => it[0]) : []);
  }
  p.zrange(key, -3, -1);
  expect.push(items.slice(-3).map((it) => it[0]));
  const got = await p.exec();
  got.forEach(([err, v], i) => {
    assert.ifError(err);
    assert.deepStrictEqual(v, expect[i], `reply ${i}`);
  });
}

/** ZCOUNT, ZRANGEBYSCORE/ZREVRANGEBYSCORE with LIMIT, over random bounds incl. exclusive and infinite ones. */
async function checkScoreRanges(key, model, cases = 60) {
  const items = model.items();
  const p = r().pipeline();
  const expect = [];
  const bound = () => {
    const s = model.score();
    const ex = model.random() < 0.4;
    return { s, ex, arg: `${ex ? '(' : ''}${fmt(s)}` };
  };
  for (let i = 0; i < cases; i++) {
    let lo = bound(), hi = bound();
    if (lo.s > hi.s && model.random() < 0.8) [lo, hi] = [hi, lo];
    const hit = items.filter(([, s]) => inRange(s, lo.s, lo.ex, hi.s, hi.ex));
    p.zcount(key, lo.arg, hi.arg);
    expect.push(hit.length);
    const off = Math.floor(model.random() * (hit.length + 5));
    const cnt = Math.floor(model.random() * 20) - 1;
    p.zrangebyscore(key, lo.arg, hi.arg, 'WITHSCORES', 'LIMIT', off, cnt);
    expect.push(withScores(hit.slice(off, cnt < 0 ? undefined : off + cnt)));
    p.zrevrangebyscore(key, hi.arg, lo.arg, 'LIMIT', off, cnt);
    expect.push(hit.slice().reverse().slice(off, cnt < 0 ? undefined : off + cnt).map((it) => it[0]));
  }
  const got = await p.exec();
  got.forEach(([err, v], i) => {
    assert.ifError(err);
    assert.deepStrictEqual(v, expect[i], `reply ${i}`);
  });
}

test('ranks and ranges after random ZADD/ZREM/ZINCRBY on thousands of members with equal scores and infinities', async () => {
  const model = new Model(rng(7));
  // grow past several tree levels first, 500 members per ZADD
  for (let i = 0; i < 5000; i += 500) {
    const args = [];
    for (let j = i; j < i + 500; j++) {
      const s = model.score();
      args.push(fmt(s), `m${j}`);
      model.scores.set(`m${j}`, s);
    }
    await r().zadd('z', ...args);
  }
  await checkRanks('z', model);
  await checkScoreRanges('z', model);
  for (let round = 0; round < 4; round++) {
    await randomWrites('z', model, 1500);
    await checkRanks('z', model);
    await checkScoreRanges('z', model);
  }
});

test('ZREMRANGEBYRANK/SCORE and pops keep ranks right', async () => {
  const model = new Model(rng(11));
  const args = [];
  for (let j = 0; j < 4000; j++) {
    const s = model.score();
    args.push(fmt(s), `m${j}`);
    model.scores.set(`m${j}`, s);
  }
  await r().zadd('z', ...args);
  const drop = (removed) => removed.forEach(([m]) => model.scores.delete(m));
  for (let round = 0; round < 6; round++) {
    const items = model.items();
    const a = Math.floor(model.random() * items.length);
    const len = Math.floor(model.random() * 400);
    assert.strictEqual(await r().zremrangebyrank('z', a, a + len), Math.min(items.length, a + len + 1) - a);
    drop(items.slice(a, a + len + 1));
    const s = model.score();
    const hit = model.items().filter(([, x]) => x > s && x <= s + 1);
    assert.strictEqual(await r().zremrangebyscore('z', `(${fmt(s)}`, fmt(s + 1)), hit.length);
    drop(hit);
    const [min] = model.items();
    assert.deepStrictEqual(await r().zpopmin('z'), withScores([min]));
    drop([min]);
    const top = model.items().slice(-3).reverse();
    assert.deepStrictEqual(await r().zpopmax('z', 3), withScores(top));
    drop(top);
    await randomWrites('z', model, 300);
    await checkRanks('z', model, 60);
  }
});

test('equal scores: ZLEXCOUNT and ZRANGEBYLEX/ZREVRANGEBYLEX with LIMIT match the model', async () => {
  const random = rng(5);
  const members = new Set();
  while (members.size < 3000) {
    const len = 1 + Math.floor(random() * 4);
    let m = '';
    for (let i = 0; i < len; i++) m += 'abcdefgh'[Math.floor(random() * 8)];
    members.add(m);
  }
  const all = [...members].sort();
  for (let i = 0; i < all.length; i += 500) await r().zadd('l', ...all.slice(i, i + 500).flatMap((m) => [0, m]));
  const bound = () => {
    const x = random();
    if (x < 0.08) return { arg: '-', ok: () => true, okMax: () => false };
    if (x < 0.16) return { arg: '+', ok: () => false, okMax: () => true };
    const v = all[Math.floor(random() * all.length)].slice(0, 1 + Math.floor(random() * 3));
    const ex = random() < 0.5;
    return { arg: `${ex ? '(' : '['}${v}`, ok: (m) => (ex ? m > v : m >= v), okMax: (m) => (ex ? m < v : m <= v) };
  };
  const p = r().pipeline();
  const expect = [];
  for (let i = 0; i < 80; i++) {
    const lo = bound(), hi = bound();
    const hit = all.filter((m) => lo.ok(m) && hi.okMax(m));
    p.zlexcount('l', lo.arg, hi.arg);
    expect.push(hit.length);
    const off = Math.floor(random() * (hit.length + 3));
    const cnt = Math.floor(random() * 15) - 1;
    p.zrangebylex('l', lo.arg, hi.arg, 'LIMIT', off, cnt);
    expect.push(hit.slice(off, cnt < 0 ? undefined : off + cnt));
    p.zrevrangebylex('l', hi.arg, lo.arg, 'LIMIT', off, cnt);
    expect.push(hit.slice().reverse().slice(off, cnt < 0 ? undefined : off + cnt));
  }
  const got = await p.exec();
  got.forEach(([err, v], i) => {
    assert.ifError(err);
    assert.deepStrictEqual(v, expect[i], `reply ${i}`);
  });
  // removing a lex range, then ranks of what is left
  const gone = all.filter((m) => m >= 'c' && m < 'e');
  assert.strictEqual(await r().zremrangebylex('l', '[c', '(e'), gone.length);
  const left = all.filter((m) => m < 'c' || m >= 'e');
  assert.strictEqual(await r().zrank('l', left[left.length - 1]), left.length - 1);
  assert.deepStrictEqual(await r().zrange('l', 1000, 1002), left.slice(1000, 1003));
});

test('copies, renames and stores keep a working rank tree; a zset made again under an old name starts afresh', async () => {
  const args = [];
  for (let i = 0; i < 3000; i++) args.push(i % 10, `m${String(i).padStart(4, '0')}`);
  await r().zadd('src', ...args);
  const expected = [];
  for (let i = 0; i < 3000; i++) expected.push([`m${String(i).padStart(4, '0')}`, i % 10]);
  const items = sorted(expected);
  const at = (k) => items.findIndex(([m]) => m === k);
  assert.strictEqual(await r().copy('src', 'copy'), 1);
  await r().rename('src', 'moved');
  for (const key of ['copy', 'moved']) {
    assert.strictEqual(await r().zrank(key, 'm1234'), at('m1234'));
    assert.deepStrictEqual(await r().zrange(key, 1500, 1501), items.slice(1500, 1502).map((it) => it[0]));
  }
  // the copy's tree is its own: writing it leaves the other alone
  await r().zrem('copy', items[0][0]);
  assert.strictEqual(await r().zrank('copy', 'm1234'), at('m1234') - 1);
  assert.strictEqual(await r().zrank('moved', 'm1234'), at('m1234'));
  // a stored result (bulk-built tree) answers ranks and takes further writes
  assert.strictEqual(await r().zunionstore('u', 1, 'moved'), 3000);
  assert.strictEqual(await r().zrangestore('rs', 'moved', 100, 2099), 2000);
  assert.strictEqual(await r().zrank('u', items[2999][0]), 2999);
  assert.strictEqual(await r().zrevrank('rs', items[100][0]), 1999);
  await r().zadd('u', -1, items[2999][0]);
  assert.strictEqual(await r().zrank('u', items[2999][0]), 0);
  assert.strictEqual(await r().zcount('u', 3, '(5'), 600);
  // a new zset under an old name starts from nothing
  await r().del('moved');
  await r().zadd('moved', 1, 'only');
  assert.strictEqual(await r().zrank('moved', 'only'), 0);
  assert.strictEqual(await r().zcard('moved'), 1);
  // a stored result over an existing zset replaces it whole
  assert.strictEqual(await r().zrangestore('copy', 'moved', 0, 0), 1);
  assert.deepStrictEqual(await r().zrange('copy', 0, -1), ['only']);
  await r().zadd('copy', 5, 'x');
  assert.deepStrictEqual(await r().zrange('copy', 0, -1, 'WITHSCORES'), ['only', '1', 'x', '5']);
});

test.run();
