// SORT and SORT_RO through ioredis against a real node with two workers: the orders, LIMIT,
// BY and GET patterns over keys of every slot, STORE, and the errors Redis 7.0 gives.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, client, rejects, keysOnWorker, ERRORS } = require('./helpers');
const { arity, NOT_INT, SYNTAX, WRONGTYPE } = ERRORS;

const test = suite('sort');
const h = useNode(test);
const r = () => h.redis;
const NOT_DOUBLE = "ERR One or more scores can't be converted into double";

test.before.each(async () => {
  await r().flushall();
});

test('numeric, ALPHA, DESC and LIMIT over a list, a set and a sorted set', async () => {
  await r().rpush('l', '3', '1', '2', '10', '-5', '2.5', '1e2');
  assert.deepStrictEqual(await r().sort('l'), ['-5', '1', '2', '2.5', '3', '10', '1e2']);
  assert.deepStrictEqual(await r().sort('l', 'DESC'), ['1e2', '10', '3', '2.5', '2', '1', '-5']);
  assert.deepStrictEqual(await r().sort('l', 'ALPHA'), ['-5', '1', '10', '1e2', '2', '2.5', '3']);
  assert.deepStrictEqual(await r().sort('l', 'LIMIT', '1', '3'), ['1', '2', '2.5']);
  assert.deepStrictEqual(await r().sort('l', 'LIMIT', '-5', '2'), ['-5', '1']);
  assert.deepStrictEqual(await r().sort('l', 'LIMIT', '6', '100'), ['1e2']);
  assert.deepStrictEqual(await r().sort('l', 'LIMIT', '7', '1'), []);
  assert.deepStrictEqual(await r().sort('l', 'LIMIT', '0', '9223372036854775807'), await r().sort('l'));
  await r().sadd('s', '5', '3', '9', '1');
  assert.deepStrictEqual(await r().sort('s', 'DESC'), ['9', '5', '3', '1']);
  await r().zadd('z', 1, 'a', 5, 'b', 2, 'c', 10, 'd', 3, 'e');
  assert.deepStrictEqual(await r().sort('z', 'ALPHA', 'DESC'), ['e', 'd', 'c', 'b', 'a']);
  // BY a pattern without '*' keeps the source's own order: the list's, the sorted set's by score
  assert.deepStrictEqual(await r().sort('z', 'BY', 'nosort'), ['a', 'c', 'e', 'b', 'd']);
  assert.deepStrictEqual(await r().sort('z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'), ['b', 'e']);
  assert.deepStrictEqual(await r().sort('l', 'BY', 'nosort', 'DESC', 'LIMIT', '2', '3'), ['-5', '10', '2']);
  assert.deepStrictEqual(await r().sort('missing'), []);
  assert.deepStrictEqual(await r().sort_ro('l', 'LIMIT', '0', '2'), ['-5', '1']);
});

test('weights by C strtod: blanks, hex and inf count; garbage, NaN and overflow are refused', async () => {
  await r().rpush('w', '  4', '0x10', 'inf', '-inf', '');
  assert.deepStrictEqual(await r().sort('w'), ['-inf', '', '  4', '0x10', 'inf']);
  for (const bad of ['x', '1 ', 'nan', '1e400', '1e-310']) {
    await r().del('b');
    await r().rpush('b', '1', bad);
    await rejects(r().sort('b'), NOT_DOUBLE);
  }
});

test('BY and GET patterns read keys of every slot: strings, hash fields, # and absent keys', async () => {
  // ids on one worker, their weights and objects wherever they hash: the command runs exclusive
  const ids = keysOnWorker(1, 6, 'id');
  await r().rpush('ids', ...ids);
  const weight = (i) => String((i * 7) % 6);
  for (const [i, id] of ids.entries()) {
    await r().set(`w_${id}`, weight(i));
    await r().hset(`h_${id}`, 'f', String(10 - i), 'name', `n${i}`);
    await r().set(`o_${id}`, `obj${i}`);
  }
  const byWeight = [...ids.keys()].sort((a, b) => Number(weight(a)) - Number(weight(b)) || (ids[a] < ids[b] ? -1 : 1)).map((i) => ids[i]);
  assert.deepStrictEqual(await r().sort('ids', 'BY', 'w_*'), byWeight);
  assert.deepStrictEqual(await r().sort('ids', 'BY', 'h_*->f'), [...ids].reverse());
  assert.deepStrictEqual(await r().sort('ids', 'BY', 'h_*->f', 'LIMIT', '0', '2', 'GET', '#', 'GET', 'h_*->name', 'GET', 'o_*', 'GET', 'none_*'),
    [ids[5], 'n5', 'obj5', null, ids[4], 'n4', 'obj4', null]);
  // GET of a fixed key names nothing; a weight that is missing sorts as 0
  assert.deepStrictEqual(await r().sort('ids', 'ALPHA', 'LIMIT', '0', '2', 'GET', 'fixed'), [null, null]);
  await r().del(`w_${ids[0]}`);
  assert.strictEqual((await r().sort('ids', 'BY', 'w_*'))[0], ids[0]);
  await r().set(`w_${ids[1]}`, 'heavy');
  await rejects(r().sort('ids', 'BY', 'w_*'), NOT_DOUBLE);
  assert.strictEqual((await r().sort('ids', 'BY', 'w_*', 'ALPHA', 'DESC'))[0], ids[1]);
});

test('STORE replaces the destination with a list, drops its TTL, and deletes it for an empty result', async () => {
  await r().rpush('src', 'c', 'a', 'b');
  await r().set('dst', 'old', 'EX', 100);
  assert.strictEqual(await r().sort('src', 'ALPHA', 'STORE', 'dst'), 3);
  assert.deepStrictEqual(await r().lrange('dst', 0, -1), ['a', 'b', 'c']);
  assert.strictEqual(await r().ttl('dst'), -1);
  // GET values that are missing are stored as empty strings
  assert.strictEqual(await r().sort('src', 'ALPHA', 'GET', '#', 'GET', 'none_*', 'STORE', 'dst'), 6);
  assert.deepStrictEqual(await r().lrange('dst', 0, -1), ['a', '', 'b', '', 'c', '']);
  // a set without order is sorted ALPHA when stored
  await r().sadd('set', 'z', 'x', 'y');
  assert.strictEqual(await r().sort('set', 'BY', 'nosort', 'STORE', 'dst'), 3);
  assert.deepStrictEqual(await r().lrange('dst', 0, -1), ['x', 'y', 'z']);
  assert.strictEqual(await r().sort('missing', 'STORE', 'dst'), 0);
  assert.strictEqual(await r().exists('dst'), 0);
  // an error stores nothing
  await r().rpush('bad', '1', 'x');
  await r().rpush('keep', 'k');
  await rejects(r().sort('bad', 'STORE', 'keep'), NOT_DOUBLE);
  assert.deepStrictEqual(await r().lrange('keep', 0, -1), ['k']);
});

test('a watched key rewritten by SORT ... STORE fails the transaction, even with an empty result', async () => {
  const c = client(h.node.port);
  await r().rpush('foo', 'bar');
  await c.watch('foo');
  await r().sort('emptylist', 'STORE', 'foo');
  assert.strictEqual(await c.multi().ping().exec(), null);
  c.disconnect();
});

test('errors: wrong type, syntax, SORT_RO has no STORE, LIMIT integers, arity; COMMAND GETKEYS', async () => {
  await r().set('str', 'x');
  await r().rpush('l', '1');
  await rejects(r().sort('str'), WRONGTYPE);
  await rejects(r().sort('l', 'foo'), SYNTAX);
  await rejects(r().sort('l', 'LIMIT', '1'), SYNTAX);
  await rejects(r().sort('l', 'LIMIT', 'x', '1'), NOT_INT);
  await rejects(r().sort_ro('l', 'STORE', 'd'), SYNTAX);
  await rejects(r().call('sort'), arity('sort'));
  await rejects(r().call('sort_ro'), arity('sort_ro'));
  assert.deepStrictEqual(await r().call('command', 'getkeys', 'sort', 'abc', 'store', 'invalid', 'store', 'stillbad', 'store', 'def'), ['abc', 'def']);
  assert.deepStrictEqual(await r().call('command', 'getkeys', 'sort_ro', 'abc'), ['abc']);
});

test.run();
