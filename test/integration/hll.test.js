// HyperLogLog commands through ioredis against a real node with two workers. The expected
// bytes, estimates and decodings below are what redis-server 7.0 answers for the same input.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, rejects, sleep, keysOnWorker, ERRORS } = require('./helpers');
const { arity, WRONGTYPE } = ERRORS;

const test = suite('hyperloglog');
const h = useNode(test);
const r = () => h.redis;

const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const CORRUPT = 'INVALIDOBJ Corrupted HLL object detected';
const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));

/** Adds `n` elements made by `f`, 1000 per PFADD. */
async function addMany(key, n, f) {
  for (let i = 0; i < n; i += 1000) await r().pfadd(key, ...range(Math.min(1000, n - i), (j) => f(i + j)));
}

test.before.each(async () => {
  await r().flushall();
  await r().config('SET', 'hll-sparse-max-bytes', '3000');
});

test('PFADD and PFCOUNT: replies, creation without elements, the empty element', async () => {
  assert.strictEqual(await r().pfcount('h'), 0, 'a missing key counts 0');
  assert.strictEqual(await r().pfadd('h'), 1, 'PFADD without elements creates the key');
  assert.strictEqual(await r().exists('h'), 1);
  assert.strictEqual(await r().type('h'), 'string');
  assert.strictEqual(await r().pfcount('h'), 0);
  assert.strictEqual(await r().pfadd('h'), 0);
  assert.strictEqual(await r().pfadd('h', 'a', 'b', 'c'), 1);
  assert.strictEqual(await r().pfadd('h', 'a', 'b', 'c'), 0, 'no register changed');
  assert.strictEqual(await r().pfadd('h', ''), 1);
  assert.strictEqual(await r().pfcount('h'), 4);
  assert.strictEqual(await r().pfadd('h', '1', '2', '3', '4', '5', '6'), 1);
  assert.strictEqual(await r().pfcount('h'), 10, 'the cached count is refreshed after an update');
});

test("the value is Redis's sparse HLL, byte for byte, with the cached count in its header", async () => {
  await r().pfadd('h', 'a', 'b', 'c');
  const header = (card, stale) => Buffer.concat([Buffer.from('HYLL\x01\x00\x00\x00', 'latin1'), Buffer.from([card, 0, 0, 0, 0, 0, 0, stale ? 0x80 : 0])]);
  const registers = Buffer.from('60f38050b1844bfb80425a', 'hex');
  assert.deepStrictEqual(await r().getBuffer('h'), Buffer.concat([header(0, true), registers]));
  assert.strictEqual(await r().call('PFDEBUG', 'DECODE', 'h'), 'Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603');
  assert.strictEqual(await r().pfcount('h'), 3);
  assert.deepStrictEqual(await r().getBuffer('h'), Buffer.concat([header(3, false), registers]), 'PFCOUNT stores the count');
  assert.strictEqual(await r().pfadd('h', 'a'), 0);
  assert.strictEqual(await r().getrange('h', 15, 15), '\x00', 'no change keeps the cache valid');
  assert.strictEqual(await r().pfadd('h', 'x'), 1);
  assert.strictEqual((await r().getrangeBuffer('h', 15, 15))[0], 0x80, 'a change marks it stale');
});

test('estimates stay within the standard error on 100k elements, and the encoding turns dense', async () => {
  await addMany('big', 100_000, (i) => `el:${i}`);
  const card = await r().pfcount('big');
  assert.strictEqual(card, 98893, 'the estimate redis-server gives for these elements');
  assert.ok(Math.abs(card - 100_000) < 100_000 * 0.0081 * 3, `estimate ${card} within 3 standard errors`);
  assert.strictEqual(await r().call('PFDEBUG', 'ENCODING', 'big'), 'dense');
  assert.strictEqual(await r().strlen('big'), 12304, '16 header bytes + 16384 six-bit registers');
});

test('hll-sparse-max-bytes decides when a sparse HLL turns dense', async () => {
  assert.deepStrictEqual(await r().config('GET', 'hll-sparse-max-bytes'), ['hll-sparse-max-bytes', '3000']);
  await addMany('s', 200, (i) => `e${i}`);
  assert.strictEqual(await r().call('PFDEBUG', 'ENCODING', 's'), 'sparse');
  await r().config('SET', 'hll-sparse-max-bytes', '30');
  await r().pfadd('t', ...range(200, (i) => `e${i}`));
  assert.strictEqual(await r().call('PFDEBUG', 'ENCODING', 't'), 'dense', 'every worker sees the new limit');
  assert.strictEqual(await r().pfcount('t'), await r().pfcount('s'), 'both encodings give the same estimate');
  await rejects(r().config('SET', 'hll-sparse-max-bytes', 'abc'), /^ERR CONFIG SET failed/);
});

test('PFCOUNT of several keys and PFMERGE across workers (never CROSSSLOT)', async () => {
  const [a, c] = keysOnWorker(0, 2, 'hw0:');
  const [b, d] = keysOnWorker(1, 2, 'hw1:');
  await r().pfadd(a, ...range(3000, (j) => `u:${j}`));
  await r().pfadd(b, ...range(3000, (j) => `u:${j + 1500}`));
  assert.strictEqual(await r().pfcount(a, b), 4475);
  assert.strictEqual(await r().pfcount(a, b, 'hll:none'), 4475, 'a missing key is an empty HLL');
  assert.strictEqual(await r().pfcount(a), 2994);
  assert.strictEqual(await r().pfmerge(d, a, b), 'OK');
  assert.strictEqual(await r().pfcount(d), 4475);
  await r().pfadd(c, 'only-in-c');
  assert.strictEqual(await r().pfmerge(c, b), 'OK', 'the destination is also a source');
  assert.strictEqual(await r().pfcount(c), (await r().pfcount(b, c)));
  assert.strictEqual(await r().pfmerge('hll:new'), 'OK');
  assert.strictEqual(await r().pfcount('hll:new'), 0, 'PFMERGE with no sources creates an empty HLL');
  await r().set(b, 'plain');
  await rejects(r().pfcount(a, b), NOT_HLL);
  await rejects(r().pfmerge(d, a, b), NOT_HLL);
});

test('wrong types, corrupted values and wrong arity', async () => {
  await r().rpush('list', 'x');
  await rejects(r().pfadd('list', 'a'), WRONGTYPE);
  await rejects(r().pfcount('list'), WRONGTYPE);
  await rejects(r().pfmerge('list', 'h'), WRONGTYPE);
  await r().set('str', 'not an hll at all');
  await rejects(r().pfadd('str', 'a'), NOT_HLL);
  await rejects(r().pfcount('str'), NOT_HLL);
  await r().set('short', 'HYLL');
  await rejects(r().pfcount('short'), NOT_HLL);
  await r().pfadd('h', 'a', 'b', 'c');
  await r().append('h', 'hello');
  await rejects(r().pfcount('h'), CORRUPT, 'bytes past the last register');
  await r().del('h');
  await r().pfadd('h', 'a', 'b', 'c');
  await r().setrange('h', 4, 'x');
  await rejects(r().pfcount('h'), NOT_HLL, 'an unknown encoding byte');
  await r().setrange('h', 4, '\x00');
  await rejects(r().pfcount('h'), NOT_HLL, 'dense with a sparse length');
  await rejects(r().call('PFADD'), arity('pfadd'));
  await rejects(r().call('PFCOUNT'), arity('pfcount'));
  await rejects(r().call('PFMERGE'), arity('pfmerge'));
  await rejects(r().call('PFDEBUG', 'GETREG'), arity('pfdebug'));
  await rejects(r().call('PFSELFTEST', 'x'), arity('pfselftest'));
});

test('random corruption answers an error or a count, never takes the node down', async () => {
  for (let t = 0; t < 50; t++) {
    await r().del('f');
    await r().pfadd('f', ...range(1 + ((t * 37) % 400), (i) => `${t}:${i}`));
    const len = await r().strlen('f');
    await r().setrange('f', 16 + ((t * 7919) % (len - 16)), Buffer.from([(t * 61) & 0xff]));
    const reply = await r().pfcount('f').catch((e) => e.message);
    assert.ok(typeof reply === 'number' || reply === CORRUPT || reply === NOT_HLL, String(reply));
    await r().pfadd('f', 'x', 'y').catch((e) => assert.strictEqual(e.message, CORRUPT));
  }
  assert.strictEqual(await r().ping(), 'PONG');
});

test('PFDEBUG GETREG DECODE ENCODING TODENSE and PFSELFTEST', async () => {
  await r().pfadd('h', 'a', 'b', 'c');
  assert.strictEqual(await r().call('PFDEBUG', 'encoding', 'h'), 'sparse');
  const regs = await r().call('PFDEBUG', 'GETREG', 'h');
  assert.strictEqual(regs.length, 16384);
  assert.deepStrictEqual([regs[8436], regs[12711], regs[15780]], [1, 2, 1]);
  assert.strictEqual(regs.reduce((a, v) => a + v, 0), 4);
  assert.strictEqual(await r().call('PFDEBUG', 'ENCODING', 'h'), 'dense', 'GETREG converts to dense, as Redis');
  await rejects(r().call('PFDEBUG', 'DECODE', 'h'), 'ERR HLL encoding is not sparse');
  await r().pfadd('h2', 'a');
  assert.strictEqual(await r().call('PFDEBUG', 'TODENSE', 'h2'), 1);
  assert.strictEqual(await r().call('PFDEBUG', 'TODENSE', 'h2'), 0);
  assert.strictEqual(await r().strlen('h2'), 12304);
  assert.strictEqual(await r().pfcount('h2'), 1);
  await rejects(r().call('PFDEBUG', 'GETREG', 'none'), 'ERR The specified key does not exist');
  await rejects(r().call('PFDEBUG', 'Nope', 'h'), "ERR Unknown PFDEBUG subcommand 'Nope'");
  assert.strictEqual(await r().call('PFSELFTEST'), 'OK');
});

test('expiry: PFADD, PFCOUNT and PFMERGE keep the TTL; an expired HLL is gone', async () => {
  await r().pfadd('e', 'a');
  await r().expire('e', 100);
  await r().pfadd('e', 'b');
  assert.strictEqual(await r().pfcount('e'), 2);
  await r().pfmerge('e', 'e');
  assert.ok((await r().ttl('e')) > 90);
  await r().pfadd('gone', 'a', 'b');
  await r().pexpire('gone', 30);
  await sleep(80);
  assert.strictEqual(await r().pfcount('gone'), 0);
  assert.strictEqual(await r().pfadd('gone', 'c'), 1, 'created afresh');
  assert.strictEqual(await r().pfcount('gone'), 1);
  assert.strictEqual(await r().ttl('gone'), -1);
});

test.run();
