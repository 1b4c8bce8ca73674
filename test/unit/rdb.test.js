// protocol/rdb.ts with common/crc64.ts and common/lzf.ts: payloads redis-server 7.0.15 wrote
// with DUMP decode to their values; ours decode back to what went in; damaged ones are refused.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { decodeDump, encodeDump, verifyDump, RdbFormatError } = require('../../dist/protocol/rdb');
const { crc64 } = require('../../dist/common/crc64');

const b = (s) => Buffer.from(s);
const strs = (items) => items.map(String);

// DUMP output of redis-server 7.0.15 (default config; lp with DEBUG QUICKLIST-PACKED-THRESHOLD 100)
const REDIS = {
  // SET s_lzf abc×16: an LZF-compressed string
  s_lzf: ['00c30b300361626361e021020162630a00704e61bcdc24b6aa', { kind: 'string', value: 'abc'.repeat(16) }],
  // RPUSH l_small a 1 -300 70000 4294967296 x×100: a quicklist of one listpack, LZF-compressed
  l_small: ['120102c3274085138500000006008161020101ded402f270110104f4201201000120030309e06478e05a000166ff0a00eae32193675de654',
    { kind: 'list', items: ['a', '1', '-300', '70000', '4294967296', 'x'.repeat(100)] }],
  // RPUSH lp a p×120 b: listpack nodes around a plain one
  lp: ['1203020a0a0000000100816102ff01c3094078017070e06b00017070020a0a0000000100816202ff0a00d3077fc53f1a329d',
    { kind: 'list', items: ['a', 'p'.repeat(120), 'b'] }],
  // SADD set_int 1 2 300 -5 100000: an intset
  set_int: ['0b1c0400000005000000fbffffff01000000020000002c010000a08601000a00280b5440aae9aeec', { kind: 'set', items: ['-5', '1', '2', '300', '100000'] }],
  // SADD set_str a b c: a plain set
  set_str: ['02030161016201630a00ad9b6c54ee4a24ad', { kind: 'set', items: ['a', 'b', 'c'] }],
  // ZADD z_small 1.5 a 2 b -3 c: a listpack
  z_small: ['111a1a0000000600816302dffd0281610283312e35048162020201ff0a0088c4c030f0ae8276', { kind: 'zset', items: [['c', -3], ['a', 1.5], ['b', 2]] }],
  // ZADD zz 1 x×70 2 b: a skiplist, dumped with binary scores
  zz: ['050201620000000000000040c3094046017878e03900017878000000000000f03f0a0062197e7f1e53d643', { kind: 'zset', items: [['x'.repeat(70), 1], ['b', 2]] }],
  // HSET h_small f1 v1 f2 22: a listpack
  h_small: ['10151500000004008266310382763103826632031601ff0a00794ee62e9c48a90c', { kind: 'hash', pairs: [['f1', 'v1'], ['f2', '22']] }],
};

/** A decoded value with Buffers as strings, for comparison. */
function plain(v) {
  switch (v.kind) {
    case 'string': return { kind: v.kind, value: v.value.toString() };
    case 'list': case 'set': return { kind: v.kind, items: strs(v.items) };
    case 'zset': return { kind: v.kind, items: v.items.map((z) => [String(z.member), z.score]) };
    case 'hash': return { kind: v.kind, pairs: v.pairs.map(([f, x]) => [String(f), String(x)]) };
  }
}

test('crc64 is CRC-64/Jones as Redis computes it', () => {
  const { lo, hi } = crc64(b('123456789'));
  assert.is(hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0'), 'e9c6d914c4b8d9ca');
});

test("redis-server's own DUMP payloads decode: LZF, quicklists of listpacks and plain nodes, intsets, listpacks, binary scores", () => {
  for (const [name, [hex, want]] of Object.entries(REDIS)) {
    const p = Buffer.from(hex, 'hex');
    assert.ok(verifyDump(p), `${name} verifies`);
    const got = plain(decodeDump(p));
    if (want.kind === 'set') got.items.sort((x, y) => Number(x) - Number(y) || (x < y ? -1 : 1));
    if (want.kind === 'zset') got.items.sort((x, y) => x[1] - y[1]);
    assert.equal(got, want, name);
  }
});

test('our payloads decode to what went in, integers and all', () => {
  const values = [
    { kind: 'string', value: b('') },
    { kind: 'string', value: b('-2147483648') },
    { kind: 'string', value: b('007') },
    { kind: 'string', value: Buffer.alloc(70000, 7) },
    { kind: 'list', items: [b('1'), b('-129'), b('40000'), b('9223372036854775807'), b('y'.repeat(20000))] },
    { kind: 'set', items: [b('a'), b('12')] },
    { kind: 'zset', items: [{ member: b('lo'), score: -Infinity }, { member: b('mid'), score: 0.1 }, { member: b('hi'), score: Infinity }] },
    { kind: 'hash', pairs: [[b('f'), b('')], [b(''), b('v')]] },
  ];
  for (const v of values) {
    const p = encodeDump(v);
    assert.ok(verifyDump(p));
    assert.equal(plain(decodeDump(p)), plain(v));
  }
});

test('damaged payloads: checksum, version, truncation, lying lengths, duplicates and empty collections', () => {
  const good = encodeDump({ kind: 'list', items: [b('a'), b('b')] });
  const flipped = Buffer.from(good);
  flipped[3] ^= 1;
  assert.not.ok(verifyDump(flipped));
  assert.not.ok(verifyDump(good.subarray(0, 9)));
  const later = Buffer.from(good);
  later.writeUInt16LE(11, later.length - 10);
  assert.not.ok(verifyDump(later));
  /** A body with a valid footer, so only decoding can refuse it. */
  const sealed = (body) => {
    const out = Buffer.alloc(body.length + 10);
    b(body).copy(out);
    out.writeUInt16LE(10, body.length);
    const c = crc64(out.subarray(0, body.length + 2));
    out.writeUInt32LE(c.lo, body.length + 2);
    out.writeUInt32LE(c.hi, body.length + 6);
    return out;
  };
  const refused = [
    [0x01, 0x80, 0xff, 0xff, 0xff, 0xff], // a list claiming 4 billion elements in no bytes
    [0x00, 0xc3, 0x02, 0x7f, 0x00, 0x00], // an LZF string claiming 127 bytes out of 2
    [0x00, 0xc3, 0x02, 0x05, 0x00, 0x61], // LZF data that does not make the length it claims
    [0x02, 0x02, 0x01, 0x61, 0x01, 0x61], // a set naming a member twice
    [0x01, 0x00], // an empty list
    [0x00, 0x05, 0x61], // a string shorter than its length
    [0x00, 0x01, 0x61, 0x62], // trailing bytes
    [0x13], // a stream
    [0x10, 0x05, 0x05, 0x00, 0x00, 0x00, 0x00], // a listpack of the wrong size
  ];
  for (const body of refused) assert.throws(() => decodeDump(sealed(body)), (e) => e instanceof RdbFormatError, Buffer.from(body).toString('hex'));
});

test('mutated payloads either decode or are refused as bad format: no other error, no crash', () => {
  const seeds = Object.values(REDIS).map(([hex]) => Buffer.from(hex, 'hex'));
  let state = 42;
  const rnd = (n) => (state = (state * 1103515245 + 12345) & 0x7fffffff) % n;
  let refused = 0;
  for (let i = 0; i < 20000; i++) {
    const p = Buffer.from(seeds[rnd(seeds.length)]);
    for (let m = 1 + rnd(4); m > 0; m--) p[rnd(p.length - 10)] = rnd(256);
    try {
      decodeDump(p);
    } catch (e) {
      assert.ok(e instanceof RdbFormatError, `${e.constructor.name}: ${e.message}`);
      refused++;
    }
  }
  assert.ok(refused > 0);
});

test.run();
