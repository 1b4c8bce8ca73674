// common/int64.ts: 64-bit big-endian integers without BigInt, byte for byte what a BigInt write gives.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { readInt64BE, readUInt64BE, writeInt64BE, writeUInt64BE } = require('../../dist/common/int64');

const SIGNED = [0, 1, -1, 255, -256, 2 ** 31, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, -(2 ** 32) - 1, 1733300000000, -1733300000000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
const UNSIGNED = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 12345, 1733300000000, Number.MAX_SAFE_INTEGER];

test('signed values: the bytes of writeBigInt64BE, read back exactly', () => {
  for (const n of SIGNED) {
    const ours = Buffer.alloc(12, 0xaa);
    const theirs = Buffer.alloc(12, 0xaa);
    writeInt64BE(ours, n, 2);
    theirs.writeBigInt64BE(BigInt(n), 2);
    assert.equal(ours, theirs, `bytes of ${n}`);
    assert.is(readInt64BE(theirs, 2), n, `read of ${n}`);
  }
});

test('unsigned values: the bytes of writeBigUInt64BE, read back exactly', () => {
  for (const n of UNSIGNED) {
    const ours = Buffer.alloc(8);
    const theirs = Buffer.alloc(8);
    writeUInt64BE(ours, n, 0);
    theirs.writeBigUInt64BE(BigInt(n), 0);
    assert.equal(ours, theirs, `bytes of ${n}`);
    assert.is(readUInt64BE(theirs, 0), n, `read of ${n}`);
  }
});

test('unsigned integers past 2^53 that a double holds are written exactly (expiry times)', () => {
  for (const n of [2 ** 53 + 2, 2 ** 60, 2 ** 64 - 2 ** 11]) {
    const ours = Buffer.alloc(8);
    writeUInt64BE(ours, n, 0);
    assert.is(ours.readBigUInt64BE(0), BigInt(n));
  }
});

test('values out of range throw, as the BigInt writes do', () => {
  assert.throws(() => writeUInt64BE(Buffer.alloc(8), -1, 0));
  assert.throws(() => writeUInt64BE(Buffer.alloc(8), 2 ** 64, 0));
  assert.throws(() => writeInt64BE(Buffer.alloc(8), 2 ** 63, 0));
});

test.run();
