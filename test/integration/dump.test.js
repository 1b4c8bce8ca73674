// DUMP and RESTORE through ioredis against a real node: every type round-trips with its TTL,
// redis-server's own payloads restore, and the errors are Redis 7.0's.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, rejects, ERRORS } = require('./helpers');
const { crc64 } = require('../../dist/common/crc64');
const { arity, NOT_INT, SYNTAX } = ERRORS;

const test = suite('dump');
const h = useNode(test);
const r = () => h.redis;

test.before.each(async () => {
  await r().flushall();
});

/** A key's type and whole content, in a comparable form. */
async function content(k) {
  const t = await r().type(k);
  if (t === 'string') return [t, await r().get(k)];
  if (t === 'list') return [t, await r().lrange(k, 0, -1)];
  if (t === 'set') return [t, (await r().smembers(k)).sort()];
  if (t === 'zset') return [t, await r().zrange(k, 0, -1, 'WITHSCORES')];
  if (t === 'hash') return [t, Object.entries(await r().hgetall(k)).sort()];
  return [t];
}

test('every type round-trips through DUMP and RESTORE, big collections and long elements too', async () => {
  await r().set('str', 'x'.repeat(5000));
  await r().set('num', '-12345');
  await r().rpush('list', ...Array.from({ length: 1000 }, (_, i) => (i % 100 === 0 ? 'long'.repeat(100) : String(i))));
  await r().sadd('set', 'a', '1', 'b');
  await r().sadd('bigset', ...Array.from({ length: 600 }, (_, i) => `m${i}`));
  await r().zadd('zset', '-inf', 'lo', 1.5, 'mid', 'inf', 'hi');
  await r().hset('hash', 'f', 'v', 'empty', '');
  for (const k of ['str', 'num', 'list', 'set', 'bigset', 'zset', 'hash']) {
    const before = await content(k);
    const payload = await r().dumpBuffer(k);
    assert.strictEqual(await r().restore(`${k}:copy`, 0, payload), 'OK');
    assert.deepStrictEqual(await content(`${k}:copy`), before, k);
    assert.strictEqual(await r().ttl(`${k}:copy`), -1);
  }
  assert.strictEqual(await r().dump('missing'), null);
});

test('TTL: relative, ABSTTL, already expired; REPLACE and BUSYKEY', async () => {
  await r().rpush('src', 'a', 'b');
  const p = await r().dumpBuffer('src');
  assert.strictEqual(await r().restore('rel', 100000, p), 'OK');
  const pttl = await r().pttl('rel');
  assert.ok(pttl > 90000 && pttl <= 100000, `pttl ${pttl}`);
  assert.strictEqual(await r().restore('abs', Date.now() + 50000, p, 'ABSTTL'), 'OK');
  const abs = await r().pttl('abs');
  assert.ok(abs > 40000 && abs <= 50000, `pttl ${abs}`);
  await rejects(r().restore('rel', 0, p), 'BUSYKEY Target key name already exists.');
  await r().set('rel', 'string now');
  assert.strictEqual(await r().restore('rel', 0, p, 'REPLACE', 'IDLETIME', '10'), 'OK');
  assert.deepStrictEqual(await r().lrange('rel', 0, -1), ['a', 'b']);
  assert.strictEqual(await r().ttl('rel'), -1);
  // an absolute time in the past deletes what REPLACE found and creates nothing
  assert.strictEqual(await r().restore('rel', 1, p, 'REPLACE', 'ABSTTL'), 'OK');
  assert.strictEqual(await r().exists('rel'), 0);
  assert.strictEqual(await r().restore('never', 1, p, 'ABSTTL', 'FREQ', '5'), 'OK');
  assert.strictEqual(await r().exists('never'), 0);
});

test("redis-server 7.0.15's payloads restore: a compressed quicklist, an intset, listpacks", async () => {
  const payloads = {
    l: ['120102c3274085138500000006008161020101ded402f270110104f4201201000120030309e06478e05a000166ff0a00eae32193675de654',
      ['list', ['a', '1', '-300', '70000', '4294967296', 'x'.repeat(100)]]],
    s: ['0b1c0400000005000000fbffffff01000000020000002c010000a08601000a00280b5440aae9aeec', ['set', ['-5', '1', '100000', '2', '300']]],
    z: ['111a1a0000000600816302dffd0281610283312e35048162020201ff0a0088c4c030f0ae8276', ['zset', ['c', '-3', 'a', '1.5', 'b', '2']]],
    h: ['10151500000004008266310382763103826632031601ff0a00794ee62e9c48a90c', ['hash', [['f1', 'v1'], ['f2', '22']]]],
  };
  for (const [k, [hex, want]] of Object.entries(payloads)) {
    assert.strictEqual(await r().restore(k, 0, Buffer.from(hex, 'hex')), 'OK');
    assert.deepStrictEqual(await content(k), want, k);
  }
});

test('errors: TTL, options, checksum, format, arity', async () => {
  await r().set('k', 'v');
  const p = await r().dumpBuffer('k');
  await rejects(r().restore('n', -1, p), 'ERR Invalid TTL value, must be >= 0');
  await rejects(r().restore('n', 'x', p), NOT_INT);
  await rejects(r().restore('n', 0, p, 'foo'), SYNTAX);
  await rejects(r().restore('n', 0, p, 'IDLETIME', '-1'), 'ERR Invalid IDLETIME value, must be >= 0');
  await rejects(r().restore('n', 0, p, 'FREQ', '256'), 'ERR Invalid FREQ value, must be >= 0 and <= 255');
  await rejects(r().restore('n', 0, p, 'IDLETIME', '1', 'FREQ', '1'), SYNTAX);
  const damaged = Buffer.from(p);
  damaged[2] ^= 1;
  await rejects(r().restore('n', 0, damaged), 'ERR DUMP payload version or checksum are wrong');
  await rejects(r().restore('n', 0, 'short'), 'ERR DUMP payload version or checksum are wrong');
  // a valid footer over a body that is not a value: a list claiming five elements, holding one
  const body = Buffer.from([0x01, 0x05, 0x01, 0x61, 10, 0]);
  const crc = crc64(body);
  const lying = Buffer.concat([body, Buffer.alloc(8)]);
  lying.writeUInt32LE(crc.lo, body.length);
  lying.writeUInt32LE(crc.hi, body.length + 4);
  await rejects(r().restore('n', 0, lying), 'ERR Bad data format');
  assert.strictEqual(await r().exists('n'), 0);
  await rejects(r().call('dump'), arity('dump'));
  await rejects(r().call('restore', 'n', '0'), arity('restore'));
});

test.run();
