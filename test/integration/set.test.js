// Set commands through ioredis against a real node with two workers.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, rejects, sleep, rawRequest, keysOnWorker, ERRORS } = require('./helpers');
const { arity, NOT_INT, SYNTAX, WRONGTYPE } = ERRORS;

const test = suite('sets');
const h = useNode(test);
const r = () => h.redis;

const sorted = (a) => [...a].sort();
const range = (n, f = (i) => String(i)) => Array.from({ length: n }, (_, i) => f(i));

test.before.each(async () => {
  await r().flushall();
});

test('SADD SCARD SISMEMBER SMISMEMBER SMEMBERS', async () => {
  assert.strictEqual(await r().sadd('s', 'a', 'b', 'c', 'a'), 3);
  assert.strictEqual(await r().sadd('s', 'a', 'd'), 1);
  assert.strictEqual(await r().scard('s'), 4);
  assert.strictEqual(await r().scard('none'), 0);
  assert.strictEqual(await r().sismember('s', 'a'), 1);
  assert.strictEqual(await r().sismember('s', 'z'), 0);
  assert.strictEqual(await r().sismember('none', 'a'), 0);
  assert.deepStrictEqual(await r().smismember('s', 'a', 'z', 'd'), [1, 0, 1]);
  assert.deepStrictEqual(await r().smismember('none', 'a', 'b'), [0, 0]);
  assert.deepStrictEqual(sorted(await r().smembers('s')), ['a', 'b', 'c', 'd']);
  assert.deepStrictEqual(await r().smembers('none'), []);
  assert.strictEqual(await r().type('s'), 'set');
  // the empty string is a member like any other
  assert.strictEqual(await r().sadd('s', ''), 1);
  assert.strictEqual(await r().sismember('s', ''), 1);
});

test('SREM, and an empty set disappears', async () => {
  await r().sadd('s', 'a', 'b', 'c');
  assert.strictEqual(await r().srem('s', 'x', 'y'), 0);
  assert.strictEqual(await r().srem('s', 'a', 'a', 'x'), 1);
  assert.deepStrictEqual(sorted(await r().smembers('s')), ['b', 'c']);
  assert.strictEqual(await r().srem('s', 'b', 'c', 'd'), 2);
  assert.strictEqual(await r().exists('s'), 0);
  assert.strictEqual(await r().srem('none', 'a'), 0);
  // a new set at the same key starts empty
  assert.strictEqual(await r().sadd('s', 'z'), 1);
  assert.deepStrictEqual(await r().smembers('s'), ['z']);
});

test('OBJECT ENCODING: intset, then hashtable for good', async () => {
  await r().sadd('i', '1', '2', '-3');
  assert.strictEqual(await r().object('ENCODING', 'i'), 'intset');
  await r().sadd('i', 'x');
  assert.strictEqual(await r().object('ENCODING', 'i'), 'hashtable');
  await r().srem('i', 'x');
  assert.strictEqual(await r().object('ENCODING', 'i'), 'hashtable');
  await r().sadd('big', '213244124402402314402033402');
  assert.strictEqual(await r().object('ENCODING', 'big'), 'hashtable');
  await r().sadd('z', '01');
  assert.strictEqual(await r().object('ENCODING', 'z'), 'hashtable');
  await r().sadd('many', ...range(512));
  assert.strictEqual(await r().object('ENCODING', 'many'), 'intset');
  await r().sadd('many', '512');
  assert.strictEqual(await r().object('ENCODING', 'many'), 'hashtable');
});

test('wrong types', async () => {
  await r().set('str', 'x');
  await r().sadd('s', 'a');
  for (const cmd of [
    ['sadd', 'str', 'a'], ['srem', 'str', 'a'], ['scard', 'str'], ['sismember', 'str', 'a'], ['smismember', 'str', 'a'],
    ['smembers', 'str'], ['srandmember', 'str'], ['srandmember', 'str', '2'], ['spop', 'str'], ['spop', 'str', '2'],
    ['sscan', 'str', '0'], ['smove', 'str', 's', 'a'], ['smove', 's', 'str', 'a'], ['sinter', 's', 'str'], ['sinter', 'none', 'str'],
    ['sintercard', '2', 'none', 'str'], ['sunion', 'str', 's'], ['sdiff', 's', 'str'], ['sdiff', 'none', 'str'],
    ['sinterstore', 'dst', 'none', 'str'], ['sunionstore', 'dst', 's', 'str'], ['sdiffstore', 'dst', 'str', 's'],
  ]) {
    await rejects(r().call(...cmd), WRONGTYPE);
  }
  assert.strictEqual(await r().exists('dst'), 0);
  assert.strictEqual(await r().get('str'), 'x');
  // SMOVE from an absent source answers 0 before looking at the destination's type
  assert.strictEqual(await r().smove('none', 'str', 'a'), 0);
  // a set is not a string either
  await rejects(r().get('s'), WRONGTYPE);
});

test('arity', async () => {
  for (const [cmd, n] of [
    ['sadd', 1], ['srem', 1], ['scard', 0], ['scard', 2], ['sismember', 1], ['sismember', 3], ['smismember', 1], ['smembers', 0],
    ['smembers', 2], ['srandmember', 0], ['spop', 0], ['smove', 2], ['smove', 4], ['sinter', 0], ['sintercard', 1], ['sunion', 0],
    ['sdiff', 0], ['sinterstore', 1], ['sunionstore', 1], ['sdiffstore', 1], ['sscan', 1],
  ]) {
    await rejects(r().call(cmd, ...range(n, (i) => `k${i}`)), arity(cmd));
  }
  await rejects(r().call('srandmember', 's', '1', '2'), SYNTAX);
  await rejects(r().call('spop', 's', '1', '2'), SYNTAX);
});

test('SRANDMEMBER', async () => {
  assert.strictEqual(await r().srandmember('none'), null);
  assert.deepStrictEqual(await r().srandmember('none', 5), []);
  await r().sadd('s', 'a', 'b', 'c');
  assert.ok(['a', 'b', 'c'].includes(await r().srandmember('s')));
  assert.deepStrictEqual(await r().srandmember('s', 0), []);
  assert.deepStrictEqual(sorted(await r().srandmember('s', 10)), ['a', 'b', 'c']);
  const two = await r().srandmember('s', 2);
  assert.strictEqual(new Set(two).size, 2);
  const many = await r().srandmember('s', -50);
  assert.strictEqual(many.length, 50);
  assert.deepStrictEqual(sorted(new Set(many)), ['a', 'b', 'c']);
  assert.strictEqual(await r().scard('s'), 3);
  await rejects(r().srandmember('s', 'x'), NOT_INT);
  await rejects(r().srandmember('s', '-9223372036854775808'), 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
});

test('SPOP', async () => {
  assert.strictEqual(await r().spop('none'), null);
  assert.deepStrictEqual(await r().spop('none', 3), []);
  await r().sadd('s', ...range(20));
  const one = await r().spop('s');
  assert.strictEqual(await r().sismember('s', one), 0);
  assert.deepStrictEqual(await r().spop('s', 0), []);
  const five = await r().spop('s', 5);
  assert.strictEqual(new Set(five).size, 5);
  assert.strictEqual(await r().scard('s'), 14);
  assert.deepStrictEqual(await r().smismember('s', ...five), [0, 0, 0, 0, 0]);
  const rest = await r().spop('s', 100);
  assert.deepStrictEqual(sorted([one, ...five, ...rest]), sorted(range(20)));
  assert.strictEqual(await r().exists('s'), 0);
  await rejects(r().spop('s', -1), 'ERR value is out of range, must be positive');
  await rejects(r().spop('s', 'x'), 'ERR value is out of range, must be positive');
});

test('SMOVE', async () => {
  await r().sadd('src', 'a', 'b');
  await r().sadd('dst', 'b', 'c');
  assert.strictEqual(await r().smove('src', 'dst', 'a'), 1);
  assert.deepStrictEqual(await r().smembers('src'), ['b']);
  assert.deepStrictEqual(sorted(await r().smembers('dst')), ['a', 'b', 'c']);
  assert.strictEqual(await r().smove('src', 'dst', 'zz'), 0);
  assert.strictEqual(await r().smove('src', 'dst', 'b'), 1);
  assert.strictEqual(await r().exists('src'), 0);
  assert.strictEqual(await r().smove('dst', 'dst', 'a'), 1);
  assert.strictEqual(await r().smove('dst', 'dst', 'q'), 0);
  await r().sadd('dst', '7');
  assert.strictEqual(await r().smove('dst', 'fresh', '7'), 1);
  assert.deepStrictEqual(await r().smembers('fresh'), ['7']);
  assert.strictEqual(await r().object('ENCODING', 'fresh'), 'intset');
});

test('SINTER SINTERCARD SUNION SDIFF', async () => {
  await r().sadd('a', '1', '2', '3', '4', 'x');
  await r().sadd('b', '2', '3', '4', '5', 'x');
  await r().sadd('c', '3', '4', 'x', 'y');
  assert.deepStrictEqual(sorted(await r().sinter('a', 'b', 'c')), ['3', '4', 'x']);
  assert.deepStrictEqual(await r().sinter('a', 'none'), []);
  assert.deepStrictEqual(sorted(await r().sinter('a', 'a')), ['1', '2', '3', '4', 'x']);
  assert.deepStrictEqual(sorted(await r().sunion('a', 'none', 'c')), ['1', '2', '3', '4', 'x', 'y']);
  assert.deepStrictEqual(sorted(await r().sdiff('a', 'b', 'none')), ['1']);
  assert.deepStrictEqual(await r().sdiff('a', 'a'), []);
  assert.deepStrictEqual(await r().sdiff('none', 'a'), []);
  assert.strictEqual(await r().sintercard(3, 'a', 'b', 'c'), 3);
  assert.strictEqual(await r().sintercard(2, 'a', 'b', 'LIMIT', 2), 2);
  assert.strictEqual(await r().sintercard(2, 'a', 'b', 'limit', 0), 4);
  assert.strictEqual(await r().sintercard(1, 'none'), 0);
  // LIMIT and its argument are not keys: a set named LIMIT changes nothing
  await r().sadd('LIMIT', 'q');
  assert.strictEqual(await r().sintercard(1, 'a', 'LIMIT', 1), 1);
  await rejects(r().sintercard(0, 'a'), 'ERR numkeys should be greater than 0');
  await rejects(r().sintercard('x', 'a'), 'ERR numkeys should be greater than 0');
  await rejects(r().sintercard(3, 'a', 'b'), "ERR Number of keys can't be greater than number of args");
  await rejects(r().sintercard(1, 'a', 'b'), SYNTAX);
  await rejects(r().sintercard(1, 'a', 'LIMIT'), SYNTAX);
  await rejects(r().sintercard(1, 'a', 'LIMIT', -1), "ERR LIMIT can't be negative");
  await rejects(r().sintercard(1, 'a', 'LIMIT', 'z'), "ERR LIMIT can't be negative");
  assert.deepStrictEqual(await r().command('GETKEYS', 'sintercard', '2', 'a', 'b', 'LIMIT', '1'), ['a', 'b']);
});

test('SINTERSTORE SUNIONSTORE SDIFFSTORE replace the destination', async () => {
  await r().sadd('a', '1', '2', '3');
  await r().sadd('b', '2', '3', 'x');
  await r().set('dst', 'string');
  assert.strictEqual(await r().sinterstore('dst', 'a', 'b'), 2);
  assert.deepStrictEqual(sorted(await r().smembers('dst')), ['2', '3']);
  assert.strictEqual(await r().object('ENCODING', 'dst'), 'intset');
  await r().expire('dst', 100);
  assert.strictEqual(await r().sunionstore('dst', 'a', 'b'), 4);
  assert.deepStrictEqual(sorted(await r().smembers('dst')), ['1', '2', '3', 'x']);
  assert.strictEqual(await r().ttl('dst'), -1);
  assert.strictEqual(await r().object('ENCODING', 'dst'), 'hashtable');
  assert.strictEqual(await r().sdiffstore('dst', 'a', 'b'), 1);
  assert.deepStrictEqual(await r().smembers('dst'), ['1']);
  // the destination may be a source
  assert.strictEqual(await r().sunionstore('a', 'a', 'b'), 4);
  assert.deepStrictEqual(sorted(await r().smembers('a')), ['1', '2', '3', 'x']);
  // an empty result deletes the destination
  assert.strictEqual(await r().sinterstore('dst', 'a', 'none'), 0);
  assert.strictEqual(await r().exists('dst'), 0);
  await r().sadd('dst', 'q');
  assert.strictEqual(await r().sdiffstore('dst', 'a', 'a'), 0);
  assert.strictEqual(await r().exists('dst'), 0);
  await r().set('dst', 'x');
  assert.strictEqual(await r().sunionstore('dst', 'n1', 'n2'), 0);
  assert.strictEqual(await r().exists('dst'), 0);
});

test('multi-key commands whose keys live on different workers', async () => {
  const [a0, a1, d0] = keysOnWorker(0, 3, 'w0-');
  const [b0, b1, d1] = keysOnWorker(1, 3, 'w1-');
  await r().sadd(a0, 'x', 'y', 'z', '1');
  await r().sadd(a1, 'y', 'z', '2');
  await r().sadd(b0, 'x', 'y', 'z', '3');
  await r().sadd(b1, 'z', '4');
  assert.deepStrictEqual(sorted(await r().sinter(a0, b0, a1)), ['y', 'z']);
  assert.strictEqual(await r().sintercard(4, a0, b0, a1, b1), 1);
  assert.strictEqual(await r().sintercard(2, a0, b0, 'LIMIT', 1), 1);
  assert.deepStrictEqual(sorted(await r().sunion(b1, a0)), ['1', '4', 'x', 'y', 'z']);
  assert.deepStrictEqual(sorted(await r().sdiff(a0, b0, b1)), ['1']);
  assert.strictEqual(await r().sinterstore(d1, a0, a1), 2);
  assert.deepStrictEqual(sorted(await r().smembers(d1)), ['y', 'z']);
  assert.strictEqual(await r().sunionstore(d0, b0, b1), 5);
  assert.deepStrictEqual(sorted(await r().smembers(d0)), ['3', '4', 'x', 'y', 'z']);
  assert.strictEqual(await r().sdiffstore(d1, b0, a0), 1);
  assert.deepStrictEqual(await r().smembers(d1), ['3']);
  assert.strictEqual(await r().smove(a0, b1, '1'), 1);
  assert.strictEqual(await r().smove(b1, a1, '4'), 1);
  assert.deepStrictEqual(sorted(await r().smembers(b1)), ['1', 'z']);
  assert.deepStrictEqual(sorted(await r().smembers(a1)), ['2', '4', 'y', 'z']);
  assert.strictEqual(await r().smove(b1, d0 + 'new', 'z'), 1);
  assert.deepStrictEqual(await r().smembers(b1), ['1']);
  await r().set(b0, 'str');
  await rejects(r().sinter(a0, b0), WRONGTYPE);
  await rejects(r().smove(a0, b0, 'x'), WRONGTYPE);
  assert.strictEqual(await r().sismember(a0, 'x'), 1);
});

test('a large set: 10k members, random picks, SPOP, SSCAN', async () => {
  const n = 10_000;
  const all = range(n, (i) => `m:${i}`);
  for (let i = 0; i < n; i += 1000) await r().sadd('big', ...all.slice(i, i + 1000));
  assert.strictEqual(await r().scard('big'), n);
  assert.strictEqual((await r().smembers('big')).length, n);
  const pick = await r().srandmember('big', 20);
  assert.strictEqual(new Set(pick).size, 20);
  assert.deepStrictEqual(await r().smismember('big', ...pick), pick.map(() => 1));
  const rep = await r().srandmember('big', -30);
  assert.strictEqual(rep.length, 30);
  const half = await r().srandmember('big', 6000);
  assert.strictEqual(new Set(half).size, 6000);
  // random picks by offset reach the whole range
  const seen = new Set();
  for (let i = 0; i < 50; i++) for (const m of await r().srandmember('big', 10)) seen.add(Number(m.slice(2)));
  assert.ok(Math.min(...seen) < 2000 && Math.max(...seen) > 8000);
  const popped = await r().spop('big', 100);
  assert.strictEqual(new Set(popped).size, 100);
  assert.strictEqual(await r().scard('big'), n - 100);
  // SSCAN visits every member exactly once, with members removed and added meanwhile
  const found = new Set();
  let cursor = '0';
  let calls = 0;
  do {
    const [next, items] = await r().sscan('big', cursor, 'COUNT', 500);
    for (const m of items) {
      assert.ok(!found.has(m), `${m} returned twice`);
      found.add(m);
    }
    if (calls++ === 3) {
      await r().srem('big', 'm:9999', 'm:9998');
      await r().sadd('big', 'new:1');
    }
    cursor = next;
  } while (cursor !== '0');
  for (const m of all) if (!popped.includes(m) && m !== 'm:9999' && m !== 'm:9998') assert.ok(found.has(m), `${m} missing`);
  const [, matched] = await r().sscan('big', 0, 'MATCH', 'm:1?', 'COUNT', 20000);
  assert.deepStrictEqual(sorted(matched), sorted(range(10, (i) => `m:1${i}`).filter((m) => !popped.includes(m))));
  assert.strictEqual(await r().del('big'), 1);
  assert.strictEqual(await r().exists('big'), 0);
});

test('SSCAN options', async () => {
  assert.deepStrictEqual(await r().sscan('none', 0), ['0', []]);
  await r().sadd('s', 'a', 'b', 'c');
  const [cur, items] = await r().sscan('s', 0);
  assert.strictEqual(cur, '0');
  assert.deepStrictEqual(sorted(items), ['a', 'b', 'c']);
  await rejects(r().sscan('s', 'x'), 'ERR invalid cursor');
  await rejects(r().sscan('s', 0, 'COUNT', 'x'), NOT_INT);
  await rejects(r().sscan('s', 0, 'COUNT', 0), SYNTAX);
  await rejects(r().sscan('s', 0, 'TYPE', 'set'), SYNTAX);
  await rejects(r().sscan('s', 0, 'MATCH'), SYNTAX);
});

test('a 5000-byte member', async () => {
  const long = Buffer.alloc(5000, 'q');
  const other = Buffer.concat([Buffer.alloc(4999, 'q'), Buffer.from('r')]);
  assert.strictEqual(await r().sadd('s', long, other, 'short'), 3);
  assert.strictEqual(await r().sadd('s', long), 0);
  assert.strictEqual(await r().sismember('s', long), 1);
  assert.strictEqual(await r().sismember('s', Buffer.alloc(5001, 'q')), 0);
  const members = await r().smembersBuffer('s');
  assert.strictEqual(members.length, 3);
  assert.ok(members.some((m) => m.equals(long)) && members.some((m) => m.equals(other)));
  assert.strictEqual(await r().smove('s', 'd', long), 1);
  assert.ok((await r().spopBuffer('d')).equals(long));
  assert.strictEqual(await r().srem('s', other), 1);
  assert.deepStrictEqual(await r().smembers('s'), ['short']);
});

test('expiry of a set key, COPY and RENAME', async () => {
  await r().sadd('s', 'a', 'b');
  await r().pexpire('s', 100);
  assert.strictEqual(await r().sadd('s', 'c'), 1);
  assert.ok((await r().pttl('s')) > 0);
  await sleep(200);
  assert.strictEqual(await r().exists('s'), 0);
  assert.strictEqual(await r().scard('s'), 0);
  assert.strictEqual(await r().sismember('s', 'a'), 0);
  // a set made again at the expired key holds only its new members
  assert.strictEqual(await r().sadd('s', 'z'), 1);
  assert.deepStrictEqual(await r().smembers('s'), ['z']);
  assert.strictEqual(await r().ttl('s'), -1);
  await r().sadd('orig', 'x', 'y');
  assert.strictEqual(await r().copy('orig', 'copy'), 1);
  await r().srem('orig', 'x');
  assert.deepStrictEqual(sorted(await r().smembers('copy')), ['x', 'y']);
  await r().rename('copy', 'renamed');
  assert.deepStrictEqual(sorted(await r().smembers('renamed')), ['x', 'y']);
  assert.strictEqual(await r().exists('copy'), 0);
});

test('integer replies of SINTERCARD on big sets are exact', async () => {
  await r().sadd('x', ...range(3000));
  await r().sadd('y', ...range(3000, (i) => String(i + 1500)));
  const { text } = await rawRequest(h.node.port, 'SINTERCARD 2 x y\r\n');
  assert.strictEqual(text, ':1500\r\n');
});

test.run();
