// Sorted-set commands through ioredis against a real node with two workers.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, rejects, sleep, keysOnWorker, ERRORS } = require('./helpers');
const { arity, NOT_INT, NOT_FLOAT, SYNTAX, WRONGTYPE } = ERRORS;

const test = suite('zsets');
const h = useNode(test);
const r = () => h.redis;

const MINMAX = 'ERR min or max is not a float';
const LEXERR = 'ERR min or max not valid string range item';

test.before.each(async () => {
  await r().flushall();
});

test('ZADD ZCARD ZSCORE ZMSCORE ZRANGE WITHSCORES, inf scores', async () => {
  assert.strictEqual(await r().zadd('z', 1, 'a', 2, 'b', 3, 'c', 1, 'a'), 3);
  assert.strictEqual(await r().zadd('z', '-inf', 'lo', '+inf', 'hi', 1.5, 'x'), 3);
  assert.strictEqual(await r().zcard('z'), 6);
  assert.strictEqual(await r().zcard('none'), 0);
  assert.deepStrictEqual(await r().zrange('z', 0, -1, 'WITHSCORES'), ['lo', '-inf', 'a', '1', 'x', '1.5', 'b', '2', 'c', '3', 'hi', 'inf']);
  assert.strictEqual(await r().zscore('z', 'x'), '1.5');
  assert.strictEqual(await r().zscore('z', 'nope'), null);
  assert.strictEqual(await r().zscore('none', 'a'), null);
  assert.deepStrictEqual(await r().zmscore('z', 'a', 'nope', 'hi'), ['1', null, 'inf']);
  assert.deepStrictEqual(await r().zmscore('none', 'a'), [null]);
  assert.strictEqual(await r().type('z'), 'zset');
  await r().zadd('d', 0.1, 'p');
  assert.strictEqual(await r().zscore('d', 'p'), '0.10000000000000001');
  // same score: ordered by member bytes
  await r().zadd('t', 5, 'b', 5, 'a', 5, 'c');
  assert.deepStrictEqual(await r().zrange('t', 0, -1), ['a', 'b', 'c']);
  // negative scores and -0
  await r().zadd('n', -2, 'm2', 0, 'zero', -1.5, 'm1');
  assert.deepStrictEqual(await r().zrange('n', 0, -1), ['m2', 'm1', 'zero']);
});

test('ZADD scores as Redis string2d reads them: hex and inf pass, overflow and spaces do not', async () => {
  assert.strictEqual(await r().zadd('zs', '0x10', 'a', '-0x1p-2', 'b', 'infinity', 'c', '1e-310', 'd'), 4);
  assert.deepStrictEqual(await r().zmscore('zs', 'a', 'b', 'c'), ['16', '-0.25', 'inf']);
  for (const bad of ['1e400', '1e-400', ' 1', '1 ', '', '0x', 'nan', '1e']) await rejects(r().zadd('zs', bad, 'e'), 'ERR value is not a valid float');
  assert.strictEqual(await r().zcard('zs'), 4);
});

test('ZADD options and their errors', async () => {
  await r().zadd('z', 1, 'a');
  assert.strictEqual(await r().zadd('z', 'NX', 5, 'a', 2, 'b'), 1);
  assert.strictEqual(await r().zscore('z', 'a'), '1');
  assert.strictEqual(await r().zadd('z', 'XX', 5, 'a', 3, 'c'), 0);
  assert.strictEqual(await r().zscore('z', 'a'), '5');
  assert.strictEqual(await r().zscore('z', 'c'), null);
  assert.strictEqual(await r().zadd('z', 'CH', 6, 'a', 2, 'b', 7, 'd'), 2);
  assert.strictEqual(await r().zadd('z', 'GT', 'CH', 1, 'a', 10, 'b'), 1);
  assert.deepStrictEqual(await r().zmscore('z', 'a', 'b'), ['6', '10']);
  assert.strictEqual(await r().zadd('z', 'LT', 'CH', 1, 'a', 20, 'b'), 1);
  assert.deepStrictEqual(await r().zmscore('z', 'a', 'b'), ['1', '10']);
  assert.strictEqual(await r().zadd('z', 'INCR', 2.5, 'a'), '3.5');
  assert.strictEqual(await r().zadd('z', 'NX', 'INCR', 1, 'a'), null);
  assert.strictEqual(await r().zadd('z', 'XX', 'INCR', 1, 'new'), null);
  assert.strictEqual(await r().zadd('none', 'XX', 1, 'a'), 0);
  assert.strictEqual(await r().exists('none'), 0);
  await rejects(r().zadd('z', 'NX', 'XX', 1, 'a'), 'ERR XX and NX options at the same time are not compatible');
  await rejects(r().zadd('z', 'GT', 'LT', 1, 'a'), 'ERR GT, LT, and/or NX options at the same time are not compatible');
  await rejects(r().zadd('z', 'NX', 'GT', 1, 'a'), 'ERR GT, LT, and/or NX options at the same time are not compatible');
  await rejects(r().zadd('z', 'INCR', 1, 'a', 2, 'b'), 'ERR INCR option supports a single increment-element pair');
  await rejects(r().zadd('z', 1, 'a', 2), SYNTAX);
  await rejects(r().zadd('z', 'NX', 'a'), arity('zadd') === '' ? '' : SYNTAX);
  await rejects(r().zadd('z', 'abc', 'a'), NOT_FLOAT);
  await rejects(r().zadd('z', 'nan', 'a'), NOT_FLOAT);
  await rejects(r().zadd('z', 1), arity('zadd'));
  await r().zadd('i', '+inf', 'a');
  await rejects(r().zincrby('i', '-inf', 'a'), 'ERR resulting score is not a number (NaN)');
  assert.strictEqual(await r().zscore('i', 'a'), 'inf');
});

test('ZINCRBY ZREM, and an empty zset disappears', async () => {
  assert.strictEqual(await r().zincrby('z', 2, 'a'), '2');
  assert.strictEqual(await r().zincrby('z', -0.5, 'a'), '1.5');
  await rejects(r().zincrby('z', 'x', 'a'), NOT_FLOAT);
  // ZADD's option words are read in ZINCRBY too: one as the increment leaves no pair
  await rejects(r().zincrby('z', 'ch', 'a'), SYNTAX);
  await rejects(r().zincrby('z', 'XX', 'a'), SYNTAX);
  assert.strictEqual(await r().zscore('z', 'a'), '1.5');
  await r().zadd('z', 2, 'b', 3, 'c');
  assert.strictEqual(await r().zrem('z', 'a', 'x', 'a'), 1);
  assert.strictEqual(await r().zrem('z', 'b', 'c'), 2);
  assert.strictEqual(await r().exists('z'), 0);
  assert.strictEqual(await r().zrem('none', 'a'), 0);
  await rejects(r().zrem('z'), arity('zrem'));
});

test('ZCOUNT ZLEXCOUNT and range errors', async () => {
  await r().zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd');
  assert.strictEqual(await r().zcount('z', 2, 3), 2);
  assert.strictEqual(await r().zcount('z', '(2', 3), 1);
  assert.strictEqual(await r().zcount('z', '-inf', '+inf'), 4);
  assert.strictEqual(await r().zcount('z', '(1', '(1'), 0);
  assert.strictEqual(await r().zcount('z', 5, 1), 0);
  assert.strictEqual(await r().zcount('none', 0, 1), 0);
  await rejects(r().zcount('z', 'x', 1), MINMAX);
  // bounds are read with plain strtod, as zslParseRange does: hex, leading spaces and "" (0) pass
  assert.strictEqual(await r().zcount('z', '(', 1), 1, '"(" is an open 0');
  assert.strictEqual(await r().zcount('z', '0x2', ' 3'), 2);
  assert.strictEqual(await r().zcount('z', '', '(0x1.8p1'), 2);
  await rejects(r().zcount('z', '3 ', 4), MINMAX);
  await rejects(r().zcount('z', 'nan', 4), MINMAX);
  await r().zadd('l', 0, 'a', 0, 'b', 0, 'c', 0, 'd', 0, 'e');
  assert.strictEqual(await r().zlexcount('l', '-', '+'), 5);
  assert.strictEqual(await r().zlexcount('l', '[b', '(d'), 2);
  assert.strictEqual(await r().zlexcount('l', '(b', '[d'), 2);
  assert.strictEqual(await r().zlexcount('l', '+', '-'), 0);
  await rejects(r().zlexcount('l', 'b', '[d'), LEXERR);
});

test('ZRANK ZREVRANK ZRANGE ZREVRANGE by rank', async () => {
  await r().zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd');
  assert.strictEqual(await r().zrank('z', 'c'), 2);
  assert.strictEqual(await r().zrevrank('z', 'c'), 1);
  assert.strictEqual(await r().zrank('z', 'x'), null);
  assert.strictEqual(await r().zrank('none', 'x'), null);
  assert.deepStrictEqual(await r().zrange('z', 1, 2), ['b', 'c']);
  assert.deepStrictEqual(await r().zrange('z', -2, -1), ['c', 'd']);
  assert.deepStrictEqual(await r().zrange('z', -100, 100), ['a', 'b', 'c', 'd']);
  assert.deepStrictEqual(await r().zrange('z', 3, 1), []);
  assert.deepStrictEqual(await r().zrange('z', 0, 1, 'REV'), ['d', 'c']);
  assert.deepStrictEqual(await r().zrevrange('z', 0, 1, 'WITHSCORES'), ['d', '4', 'c', '3']);
  assert.deepStrictEqual(await r().zrange('none', 0, -1), []);
  await rejects(r().zrange('z', 'a', 1), NOT_INT);
  await rejects(r().zrange('z', 0, 1, 'LIMIT', 0, 1), 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  await rejects(r().zrange('z', '-', '+', 'BYLEX', 'WITHSCORES'), 'ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  await rejects(r().zrange('z', 0, 1, 'FOO'), SYNTAX);
  await rejects(r().zrange('z', 0), arity('zrange'));
});

test('ZRANGE BYSCORE/BYLEX, ZRANGEBYSCORE and friends', async () => {
  await r().zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd', '-inf', 'lo', 'inf', 'hi');
  assert.deepStrictEqual(await r().zrange('z', '(1', 3, 'BYSCORE'), ['b', 'c']);
  assert.deepStrictEqual(await r().zrange('z', '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 1, 2), ['d', 'c']);
  assert.deepStrictEqual(await r().zrangebyscore('z', '-inf', '+inf'), ['lo', 'a', 'b', 'c', 'd', 'hi']);
  assert.deepStrictEqual(await r().zrangebyscore('z', 2, 3, 'WITHSCORES'), ['b', '2', 'c', '3']);
  assert.deepStrictEqual(await r().zrangebyscore('z', '-inf', '+inf', 'LIMIT', 2, -1), ['b', 'c', 'd', 'hi']);
  assert.deepStrictEqual(await r().zrangebyscore('z', '-inf', '+inf', 'LIMIT', -1, 2), []);
  assert.deepStrictEqual(await r().zrevrangebyscore('z', 3, '(1'), ['c', 'b']);
  await rejects(r().zrangebyscore('z', 'a', 1), MINMAX);
  await rejects(r().zrangebyscore('z', 0, 1, 'REV'), SYNTAX);
  await r().zadd('l', 0, 'alpha', 0, 'bar', 0, 'cool', 0, 'down', 0, 'elephant');
  assert.deepStrictEqual(await r().zrangebylex('l', '-', '+'), ['alpha', 'bar', 'cool', 'down', 'elephant']);
  assert.deepStrictEqual(await r().zrangebylex('l', '[bar', '(down'), ['bar', 'cool']);
  assert.deepStrictEqual(await r().zrangebylex('l', '-', '+', 'LIMIT', 1, 2), ['bar', 'cool']);
  assert.deepStrictEqual(await r().zrevrangebylex('l', '+', '(cool'), ['elephant', 'down']);
  assert.deepStrictEqual(await r().zrange('l', '[d', '-', 'BYLEX', 'REV'), ['cool', 'bar', 'alpha']);
  await rejects(r().zrangebylex('l', 'a', '+'), LEXERR);
});

test('ZRANGESTORE', async () => {
  await r().zadd('z', 1, 'a', 2, 'b', 3, 'c');
  assert.strictEqual(await r().zrangestore('dst', 'z', 0, 1), 2);
  assert.deepStrictEqual(await r().zrange('dst', 0, -1, 'WITHSCORES'), ['a', '1', 'b', '2']);
  assert.strictEqual(await r().zrangestore('dst', 'z', '(1', '+inf', 'BYSCORE', 'LIMIT', 0, 1), 1);
  assert.deepStrictEqual(await r().zrange('dst', 0, -1), ['b']);
  assert.strictEqual(await r().zrangestore('dst', 'z', 5, 10), 0);
  await rejects(r().zrangestore('dst', 'z', 0, -1, 'WITHSCORES'), SYNTAX);
  assert.strictEqual(await r().exists('dst'), 0);
  await r().set('str', 'x');
  assert.strictEqual(await r().zrangestore('str', 'z', 0, 0), 1);
  assert.strictEqual(await r().type('str'), 'zset');
});

test('ZREMRANGEBYRANK/SCORE/LEX', async () => {
  await r().zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e');
  assert.strictEqual(await r().zremrangebyrank('z', 0, 1), 2);
  assert.deepStrictEqual(await r().zrange('z', 0, -1), ['c', 'd', 'e']);
  assert.strictEqual(await r().zremrangebyscore('z', '(3', 4), 1);
  assert.deepStrictEqual(await r().zrange('z', 0, -1), ['c', 'e']);
  assert.strictEqual(await r().zremrangebyrank('z', -1, -1), 1);
  assert.strictEqual(await r().zremrangebyrank('z', 5, 10), 0);
  assert.strictEqual(await r().zremrangebyscore('z', '-inf', '+inf'), 1);
  assert.strictEqual(await r().exists('z'), 0);
  await r().zadd('l', 0, 'a', 0, 'b', 0, 'c');
  assert.strictEqual(await r().zremrangebylex('l', '[b', '+'), 2);
  assert.deepStrictEqual(await r().zrange('l', 0, -1), ['a']);
  await rejects(r().zremrangebyscore('l', 'x', 1), MINMAX);
  await rejects(r().zremrangebylex('l', 'x', '+'), LEXERR);
  await rejects(r().zremrangebyrank('l', 'x', 1), NOT_INT);
  assert.strictEqual(await r().zremrangebyrank('none', 0, -1), 0);
});

test('ZPOPMIN ZPOPMAX ZMPOP', async () => {
  await r().zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd');
  assert.deepStrictEqual(await r().zpopmin('z'), ['a', '1']);
  assert.deepStrictEqual(await r().zpopmax('z', 2), ['d', '4', 'c', '3']);
  assert.deepStrictEqual(await r().zpopmin('z', 0), []);
  assert.deepStrictEqual(await r().zpopmin('z', 10), ['b', '2']);
  assert.strictEqual(await r().exists('z'), 0);
  assert.deepStrictEqual(await r().zpopmin('none'), []);
  await rejects(r().zpopmin('z', -1), 'ERR value is out of range, must be positive');
  await rejects(r().zpopmax('z', 'x'), 'ERR value is out of range, must be positive');
  await rejects(r().zpopmin('z', 1, 2), SYNTAX);
  await r().zadd('z2', 1, 'a', 2, 'b', 3, 'c');
  assert.deepStrictEqual(await r().call('zmpop', 2, 'none', 'z2', 'MAX', 'COUNT', 2), ['z2', [['c', '3'], ['b', '2']]]);
  assert.deepStrictEqual(await r().call('zmpop', 1, 'z2', 'MIN'), ['z2', [['a', '1']]]);
  assert.strictEqual(await r().call('zmpop', 1, 'z2', 'MIN'), null);
  await rejects(r().call('zmpop', 0, 'z2', 'MIN'), 'ERR numkeys should be greater than 0');
  await rejects(r().call('zmpop', 1, 'z2', 'MID'), SYNTAX);
  await rejects(r().call('zmpop', 1, 'z2', 'MIN', 'COUNT', 0), 'ERR count should be greater than 0');
});

test('ZRANDMEMBER and ZSCAN', async () => {
  const n = 200;
  const args = [];
  for (let i = 0; i < n; i++) args.push(i, `m${i}`);
  await r().zadd('z', ...args);
  const one = await r().zrandmember('z');
  assert.ok(one.startsWith('m'));
  const five = await r().zrandmember('z', 5);
  assert.strictEqual(new Set(five).size, 5);
  assert.strictEqual((await r().zrandmember('z', -300)).length, 300);
  assert.strictEqual((await r().zrandmember('z', 1000)).length, n);
  const ws = await r().zrandmember('z', 2, 'WITHSCORES');
  assert.strictEqual(ws.length, 4);
  assert.strictEqual(ws[1], ws[0].slice(1));
  assert.strictEqual(await r().zrandmember('none'), null);
  assert.deepStrictEqual(await r().zrandmember('none', 3), []);
  await rejects(r().zrandmember('z', 1, 'x'), SYNTAX);
  const seen = new Map();
  let cursor = '0';
  do {
    const [next, items] = await r().zscan('z', cursor, 'COUNT', 17);
    for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
    cursor = next;
  } while (cursor !== '0');
  assert.strictEqual(seen.size, n);
  assert.strictEqual(seen.get('m42'), '42');
  const [, matched] = await r().zscan('z', 0, 'MATCH', 'm1?', 'COUNT', 1000);
  assert.strictEqual(matched.length, 20);
  assert.deepStrictEqual(await r().zscan('none', 0), ['0', []]);
});

test('wrong types, arity, OBJECT ENCODING', async () => {
  await r().set('s', 'x');
  for (const p of [r().zadd('s', 1, 'a'), r().zscore('s', 'a'), r().zrange('s', 0, -1), r().zcard('s'), r().zrank('s', 'a'), r().zpopmin('s'),
    r().zrangebyscore('s', 0, 1), r().zunionstore('d', 1, 's'), r().call('zmpop', 1, 's', 'MIN'), r().zrandmember('s')]) {
    await rejects(p, WRONGTYPE);
  }
  await r().zadd('z', 1, 'a');
  await rejects(r().sadd('z', 'a'), WRONGTYPE);
  await rejects(r().zcard('z', 'x'), arity('zcard'));
  await rejects(r().zscore('z'), arity('zscore'));
  assert.strictEqual(await r().object('ENCODING', 'z'), 'listpack');
  await r().zadd('z', 2, 'x'.repeat(65));
  assert.strictEqual(await r().object('ENCODING', 'z'), 'skiplist');
  const args = [];
  for (let i = 0; i < 129; i++) args.push(i, `m${i}`);
  await r().zadd('big', ...args.slice(0, 256));
  assert.strictEqual(await r().object('ENCODING', 'big'), 'listpack');
  await r().zadd('big', ...args.slice(256));
  assert.strictEqual(await r().object('ENCODING', 'big'), 'skiplist');
});

test('long members, binary members', async () => {
  const long1 = 'L'.repeat(3000) + 'a';
  const long2 = 'L'.repeat(3000) + 'b';
  await r().zadd('z', 1, long1, 2, long2, 1.5, 'short');
  assert.deepStrictEqual(await r().zrange('z', 0, -1), [long1, 'short', long2]);
  assert.strictEqual(await r().zscore('z', long2), '2');
  assert.strictEqual(await r().zrank('z', long2), 2);
  assert.strictEqual(await r().zrem('z', long1), 1);
  assert.deepStrictEqual(await r().zrange('z', 0, -1, 'WITHSCORES'), ['short', '1.5', long2, '2']);
  const bin = Buffer.from([0, 255, 1, 0]);
  await r().zadd('b', 1, bin);
  assert.deepStrictEqual(await r().zrangeBuffer('b', 0, -1), [bin]);
});

test('large zset of 10k members', async () => {
  const n = 10_000;
  const args = [];
  for (let i = 0; i < n; i++) args.push(i, `m${String(i).padStart(5, '0')}`);
  assert.strictEqual(await r().zadd('z', ...args), n);
  assert.strictEqual(await r().zcard('z'), n);
  assert.strictEqual(await r().zrank('z', 'm09999'), 9999);
  assert.strictEqual(await r().zrevrank('z', 'm00000'), 9999);
  assert.deepStrictEqual(await r().zrange('z', 9998, 9999), ['m09998', 'm09999']);
  assert.deepStrictEqual(await r().zrange('z', 5000, 5001), ['m05000', 'm05001']);
  assert.deepStrictEqual(await r().zrange('z', 0, 0, 'REV'), ['m09999']);
  assert.strictEqual(await r().zcount('z', 100, '(200'), 100);
  assert.deepStrictEqual(await r().zrangebyscore('z', '(9997', '+inf'), ['m09998', 'm09999']);
  assert.strictEqual(await r().zremrangebyscore('z', 0, 4999), 5000);
  assert.strictEqual(await r().zcard('z'), 5000);
  assert.strictEqual(await r().object('ENCODING', 'z'), 'skiplist');
  assert.strictEqual(await r().copy('z', 'z2'), 1);
  assert.strictEqual(await r().zcard('z2'), 5000);
  assert.strictEqual(await r().zscore('z2', 'm07000'), '7000');
  assert.strictEqual(await r().del('z'), 1);
  assert.strictEqual(await r().zcard('z2'), 5000);
});

test('expiry of a zset key', async () => {
  await r().zadd('z', 1, 'a', 2, 'b');
  await r().pexpire('z', 100);
  await sleep(200);
  assert.strictEqual(await r().exists('z'), 0);
  assert.strictEqual(await r().zcard('z'), 0);
  await r().zadd('z', 3, 'c');
  assert.deepStrictEqual(await r().zrange('z', 0, -1), ['c']);
  await r().zadd('k', 1, 'a');
  await r().expire('k', 100);
  await r().zadd('k', 2, 'b');
  assert.ok((await r().ttl('k')) > 0);
  await r().rename('k', 'k2');
  assert.deepStrictEqual(await r().zrange('k2', 0, -1, 'WITHSCORES'), ['a', '1', 'b', '2']);
});

test('ZUNION ZINTER ZDIFF and STORE forms, ZINTERCARD, across workers', async () => {
  const [a, b, d0] = keysOnWorker(0, 3, 'w0-');
  const [c, s, d1] = keysOnWorker(1, 3, 'w1-');
  await r().zadd(a, 1, 'x', 2, 'y', 3, 'z');
  await r().zadd(b, 10, 'y', 20, 'z', 30, 'w');
  await r().zadd(c, 100, 'z');
  await r().sadd(s, 'x', 'z');
  assert.deepStrictEqual(await r().zunion(2, a, b, 'WITHSCORES'), ['x', '1', 'y', '12', 'z', '23', 'w', '30']);
  assert.deepStrictEqual(await r().zinter(3, a, b, c, 'WITHSCORES'), ['z', '123']);
  assert.deepStrictEqual(await r().zinter(2, a, s, 'WITHSCORES', 'AGGREGATE', 'MAX'), ['x', '1', 'z', '3']);
  assert.deepStrictEqual(await r().zinter(2, a, b, 'WEIGHTS', 2, 0.5, 'AGGREGATE', 'MIN', 'WITHSCORES'), ['y', '4', 'z', '6']);
  assert.deepStrictEqual(await r().zdiff(2, a, c, 'WITHSCORES'), ['x', '1', 'y', '2']);
  assert.deepStrictEqual(await r().zdiff(2, 'nokey', a), []);
  assert.strictEqual(await r().zunionstore(d1, 3, a, b, c), 4);
  assert.deepStrictEqual(await r().zrange(d1, 0, -1, 'WITHSCORES'), ['x', '1', 'y', '12', 'w', '30', 'z', '123']);
  assert.strictEqual(await r().zinterstore(d0, 2, a, c), 1);
  assert.deepStrictEqual(await r().zrange(d0, 0, -1, 'WITHSCORES'), ['z', '103']);
  assert.strictEqual(await r().zdiffstore(d0, 2, a, b), 1);
  assert.deepStrictEqual(await r().zrange(d0, 0, -1), ['x']);
  assert.strictEqual(await r().zinterstore(d0, 2, a, 'nokey'), 0);
  assert.strictEqual(await r().exists(d0), 0);
  assert.strictEqual(await r().zintercard(2, a, b), 2);
  assert.strictEqual(await r().zintercard(2, a, b, 'LIMIT', 1), 1);
  await rejects(r().zintercard(2, a, b, 'LIMIT', -1), "ERR LIMIT can't be negative");
  await rejects(r().zunionstore(d0, 0, a), "ERR at least 1 input key is needed for 'zunionstore' command");
  await rejects(r().zunion(3, a, b), SYNTAX);
  await rejects(r().zunion(2, a, b, 'AGGREGATE', 'AVG'), SYNTAX);
  await rejects(r().zunion(2, a, b, 'WEIGHTS', 1, 'x'), 'ERR weight value is not a float');
  await rejects(r().zdiff(2, a, b, 'WEIGHTS', 1, 2), SYNTAX);
  await rejects(r().zunionstore(d0, 1, a, 'WITHSCORES'), SYNTAX);
  // inf * 0 weights are 0, inf + -inf sums are 0
  await r().zadd('i1', 'inf', 'm');
  await r().zadd('i2', '-inf', 'm');
  assert.deepStrictEqual(await r().zunion(2, 'i1', 'i2', 'WITHSCORES'), ['m', '0']);
  assert.deepStrictEqual(await r().zunion(1, 'i1', 'WEIGHTS', 0, 'WITHSCORES'), ['m', '0']);
  // ZMPOP over keys on both workers
  assert.deepStrictEqual(await r().call('zmpop', 2, 'nokey', d1, 'MAX'), [d1, [['z', '123']]]);
});

test.run();
