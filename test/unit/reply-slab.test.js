// dispatch/reply-slab.ts: large reply copies carved from one slab, reused only when every copy was released.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { ReplySlab } = require('../../dist/dispatch/reply-slab');
const { REPLY_SLAB_BYTES, REPLY_SLABS_PINNED_MAX } = require('../../dist/common/limits');

const LARGE = 64 * 1024; // past Buffer's pool, well under an eighth of the slab
const filled = (byte, n = LARGE) => Buffer.alloc(n, byte);

test('a copy holds the bytes asked for, wherever they sit in the source', () => {
  const slab = new ReplySlab();
  const src = Buffer.concat([filled(1, 10), filled(2), filled(3, 10)]);
  const copy = slab.copy(src, 10, LARGE);
  assert.ok(copy.equals(filled(2)));
  src.fill(9);
  assert.ok(copy.equals(filled(2)), 'a copy, not a view of the source');
});

test('small and huge replies get buffers of their own', () => {
  const slab = new ReplySlab();
  const small = slab.copy(filled(1, 100), 0, 100);
  const huge = slab.copy(filled(2, REPLY_SLAB_BYTES), 0, REPLY_SLAB_BYTES);
  const large = slab.copy(filled(3), 0, LARGE);
  assert.is.not(small.buffer, large.buffer);
  assert.is.not(huge.buffer, large.buffer);
  slab.release(small); // not the slab's: ignored
  slab.release(huge);
  assert.ok(large.equals(filled(3)));
});

test('once every copy is released the slab starts over; a held copy is never overwritten', () => {
  const slab = new ReplySlab();
  const a = slab.copy(filled(1), 0, LARGE);
  slab.release(a);
  const b = slab.copy(filled(2), 0, LARGE);
  assert.is(b.buffer, a.buffer);
  assert.is(b.byteOffset, a.byteOffset, 'reused from its start');
  // b is held (say, queued behind a slow reader): fill the slab past its end
  const held = [];
  for (let i = 0; i < REPLY_SLAB_BYTES / LARGE + 2; i++) held.push(slab.copy(filled(10 + (i % 200)), 0, LARGE));
  assert.ok(b.equals(filled(2)), 'the held copy kept its bytes');
  held.forEach((h, i) => assert.ok(h.equals(filled(10 + (i % 200))), `copy ${i} kept its bytes`));
  assert.is.not(held[held.length - 1].buffer, b.buffer, 'a full slab with a live copy is replaced');
});

test('slabs kept alive by held copies are bounded: past the bound, copies get buffers of their own', () => {
  const slab = new ReplySlab();
  const perSlab = REPLY_SLAB_BYTES / LARGE;
  const held = [];
  // every copy is held (slow readers), so each full slab is left behind with them
  for (let i = 0; i < perSlab * (REPLY_SLABS_PINNED_MAX + 1); i++) held.push(slab.copy(filled(i % 251), 0, LARGE));
  const slabs = new Set(held.map((h) => h.buffer));
  assert.is(slabs.size, REPLY_SLABS_PINNED_MAX + 1, 'the pinned ones and the current one');
  const more = [slab.copy(filled(1), 0, LARGE), slab.copy(filled(2), 0, LARGE)];
  for (const m of more) assert.not.ok(slabs.has(m.buffer), 'not carved from a slab');
  assert.is.not(more[0].buffer, more[1].buffer);
  held.forEach((h, i) => assert.ok(h.equals(filled(i % 251)), `held copy ${i} kept its bytes`));
  // once the current slab's copies are all released, it is reused
  const current = held.filter((h) => h.buffer === held[held.length - 1].buffer);
  for (const h of current) slab.release(h);
  assert.is(slab.copy(filled(3), 0, LARGE).buffer, current[0].buffer);
});

test('releasing more than was carved is a bug, and says so', () => {
  const slab = new ReplySlab();
  const a = slab.copy(filled(1), 0, LARGE);
  slab.release(a);
  assert.throws(() => slab.release(a), /more copies released than carved/);
});

test.run();
