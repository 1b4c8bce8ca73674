// SETBIT GETBIT BITCOUNT BITPOS BITOP through a real node.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, rejects } = require('./helpers');

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

test.run();
