// types/list.ts's chunks in a real LMDB environment, against an array model after every step:
// pushes on both sides across chunk borders (negative indexes included), elements too long for a
// chunk (records of their own), LSET, LINSERT and LREM re-pushing one side, trims, and the
// records left behind: one per chunk plus one per long element, none once the list is empty.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { useTempStore, rng } = require('./support/temp-store');
const { LIST_CHUNK_ELEMENTS: K, LIST_INLINE_MAX_BYTES } = require('../../dist/common/limits');
const l = require('../../dist/types/list');
const ks = require('../../dist/storage/keyspace');

const NOW = 1000;
const KEY = Buffer.from('list');
let store;
let env;
useTempStore(test, 'pika-list-test-', (s) => {
  store = s;
  env = s.env(0, 0, true);
});

const LONG = (i) => `${i}:${'x'.repeat(LIST_INLINE_MAX_BYTES + 1 + (i % 7) * 100)}`;
/** Records of the `lists` sub-database other than the id counter (the all-zero key). */
const records = () => env.dbs.lists.getKeysCount() - (env.dbs.lists.getBinaryFast(Buffer.alloc(8)) ? 1 : 0);

function change(fn) {
  return env.write(() => {
    const meta = l.listForWrite(env, KEY, NOW);
    const out = fn(meta);
    l.listSave(env, KEY, meta, NOW);
    return out;
  });
}

function check(model) {
  const meta = l.getList(env, KEY, NOW);
  if (model.length === 0) {
    assert.is(meta, undefined);
    assert.is(records(), 0, 'an empty list leaves no record');
    return;
  }
  assert.is(meta.count, model.length);
  assert.equal(l.listRange(env, meta, 0, model.length - 1).map(String), model);
  assert.equal(l.listRange(env, meta, 0, model.length - 1, true).map(String), [...model].reverse());
  for (const pos of [0, model.length - 1, model.length >> 1, Math.min(K, model.length - 1)]) assert.is(String(l.listGet(env, meta, pos)), model[pos]);
  const entries = [...l.listEntries(env, meta, true)];
  assert.equal(entries.map((e) => e.pos), model.map((_, i) => model.length - 1 - i));
  assert.equal(entries.map((e) => String(e.value)), [...model].reverse());
  const longs = model.filter((e) => e.length > LIST_INLINE_MAX_BYTES).length;
  const meta2 = l.getList(env, KEY, NOW);
  const h = meta2.extra.readBigInt64BE(0);
  const floorDiv = (a) => (a >= 0n ? a / BigInt(K) : -((-a + BigInt(K) - 1n) / BigInt(K)));
  const chunks = Number(floorDiv(h + BigInt(model.length) - 1n) - floorDiv(h)) + 1;
  assert.is(records(), chunks + longs, 'one record per chunk and per long element');
}

test('pushes on both sides cross chunk borders and zero; ranges, gets and entries match', () => {
  const model = [];
  for (let i = 0; i < 3 * K + 5; i++) {
    const el = i % 11 === 3 ? LONG(i) : `e${i}`;
    change((m) => l.listPush(env, m, [Buffer.from(el)], i % 3 !== 0));
    if (i % 3 !== 0) model.unshift(el);
    else model.push(el);
    check(model);
  }
  // one push of many elements, as LPUSH k a b c does
  const many = Array.from({ length: 2 * K + 1 }, (_, i) => (i === K ? LONG(99) : `m${i}`));
  change((m) => l.listPush(env, m, many.map((s) => Buffer.from(s)), true));
  model.unshift(...[...many].reverse());
  check(model);
});

test('pops, trims, LSET, inserts and removals against the model, until empty', () => {
  const random = rng(7);
  const model = [];
  change((m) => l.listPush(env, m, Array.from({ length: 5 * K }, (_, i) => Buffer.from(`x${i}`)), false));
  model.push(...Array.from({ length: 5 * K }, (_, i) => `x${i}`));
  for (let step = 0; model.length > 0 && step < 400; step++) {
    const op = Math.floor(random() * 6);
    const pos = Math.floor(random() * model.length);
    const el = random() < 0.2 ? LONG(step) : `s${step}`;
    if (op === 0) {
      const n = 1 + Math.floor(random() * 3);
      const left = random() < 0.5;
      const got = change((m) => l.listPop(env, m, n, left)).map(String);
      assert.equal(got, left ? model.splice(0, n) : model.splice(-n).reverse());
    } else if (op === 1) {
      change((m) => l.listSet(env, m, pos, Buffer.from(el)));
      model[pos] = el;
    } else if (op === 2) {
      change((m) => l.listInsertAt(env, m, pos, Buffer.from(el)));
      model.splice(pos, 0, el);
    } else if (op === 3) {
      const gone = [...new Set([pos, Math.floor(random() * model.length)])];
      change((m) => l.listRemovePositions(env, m, gone));
      for (const p of gone.sort((a, b) => b - a)) model.splice(p, 1);
    } else if (op === 4) {
      const fromHead = Math.floor(random() * 3);
      const fromTail = Math.min(model.length - fromHead, Math.floor(random() * 3));
      if (fromHead + fromTail > model.length) continue;
      change((m) => l.listTrimEnds(env, m, fromHead, fromTail));
      model.splice(0, fromHead);
      model.splice(model.length - fromTail, fromTail);
    } else {
      const left = random() < 0.5;
      change((m) => l.listPush(env, m, [Buffer.from(el)], left));
      if (left) model.unshift(el);
      else model.push(el);
    }
    check(model);
  }
  change((m) => l.listTrimEnds(env, m, m.count, 0));
  check([]);
});

test('DEL of a list with long elements leaves no record', () => {
  change((m) => l.listPush(env, m, Array.from({ length: 3 * K }, (_, i) => Buffer.from(i % 4 ? `d${i}` : LONG(i))), false));
  assert.ok(records() > 3);
  env.write(() => ks.remove(env, KEY, NOW));
  assert.is(records(), 0);
});

test.run();
