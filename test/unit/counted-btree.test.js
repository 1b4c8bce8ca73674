// storage/counted-btree.ts against a real LMDB environment, with small fan-outs so a few
// thousand keys make trees of several levels, compared with a sorted array after every step.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { useTempStore, rng } = require('./support/temp-store');
const { CountedTree } = require('../../dist/storage/counted-btree');

let store;
let env;
useTempStore(test, 'pika-btree-test-', (s) => {
  store = s;
  env = s.env(0, 0, true);
});

const PREFIX = Buffer.from('\x00\x00\x00\x00\x00\x00\x00\x07\x02', 'latin1');
const tree = (shape) => new CountedTree(env.dbs.zsets, PREFIX, shape);
/** The same tree through its environment's transaction cache (SlotEnv.tree), as the data types use it. */
const cachedTree = (shape) => env.tree('zsets', PREFIX, shape);
/** Where the tree's node records start and end in LMDB (the id counter record sorts before them). */
const NODES_START = Buffer.concat([PREFIX, Buffer.alloc(4)]);
const NODES_END = Buffer.concat([PREFIX, Buffer.alloc(5, 0xff)]);

/** Index of the first model key ≥ k. */
function lowerBound(model, k) {
  let lo = 0, hi = model.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Buffer.compare(model[mid], k) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rank, select and countWhile agree with the sorted model at sampled positions. */
function checkAgainst(t, model, random, samples = 40) {
  const stats = t.verify();
  assert.is(stats.count, model.length);
  assert.is(t.select(model.length), undefined);
  assert.is(t.select(-1), undefined);
  for (let s = 0; s < samples && model.length > 0; s++) {
    const i = Math.floor(random() * model.length);
    assert.ok(t.select(i).equals(model[i]), `select(${i})`);
    assert.is(t.rank(model[i]), i);
    // a probe between keys: its rank is where it would go
    const probe = Buffer.concat([model[i], Buffer.of(0)]);
    assert.is(t.rank(probe), lowerBound(model, probe));
    assert.is(t.countWhile((k) => Buffer.compare(k, model[i]) <= 0), i + 1);
  }
  return stats;
}

function randomKey(random, maxLen) {
  const len = 1 + Math.floor(random() * maxLen);
  const b = Buffer.allocUnsafe(len);
  // a small alphabet makes shared prefixes and keys that are prefixes of others common
  for (let i = 0; i < len; i++) b[i] = [0, 1, 0x61, 0x62, 0xff][Math.floor(random() * 5)];
  return b;
}

/** `perTxn` operations per write transaction; through the cache, checks also run inside them. */
function randomOps(shape, ops, maxLen, seed, { make = tree, perTxn = 1 } = {}) {
  const random = rng(seed);
  const t = make(shape);
  const model = [];
  let maxHeight = 0;
  const step = (n) => {
    // grow for the first half, shrink for the second, so merges and root collapses happen
    const grow = n < ops / 2 ? 0.75 : 0.3;
    if (model.length === 0 || random() < grow) {
      const k = randomKey(random, maxLen);
      const at = lowerBound(model, k);
      const fresh = at === model.length || !model[at].equals(k);
      assert.is(t.insert(k), fresh);
      if (fresh) model.splice(at, 0, k);
    } else {
      const i = Math.floor(random() * model.length);
      assert.is(t.remove(model[i]), true);
      assert.is(t.remove(model[i]), false);
      model.splice(i, 1);
    }
  };
  for (let n = 0; n < ops; ) {
    env.write(() => {
      for (let i = 0; i < perTxn && n < ops; i++, n++) {
        step(n);
        if (perTxn > 1 && n % 211 === 0) checkAgainst(t, model, random, 5);
      }
    });
    if (n % 97 < perTxn || n === ops) maxHeight = Math.max(maxHeight, checkAgainst(t, model, random).height);
  }
  return { t, model, maxHeight };
}

test('random inserts and removals with fan-out 4 keep every invariant and answer ranks', () => {
  const { maxHeight } = randomOps({ fanout: 4, nodeBytes: 1 << 20 }, 6000, 12, 1);
  assert.ok(maxHeight >= 5, `height ${maxHeight}`);
});

test('through the transaction cache, 50 operations per transaction keep every invariant', () => {
  const { maxHeight } = randomOps({ fanout: 4, nodeBytes: 1 << 20 }, 6000, 12, 7, { make: cachedTree, perTxn: 50 });
  assert.ok(maxHeight >= 5, `height ${maxHeight}`);
  env.write(() => env.dbs.zsets.clearSync());
  const long = randomOps({ fanout: 64, nodeBytes: 600 }, 3000, 300, 8, { make: cachedTree, perTxn: 50 });
  assert.ok(long.maxHeight >= 3, `height ${long.maxHeight}`);
});

test('the cache holds nodes until its bound, a range read or the commit writes them', () => {
  const t = cachedTree({ fanout: 4, nodeBytes: 1 << 20 });
  const keys = Array.from({ length: 3000 }, (_, i) => Buffer.from(`k${String(i).padStart(5, '0')}`));
  let inRange;
  env.write(() => {
    for (const k of keys.slice(0, 10)) t.insert(k);
    // a point read of the root sees nothing yet: the nodes are in the cache
    assert.is(env.dbs.zsets.getBinaryFast(NODES_START), undefined);
    // 3,000 keys at fan-out 4 make far more than TREE_CACHE_MAX_NODES nodes: past it they are written
    for (const k of keys.slice(10)) t.insert(k);
    assert.ok(env.dbs.zsets.getBinaryFast(NODES_START) !== undefined, 'the bound wrote the root');
    // a range read over the tree's records (as copies, drops and DUMP do) sees every node
    inRange = env.dbs.zsets.getKeysCount({ start: NODES_START, end: NODES_END });
  });
  const { count, nodes } = t.verify();
  assert.is(count, keys.length);
  assert.is(inRange, nodes);
  assert.ok(nodes > 256, `${nodes} nodes`);
  env.write(() => keys.forEach((k, i) => i % 2 === 0 && assert.ok(t.remove(k))));
  checkAgainst(t, keys.filter((_, i) => i % 2 === 1), rng(9));
});

test('an aborted transaction or a cleared sub-database leaves no cached node behind', () => {
  const t = cachedTree({ fanout: 4, nodeBytes: 1 << 20 });
  env.write(() => t.insert(Buffer.from('kept')));
  assert.throws(() =>
    env.write(() => {
      for (let i = 0; i < 100; i++) t.insert(Buffer.from(`lost${i}`));
      throw new Error('boom');
    }),
  /boom/);
  assert.is(t.verify().count, 1);
  assert.ok(t.select(0).equals(Buffer.from('kept')));
  env.write(() => assert.ok(t.insert(Buffer.from('next'))));
  checkAgainst(t, [Buffer.from('kept'), Buffer.from('next')], rng(10));
  env.write(() => {
    for (let i = 0; i < 100; i++) t.insert(Buffer.from(`gone${i}`));
    env.dbs.zsets.clearSync();
  });
  assert.is(t.exists(), false);
  assert.is(env.dbs.zsets.getKeysCount({ start: NODES_START, end: NODES_END }), 0);
});

test('long keys split nodes by bytes before the fan-out is reached', () => {
  const { t, model, maxHeight } = randomOps({ fanout: 64, nodeBytes: 600 }, 3000, 300, 2);
  assert.ok(maxHeight >= 3, `height ${maxHeight}`);
  const { nodes } = t.verify();
  assert.ok(nodes > model.length / 8, `${nodes} nodes for ${model.length} keys`);
});

test('removing everything shrinks the tree back to an empty root', () => {
  const random = rng(3);
  const t = tree({ fanout: 4, nodeBytes: 1 << 20 });
  const keys = [];
  for (let i = 0; i < 2000; i++) keys.push(Buffer.from(`k${String(i).padStart(5, '0')}`));
  env.write(() => keys.forEach((k) => t.insert(k)));
  assert.ok(t.verify().height >= 5);
  // remove in random order, checking as the tree thins out
  const order = keys.slice();
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const model = keys.slice();
  for (let i = 0; i < order.length; i++) {
    env.write(() => assert.ok(t.remove(order[i])));
    model.splice(lowerBound(model, order[i]), 1);
    if (i % 250 === 0) {
      const { nodes } = checkAgainst(t, model, random);
      // merges keep nodes at least a quarter full: nodes stay proportional to keys
      assert.ok(nodes <= 1 + model.length, `${nodes} nodes for ${model.length} keys`);
    }
  }
  assert.equal(t.verify(), { count: 0, height: 1, nodes: 1 });
  assert.is(t.select(0), undefined);
  assert.is(t.rank(Buffer.from('x')), 0);
});

test('build from sorted keys makes a valid tree that later inserts and removals maintain', () => {
  const random = rng(4);
  for (const n of [1, 3, 4, 5, 17, 1000]) {
    env.write(() => env.dbs.zsets.clearSync());
    const t = tree({ fanout: 4, nodeBytes: 1 << 20 });
    const model = [];
    for (let i = 0; i < n; i++) model.push(Buffer.from(`m${String(i * 2).padStart(6, '0')}`));
    env.write(() => t.build(model));
    checkAgainst(t, model, random);
    env.write(() => {
      for (let i = 0; i < n; i += 3) {
        const k = Buffer.from(`m${String(i * 2 + 1).padStart(6, '0')}`);
        assert.ok(t.insert(k));
        model.splice(lowerBound(model, k), 0, k);
      }
    });
    checkAgainst(t, model, random);
    env.write(() => {
      for (let i = 0; i < model.length; i += 2) assert.ok(t.remove(model[i]));
    });
    checkAgainst(t, model.filter((_, i) => i % 2 === 1), random);
  }
});

test('build takes its keys one at a time (a generator) and lays out the same nodes as from an array', () => {
  const random = rng(5);
  // sizes around the node boundaries (3 keys per built node at fan-out 4), where the last node borrows
  for (const n of [0, 1, 2, 3, 4, 6, 7, 9, 10, 48, 49, 50, 2000]) {
    const keys = Array.from({ length: n }, (_, i) => Buffer.from(`k${String(i).padStart(5, '0')}`));
    const shape = { fanout: 4, nodeBytes: 1 << 20 };
    const fromArray = new CountedTree(env.dbs.zsets, Buffer.from('A'), shape);
    const streamed = new CountedTree(env.dbs.zsets, Buffer.from('B'), shape);
    let handedOut = 0;
    let writtenBeforeLast = 0;
    const nodeRecords = () => env.dbs.zsets.getKeysCount({ start: Buffer.from('B'), end: Buffer.from('C') });
    function* one() {
      for (const k of keys) {
        if (++handedOut === n) writtenBeforeLast = nodeRecords();
        yield k;
      }
    }
    env.write(() => {
      fromArray.build(keys);
      streamed.build(one());
    });
    assert.is(handedOut, n);
    // leaves are written while keys still come, not after all of them were gathered
    if (n >= 48) assert.ok(writtenBeforeLast > 0, `${n} keys: nothing written before the last key`);
    assert.is(streamed.exists(), n > 0);
    checkAgainst(streamed, keys, random);
    const records = (p) => [...env.dbs.zsets.getRange({ start: Buffer.from(p), end: Buffer.from(String.fromCharCode(p.charCodeAt(0) + 1)) })].map(({ key, value }) => [key.subarray(1).toString('hex'), Buffer.from(value).toString('hex')]);
    assert.equal(records('B'), records('A'), `${n} keys`);
    env.write(() => env.dbs.zsets.clearSync());
  }
});

test('removeAt takes the key of a rank out, as select then remove would', () => {
  const random = rng(6);
  const t = tree({ fanout: 4, nodeBytes: 64 });
  const model = [];
  for (let i = 0; i < 600; i++) model.push(randomKey(random, 20));
  model.sort(Buffer.compare);
  const keys = model.filter((k, i) => i === 0 || !k.equals(model[i - 1]));
  env.write(() => t.build(keys));
  assert.is(t.removeAt(keys.length), undefined);
  assert.is(t.removeAt(-1), undefined);
  while (keys.length > 0) {
    env.write(() => {
      for (let s = 0; s < 25 && keys.length > 0; s++) {
        // the ends as well as the middle
        const r = s === 0 ? 0 : s === 1 ? keys.length - 1 : Math.floor(random() * keys.length);
        const got = t.removeAt(r);
        assert.ok(got && got.equals(keys[r]), `removeAt(${r})`);
        keys.splice(r, 1);
      }
    });
    checkAgainst(t, keys, random, 10);
  }
  assert.is(t.removeAt(0), undefined);
});

test('a fan-out below 3 is refused', () => {
  assert.throws(() => tree({ fanout: 2, nodeBytes: 4096 }), /fan-out/);
});

test.run();
