// SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD through a real node; expected values are redis-server 7.0's.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, rejects, sleep, client } = require('./helpers');

const test = suite('bitmap');
const h = useNode(test);

test('SETBIT and GETBIT, bit 0 is the high bit of byte 0', async () => {
  const r = h.redis;
  assert.strictEqual(await r.setbit('bm:a', 7, 1), 0);
  assert.strictEqual(await r.setbit('bm:a', 7, 1), 1);
  assert.strictEqual(await r.get('bm:a'), '\x01');
  assert.strictEqual(await r.getbit('bm:a', 7), 1);
  assert.strictEqual(await r.getbit('bm:a', 100), 0);
  assert.strictEqual(await r.setbit('bm:a', 23, 1), 0);
  assert.strictEqual(await r.strlen('bm:a'), 3);
  await rejects(r.setbit('bm:a', -1, 1), 'ERR bit offset is not an integer or out of range');
  await rejects(r.setbit('bm:a', 4294967296, 1), 'ERR bit offset is not an integer or out of range');
  await rejects(r.setbit('bm:a', 1, 2), 'ERR bit is not an integer or out of range');
  await r.hset('bm:h', 'f', 'v');
  await rejects(r.setbit('bm:h', 1, 1), /^WRONGTYPE/);
});

test('BITCOUNT and BITPOS with BYTE and BIT ranges', async () => {
  const r = h.redis;
  await r.set('bm:s', 'foobar');
  assert.strictEqual(await r.bitcount('bm:s'), 26);
  assert.strictEqual(await r.bitcount('bm:s', 0, 0), 4);
  assert.strictEqual(await r.bitcount('bm:s', 1, 1), 6);
  assert.strictEqual(await r.call('BITCOUNT', 'bm:s', 5, 30, 'BIT'), 17);
  assert.strictEqual(await r.bitcount('bm:s', -6, -7), 0);
  await rejects(r.call('BITCOUNT', 'bm:s', 0), 'ERR syntax error');
  await r.set('bm:p', Buffer.from([0xff, 0xf0, 0x00]));
  assert.strictEqual(await r.bitpos('bm:p', 0), 12);
  assert.strictEqual(await r.bitpos('bm:p', 1, 2), -1);
  assert.strictEqual(await r.call('BITPOS', 'bm:p', 0, 0, -1, 'BIT'), 12);
  await r.set('bm:ones', Buffer.from([0xff]));
  assert.strictEqual(await r.bitpos('bm:ones', 0), 8, 'a clear bit past the end when no end is given');
  assert.strictEqual(await r.bitpos('bm:none', 1), -1);
  await rejects(r.bitpos('bm:p', 2), 'ERR The bit argument must be 1 or 0.');
});

test('BITCOUNT and BITPOS check the key before their arguments, in Redis 7.0 order', async () => {
  const r = h.redis;
  await r.set('bm:o', 'ab');
  await r.hset('bm:oh', 'f', 'v');
  // a missing key answers before anything else is read; a wrong type before any syntax
  assert.strictEqual(await r.call('BITCOUNT', 'bm:missing', 'x'), 0);
  await rejects(r.call('BITCOUNT', 'bm:oh', 'x'), /^WRONGTYPE/);
  await rejects(r.call('BITCOUNT', 'bm:o', 'x'), 'ERR syntax error');
  await rejects(r.call('BITCOUNT', 'bm:o', 'x', 1), 'ERR value is not an integer or out of range');
  // the negative start > end shortcut comes before the unit is read
  assert.strictEqual(await r.call('BITCOUNT', 'bm:o', -1, -2, 'nonsense'), 0);
  await rejects(r.call('BITCOUNT', 'bm:o', 0, 1, 'nonsense'), 'ERR syntax error');
  await rejects(r.bitpos('bm:o', 'x'), 'ERR value is not an integer or out of range');
  await rejects(r.bitpos('bm:missing', 'x'), 'ERR value is not an integer or out of range');
  assert.strictEqual(await r.call('BITPOS', 'bm:missing', 1, 0, 1, 'BIT', 'x'), -1);
  await rejects(r.call('BITPOS', 'bm:o', 1, 0, 1, 'BIT', 'x'), 'ERR syntax error');
  await rejects(r.call('BITPOS', 'bm:o', 1, 0, 'x', 'nonsense'), 'ERR syntax error');
  await rejects(r.call('BITPOS', 'bm:o', 1, 0, 'x', 'BIT'), 'ERR value is not an integer or out of range');
});

test('BITOP over keys on different workers', async () => {
  const r = h.redis;
  await r.set('bm:x', Buffer.from([0b1100]));
  await r.set('bm:y', Buffer.from([0b1010, 0xff]));
  assert.strictEqual(await r.bitop('AND', 'bm:and', 'bm:x', 'bm:y'), 2);
  assert.deepStrictEqual([...(await r.getBuffer('bm:and'))], [0b1000, 0]);
  assert.strictEqual(await r.bitop('OR', 'bm:or', 'bm:x', 'bm:y'), 2);
  assert.deepStrictEqual([...(await r.getBuffer('bm:or'))], [0b1110, 0xff]);
  assert.strictEqual(await r.bitop('XOR', 'bm:xor', 'bm:x', 'bm:y'), 2);
  assert.deepStrictEqual([...(await r.getBuffer('bm:xor'))], [0b0110, 0xff]);
  assert.strictEqual(await r.bitop('NOT', 'bm:not', 'bm:x'), 1);
  assert.deepStrictEqual([...(await r.getBuffer('bm:not'))], [0xf3]);
  await rejects(r.bitop('NOT', 'bm:not', 'bm:x', 'bm:y'), 'ERR BITOP NOT must be called with a single source key.');
  await r.set('bm:gone', 'v');
  assert.strictEqual(await r.bitop('AND', 'bm:gone', 'bm:nothing1', 'bm:nothing2'), 0);
  assert.strictEqual(await r.exists('bm:gone'), 0);
});

const BF_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const BF_OFFSET = 'ERR bit offset is not an integer or out of range';
const bitfield = (...args) => h.redis.call('BITFIELD', ...args);

test('BITFIELD GET and SET, signed and unsigned, # offsets', async () => {
  assert.deepStrictEqual(await bitfield('bf:a', 'SET', 'i8', 0, -100, 'GET', 'i8', 0, 'GET', 'u8', 0, 'SET', 'u4', '#3', 15, 'GET', 'u16', 0), [0, -100, 156, 0, 39951]);
  assert.deepStrictEqual([...(await h.redis.getBuffer('bf:a'))], [0x9c, 0x0f]);
  assert.deepStrictEqual(await bitfield('bf:a', 'get', 'u8', 100, 'get', 'i3', 5), [0, -4], 'bits past the end read as 0');
  assert.deepStrictEqual(await bitfield('bf:a'), [], 'only the key');
  assert.deepStrictEqual(await bitfield('bf:a', 'OVERFLOW', 'WRAP'), []);
  assert.deepStrictEqual(await bitfield('bf:none', 'GET', 'u8', 0), [0]);
  assert.strictEqual(await h.redis.exists('bf:none'), 0, 'GET alone creates nothing');
  assert.deepStrictEqual(await h.redis.call('BITFIELD_RO', 'bf:a', 'GET', 'u8', 0, 'GET', 'i4', '#1'), [156, -4]);
});

test('BITFIELD INCRBY with OVERFLOW WRAP, SAT and FAIL, up to i64 and u63', async () => {
  assert.deepStrictEqual(await bitfield('bf:o', 'incrby', 'u2', 100, 1, 'overflow', 'sat', 'incrby', 'u2', 102, 1, 'incrby', 'u2', 102, 5, 'overflow', 'fail', 'incrby', 'u2', 102, 1, 'get', 'u2', 102), [1, 1, 3, null, 3]);
  assert.strictEqual(await h.redis.strlen('bf:o'), 13);
  assert.deepStrictEqual(await bitfield('bf:o', 'overflow', 'wrap', 'incrby', 'i8', 200, 127, 'incrby', 'i8', 200, 1, 'overflow', 'sat', 'incrby', 'i8', 200, -1000, 'set', 'i8', 200, 300, 'overflow', 'fail', 'set', 'i8', 200, 128, 'get', 'i8', 200), [127, -128, -128, -128, null, 127]);
  // 64-bit replies, read as strings: a JS number cannot hold them exactly.
  const big = client(h.node.port, { stringNumbers: true });
  assert.deepStrictEqual(await big.call('BITFIELD', 'bf:o', 'set', 'i64', 300, '-9223372036854775808', 'incrby', 'i64', 300, -1, 'get', 'u63', 300, 'get', 'i64', 300), ['0', '9223372036854775807', '4611686018427387903', '9223372036854775807']);
  assert.deepStrictEqual(await big.call('BITFIELD', 'bf:o', 'overflow', 'sat', 'incrby', 'u63', 400, '9223372036854775807', 'incrby', 'u63', 400, 1, 'overflow', 'wrap', 'incrby', 'i64', 300, 1), ['9223372036854775807', '9223372036854775807', '-9223372036854775808']);
  big.disconnect();
  assert.deepStrictEqual(await bitfield('bf:new', 'overflow', 'fail', 'incrby', 'u2', 0, 10), [null]);
  assert.deepStrictEqual([...(await h.redis.getBuffer('bf:new'))], [0], 'the key is created even though the write failed, as Redis');
});

test('BITFIELD errors: types, offsets, values, subcommands, BITFIELD_RO, wrong type', async () => {
  for (const t of ['u64', 'i65', 'u0', 'x8', 'I8', 'i', '', 'i08']) await rejects(bitfield('bf:e', 'GET', t, 0), BF_TYPE);
  for (const o of ['-1', '#-1', '#', 'abc', '4294967296', '#536870912', '#9223372036854775807']) await rejects(bitfield('bf:e', 'GET', 'u8', o), BF_OFFSET);
  for (const v of ['abc', '1.5', '-0', '9223372036854775808']) await rejects(bitfield('bf:e', 'SET', 'u8', 0, v), 'ERR value is not an integer or out of range');
  await rejects(bitfield('bf:e', 'OVERFLOW', 'bad'), 'ERR Invalid OVERFLOW type specified');
  await rejects(bitfield('bf:e', 'OVERFLOW'), 'ERR syntax error');
  await rejects(bitfield('bf:e', 'GET', 'u8'), 'ERR syntax error');
  await rejects(bitfield('bf:e', 'SET', 'u8', 0), 'ERR syntax error');
  await rejects(bitfield('bf:e', 'FOO', 'u8', 0), 'ERR syntax error');
  await rejects(h.redis.call('BITFIELD_RO', 'bf:e', 'GET', 'u8', 0, 'SET', 'u8', 0, 1), 'ERR BITFIELD_RO only supports the GET subcommand');
  await rejects(h.redis.call('BITFIELD_RO', 'bf:e', 'INCRBY', 'u8', 0, 'x'), 'ERR value is not an integer or out of range', 'arguments are checked first');
  await rejects(h.redis.call('BITFIELD'), "ERR wrong number of arguments for 'bitfield' command");
  await rejects(h.redis.call('BITFIELD_RO'), "ERR wrong number of arguments for 'bitfield_ro' command");
  assert.strictEqual(await h.redis.exists('bf:e'), 0);
  await h.redis.hset('bf:h', 'f', 'v');
  await rejects(bitfield('bf:h'), /^WRONGTYPE/);
  await rejects(bitfield('bf:h', 'SET', 'u8', 0, 1), /^WRONGTYPE/);
  await rejects(h.redis.call('BITFIELD_RO', 'bf:h', 'GET', 'u8', 0), /^WRONGTYPE/);
});

test('BITFIELD keeps the TTL, and an expired key reads as zeros', async () => {
  await bitfield('bf:t', 'SET', 'u8', 0, 200);
  await h.redis.expire('bf:t', 100);
  assert.deepStrictEqual(await bitfield('bf:t', 'INCRBY', 'u8', 0, 1, 'SET', 'u8', 16, 7), [201, 0]);
  assert.ok((await h.redis.ttl('bf:t')) > 90);
  await h.redis.pexpire('bf:t', 30);
  await sleep(80);
  assert.deepStrictEqual(await bitfield('bf:t', 'GET', 'u8', 0, 'INCRBY', 'u8', 8, 5), [0, 5]);
  assert.strictEqual(await h.redis.strlen('bf:t'), 2);
  assert.strictEqual(await h.redis.ttl('bf:t'), -1);
});

test.run();
