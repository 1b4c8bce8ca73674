// types/list-chunk.ts's byte layout, and types/list.ts's records in a real LMDB environment:
// one chunk record per LIST_CHUNK_ELEMENTS indexes the bounds span (at negative indexes too), no
// chunk over LIST_CHUNK_MAX_BYTES, big elements in records of their own whose references move
// with LINSERT/LREM and go with pops, trims and LSET; contents equal an array model throughout.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { useTempStore } = require('./support/temp-store');
const ks = require('../../dist/storage/keyspace');
const ls = require('../../dist/types/list');
const lc = require('../../dist/types/list-chunk');
const { prefixRange } = require('../../dist/types/collection');
const { LIST_CHUNK_ELEMENTS: K, LIST_INLINE_MAX_BYTES: INLINE, LIST_CHUNK_MAX_BYTES } = require('../../dist/common/limits');

const b = (s) => Buffer.from(s);
const NOW = 1000;
const BIG = (tag, n = INLINE + 1) => tag + 'B'.repeat(n - tag.length);
let store;
useTempStore(test, 'pika-list-test-', (s) => {
  store = s;
});

const meta = (env, key) => ls.getList(env, b(key), NOW);

/** Runs `fn(meta)` in a write transaction on the list at `key` and saves it. */
function write(env, key, fn) {
  return env.write(() => {
    const m = ls.listForWrite(env, b(key), NOW);
    const out = fn(m);
    ls.listSave(env, b(key), m, NOW);
    return out;
  });
}

const contents = (env, key) => {
  const m = meta(env, key);
  return m ? ls.listRange(env, m, 0, m.count - 1).map(String) : [];
};

/** The list's records: chunk values and big element records, by the tag after the id. */
function records(env, key) {
  const m = meta(env, key);
  const out = { chunks: [], bigs: 0 };
  if (!m) return out;
  for (const { key: k, value } of env.dbs.lists.getRange(prefixRange(m.id))) {
    if (k[8] === 0) out.chunks.push(Buffer.from(value));
    else out.bigs++;
  }
  return out;
}

/** Everything a reader sees equals `model`; the records are exactly what the layout needs. */
function check(env, key, model) {
  const m = meta(env, key);
  assert.equal(contents(env, key), model);
  if (!m) return;
  assert.is(m.count, model.length);
  for (let i = 0; i < model.length; i++) assert.is(String(ls.listGet(env, m, i)), model[i], `listGet ${i}`);
  const each = [];
  ls.listRangeEach(env, m, 0, m.count - 1, (src, from, to) => each.push(Buffer.from(src.subarray(from, to)).toString()));
  assert.equal(each, model);
  assert.equal([...ls.listEntries(env, m, true)].map((e) => String(e.value)), [...model].reverse());
  const head = Number(m.extra.readBigInt64BE(0));
  const chunks = Math.floor((head + m.count - 1) / K) - Math.floor(head / K) + 1;
  const recs = records(env, key);
  assert.is(recs.chunks.length, chunks, 'one record per chunk the bounds span');
  assert.is(recs.bigs, model.filter((e) => e.length > INLINE).length, 'one record per big element');
  for (const c of recs.chunks) assert.ok(c.length <= LIST_CHUNK_MAX_BYTES, `chunk of ${c.length} bytes`);
}

test('codec: chunk keys sort as signed chunk numbers, varint lengths, references past 2^32', () => {
  const id = Buffer.alloc(8, 7);
  const keys = [-(2 ** 40), -33, -1, 0, 1, 2 ** 33].map((c) => lc.chunkKey(id, c));
  const sorted = [...keys].sort(Buffer.compare);
  assert.equal(sorted, keys);
  assert.ok(Buffer.compare(lc.chunkKey(id, 2 ** 40), lc.bigKey(id, 0)) < 0, 'chunks sort before big records');
  assert.is(lc.chunkOf(-1), -1);
  assert.is(lc.chunkOf(-K), -1);
  assert.is(lc.chunkOf(-K - 1), -2);
  assert.is(lc.chunkOf(K - 1), 0);
  const items = [b(''), b('x'.repeat(63)), b('y'.repeat(64)), b('z'.repeat(INLINE))];
  const value = lc.chunkValue([...items.map(lc.inlineEntry), lc.bigEntry(2 ** 40 + 5)]);
  const at = lc.entryOffsets(value, 5);
  assert.is(at[5], value.length);
  for (let i = 0; i < 4; i++) {
    lc.parseEntry(value, at[i]);
    assert.is(lc.entry.big, false);
    assert.equal(value.subarray(lc.entry.start, lc.entry.end), items[i]);
  }
  lc.parseEntry(value, at[4]);
  assert.is(lc.entry.big, true);
  assert.is(lc.refAt(value, lc.entry.start), 2 ** 40 + 5);
  assert.is(lc.inlineEntry(b('w'.repeat(INLINE + 1))), undefined);
  assert.throws(() => lc.entryOffsets(value.subarray(0, value.length - 1), 5), /truncated/);
});

test('pushes on both sides cross chunk borders and negative indexes; LINDEX reads one chunk', () => {
  const env = store.env(0, 0, true);
  const model = [];
  write(env, 'l', (m) => ls.listPush(env, m, Array.from({ length: 2 * K + 3 }, (_, i) => b(`r${i}`)), false));
  model.push(...Array.from({ length: 2 * K + 3 }, (_, i) => `r${i}`));
  check(env, 'l', model);
  // one at a time to the left, through chunk -1 into -2
  for (let i = 0; i < K + 2; i++) {
    write(env, 'l', (m) => ls.listPush(env, m, [b(`l${i}`)], true));
    model.unshift(`l${i}`);
  }
  check(env, 'l', model);
  assert.is(Number(meta(env, 'l').extra.readBigInt64BE(0)), -(K + 2));
  // a multi-element LPUSH lands in reverse order
  write(env, 'l', (m) => ls.listPush(env, m, [b('a'), b('b'), b('c')], true));
  model.unshift('c', 'b', 'a');
  check(env, 'l', model);
  const m = meta(env, 'l');
  assert.equal(ls.listRange(env, m, K - 2, K + 1).map(String), model.slice(K - 2, K + 2));
});

test('pops and trims to exact chunk borders delete emptied chunks', () => {
  const env = store.env(0, 0, true);
  const model = Array.from({ length: 4 * K }, (_, i) => `e${i}`);
  write(env, 'l', (m) => ls.listPush(env, m, model.map(b), false));
  // pop so the head lands on a chunk border, then one past it
  assert.equal(write(env, 'l', (m) => ls.listPop(env, m, K, true)).map(String), model.splice(0, K));
  check(env, 'l', model);
  assert.equal(write(env, 'l', (m) => ls.listPop(env, m, 1, true)).map(String), model.splice(0, 1));
  check(env, 'l', model);
  // RPOP order is tail first
  const tail = model.splice(model.length - K - 1, K + 1).reverse();
  assert.equal(write(env, 'l', (m) => ls.listPop(env, m, K + 1, false)).map(String), tail);
  check(env, 'l', model);
  write(env, 'l', (m) => ls.listTrimEnds(env, m, 3, K - 5));
  model.splice(0, 3);
  model.splice(model.length - (K - 5));
  check(env, 'l', model);
  assert.is(model.length, K);
  write(env, 'l', (m) => ls.listTrimEnds(env, m, model.length, 0));
  assert.is(meta(env, 'l'), undefined);
  assert.is(env.dbs.lists.getKeysCount(), 1, 'only the id counter is left');
});

test('big elements: own records, references move with LINSERT, LSET swaps them, pops and trims drop them', () => {
  const env = store.env(0, 0, true);
  const model = [];
  for (let i = 0; i < 3 * K; i++) model.push(i % 5 === 0 ? BIG(`big${i}:`) : `s${i}`);
  write(env, 'l', (m) => ls.listPush(env, m, model.map(b), false));
  check(env, 'l', model);
  assert.is(records(env, 'l').bigs, Math.ceil((3 * K) / 5));
  // a chunk of nothing but big elements holds only references
  write(env, 'x', (m) => ls.listPush(env, m, Array.from({ length: K }, (_, i) => b(BIG(`x${i}`, 100_000))), false));
  assert.ok(records(env, 'x').chunks[0].length < K * 12);
  check(env, 'x', Array.from({ length: K }, (_, i) => BIG(`x${i}`, 100_000)));
  // LSET: big over big, small over big, big over small
  const set = (pos, v) => {
    write(env, 'l', (m) => ls.listSet(env, m, pos, b(v)));
    model[pos] = v;
  };
  set(5, BIG('new5:'));
  set(10, 'small10');
  set(K + 1, BIG('newK1:', 5000));
  check(env, 'l', model);
  // LINSERT near the head shifts the left side; near the tail the right side, big ones included
  write(env, 'l', (m) => ls.listInsertAt(env, m, 7, b(BIG('ins7:'))));
  model.splice(7, 0, BIG('ins7:'));
  write(env, 'l', (m) => ls.listInsertAt(env, m, model.length - 3, b('ins-tail')));
  model.splice(model.length - 3, 0, 'ins-tail');
  check(env, 'l', model);
  // LREM's removal drops the big records it removes
  const gone = [0, 15, K, K + 1, 2 * K + 4];
  write(env, 'l', (m) => ls.listRemovePositions(env, m, gone));
  for (const p of [...gone].reverse()) model.splice(p, 1);
  check(env, 'l', model);
  assert.equal(write(env, 'l', (m) => ls.listPop(env, m, 7, true)).map(String), model.splice(0, 7));
  write(env, 'l', (m) => ls.listTrimEnds(env, m, 6, 11));
  model.splice(0, 6);
  model.splice(model.length - 11);
  check(env, 'l', model);
});

test('LINSERT and LREM at chunk borders, on both sides', () => {
  const env = store.env(0, 0, true);
  const model = Array.from({ length: 3 * K }, (_, i) => `e${i}`);
  write(env, 'l', (m) => ls.listPush(env, m, model.map(b), false));
  for (const pos of [0, K - 1, K, 2 * K, model.length]) {
    write(env, 'l', (m) => ls.listInsertAt(env, m, pos, b(`at${pos}`)));
    model.splice(pos, 0, `at${pos}`);
    check(env, 'l', model);
  }
  write(env, 'l', (m) => ls.listRemovePositions(env, m, [K - 1, K, 1]));
  for (const p of [K, K - 1, 1]) model.splice(p, 1);
  check(env, 'l', model);
  write(env, 'l', (m) => ls.listRemovePositions(env, m, Array.from({ length: model.length - 2 }, (_, i) => i + 2)));
  model.splice(2);
  check(env, 'l', model);
});

test('random operations keep the records equal to an array', () => {
  const env = store.env(0, 0, true);
  let seed = 42;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const model = [];
  let serial = 0;
  const el = () => (rnd(8) === 0 ? BIG(`b${serial++}:`, INLINE + 1 + rnd(300)) : `v${serial++}`);
  for (let step = 0; step < 400; step++) {
    const op = model.length === 0 ? 0 : rnd(7);
    if (op === 0 || op === 1) {
      const items = Array.from({ length: 1 + rnd(2 * K) }, el);
      write(env, 'l', (m) => ls.listPush(env, m, items.map(b), op === 0));
      if (op === 0) model.unshift(...[...items].reverse());
      else model.push(...items);
    } else if (op === 2) {
      const n = 1 + rnd(K);
      const left = rnd(2) === 0;
      const got = write(env, 'l', (m) => ls.listPop(env, m, n, left)).map(String);
      assert.equal(got, left ? model.splice(0, n) : model.splice(Math.max(0, model.length - n)).reverse());
    } else if (op === 3) {
      const pos = rnd(model.length);
      const v = el();
      write(env, 'l', (m) => ls.listSet(env, m, pos, b(v)));
      model[pos] = v;
    } else if (op === 4) {
      const pos = rnd(model.length + 1);
      const v = el();
      write(env, 'l', (m) => ls.listInsertAt(env, m, pos, b(v)));
      model.splice(pos, 0, v);
    } else if (op === 5) {
      const positions = [...new Set(Array.from({ length: 1 + rnd(4) }, () => rnd(model.length)))];
      write(env, 'l', (m) => ls.listRemovePositions(env, m, positions));
      for (const p of positions.sort((x, y) => y - x)) model.splice(p, 1);
    } else {
      const h = rnd(Math.min(model.length, K));
      const t = rnd(Math.min(model.length - h, K) + 1);
      write(env, 'l', (m) => ls.listTrimEnds(env, m, h, t));
      model.splice(0, h);
      model.splice(model.length - t);
    }
    if (step % 20 === 0) check(env, 'l', model);
  }
  check(env, 'l', model);
});

test('COPY to another slot copies chunks and big records under a new id', () => {
  const env = store.env(0, 0, true);
  const model = Array.from({ length: 2 * K + 1 }, (_, i) => (i % 9 === 0 ? BIG(`c${i}:`) : `c${i}`));
  write(env, 'l', (m) => ls.listPush(env, m, model.map(b), true));
  model.reverse();
  const dst = store.env(0, 1, true);
  ks.copyKey(env, ks.lookup(env, b('l'), NOW), dst, b('copy'));
  env.write(() => ks.remove(env, b('l'), NOW));
  check(dst, 'copy', model);
  assert.is(env.dbs.lists.getKeysCount(), 1, 'the source records are gone');
});

test.run();
