// types/hll.ts: the hash, the register layouts and the sparse/dense agreement.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { Hll, isHll, murmurHash64A, denseGet, denseSet, countRegisters, HLL_DENSE, HLL_SPARSE, HLL_DENSE_SIZE, HLL_REGISTERS } = require('../../dist/types/hll');

/** MurmurHash64A written plainly with BigInt, seed 0xadc83b19, to check the 32-bit version. */
function murmurReference(data) {
  const M = 0xc6a4a7935bd1e995n;
  const mask = (1n << 64n) - 1n;
  let h = 0xadc83b19n ^ ((BigInt(data.length) * M) & mask);
  const blocks = data.length - (data.length & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = data.readBigUInt64LE(i);
    k = (k * M) & mask;
    k ^= k >> 47n;
    k = (k * M) & mask;
    h ^= k;
    h = (h * M) & mask;
  }
  if (data.length & 7) {
    for (let i = (data.length & 7) - 1; i >= 0; i--) h ^= BigInt(data[blocks + i]) << BigInt(8 * i);
    h = (h * M) & mask;
  }
  h ^= h >> 47n;
  h = (h * M) & mask;
  h ^= h >> 47n;
  return h;
}

test('murmurHash64A matches a BigInt reference for every tail length and random bytes', () => {
  for (let len = 0; len < 40; len++) {
    for (let t = 0; t < 20; t++) {
      const data = Buffer.alloc(len);
      for (let i = 0; i < len; i++) data[i] = (Math.random() * 256) | 0;
      const [hi, lo] = murmurHash64A(data);
      assert.is((BigInt(hi) << 32n) | BigInt(lo), murmurReference(data), `length ${len}: ${data.toString('hex')}`);
    }
  }
});

test('dense registers: 6-bit fields round-trip without touching their neighbours', () => {
  const buf = Buffer.alloc(HLL_DENSE_SIZE);
  const want = new Uint8Array(HLL_REGISTERS);
  for (let i = 0; i < HLL_REGISTERS; i++) {
    want[i] = (i * 37 + 11) & 63;
    denseSet(buf, 16, i, want[i]);
  }
  for (let i = 0; i < HLL_REGISTERS; i++) assert.is(denseGet(buf, 16, i), want[i]);
  denseSet(buf, 16, HLL_REGISTERS - 1, 63);
  assert.is(denseGet(buf, 16, HLL_REGISTERS - 2), want[HLL_REGISTERS - 2]);
});

test('an empty HLL is 18 bytes: the header and one XZERO of 16384 registers', () => {
  const h = Hll.create();
  assert.is(h.value().toString('hex'), '48594c4c' + '01000000' + '0000000000000000' + '7fff');
  assert.ok(isHll(h.value()));
  assert.is(h.count(), 0);
  assert.is(h.decode(), 'Z:16384');
});

test('sparse and dense give the same estimate; promotion follows the byte limit', () => {
  const sparse = Hll.create();
  const dense = Hll.create();
  assert.ok(dense.toDense());
  assert.is(dense.encoding, HLL_DENSE);
  for (let i = 0; i < 2000; i++) {
    const e = Buffer.from(`element-${i}`);
    sparse.add(e, 1_000_000);
    dense.add(e, 1_000_000);
    if (i % 97 === 0) assert.is(sparse.count(), dense.count());
  }
  assert.is(sparse.encoding, HLL_SPARSE);
  const small = Hll.create();
  for (let i = 0; i < 2000 && small.encoding === HLL_SPARSE; i++) small.add(Buffer.from(`element-${i}`), 100);
  assert.is(small.encoding, HLL_DENSE);
  assert.ok(small.value().length === HLL_DENSE_SIZE);
  const max = new Uint8Array(HLL_REGISTERS);
  assert.ok(sparse.mergeInto(max));
  assert.is(countRegisters(max), dense.count());
  assert.ok(Math.abs(dense.count() - 2000) < 2000 * 0.05);
});

test('isHll: magic, encoding byte and dense length', () => {
  const v = Buffer.from(Hll.create().value());
  assert.not.ok(isHll(v.subarray(0, 15)));
  assert.not.ok(isHll(Buffer.concat([Buffer.from('HYLX'), v.subarray(4)])));
  v[4] = 2;
  assert.not.ok(isHll(v));
  v[4] = 0;
  assert.not.ok(isHll(v), 'dense must be exactly 12304 bytes');
});

test('a truncated sparse value counts as corrupted', () => {
  const h = Hll.create();
  h.add(Buffer.from('a'), 3000);
  const cut = Hll.from(h.value().subarray(0, h.value().length - 1));
  assert.is(cut.count(), -1);
  assert.not.ok(cut.mergeInto(new Uint8Array(HLL_REGISTERS)));
  assert.not.ok(cut.toDense());
});

test.run();
