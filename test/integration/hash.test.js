// Hash commands through ioredis against a real node with two workers.
// PIKA_TEST_TARGET=redis runs the same assertions against redis-server 7.0.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, rejects, sleep, rawRequest, encode, parseReply, plain, ERRORS } = require('./helpers');
const { RANDOM_REPEATS_MAX } = require('../../dist/common/limits');
const { arity, NOT_INT, NOT_FLOAT, SYNTAX, WRONGTYPE } = ERRORS;

const test = suite('hashes');
const h = useNode(test);
const r = () => h.redis;


/** A flat [field, value, ...] reply as a plain object. */
const toObj = (flat) => {
  const o = {};
  for (let i = 0; i < flat.length; i += 2) o[flat[i]] = flat[i + 1];
  return o;
};
const sorted = (a) => [...a].sort();
/** The raw reply text of one command, for telling nil from an empty array. */
const raw = async (...cmd) => (await rawRequest(h.node.port, encode(cmd))).text;
/** HGETALL as the flat [field, value, ...] array on the wire (ioredis makes it an object). */
const hgetallFlat = async (key) => plain(parseReply((await rawRequest(h.node.port, encode(['hgetall', key]))).data)[0]);

/** Every field/value pair HSCAN returns, following the cursor to 0. */
async function hscanAll(key, ...opts) {
  const seen = {};
  let cursor = '0';
  let calls = 0;
  do {
    const [next, flat] = await r().call('hscan', key, cursor, ...opts);
    for (let i = 0; i < flat.length; i += 2) seen[flat[i]] = flat[i + 1];
    cursor = next;
    calls++;
    assert.ok(calls < 100_000, 'HSCAN never finished');
  } while (cursor !== '0');
  return { seen, calls };
}

test.before.each(async () => {
  await r().flushall();
});

test('HSET HGET HLEN, many pairs, update and insert', async () => {
  assert.strictEqual(await r().hget('h', 'a'), null);
  assert.strictEqual(await r().hlen('h'), 0);
  assert.strictEqual(await r().call('hset', 'h', 'a', '1'), 1);
  assert.strictEqual(await r().call('hset', 'h', 'a', '2', 'b', '3', 'c', '4'), 2);
  assert.strictEqual(await r().call('hset', 'h', 'a', '5', 'a', '6'), 0, 'the same field twice counts once');
  assert.strictEqual(await r().hget('h', 'a'), '6');
  assert.strictEqual(await r().hget('h', 'b'), '3');
  assert.strictEqual(await r().hlen('h'), 3);
  assert.strictEqual(await r().type('h'), 'hash');
  assert.strictEqual(await r().call('hset', 'h', '', ''), 1, 'empty field and value');
  assert.strictEqual(await r().hget('h', ''), '');
  assert.strictEqual(await r().hlen('h'), 4);
  const bin = Buffer.from([0, 1, 2, 255, 13, 10]);
  assert.strictEqual(await r().hset('h', bin, bin), 1);
  assert.deepStrictEqual(await r().hgetBuffer('h', bin), bin);
});

test('HSET and HMSET argument errors', async () => {
  await rejects(r().call('hset', 'h', 'a', '1', 'b'), arity('hset'));
  await rejects(r().call('hmset', 'h', 'a', '1', 'b'), arity('hmset'));
  await rejects(r().call('hset', 'h', 'a'), arity('hset'));
  await rejects(r().call('hset', 'h'), arity('hset'));
  await rejects(r().call('hmset', 'h', 'a'), arity('hmset'));
  await rejects(r().call('hget', 'h'), arity('hget'));
  await rejects(r().call('hget', 'h', 'a', 'b'), arity('hget'));
  await rejects(r().call('hsetnx', 'h', 'a'), arity('hsetnx'));
  await rejects(r().call('hmget', 'h'), arity('hmget'));
  await rejects(r().call('hdel', 'h'), arity('hdel'));
  await rejects(r().call('hlen'), arity('hlen'));
  await rejects(r().call('hlen', 'h', 'x'), arity('hlen'));
  await rejects(r().call('hstrlen', 'h'), arity('hstrlen'));
  await rejects(r().call('hexists', 'h'), arity('hexists'));
  await rejects(r().call('hkeys'), arity('hkeys'));
  await rejects(r().call('hvals', 'h', 'x'), arity('hvals'));
  await rejects(r().call('hgetall'), arity('hgetall'));
  await rejects(r().call('hincrby', 'h', 'a'), arity('hincrby'));
  await rejects(r().call('hincrbyfloat', 'h', 'a', '1', '2'), arity('hincrbyfloat'));
  await rejects(r().call('hrandfield'), arity('hrandfield'));
  await rejects(r().call('hscan', 'h'), arity('hscan'));
  assert.strictEqual(await r().exists('h'), 0, 'no failed command created the key');
});

test('HMSET answers OK', async () => {
  assert.strictEqual(await r().call('hmset', 'h', 'a', '1', 'b', '2'), 'OK');
  assert.strictEqual(await r().call('hmset', 'h', 'a', '3'), 'OK');
  assert.deepStrictEqual(await r().hgetall('h'), { a: '3', b: '2' });
});

test('HSETNX', async () => {
  assert.strictEqual(await r().hsetnx('h', 'a', '1'), 1);
  assert.strictEqual(await r().hsetnx('h', 'a', '2'), 0);
  assert.strictEqual(await r().hget('h', 'a'), '1');
  assert.strictEqual(await r().hsetnx('h', 'b', '2'), 1);
  assert.strictEqual(await r().hlen('h'), 2);
});

test('HMGET', async () => {
  assert.deepStrictEqual(await r().hmget('missing', 'a', 'b'), [null, null]);
  await r().hset('h', 'a', '1', 'b', '2');
  assert.deepStrictEqual(await r().hmget('h', 'a', 'x', 'b', 'a'), ['1', null, '2', '1']);
});

test('HDEL, and the last field takes the key with it', async () => {
  assert.strictEqual(await r().hdel('missing', 'a'), 0);
  await r().hset('h', 'a', '1', 'b', '2', 'c', '3');
  assert.strictEqual(await r().hdel('h', 'x'), 0);
  assert.strictEqual(await r().hdel('h', 'a', 'a', 'x'), 1);
  assert.strictEqual(await r().hlen('h'), 2);
  assert.strictEqual(await r().hdel('h', 'b', 'c', 'd'), 2);
  assert.strictEqual(await r().exists('h'), 0);
  assert.strictEqual(await r().type('h'), 'none');
  assert.strictEqual(await r().hlen('h'), 0);
  // a new hash at the same key starts empty
  await r().hset('h', 'z', '26');
  assert.deepStrictEqual(await r().hgetall('h'), { z: '26' });
});

test('HSTRLEN HEXISTS', async () => {
  await r().hset('h', 'a', 'hello', 'n', '-9223372036854775808', 'e', '');
  assert.strictEqual(await r().hstrlen('h', 'a'), 5);
  assert.strictEqual(await r().hstrlen('h', 'n'), 20);
  assert.strictEqual(await r().hstrlen('h', 'e'), 0);
  assert.strictEqual(await r().hstrlen('h', 'x'), 0);
  assert.strictEqual(await r().hstrlen('missing', 'x'), 0);
  assert.strictEqual(await r().hexists('h', 'a'), 1);
  assert.strictEqual(await r().hexists('h', 'e'), 1);
  assert.strictEqual(await r().hexists('h', 'x'), 0);
  assert.strictEqual(await r().hexists('missing', 'a'), 0);
});

test('HKEYS HVALS HGETALL', async () => {
  assert.deepStrictEqual(await r().hkeys('missing'), []);
  assert.deepStrictEqual(await r().hvals('missing'), []);
  assert.deepStrictEqual(await r().hgetall('missing'), {});
  assert.strictEqual(await raw('hgetall', 'missing'), '*0\r\n');
  await r().hset('h', 'a', '1', 'b', '2', 'c', '3');
  assert.deepStrictEqual(sorted(await r().hkeys('h')), ['a', 'b', 'c']);
  assert.deepStrictEqual(sorted(await r().hvals('h')), ['1', '2', '3']);
  const flat = await hgetallFlat('h');
  assert.strictEqual(flat.length, 6);
  assert.deepStrictEqual(toObj(flat), { a: '1', b: '2', c: '3' });
  // keys and values come in the same order
  const keys = await r().hkeys('h');
  const vals = await r().hvals('h');
  assert.deepStrictEqual(keys.map((k, i) => [k, vals[i]]), keys.map((k) => [k, toObj(flat)[k]]));
});

test('HINCRBY', async () => {
  assert.strictEqual(await r().hincrby('h', 'n', 5), 5);
  assert.strictEqual(await r().hincrby('h', 'n', -7), -2);
  await r().hset('h', 'big', '17179869184');
  assert.strictEqual(await r().hincrby('h', 'big', 1), 17179869185);
  await r().hset('h', 'max', '9223372036854775806');
  assert.strictEqual(await raw('hincrby', 'h', 'max', '1'), ':9223372036854775807\r\n');
  await rejects(r().hincrby('h', 'max', 1), 'ERR increment or decrement would overflow');
  await r().hset('h', 'min', '-9223372036854775807');
  await rejects(r().hincrby('h', 'min', -2), 'ERR increment or decrement would overflow');
  assert.strictEqual(await r().hget('h', 'min'), '-9223372036854775807', 'unchanged after the error');
  await r().hset('h', 's', ' 11', 't', '11 ', 'f', '1.5', 'x', 'abc', 'e', '');
  for (const f of ['s', 't', 'f', 'x', 'e']) await rejects(r().hincrby('h', f, 1), 'ERR hash value is not an integer');
  await rejects(r().hincrby('h', 'n', 'x'), NOT_INT);
  await rejects(r().hincrby('h', 'n', '1.5'), NOT_INT);
  await rejects(r().hincrby('h', 'n', '9223372036854775808'), NOT_INT);
  await rejects(r().hincrby('nokey', 'n', 'x'), NOT_INT);
  assert.strictEqual(await r().exists('nokey'), 0);
});

test('HINCRBYFLOAT', async () => {
  assert.strictEqual(await r().hincrbyfloat('h', 'f', '10.5'), '10.5');
  assert.strictEqual(await r().hincrbyfloat('h', 'f', '0.1'), '10.6');
  assert.strictEqual(await r().hget('h', 'f'), '10.6');
  assert.strictEqual(await r().hincrbyfloat('h2', 'float', '1.23'), '1.23');
  assert.strictEqual(await r().hincrbyfloat('h2', 'float', '0.77'), '2');
  assert.strictEqual(await r().hincrbyfloat('h2', 'float', '-0.1'), '1.9');
  // x87 long double arithmetic, printed with %.17Lf as Redis does
  assert.strictEqual(await r().hincrbyfloat('h2', 'x', '1000.1'), '1000.09999999999999998');
  assert.strictEqual(await r().hincrbyfloat('h2', 'x', '0'), '1000.09999999999999998');
  assert.strictEqual(await r().hincrbyfloat('h2', 'e', '5.0e3'), '5000');
  await r().hset('h', 'i', '17179869184');
  assert.strictEqual(await r().hincrbyfloat('h', 'i', '1.5'), '17179869185.5');
  await r().hset('h', 's', ' 11', 't', '11 ', 'x', 'abc', 'z', '1\u00002');
  for (const f of ['s', 't', 'x', 'z']) await rejects(r().hincrbyfloat('h', f, '1'), 'ERR hash value is not a float');
  await rejects(r().hincrbyfloat('h', 'f', 'abc'), NOT_FLOAT);
  await rejects(r().hincrbyfloat('h', 'f', ''), NOT_FLOAT);
  await rejects(r().hincrbyfloat('h', 'f', 'nan'), NOT_FLOAT);
  await rejects(r().hincrbyfloat('hfoo', 'f', '+inf'), 'ERR value is NaN or Infinity');
  await rejects(r().hincrbyfloat('hfoo', 'f', '-inf'), 'ERR value is NaN or Infinity');
  assert.strictEqual(await r().exists('hfoo'), 0);
  await r().hset('h', 'inf', 'inf');
  await rejects(r().hincrbyfloat('h', 'inf', '1'), 'ERR increment would produce NaN or Infinity');
  await r().hset('h', 'huge', '1e4932');
  await rejects(r().hincrbyfloat('h', 'huge', '1e4932'), 'ERR increment would produce NaN or Infinity');
  assert.strictEqual(await r().hget('h', 'huge'), '1e4932');
});

test('HRANDFIELD without count', async () => {
  assert.strictEqual(await r().call('hrandfield', 'missing'), null);
  assert.strictEqual(await raw('hrandfield', 'missing'), '$-1\r\n');
  await r().hset('h', 'a', '1', 'b', '2', 'c', '3');
  const seen = new Set();
  for (let i = 0; i < 200 && seen.size < 3; i++) seen.add(await r().call('hrandfield', 'h'));
  assert.deepStrictEqual(sorted(seen), ['a', 'b', 'c']);
});

test('HRANDFIELD, SRANDMEMBER and ZRANDMEMBER: repeats past RANDOM_REPEATS_MAX are out of range, not the end of the node', async () => {
  await r().hset('rh', 'a', '1', 'b', '2');
  await r().sadd('rs', 'a', 'b');
  await r().zadd('rz', 1, 'a', 2, 'b');
  const over = String(-(RANDOM_REPEATS_MAX + 1));
  // once an abort of the process: a JS array of some 140 million picks
  for (const args of [['hrandfield', 'rh', '-140000000'], ['hrandfield', 'rh', over, 'WITHVALUES'], ['srandmember', 'rs', over], ['zrandmember', 'rz', over, 'WITHSCORES']]) {
    await rejects(r().call(...args), 'ERR value is out of range');
  }
  for (const args of [['hrandfield', 'rh', '-50000'], ['srandmember', 'rs', '-50000'], ['zrandmember', 'rz', '-50000']]) {
    const picks = await r().call(...args);
    assert.strictEqual(picks.length, 50000);
    assert.deepStrictEqual([...new Set(picks)].sort(), ['a', 'b']);
  }
});

test('HRANDFIELD with count and WITHVALUES', async () => {
  assert.strictEqual(await raw('hrandfield', 'missing', '5'), '*0\r\n');
  assert.strictEqual(await raw('hrandfield', 'missing', '-5', 'withvalues'), '*0\r\n');
  const data = {};
  for (let i = 0; i < 10; i++) data[`f${i}`] = `v${i}`;
  await r().hset('h', data);
  assert.strictEqual(await raw('hrandfield', 'h', '0'), '*0\r\n');
  // positive, at least the size: the whole hash
  for (const n of [10, 20]) {
    assert.deepStrictEqual(sorted(await r().call('hrandfield', 'h', n)), sorted(Object.keys(data)));
    const wv = await r().call('hrandfield', 'h', n, 'WITHVALUES');
    assert.strictEqual(wv.length, 20);
    assert.deepStrictEqual(toObj(wv), data);
  }
  // positive, less than the size: distinct fields
  for (const n of [1, 2, 8, 9]) {
    const res = await r().call('hrandfield', 'h', n);
    assert.strictEqual(res.length, n);
    assert.strictEqual(new Set(res).size, n);
    for (const f of res) assert.ok(f in data);
    const wv = await r().call('hrandfield', 'h', n, 'withvalues');
    assert.strictEqual(wv.length, 2 * n);
    for (let i = 0; i < wv.length; i += 2) assert.strictEqual(wv[i + 1], data[wv[i]]);
    assert.strictEqual(new Set(Object.keys(toObj(wv))).size, n);
  }
  // negative: exactly |count| picks, repeats allowed, eventually every field
  const neg = await r().call('hrandfield', 'h', -1001);
  assert.strictEqual(neg.length, 1001);
  assert.deepStrictEqual(sorted(new Set(neg)), sorted(Object.keys(data)));
  const negv = await r().call('hrandfield', 'h', -30, 'WITHVALUES');
  assert.strictEqual(negv.length, 60);
  for (let i = 0; i < negv.length; i += 2) assert.strictEqual(negv[i + 1], data[negv[i]]);
  assert.strictEqual((await r().call('hrandfield', 'h', -3)).length, 3);
  assert.strictEqual((await r().call('hrandfield', 'h', -1)).length, 1);
  // a one-field hash answers its field for any negative count
  await r().hset('one', 'only', 'x');
  assert.deepStrictEqual(await r().call('hrandfield', 'one', -4), ['only', 'only', 'only', 'only']);
});

test('HRANDFIELD argument errors', async () => {
  await r().hset('h', 'a', '1');
  await rejects(r().call('hrandfield', 'h', 'x'), NOT_INT);
  await rejects(r().call('hrandfield', 'h', '1.5'), NOT_INT);
  await rejects(r().call('hrandfield', 'h', '1', 'foo'), SYNTAX);
  await rejects(r().call('hrandfield', 'h', '1', 'withvalues', 'x'), SYNTAX);
  await rejects(r().call('hrandfield', 'h', '-9223372036854770000', 'withvalues'), 'ERR value is out of range');
  await rejects(r().call('hrandfield', 'h', '-9223372036854775808', 'withvalues'), /value is out of range/);
  await rejects(
    r().call('hrandfield', 'h', '-9223372036854775808'),
    'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  );
  await rejects(r().call('hrandfield', 'h', '4611686018427387904', 'withvalues'), 'ERR value is out of range');
  // the count is checked before the key
  await rejects(r().call('hrandfield', 'missing', 'x'), NOT_INT);
  await r().set('s', 'v');
  await rejects(r().call('hrandfield', 's', '1', 'foo'), SYNTAX);
});

test('HSCAN small hash: one reply, MATCH, COUNT', async () => {
  assert.deepStrictEqual(await r().call('hscan', 'missing', '0'), ['0', []]);
  assert.deepStrictEqual(await r().call('hscan', 'missing', '0', 'badopt'), ['0', []], 'a missing key answers before options are read');
  await r().hset('h', 'a1', '1', 'a2', '2', 'b1', '3');
  const [cursor, flat] = await r().call('hscan', 'h', '0', 'COUNT', '1');
  assert.strictEqual(cursor, '0');
  assert.deepStrictEqual(toObj(flat), { a1: '1', a2: '2', b1: '3' });
  const [, matched] = await r().call('hscan', 'h', '0', 'MATCH', 'a*');
  assert.deepStrictEqual(toObj(matched), { a1: '1', a2: '2' });
  const [, none] = await r().call('hscan', 'h', '0', 'match', 'zz*', 'count', '100');
  assert.deepStrictEqual(none, []);
});

test('HSCAN argument errors', async () => {
  await r().hset('h', 'a', '1');
  await rejects(r().call('hscan', 'h', 'x'), 'ERR invalid cursor');
  await rejects(r().call('hscan', 'h', '18446744073709551616'), 'ERR invalid cursor');
  await rejects(r().call('hscan', 'missing', 'x'), 'ERR invalid cursor');
  await rejects(r().call('hscan', 'h', '0', 'COUNT', '0'), SYNTAX);
  await rejects(r().call('hscan', 'h', '0', 'COUNT', '-1'), SYNTAX);
  await rejects(r().call('hscan', 'h', '0', 'COUNT', 'x'), NOT_INT);
  await rejects(r().call('hscan', 'h', '0', 'COUNT'), SYNTAX);
  await rejects(r().call('hscan', 'h', '0', 'MATCH'), SYNTAX);
  await rejects(r().call('hscan', 'h', '0', 'TYPE', 'hash'), SYNTAX);
  await rejects(r().call('hscan', 'h', '0', 'NOVALUES'), SYNTAX);
  await r().set('s', 'v');
  await rejects(r().call('hscan', 's', '0'), WRONGTYPE);
  await rejects(r().call('hscan', 's', '0', 'badopt'), WRONGTYPE);
});

test('large hash: 10k fields, HSCAN iterates every one', async () => {
  const N = 10_000;
  const args = [];
  for (let i = 0; i < N; i++) args.push(`field:${i}`, `value:${i}`);
  assert.strictEqual(await r().call('hset', 'big', ...args), N);
  assert.strictEqual(await r().hlen('big'), N);
  assert.strictEqual(await r().hget('big', 'field:9999'), 'value:9999');
  assert.strictEqual((await r().hkeys('big')).length, N);
  assert.strictEqual((await r().hvals('big')).length, N);
  assert.strictEqual((await hgetallFlat('big')).length, 2 * N);
  const { seen, calls } = await hscanAll('big', 'COUNT', '500');
  assert.strictEqual(Object.keys(seen).length, N);
  assert.strictEqual(seen['field:1234'], 'value:1234');
  assert.ok(calls > 1, 'a large hash takes several HSCAN calls');
  const { seen: matched } = await hscanAll('big', 'MATCH', 'field:99*', 'COUNT', '1000');
  assert.strictEqual(Object.keys(matched).length, 111);
  // random fields are distinct and belong to the hash
  const rnd = await r().call('hrandfield', 'big', 100, 'WITHVALUES');
  assert.strictEqual(rnd.length, 200);
  for (let i = 0; i < rnd.length; i += 2) assert.strictEqual(rnd[i + 1], rnd[i].replace('field', 'value'));
  assert.strictEqual(new Set(Object.keys(toObj(rnd))).size, 100);
  assert.strictEqual((await r().call('hrandfield', 'big', -200)).length, 200);
  // deleting half while scanning: fields present throughout are all returned
  let cursor = '0';
  const got = new Set();
  let deleted = 0;
  do {
    const [next, flat] = await r().call('hscan', 'big', cursor, 'COUNT', '1000');
    for (let i = 0; i < flat.length; i += 2) got.add(flat[i]);
    if (deleted < N / 2) {
      const del = [];
      for (let i = deleted; i < deleted + 1000; i++) del.push(`field:${i * 2 + 1}`);
      deleted += 1000;
      await r().hdel('big', ...del);
    }
    cursor = next;
  } while (cursor !== '0');
  for (let i = 0; i < N; i += 2) assert.ok(got.has(`field:${i}`), `field:${i} missed`);
  assert.strictEqual(await r().hlen('big'), N / 2);
  assert.strictEqual(await r().hdel('big', ...Array.from({ length: N / 2 }, (_, i) => `field:${i * 2}`)), N / 2);
  assert.strictEqual(await r().exists('big'), 0);
});

test('OBJECT ENCODING of hashes', async () => {
  await r().hset('small', 'a', '1');
  assert.strictEqual(await r().object('ENCODING', 'small'), 'listpack');
  await r().hset('longval', 'a', 'x'.repeat(65));
  assert.strictEqual(await r().object('ENCODING', 'longval'), 'hashtable');
  await r().hset('longfield', 'y'.repeat(65), '1');
  assert.strictEqual(await r().object('ENCODING', 'longfield'), 'hashtable');
  await r().hset('edge', 'y'.repeat(64), 'x'.repeat(64));
  assert.strictEqual(await r().object('ENCODING', 'edge'), 'listpack');
  const args = [];
  for (let i = 0; i < 512; i++) args.push(`f${i}`, 'v');
  await r().hset('many', ...args);
  assert.strictEqual(await r().object('ENCODING', 'many'), 'listpack');
  await r().hset('many', 'f512', 'v');
  assert.strictEqual(await r().object('ENCODING', 'many'), 'hashtable');
  await r().hdel('many', 'f512', 'f511');
  assert.strictEqual(await r().object('ENCODING', 'many'), 'hashtable', 'no conversion back');
  // HINCRBYFLOAT converts too when the field is long
  await r().hincrbyfloat('incr', 'z'.repeat(65), '1');
  assert.strictEqual(await r().object('ENCODING', 'incr'), 'hashtable');
});

test('wrong type', async () => {
  await r().set('s', 'v');
  const cmds = [
    ['hset', 's', 'a', '1'], ['hsetnx', 's', 'a', '1'], ['hget', 's', 'a'], ['hmget', 's', 'a'], ['hmset', 's', 'a', '1'],
    ['hdel', 's', 'a'], ['hlen', 's'], ['hstrlen', 's', 'a'], ['hexists', 's', 'a'], ['hkeys', 's'], ['hvals', 's'],
    ['hgetall', 's'], ['hincrby', 's', 'a', '1'], ['hincrbyfloat', 's', 'a', '1'], ['hrandfield', 's'],
    ['hrandfield', 's', '2'], ['hrandfield', 's', '-2', 'withvalues'], ['hscan', 's', '0'],
  ];
  for (const c of cmds) await rejects(r().call(...c), WRONGTYPE);
  assert.strictEqual(await r().get('s'), 'v');
  // argument errors come before the type check where Redis checks them first
  await rejects(r().call('hincrby', 's', 'a', 'x'), NOT_INT);
  await rejects(r().call('hincrbyfloat', 's', 'a', 'x'), NOT_FLOAT);
  await rejects(r().call('hset', 's', 'a'), arity('hset'));
  // string commands on a hash
  await r().hset('h', 'a', '1');
  await rejects(r().get('h'), WRONGTYPE);
  await rejects(r().append('h', 'x'), WRONGTYPE);
  await rejects(r().incr('h'), WRONGTYPE);
  // SET replaces a hash, and HSET then starts a fresh one
  assert.strictEqual(await r().set('h', 'str'), 'OK');
  assert.strictEqual(await r().get('h'), 'str');
  await r().del('h');
  await r().hset('h', 'b', '2');
  assert.deepStrictEqual(await r().hgetall('h'), { b: '2' });
});

test('expiry of a hash key', async () => {
  await r().hset('h', 'a', '1', 'b', '2');
  assert.strictEqual(await r().pexpire('h', 100), 1);
  const pttl = await r().pttl('h');
  assert.ok(pttl > 0 && pttl <= 100, `pttl ${pttl}`);
  // writes keep the expiry
  await r().hset('h', 'c', '3');
  await r().hincrby('h', 'n', 1);
  await r().hdel('h', 'a');
  assert.ok((await r().pttl('h')) > 0, 'HSET/HINCRBY/HDEL keep the TTL');
  await sleep(200);
  assert.strictEqual(await r().exists('h'), 0);
  assert.strictEqual(await r().hlen('h'), 0);
  assert.strictEqual(await r().hget('h', 'c'), null);
  assert.deepStrictEqual(await r().hgetall('h'), {});
  // a hash written after its expiry starts empty, without a TTL
  assert.strictEqual(await r().hset('h', 'z', '1'), 1);
  assert.deepStrictEqual(await r().hgetall('h'), { z: '1' });
  assert.strictEqual(await r().ttl('h'), -1);
  // HINCRBY on an expired hash starts from 0
  await r().pexpire('h', 50);
  await sleep(120);
  assert.strictEqual(await r().hincrby('h', 'z', 5), 5);
  assert.strictEqual(await r().hlen('h'), 1);
  // PERSIST
  await r().expire('h', 100);
  assert.strictEqual(await r().persist('h'), 1);
  assert.strictEqual(await r().ttl('h'), -1);
});

test('DEL RENAME COPY of a hash', async () => {
  await r().hset('h', 'a', '1', 'b', '2');
  assert.strictEqual(await r().del('h'), 1);
  assert.strictEqual(await r().hlen('h'), 0);
  assert.strictEqual(await r().hset('h', 'c', '3'), 1);
  assert.deepStrictEqual(await r().hgetall('h'), { c: '3' }, 'old fields are gone after DEL');

  await r().hset('src', 'a', '1', 'b', '2');
  await r().expire('src', 1000);
  assert.strictEqual(await r().rename('src', 'dst'), 'OK');
  assert.strictEqual(await r().exists('src'), 0);
  assert.deepStrictEqual(await r().hgetall('dst'), { a: '1', b: '2' });
  assert.ok((await r().ttl('dst')) > 900, 'RENAME keeps the TTL');
  // RENAME over an existing hash replaces its fields
  await r().hset('other', 'x', '9', 'y', '8');
  assert.strictEqual(await r().rename('other', 'dst'), 'OK');
  assert.deepStrictEqual(await r().hgetall('dst'), { x: '9', y: '8' });

  assert.strictEqual(await r().copy('dst', 'cp'), 1);
  await r().hset('cp', 'z', '7');
  await r().hdel('cp', 'x');
  assert.deepStrictEqual(await r().hgetall('dst'), { x: '9', y: '8' }, 'the copy is independent');
  assert.deepStrictEqual(await r().hgetall('cp'), { y: '8', z: '7' });
  assert.strictEqual(await r().copy('dst', 'cp'), 0);
  assert.strictEqual(await r().call('copy', 'dst', 'cp', 'REPLACE'), 1);
  assert.deepStrictEqual(await r().hgetall('cp'), { x: '9', y: '8' });
  // a hash replaced by a string, then by a hash again
  await r().set('cp', 'str');
  assert.strictEqual(await r().type('cp'), 'string');
  await r().del('cp');
  await r().hset('cp', 'n', '1');
  assert.deepStrictEqual(await r().hgetall('cp'), { n: '1' });
});

test('a 5000-byte field name', async () => {
  const f1 = 'f'.repeat(5000);
  const f2 = 'f'.repeat(4999) + 'g'; // shares the first 4999 bytes
  const v = 'v'.repeat(5000);
  assert.strictEqual(await r().hset('h', f1, v, f2, '2'), 2);
  assert.strictEqual(await r().hget('h', f1), v);
  assert.strictEqual(await r().hget('h', f2), '2');
  assert.strictEqual(await r().hstrlen('h', f1), 5000);
  assert.strictEqual(await r().hexists('h', 'f'.repeat(4999)), 0);
  assert.deepStrictEqual(sorted(await r().hkeys('h')), sorted([f1, f2]));
  assert.strictEqual(await r().hincrby('h', f2, 3), 5);
  const [, flat] = await r().call('hscan', 'h', '0', 'MATCH', 'f*g');
  assert.deepStrictEqual(flat, [f2, '5']);
  assert.strictEqual(await r().copy('h', 'h2'), 1);
  assert.strictEqual(await r().hget('h2', f1), v);
  assert.strictEqual(await r().hdel('h', f1), 1);
  assert.strictEqual(await r().hget('h', f1), null);
  assert.strictEqual(await r().hlen('h'), 1);
  assert.strictEqual(await r().hlen('h2'), 2);
});

test('pipelined writes to many hashes across workers', async () => {
  const p = r().pipeline();
  for (let k = 0; k < 50; k++) for (let f = 0; f < 20; f++) p.hincrby(`hk${k}`, `f${f % 5}`, 1);
  await p.exec();
  for (let k = 0; k < 50; k += 7) assert.deepStrictEqual(await r().hgetall(`hk${k}`), { f0: '4', f1: '4', f2: '4', f3: '4', f4: '4' });
  assert.strictEqual(await r().dbsize(), 50);
});

test.run();
