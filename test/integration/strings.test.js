// String commands through ioredis against a real node with two workers.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, rejects, sleep, rawRequest, keysOnWorker, ERRORS } = require('./helpers');
const { arity, NOT_INT, SYNTAX } = ERRORS;

const test = suite('strings');
const h = useNode(test);
const r = () => h.redis;

const nowSec = () => Math.floor(Date.now() / 1000);
/** An integer reply as its exact text (ioredis turns integers into doubles). */
const exactInt = async (...cmd) => (await rawRequest(h.node.port, `${cmd.join(' ')}\r\n`)).text.replace(/^:|\r\n$/g, '');

test.before.each(async () => {
  await r().flushall();
});

test('GET and SET', async () => {
  assert.strictEqual(await r().get('missing'), null);
  assert.strictEqual(await r().set('foo', 'bar'), 'OK');
  assert.strictEqual(await r().get('foo'), 'bar');
  assert.strictEqual(await r().set('foo', 'baz'), 'OK');
  assert.strictEqual(await r().get('foo'), 'baz');
  assert.strictEqual(await r().set('empty', ''), 'OK');
  assert.strictEqual(await r().get('empty'), '');
  assert.strictEqual(await r().exists('empty'), 1);
});

test('SET NX and XX', async () => {
  assert.strictEqual(await r().set('k', 'v1', 'NX'), 'OK');
  assert.strictEqual(await r().set('k', 'v2', 'NX'), null);
  assert.strictEqual(await r().get('k'), 'v1');
  assert.strictEqual(await r().set('k', 'v3', 'XX'), 'OK');
  assert.strictEqual(await r().get('k'), 'v3');
  assert.strictEqual(await r().set('nokey', 'v', 'XX'), null);
  assert.strictEqual(await r().exists('nokey'), 0);
  await rejects(r().call('set', 'k', 'v', 'NX', 'XX'), SYNTAX);
});

test('SET GET returns the old value', async () => {
  assert.strictEqual(await r().call('set', 'k', 'v1', 'GET'), null);
  assert.strictEqual(await r().call('set', 'k', 'v2', 'GET'), 'v1');
  assert.strictEqual(await r().get('k'), 'v2');
  // NX GET on an existing key: not set, old value returned (Redis 7.0)
  assert.strictEqual(await r().call('set', 'k', 'v3', 'NX', 'GET'), 'v2');
  assert.strictEqual(await r().get('k'), 'v2');
  assert.strictEqual(await r().call('set', 'k', 'v4', 'XX', 'GET'), 'v2');
  assert.strictEqual(await r().get('k'), 'v4');
  assert.strictEqual(await r().call('set', 'absent', 'x', 'XX', 'GET'), null);
  assert.strictEqual(await r().exists('absent'), 0);
});

test('SET EX PX EXAT PXAT', async () => {
  await r().set('ex', 'v', 'EX', 100);
  let ttl = await r().ttl('ex');
  assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);

  await r().set('px', 'v', 'PX', 100000);
  const pttl = await r().pttl('px');
  assert.ok(pttl > 90000 && pttl <= 100000, `pttl ${pttl}`);

  const at = nowSec() + 200;
  await r().set('exat', 'v', 'EXAT', at);
  assert.strictEqual(await r().call('expiretime', 'exat'), at);
  ttl = await r().ttl('exat');
  assert.ok(ttl > 150 && ttl <= 200, `ttl ${ttl}`);

  const pat = Date.now() + 300000;
  await r().set('pxat', 'v', 'PXAT', pat);
  assert.strictEqual(await r().call('pexpiretime', 'pxat'), pat);

  // a plain SET clears the TTL
  await r().set('ex', 'v2');
  assert.strictEqual(await r().ttl('ex'), -1);
});

test('SET KEEPTTL', async () => {
  await r().set('k', 'v', 'EX', 1000);
  assert.strictEqual(await r().set('k', 'v2', 'KEEPTTL'), 'OK');
  assert.strictEqual(await r().get('k'), 'v2');
  const ttl = await r().ttl('k');
  assert.ok(ttl > 900 && ttl <= 1000, `ttl ${ttl}`);
  await rejects(r().call('set', 'k', 'v', 'KEEPTTL', 'EX', '10'), SYNTAX);
  await rejects(r().call('set', 'k', 'v', 'EX', '10', 'KEEPTTL'), SYNTAX);
});

test('SET and GETEX accept a repeated option as Redis 7.0 does', async () => {
  assert.strictEqual(await r().call('set', 'k', 'v', 'EX', '10', 'EX', '200'), 'OK');
  const ttl = await r().ttl('k');
  assert.ok(ttl > 190 && ttl <= 200, `the last EX wins: ttl ${ttl}`);
  assert.strictEqual(await r().call('set', 'k', 'v2', 'KEEPTTL', 'KEEPTTL'), 'OK');
  assert.ok((await r().ttl('k')) > 190);
  assert.strictEqual(await r().call('set', 'k', 'v3', 'XX', 'XX', 'GET', 'GET'), 'v2');
  assert.strictEqual(await r().call('getex', 'k', 'PERSIST', 'PERSIST'), 'v3');
  assert.strictEqual(await r().ttl('k'), -1);
  // only the last expiry argument is read as a number
  assert.strictEqual(await r().call('set', 'k', 'v', 'EX', 'abc', 'EX', '300'), 'OK');
  assert.ok((await r().ttl('k')) > 290);
  assert.strictEqual(await r().call('getex', 'k', 'EX', 'abc', 'EX', '400'), 'v');
  assert.ok((await r().ttl('k')) > 390);
  // different expiry options, NX with XX, and options of the other command stay errors
  await rejects(r().call('set', 'k', 'v', 'NX', 'XX'), SYNTAX);
  await rejects(r().call('set', 'k', 'v', 'EX', '10', 'EXAT', '10'), SYNTAX);
  await rejects(r().call('set', 'k', 'v', 'PERSIST'), SYNTAX);
  await rejects(r().call('getex', 'k', 'PERSIST', 'EX', '10'), SYNTAX);
  await rejects(r().call('getex', 'k', 'KEEPTTL'), SYNTAX);
  await rejects(r().call('getex', 'k', 'NX'), SYNTAX);
  await rejects(r().call('getex', 'k', 'GET'), SYNTAX);
  // GETEX looks the key up before it checks the expiry (Redis 7.0)
  assert.strictEqual(await r().call('getex', 'missing', 'EX', '0'), null);
  assert.strictEqual(await r().call('getex', 'missing', 'EX', 'abc'), null);
  await rejects(r().call('getex', 'k', 'EX', '0'), "ERR invalid expire time in 'getex' command");
  // an absolute time already past deletes the key after answering it
  assert.strictEqual(await r().call('getex', 'k', 'PXAT', '1'), 'v');
  assert.strictEqual(await r().exists('k'), 0);
});

test('SET option errors', async () => {
  await rejects(r().call('set', 'k', 'v', 'EX', '0'), "ERR invalid expire time in 'set' command");
  await rejects(r().call('set', 'k', 'v', 'EX', '-5'), "ERR invalid expire time in 'set' command");
  await rejects(r().call('set', 'k', 'v', 'PX', '0'), "ERR invalid expire time in 'set' command");
  await rejects(r().call('set', 'k', 'v', 'EX', 'abc'), NOT_INT);
  await rejects(r().call('set', 'k', 'v', 'PX', '1.5'), NOT_INT);
  await rejects(r().call('set', 'k', 'v', 'EX', '10', 'PX', '10'), SYNTAX);
  await rejects(r().call('set', 'k', 'v', 'EX'), SYNTAX);
  await rejects(r().call('set', 'k', 'v', 'FOO'), SYNTAX);
  await rejects(r().call('set', 'k'), arity('set'));
  assert.strictEqual(await r().exists('k'), 0);
});

test('SETNX SETEX PSETEX', async () => {
  assert.strictEqual(await r().setnx('k', 'a'), 1);
  assert.strictEqual(await r().setnx('k', 'b'), 0);
  assert.strictEqual(await r().get('k'), 'a');

  assert.strictEqual(await r().setex('sx', 100, 'v'), 'OK');
  assert.strictEqual(await r().get('sx'), 'v');
  const ttl = await r().ttl('sx');
  assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
  assert.strictEqual(await r().psetex('psx', 100000, 'v'), 'OK');
  const pttl = await r().pttl('psx');
  assert.ok(pttl > 90000 && pttl <= 100000, `pttl ${pttl}`);

  await rejects(r().call('setex', 'sx', '0', 'v'), "ERR invalid expire time in 'setex' command");
  await rejects(r().call('setex', 'sx', '-1', 'v'), "ERR invalid expire time in 'setex' command");
  await rejects(r().call('psetex', 'psx', '0', 'v'), "ERR invalid expire time in 'psetex' command");
  await rejects(r().call('setex', 'sx', 'ten', 'v'), NOT_INT);
  await rejects(r().call('setex', 'sx', '10'), arity('setex'));
  await rejects(r().call('setnx', 'k'), arity('setnx'));
  await rejects(r().call('psetex', 'k', '10'), arity('psetex'));
});

test('GETSET GETDEL', async () => {
  assert.strictEqual(await r().getset('k', 'one'), null);
  assert.strictEqual(await r().getset('k', 'two'), 'one');
  assert.strictEqual(await r().get('k'), 'two');
  await r().set('t', 'v', 'EX', 100);
  await r().getset('t', 'w');
  assert.strictEqual(await r().ttl('t'), -1, 'GETSET discards the TTL');

  assert.strictEqual(await r().getdel('k'), 'two');
  assert.strictEqual(await r().exists('k'), 0);
  assert.strictEqual(await r().getdel('k'), null);
  await rejects(r().call('getset', 'k'), arity('getset'));
  await rejects(r().call('getdel'), arity('getdel'));
});

test('GETEX', async () => {
  await r().set('k', 'v');
  assert.strictEqual(await r().call('getex', 'k'), 'v');
  assert.strictEqual(await r().ttl('k'), -1);
  assert.strictEqual(await r().call('getex', 'k', 'EX', '100'), 'v');
  let ttl = await r().ttl('k');
  assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
  assert.strictEqual(await r().call('getex', 'k', 'PX', '200000'), 'v');
  ttl = await r().ttl('k');
  assert.ok(ttl > 190 && ttl <= 200, `ttl ${ttl}`);
  const at = nowSec() + 500;
  assert.strictEqual(await r().call('getex', 'k', 'EXAT', String(at)), 'v');
  assert.strictEqual(await r().call('expiretime', 'k'), at);
  const pat = Date.now() + 600000;
  assert.strictEqual(await r().call('getex', 'k', 'PXAT', String(pat)), 'v');
  assert.strictEqual(await r().call('pexpiretime', 'k'), pat);
  assert.strictEqual(await r().call('getex', 'k', 'PERSIST'), 'v');
  assert.strictEqual(await r().ttl('k'), -1);
  assert.strictEqual(await r().call('getex', 'missing', 'EX', '10'), null);
  assert.strictEqual(await r().exists('missing'), 0);

  await rejects(r().call('getex', 'k', 'EX', '10', 'PX', '10'), SYNTAX);
  await rejects(r().call('getex', 'k', 'EX'), SYNTAX);
  await rejects(r().call('getex', 'k', 'FOO'), SYNTAX);
  await rejects(r().call('getex', 'k', 'EX', '0'), "ERR invalid expire time in 'getex' command");
  await rejects(r().call('getex', 'k', 'EX', 'x'), NOT_INT);
  await rejects(r().call('getex'), arity('getex'));
});

test('MGET MSET', async () => {
  assert.strictEqual(await r().mset('a', '1', 'b', '2', 'c', '3'), 'OK');
  assert.deepStrictEqual(await r().mget('a', 'nope', 'b', 'c', 'a'), ['1', null, '2', '3', '1']);
  // MSET with a repeated key: the last value wins
  await r().mset('d', 'x', 'd', 'y');
  assert.strictEqual(await r().get('d'), 'y');
  await rejects(r().call('mset', 'a'), arity('mset'));
  await rejects(r().call('mset', 'a', '1', 'b'), arity('mset'));
  await rejects(r().call('mget'), arity('mget'));
  // a key left without its value fails the whole MSET: no pair is written, whichever slots and workers they are on
  for (const w of [0, 1]) {
    const [k1, k2, k3] = keysOnWorker(w, 3, `modd${w}:`);
    await rejects(r().call('mset', k1, 'v', k2, 'v', k3), arity('mset'));
    assert.strictEqual(await r().exists(k1, k2, k3), 0);
  }
  await rejects(r().call('mset', 'modd0:x', 'v', ...keysOnWorker(1, 1, 'modd1:x')), arity('mset'));
  assert.strictEqual(await r().exists('modd0:x'), 0);
});

test('MSETNX is all or nothing', async () => {
  assert.strictEqual(await r().msetnx('x1', 'a', 'x2', 'b'), 1);
  assert.deepStrictEqual(await r().mget('x1', 'x2'), ['a', 'b']);
  assert.strictEqual(await r().msetnx('x3', 'c', 'x1', 'z', 'x4', 'd'), 0);
  assert.deepStrictEqual(await r().mget('x1', 'x3', 'x4'), ['a', null, null]);
  await rejects(r().call('msetnx', 'a', '1', 'b'), arity('msetnx'));

  // across many keys (and so both workers): one existing key blocks every write
  const pairs = [];
  for (let i = 0; i < 100; i++) pairs.push(`nx:${i}`, `v${i}`);
  await r().set('nx:57', 'taken');
  assert.strictEqual(await r().msetnx(...pairs), 0);
  assert.strictEqual(await r().exists(...Array.from({ length: 100 }, (_, i) => `nx:${i}`)), 1);
  await r().del('nx:57');
  assert.strictEqual(await r().msetnx(...pairs), 1);
  const values = await r().mget(...Array.from({ length: 100 }, (_, i) => `nx:${i}`));
  assert.deepStrictEqual(values, Array.from({ length: 100 }, (_, i) => `v${i}`));
});

test('APPEND STRLEN', async () => {
  assert.strictEqual(await r().append('k', 'Hello'), 5);
  assert.strictEqual(await r().append('k', ' World'), 11);
  assert.strictEqual(await r().get('k'), 'Hello World');
  assert.strictEqual(await r().strlen('k'), 11);
  assert.strictEqual(await r().strlen('missing'), 0);
  await r().set('t', 'a', 'EX', 100);
  await r().append('t', 'b');
  assert.ok((await r().ttl('t')) > 0, 'APPEND keeps the TTL');
  await r().set('n', '12345');
  assert.strictEqual(await r().strlen('n'), 5);
  await rejects(r().call('append', 'k'), arity('append'));
  await rejects(r().call('strlen'), arity('strlen'));
});

test('GETRANGE SUBSTR', async () => {
  await r().set('k', 'This is a string');
  assert.strictEqual(await r().getrange('k', 0, 3), 'This');
  assert.strictEqual(await r().getrange('k', -3, -1), 'ing');
  assert.strictEqual(await r().getrange('k', 0, -1), 'This is a string');
  assert.strictEqual(await r().getrange('k', 10, 100), 'string');
  assert.strictEqual(await r().getrange('k', 5, 3), '');
  assert.strictEqual(await r().getrange('k', -1, -5), '');
  assert.strictEqual(await r().getrange('k', -100, 2), 'Thi');
  assert.strictEqual(await r().getrange('missing', 0, -1), '');
  assert.strictEqual(await r().call('substr', 'k', '0', '3'), 'This');
  assert.strictEqual(await r().call('substr', 'k', '-6', '-1'), 'string');
  await rejects(r().call('getrange', 'k', 'a', '1'), NOT_INT);
  await rejects(r().call('getrange', 'k', '0'), arity('getrange'));
  await rejects(r().call('substr', 'k', '0'), arity('substr'));
});

test('GETRANGE with 64-bit offsets', async () => {
  await r().set('k', 'hello');
  assert.strictEqual(await r().getrange('k', 0, '9223372036854775807'), 'hello');
  assert.strictEqual(await r().getrange('k', '-9223372036854775808', '9223372036854775807'), 'hello');
  assert.strictEqual(await r().getrange('k', '9223372036854775807', '9223372036854775807'), '');
  assert.strictEqual(await r().getrange('k', '-9223372036854775808', 1), 'he');
  await rejects(r().getrange('k', 0, '9223372036854775808'), NOT_INT);
  await rejects(r().setrange('k', '9223372036854775807', 'x'), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  await rejects(r().setrange('k', '9223372036854775808', 'x'), NOT_INT);
  assert.strictEqual(await r().setrange('k', '9223372036854775807', ''), 5);
});

test('SET and SETEX expiry at the edges of 64 bits', async () => {
  assert.strictEqual(await r().call('set', 'k', 'v', 'EXAT', '9223372036854775'), 'OK');
  assert.strictEqual(await exactInt('expiretime', 'k'), '9223372036854775');
  assert.strictEqual(await r().call('set', 'k', 'v', 'PXAT', '9223372036854775807'), 'OK');
  assert.strictEqual(await exactInt('pexpiretime', 'k'), '9223372036854775807');
  assert.strictEqual(await r().call('getex', 'k', 'EXAT', '100000000000000'), 'v');
  assert.strictEqual(await r().call('expiretime', 'k'), 100000000000000);
  const bad = (cmd) => `ERR invalid expire time in '${cmd}' command`;
  await rejects(r().call('set', 'k', 'v', 'EX', '9223372036854775'), bad('set'));
  await rejects(r().call('set', 'k', 'v', 'EXAT', '9223372036854776'), bad('set'));
  await rejects(r().call('set', 'k', 'v', 'PX', '9223372036854775807'), bad('set'));
  await rejects(r().call('setex', 'k', '9223372036854775', 'v'), bad('setex'));
  await rejects(r().call('psetex', 'k', '9223372036854775807', 'v'), bad('psetex'));
  await rejects(r().call('getex', 'k', 'PX', '9223372036854775807'), bad('getex'));
});

test('SETRANGE', async () => {
  await r().set('k', 'Hello World');
  assert.strictEqual(await r().setrange('k', 6, 'Redis'), 11);
  assert.strictEqual(await r().get('k'), 'Hello Redis');
  assert.strictEqual(await r().setrange('pad', 5, 'x'), 6);
  assert.deepStrictEqual(await r().getBuffer('pad'), Buffer.from([0, 0, 0, 0, 0, 0x78]));
  assert.strictEqual(await r().setrange('k', 11, '!'), 12);
  assert.strictEqual(await r().get('k'), 'Hello Redis!');
  // an empty patch neither creates nor grows the key
  assert.strictEqual(await r().setrange('none', 10, ''), 0);
  assert.strictEqual(await r().exists('none'), 0);
  assert.strictEqual(await r().setrange('k', 100, ''), 12);
  await rejects(r().call('setrange', 'k', '-1', 'x'), 'ERR offset is out of range');
  await rejects(r().call('setrange', 'k', '536870912', 'x'), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  await rejects(r().call('setrange', 'k', 'x', 'x'), NOT_INT);
  await rejects(r().call('setrange', 'k', '1'), arity('setrange'));
});

test('INCR INCRBY DECR DECRBY', async () => {
  assert.strictEqual(await r().incr('n'), 1);
  assert.strictEqual(await r().incr('n'), 2);
  assert.strictEqual(await r().incrby('n', 10), 12);
  assert.strictEqual(await r().incrby('n', -20), -8);
  assert.strictEqual(await r().decr('n'), -9);
  assert.strictEqual(await r().decrby('n', 1), -10);
  assert.strictEqual(await r().decrby('n', -30), 20);
  assert.strictEqual(await r().get('n'), '20');
  assert.strictEqual(await r().decr('fresh'), -1);
  await r().set('t', '5', 'EX', 100);
  assert.strictEqual(await r().incr('t'), 6);
  assert.ok((await r().ttl('t')) > 0, 'INCR keeps the TTL');

  // values and arguments that are not 64-bit integers
  for (const bad of ['abc', '1.5', ' 1', '1 ', '', '+1', '0x10', '99999999999999999999']) {
    await r().set('bad', bad);
    await rejects(r().incr('bad'), NOT_INT);
  }
  await r().set('n', '1');
  await rejects(r().call('incrby', 'n', 'x'), NOT_INT);
  await rejects(r().call('incrby', 'n', '1.0'), NOT_INT);
  await rejects(r().call('decrby', 'n', '9223372036854775808'), NOT_INT);

  // overflow
  await r().set('big', '9223372036854775807');
  await rejects(r().incr('big'), 'ERR increment or decrement would overflow');
  await rejects(r().incrby('big', 1), 'ERR increment or decrement would overflow');
  assert.strictEqual(await r().get('big'), '9223372036854775807');
  await r().set('small', '-9223372036854775808');
  await rejects(r().decr('small'), 'ERR increment or decrement would overflow');
  await rejects(r().call('decrby', 'small', '-9223372036854775808'), 'ERR decrement would overflow');
  assert.strictEqual(await r().call('incrby', 'small', '9223372036854775807'), -1);

  await rejects(r().call('incr'), arity('incr'));
  await rejects(r().call('incrby', 'n'), arity('incrby'));
  await rejects(r().call('decr', 'a', 'b'), arity('decr'));
  await rejects(r().call('decrby', 'n'), arity('decrby'));
});

test('INCRBYFLOAT', async () => {
  await r().set('f', '10.50');
  assert.strictEqual(await r().incrbyfloat('f', '0.1'), '10.6');
  assert.strictEqual(await r().incrbyfloat('f', '-5'), '5.6');
  await r().set('e', '5.0e3');
  assert.strictEqual(await r().incrbyfloat('e', '2.0e2'), '5200');
  assert.strictEqual(await r().incrbyfloat('new', '3'), '3');
  assert.strictEqual(await r().incrbyfloat('new', '1.5'), '4.5');
  await rejects(r().call('incrbyfloat', 'f', 'abc'), 'ERR value is not a valid float');
  await r().set('s', 'hello');
  await rejects(r().call('incrbyfloat', 's', '1'), 'ERR value is not a valid float');
  await rejects(r().call('incrbyfloat', 'f', 'inf'), 'ERR increment would produce NaN or Infinity');
  await rejects(r().call('incrbyfloat', 'f'), arity('incrbyfloat'));
});

test('INCRBYFLOAT answers with the precision of Redis (long double)', async () => {
  await r().set('f', '0.2');
  assert.strictEqual(await r().incrbyfloat('f', '0.1'), '0.3');
  assert.strictEqual(await r().get('f'), '0.3');
  await r().set('g', '1.1');
  assert.strictEqual(await r().incrbyfloat('g', '2.2'), '3.3');
  // where the 64-bit significand runs out, Redis shows it
  assert.strictEqual(await r().incrbyfloat('h', '1000.1'), '1000.09999999999999998');
  assert.strictEqual(await r().incrbyfloat('h', '-1000.09999999999999998'), '0');
  assert.strictEqual(await r().incrbyfloat('h', '1e-20'), '0');
  assert.strictEqual(await r().incrbyfloat('h', '0x10'), '16');
  await rejects(r().call('incrbyfloat', 'h', '1e5000'), 'ERR value is not a valid float');
});

test('LCS', async () => {
  await r().mset('key1', 'ohmytext', 'key2', 'mynewtext');
  assert.strictEqual(await r().call('lcs', 'key1', 'key2'), 'mytext');
  assert.strictEqual(await r().call('lcs', 'key1', 'key2', 'LEN'), 6);
  assert.deepStrictEqual(await r().call('lcs', 'key1', 'key2', 'IDX'), [
    'matches', [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], 'len', 6,
  ]);
  assert.deepStrictEqual(await r().call('lcs', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'), [
    'matches', [[[4, 7], [5, 8], 4]], 'len', 6,
  ]);
  assert.strictEqual(await r().call('lcs', 'key1', 'missing'), '');
  assert.strictEqual(await r().call('lcs', 'missing1', 'missing2', 'LEN'), 0);
  await rejects(r().call('lcs', 'key1', 'key2', 'LEN', 'IDX'), 'ERR If you want both the length and indexes, please just use IDX.');
  await rejects(r().call('lcs', 'key1', 'key2', 'FOO'), SYNTAX);
  // the keys' types are checked before the options, as Redis does
  await r().rpush('lcs:list', 'a');
  await rejects(r().call('lcs', 'key1', 'lcs:list', 'FOO'), 'ERR The specified keys must contain string values');
  await rejects(r().call('lcs', 'key1'), arity('lcs'));
});

test('arity errors name the command in lower case', async () => {
  await rejects(r().call('GET'), arity('get'));
  await rejects(r().call('get', 'a', 'b'), arity('get'));
  await rejects(r().call('SeT'), arity('set'));
  await rejects(r().call('getrange', 'k', '0', '1', '2'), arity('getrange'));
});

test('MGET MSET DEL EXISTS over 100 keys on every worker', async () => {
  const keys = Array.from({ length: 100 }, (_, i) => `multi:${i}:${'x'.repeat(i % 7)}`);
  const args = [];
  keys.forEach((k, i) => args.push(k, `value-${i}`));
  assert.strictEqual(await r().mset(...args), 'OK');
  assert.strictEqual(await r().dbsize(), 100);
  assert.deepStrictEqual(await r().mget(...keys), keys.map((_, i) => `value-${i}`));
  // interleave missing keys: positions must be kept
  const mixed = [];
  keys.forEach((k, i) => mixed.push(k, `absent:${i}`));
  const got = await r().mget(...mixed);
  assert.deepStrictEqual(got, keys.flatMap((_, i) => [`value-${i}`, null]));
  assert.strictEqual(await r().exists(...keys), 100);
  assert.strictEqual(await r().exists(...keys, ...keys), 200, 'EXISTS counts repeated keys');
  assert.strictEqual(await r().exists(...mixed), 100);
  assert.strictEqual(await r().del(...mixed), 100);
  assert.strictEqual(await r().exists(...keys), 0);
  assert.strictEqual(await r().dbsize(), 0);
});

test('RENAME across keys keeps value and TTL', async () => {
  for (let i = 0; i < 50; i++) await r().set(`src:${i}`, `v${i}`, 'EX', 1000);
  for (let i = 0; i < 50; i++) assert.strictEqual(await r().rename(`src:${i}`, `dst:${i}`), 'OK');
  for (let i = 0; i < 50; i++) {
    assert.strictEqual(await r().get(`dst:${i}`), `v${i}`);
    assert.strictEqual(await r().exists(`src:${i}`), 0);
    const ttl = await r().ttl(`dst:${i}`);
    assert.ok(ttl > 900 && ttl <= 1000, `ttl of dst:${i} is ${ttl}`);
  }
  // RENAME over an existing key replaces it, including its TTL
  await r().set('a', 'A');
  await r().set('b', 'B', 'EX', 100);
  await r().rename('a', 'b');
  assert.strictEqual(await r().get('b'), 'A');
  assert.strictEqual(await r().ttl('b'), -1);
  await rejects(r().rename('nosuch', 'x'), 'ERR no such key');
});

test('a 5 MB value', async () => {
  const big = Buffer.alloc(5 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
  assert.strictEqual(await r().set('big', big), 'OK');
  assert.strictEqual(await r().strlen('big'), big.length);
  assert.ok((await r().getBuffer('big')).equals(big));
  assert.strictEqual(await r().append('big', 'tail'), big.length + 4);
  assert.strictEqual(await r().getrange('big', -4, -1), 'tail');
  assert.deepStrictEqual(await r().getrangeBuffer('big', 1000, 1003), big.subarray(1000, 1004));
  await r().rename('big', 'big2');
  const again = await r().getBuffer('big2');
  assert.strictEqual(again.length, big.length + 4);
  assert.ok(again.subarray(0, big.length).equals(big));
});

test('a value above 16 MiB', async () => {
  const big = Buffer.alloc(17 * 1024 * 1024, 'z');
  big.write('head', 0);
  big.write('tail', big.length - 4);
  assert.strictEqual(await r().set('huge', big), 'OK');
  assert.strictEqual(await r().type('huge'), 'string');
  assert.strictEqual(await r().strlen('huge'), big.length);
  assert.strictEqual(await r().getrange('huge', 0, 3), 'head');
  assert.strictEqual(await r().getrange('huge', -4, -1), 'tail');
  assert.ok((await r().getBuffer('huge')).equals(big));
  assert.strictEqual(await r().del('huge'), 1);
  assert.strictEqual(await r().exists('huge'), 0);
  // a string grown past 16 MiB by SETRANGE
  assert.strictEqual(await r().setrange('grown', 16 * 1024 * 1024, 'x'), 16 * 1024 * 1024 + 1);
  assert.strictEqual(await r().strlen('grown'), 16 * 1024 * 1024 + 1);
  assert.strictEqual(await r().del('grown'), 1);
});

test('a key of 5000 bytes', async () => {
  const key = 'k'.repeat(2500) + 'é'.repeat(1250); // 5000 bytes
  assert.strictEqual(Buffer.byteLength(key), 5000);
  const twin = 'k'.repeat(2500) + 'é'.repeat(1249) + 'e!'; // same 4998-byte prefix, also 5000 bytes
  assert.strictEqual(await r().set(key, 'long'), 'OK');
  assert.strictEqual(await r().set(twin, 'twin'), 'OK');
  assert.strictEqual(await r().get(key), 'long');
  assert.strictEqual(await r().get(twin), 'twin');
  assert.strictEqual(await r().exists(key), 1);
  assert.strictEqual(await r().strlen(key), 4);
  assert.deepStrictEqual((await r().keys('*')).sort(), [key, twin].sort());
  await r().expire(key, 100);
  assert.ok((await r().ttl(key)) > 0);
  assert.strictEqual(await r().rename(key, 'short'), 'OK');
  assert.strictEqual(await r().get('short'), 'long');
  assert.strictEqual(await r().rename('short', key), 'OK');
  assert.strictEqual(await r().del(key), 1);
  assert.strictEqual(await r().get(key), null);
  assert.strictEqual(await r().get(twin), 'twin');
});

test('binary-safe keys and values', async () => {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const key = Buffer.from([0, 1, 13, 10, 255, 0x2a, 32]);
  assert.strictEqual(await r().set(key, all), 'OK');
  assert.ok((await r().getBuffer(key)).equals(all));
  assert.strictEqual(await r().strlen(key), 256);
  assert.strictEqual(await r().exists(key), 1);
  assert.strictEqual(await r().exists(Buffer.from([0, 1, 13, 10, 255, 0x2a])), 0);
  assert.strictEqual(await r().append(key, Buffer.from('\r\n\0')), 259);
  const got = await r().getBuffer(key);
  assert.ok(got.subarray(0, 256).equals(all) && got.subarray(256).equals(Buffer.from('\r\n\0')));
  const keys = await r().keysBuffer('*');
  assert.strictEqual(keys.length, 1);
  assert.ok(keys[0].equals(key));
  const vals = await r().mgetBuffer(key, 'x');
  assert.strictEqual(vals[1], null);
  assert.ok(vals[0].equals(got));
  // invalid UTF-8 is kept byte for byte
  const bad = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]);
  await r().set(bad, bad);
  assert.ok((await r().getBuffer(bad)).equals(bad));
  assert.strictEqual(await r().del(key, bad), 2);
});

test('expired strings are gone', async () => {
  await r().set('short', 'v', 'PX', 50);
  await sleep(150);
  assert.strictEqual(await r().get('short'), null);
  assert.strictEqual(await r().strlen('short'), 0);
  assert.strictEqual(await r().setnx('short', 'again'), 1);
  assert.strictEqual(await r().ttl('short'), -1);
  await r().set('cnt', '41', 'PX', 50);
  await sleep(150);
  assert.strictEqual(await r().incr('cnt'), 1, 'INCR of an expired key starts from 0');
});

test.run();
