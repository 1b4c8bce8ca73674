// common/crc32.ts: CRC32 (IEEE) and key → slot placement with {hash tags}.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { crc32, slotOf } = require('../../dist/common/crc32');
const zlib = require('zlib');

const b = (s) => Buffer.from(s);

test('crc32 check value', () => {
  assert.is(crc32(b('123456789')), 0xcbf43926);
  assert.is(crc32(b('')), 0);
  assert.is(crc32(b('a')), 0xe8b7be43);
  assert.is(crc32(b('The quick brown fox jumps over the lazy dog')), 0x414fa339);
});

test('crc32 is unsigned', () => {
  for (const s of ['123456789', 'a', 'hello', 'x'.repeat(1000)]) {
    const c = crc32(b(s));
    assert.ok(c >= 0 && c <= 0xffffffff && Number.isInteger(c));
  }
});

test('crc32 agrees with zlib where available', () => {
  if (typeof zlib.crc32 !== 'function') {
    // Node < 20.15: compare against a few fixed values instead
    assert.is(crc32(b('hello world')), 0x0d4a1185);
    return;
  }
  const buf = Buffer.alloc(4096);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 131 + 17) & 0xff;
  for (const len of [0, 1, 3, 4, 7, 100, 4096]) assert.is(crc32(buf.subarray(0, len)), zlib.crc32(buf.subarray(0, len)) >>> 0, `length ${len}`);
});

test('crc32 of a range equals crc32 of the slice', () => {
  const buf = b('xx123456789yy');
  assert.is(crc32(buf, 2, 11), 0xcbf43926);
  assert.is(crc32(buf, 2), crc32(b('123456789yy')));
  assert.is(crc32(buf, 5, 5), 0);
});

test('slotOf is crc32 modulo the slot count', () => {
  for (const n of [1, 7, 128, 1024, 16384]) {
    for (const k of ['foo', 'bar', 'user:1000', '123456789']) {
      const s = slotOf(b(k), n);
      assert.is(s, crc32(b(k)) % n);
      assert.ok(s >= 0 && s < n);
    }
  }
  assert.is(slotOf(b('123456789'), 1024), 0xcbf43926 % 1024);
});

test('hash tags: {user}a and {user}b share a slot, that of "user"', () => {
  for (const n of [128, 1024, 16384]) {
    assert.is(slotOf(b('{user}a'), n), slotOf(b('{user}b'), n));
    assert.is(slotOf(b('{user}a'), n), crc32(b('user')) % n);
    assert.is(slotOf(b('x{user}yyy'), n), crc32(b('user')) % n);
  }
  // the two keys without the tag land elsewhere for at least one count
  assert.ok([128, 1024, 16384].some((n) => slotOf(b('a'), n) !== slotOf(b('b'), n)));
});

test('empty tag {} hashes the whole key', () => {
  for (const k of ['{}a', '{}b', 'x{}']) assert.is(slotOf(b(k), 16384), crc32(b(k)) % 16384);
  assert.is.not(slotOf(b('{}a'), 16384), crc32(b('')) % 16384);
});

test('unclosed tag a{b hashes the whole key', () => {
  for (const k of ['a{b', '{abc', 'a}b{c']) assert.is(slotOf(b(k), 16384), crc32(b(k)) % 16384);
});

test('only the first { and the first } after it count', () => {
  assert.is(slotOf(b('a{b}c{d}'), 16384), crc32(b('b')) % 16384);
  assert.is(slotOf(b('}{x}'), 16384), crc32(b('x')) % 16384);
  assert.is(slotOf(b('{{x}}'), 16384), crc32(b('{x')) % 16384);
  // {}{x}: the first tag is empty, so the whole key is hashed
  assert.is(slotOf(b('{}{x}'), 16384), crc32(b('{}{x}')) % 16384);
});

test.run();
