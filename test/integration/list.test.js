// List commands through ioredis against a real node with two workers.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, rejects, sleep, keysOnWorker, ERRORS } = require('./helpers');
const { arity, NOT_INT, SYNTAX, WRONGTYPE } = ERRORS;
const { LIST_CHUNK_ELEMENTS, LIST_INLINE_MAX_BYTES } = require('../../dist/common/limits');

const test = suite('lists');
const h = useNode(test);
const r = () => h.redis;

const POSITIVE = 'ERR value is out of range, must be positive';
const range = (n, f = (i) => String(i)) => Array.from({ length: n }, (_, i) => f(i));

test.before.each(async () => {
  await r().flushall();
});

test('LPUSH RPUSH LLEN LRANGE TYPE OBJECT ENCODING', async () => {
  assert.strictEqual(await r().rpush('l', 'a', 'b', 'c'), 3);
  assert.strictEqual(await r().lpush('l', 'x', 'y'), 5);
  assert.deepStrictEqual(await r().lrange('l', 0, -1), ['y', 'x', 'a', 'b', 'c']);
  assert.strictEqual(await r().llen('l'), 5);
  assert.strictEqual(await r().llen('none'), 0);
  assert.strictEqual(await r().type('l'), 'list');
  assert.strictEqual(await r().object('encoding', 'l'), 'quicklist');
  assert.strictEqual(await r().rpush('l', ''), 6);
  assert.strictEqual(await r().lindex('l', -1), '');
});

test('LPUSHX RPUSHX', async () => {
  assert.strictEqual(await r().lpushx('l', 'a'), 0);
  assert.strictEqual(await r().rpushx('l', 'a', 'b'), 0);
  assert.strictEqual(await r().exists('l'), 0);
  await r().rpush('l', 'm');
  assert.strictEqual(await r().lpushx('l', 'a', 'b'), 3);
  assert.strictEqual(await r().rpushx('l', 'y', 'z'), 5);
  assert.deepStrictEqual(await r().lrange('l', 0, -1), ['b', 'a', 'm', 'y', 'z']);
});

test('LRANGE indexes', async () => {
  await r().rpush('l', ...range(10));
  assert.deepStrictEqual(await r().lrange('l', 2, 4), ['2', '3', '4']);
  assert.deepStrictEqual(await r().lrange('l', -3, -1), ['7', '8', '9']);
  assert.deepStrictEqual(await r().lrange('l', -100, 1), ['0', '1']);
  assert.deepStrictEqual(await r().lrange('l', 8, 100), ['8', '9']);
  assert.deepStrictEqual(await r().lrange('l', 5, 4), []);
  assert.deepStrictEqual(await r().lrange('l', 10, 20), []);
  assert.deepStrictEqual(await r().lrange('l', -1, -2), []);
  assert.deepStrictEqual(await r().lrange('none', 0, -1), []);
  await rejects(r().lrange('l', 'a', 1), NOT_INT);
  await rejects(r().lrange('none', 0, 'b'), NOT_INT);
});

test('LPOP RPOP with and without count', async () => {
  assert.strictEqual(await r().lpop('none'), null);
  assert.strictEqual(await r().call('lpop', 'none', '2'), null);
  await r().rpush('l', 'a', 'b', 'c', 'd', 'e');
  assert.strictEqual(await r().lpop('l'), 'a');
  assert.strictEqual(await r().rpop('l'), 'e');
  assert.deepStrictEqual(await r().call('lpop', 'l', '0'), []);
  assert.deepStrictEqual(await r().call('rpop', 'l', '2'), ['d', 'c']);
  assert.deepStrictEqual(await r().call('lpop', 'l', '10'), ['b']);
  assert.strictEqual(await r().exists('l'), 0);
  await rejects(r().call('lpop', 'l', '-1'), POSITIVE);
  await rejects(r().call('rpop', 'l', 'x'), POSITIVE);
  await rejects(r().call('lpop', 'l', '1', '2'), arity('lpop'));
  await r().rpush('l', 'a');
  assert.deepStrictEqual(await r().call('rpop', 'l', '9223372036854775807'), ['a']);
});

test('LINDEX LSET', async () => {
  await r().rpush('l', 'a', 'b', 'c');
  assert.strictEqual(await r().lindex('l', 0), 'a');
  assert.strictEqual(await r().lindex('l', -1), 'c');
  assert.strictEqual(await r().lindex('l', -3), 'a');
  assert.strictEqual(await r().lindex('l', 3), null);
  assert.strictEqual(await r().lindex('l', -4), null);
  assert.strictEqual(await r().lindex('none', 'x'), null);
  await rejects(r().lindex('l', 'x'), NOT_INT);
  assert.strictEqual(await r().lset('l', 1, 'B'), 'OK');
  assert.strictEqual(await r().lset('l', -1, 'C'), 'OK');
  assert.deepStrictEqual(await r().lrange('l', 0, -1), ['a', 'B', 'C']);
  await rejects(r().lset('l', 3, 'x'), 'ERR index out of range');
  await rejects(r().lset('l', -4, 'x'), 'ERR index out of range');
  await rejects(r().lset('none', 0, 'x'), 'ERR no such key');
  await rejects(r().lset('l', 'x', 'x'), NOT_INT);
});

test('LINSERT', async () => {
  assert.strictEqual(await r().linsert('none', 'BEFORE', 'a', 'x'), 0);
  await r().rpush('l', 'a', 'b', 'c', 'd', 'e');
  assert.strictEqual(await r().linsert('l', 'BEFORE', 'a', 'x'), 6);
  assert.strictEqual(await r().linsert('l', 'after', 'e', 'y'), 7);
  assert.strictEqual(await r().linsert('l', 'before', 'd', 'm'), 8);
  assert.strictEqual(await r().linsert('l', 'AFTER', 'b', 'n'), 9);
  assert.strictEqual(await r().linsert('l', 'after', 'zz', 'n'), -1);
  assert.deepStrictEqual(await r().lrange('l', 0, -1), ['x', 'a', 'b', 'n', 'c', 'm', 'd', 'e', 'y']);
  await rejects(r().call('linsert', 'l', 'middle', 'a', 'x'), SYNTAX);
  await rejects(r().call('linsert', 'none', 'middle', 'a', 'x'), SYNTAX);
  // pushes keep working at both ends after renumbering
  await r().lpush('l', 'L');
  await r().rpush('l', 'R');
  assert.deepStrictEqual(await r().lrange('l', 0, -1), ['L', 'x', 'a', 'b', 'n', 'c', 'm', 'd', 'e', 'y', 'R']);
  assert.strictEqual(await r().lindex('l', 5), 'c');
});

test('LREM', async () => {
  assert.strictEqual(await r().lrem('none', 0, 'a'), 0);
  await r().rpush('l', 'a', 'b', 'a', 'c', 'a', 'd', 'a');
  assert.strictEqual(await r().lrem('l', 1, 'a'), 1);
  assert.deepStrictEqual(await r().lrange('l', 0, -1), ['b', 'a', 'c', 'a', 'd', 'a']);
  assert.strictEqual(await r().lrem('l', -2, 'a'), 2);
  assert.deepStrictEqual(await r().lrange('l', 0, -1), ['b', 'a', 'c', 'd']);
  assert.strictEqual(await r().lrem('l', 0, 'zz'), 0);
  await r().rpush('l', 'a', 'a');
  assert.strictEqual(await r().lrem('l', 0, 'a'), 3);
  assert.deepStrictEqual(await r().lrange('l', 0, -1), ['b', 'c', 'd']);
  assert.strictEqual(await r().lrem('l', 0, 'b'), 1);
  assert.strictEqual(await r().lrem('l', 0, 'c'), 1);
  assert.strictEqual(await r().lrem('l', 5, 'd'), 1);
  assert.strictEqual(await r().exists('l'), 0);
  await rejects(r().lrem('l', 'x', 'a'), NOT_INT);
});

test('LTRIM', async () => {
  assert.strictEqual(await r().ltrim('none', 0, 1), 'OK');
  await r().rpush('l', ...range(10));
  assert.strictEqual(await r().ltrim('l', 2, -3), 'OK');
  assert.deepStrictEqual(await r().lrange('l', 0, -1), ['2', '3', '4', '5', '6', '7']);
  await r().ltrim('l', -100, 100);
  assert.strictEqual(await r().llen('l'), 6);
  await r().ltrim('l', 1, 1);
  assert.deepStrictEqual(await r().lrange('l', 0, -1), ['3']);
  await r().ltrim('l', 5, 1);
  assert.strictEqual(await r().exists('l'), 0);
  await rejects(r().ltrim('l', 'a', 1), NOT_INT);
});

test('LPOS', async () => {
  await r().rpush('l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c');
  assert.strictEqual(await r().lpos('l', 'c'), 2);
  assert.strictEqual(await r().lpos('l', 'zz'), null);
  assert.strictEqual(await r().call('lpos', 'l', 'c', 'RANK', '2'), 6);
  assert.strictEqual(await r().call('lpos', 'l', 'c', 'RANK', '-1'), 7);
  assert.strictEqual(await r().call('lpos', 'l', 'c', 'RANK', '4'), null);
  assert.deepStrictEqual(await r().call('lpos', 'l', 'c', 'COUNT', '0'), [2, 6, 7]);
  assert.deepStrictEqual(await r().call('lpos', 'l', 'c', 'COUNT', '2'), [2, 6]);
  assert.deepStrictEqual(await r().call('lpos', 'l', 'c', 'COUNT', '0', 'RANK', '-2'), [6, 2]);
  assert.deepStrictEqual(await r().call('lpos', 'l', 'c', 'COUNT', '0', 'MAXLEN', '7'), [2, 6]);
  assert.deepStrictEqual(await r().call('lpos', 'l', 'c', 'COUNT', '0', 'RANK', '-1', 'MAXLEN', '1'), [7]);
  assert.strictEqual(await r().call('lpos', 'l', 'c', 'MAXLEN', '2'), null);
  assert.deepStrictEqual(await r().call('lpos', 'l', 'zz', 'COUNT', '0'), []);
  assert.strictEqual(await r().lpos('none', 'a'), null);
  assert.deepStrictEqual(await r().call('lpos', 'none', 'a', 'COUNT', '1'), []);
  await rejects(r().call('lpos', 'l', 'c', 'RANK', '0'), "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
  await rejects(r().call('lpos', 'l', 'c', 'COUNT', '-1'), "ERR COUNT can't be negative");
  await rejects(r().call('lpos', 'l', 'c', 'MAXLEN', '-1'), "ERR MAXLEN can't be negative");
  await rejects(r().call('lpos', 'l', 'c', 'RANK', 'x'), NOT_INT);
  await rejects(r().call('lpos', 'l', 'c', 'RANK'), SYNTAX);
  await rejects(r().call('lpos', 'l', 'c', 'FOO', '1'), SYNTAX);
});

test('LMOVE RPOPLPUSH', async () => {
  assert.strictEqual(await r().lmove('none', 'd', 'LEFT', 'RIGHT'), null);
  assert.strictEqual(await r().rpoplpush('none', 'd'), null);
  assert.strictEqual(await r().exists('d'), 0);
  await r().rpush('s', 'a', 'b', 'c');
  assert.strictEqual(await r().lmove('s', 'd', 'LEFT', 'RIGHT'), 'a');
  assert.strictEqual(await r().lmove('s', 'd', 'right', 'left'), 'c');
  assert.deepStrictEqual(await r().lrange('d', 0, -1), ['c', 'a']);
  assert.strictEqual(await r().rpoplpush('s', 'd'), 'b');
  assert.strictEqual(await r().exists('s'), 0);
  assert.deepStrictEqual(await r().lrange('d', 0, -1), ['b', 'c', 'a']);
  // the same key rotates
  assert.strictEqual(await r().rpoplpush('d', 'd'), 'a');
  assert.deepStrictEqual(await r().lrange('d', 0, -1), ['a', 'b', 'c']);
  assert.strictEqual(await r().lmove('d', 'd', 'LEFT', 'RIGHT'), 'a');
  assert.deepStrictEqual(await r().lrange('d', 0, -1), ['b', 'c', 'a']);
  assert.strictEqual(await r().lmove('d', 'd', 'LEFT', 'LEFT'), 'b');
  assert.deepStrictEqual(await r().lrange('d', 0, -1), ['b', 'c', 'a']);
  await r().rpush('one', 'x');
  assert.strictEqual(await r().lmove('one', 'one', 'LEFT', 'RIGHT'), 'x');
  assert.deepStrictEqual(await r().lrange('one', 0, -1), ['x']);
  await rejects(r().lmove('d', 'e', 'UP', 'LEFT'), SYNTAX);
  await rejects(r().lmove('d', 'e', 'LEFT', 'DOWN'), SYNTAX);
  // a wrong-typed destination changes nothing
  await r().set('str', 'v');
  await rejects(r().lmove('d', 'str', 'LEFT', 'LEFT'), WRONGTYPE);
  await rejects(r().rpoplpush('d', 'str'), WRONGTYPE);
  assert.deepStrictEqual(await r().lrange('d', 0, -1), ['b', 'c', 'a']);
  assert.strictEqual(await r().rpoplpush('none', 'str'), null);
});

test('LMOVE and LMPOP between keys on different workers', async () => {
  const [a0, a1] = keysOnWorker(0, 2, 'w0-');
  const [b0, b1] = keysOnWorker(1, 2, 'w1-');
  await r().rpush(a0, '1', '2', '3');
  assert.strictEqual(await r().lmove(a0, b0, 'LEFT', 'LEFT'), '1');
  assert.strictEqual(await r().rpoplpush(a0, b0), '3');
  assert.deepStrictEqual(await r().lrange(b0, 0, -1), ['3', '1']);
  assert.strictEqual(await r().lmove(b0, a1, 'RIGHT', 'RIGHT'), '1');
  assert.deepStrictEqual(await r().lrange(a1, 0, -1), ['1']);
  assert.deepStrictEqual(await r().lmpop(3, b1, a0, b0, 'RIGHT', 'COUNT', 5), [a0, ['2']]);
  assert.deepStrictEqual(await r().lmpop(3, b1, a0, b0, 'LEFT'), [b0, ['3']]);
  assert.strictEqual(await r().lmpop(3, b1, a0, b0, 'LEFT'), null);
  await r().set(b1, 'x');
  await rejects(r().lmpop(2, b1, a1, 'LEFT'), WRONGTYPE);
  await rejects(r().lmove(a1, b1, 'LEFT', 'LEFT'), WRONGTYPE);
  assert.deepStrictEqual(await r().lrange(a1, 0, -1), ['1']);
  // keys are tried in order: a list before the wrong-typed key answers
  assert.deepStrictEqual(await r().lmpop(2, a1, b1, 'LEFT'), [a1, ['1']]);
});

test('LMPOP', async () => {
  await r().rpush('l', 'a', 'b', 'c', 'd');
  assert.deepStrictEqual(await r().lmpop(2, 'none', 'l', 'LEFT'), ['l', ['a']]);
  assert.deepStrictEqual(await r().lmpop(1, 'l', 'RIGHT', 'COUNT', 2), ['l', ['d', 'c']]);
  assert.deepStrictEqual(await r().lmpop(1, 'l', 'left', 'count', 10), ['l', ['b']]);
  assert.strictEqual(await r().exists('l'), 0);
  assert.strictEqual(await r().lmpop(1, 'l', 'LEFT'), null);
  await rejects(r().call('lmpop', '0', 'l', 'LEFT'), 'ERR numkeys should be greater than 0');
  await rejects(r().call('lmpop', 'x', 'l', 'LEFT'), 'ERR numkeys should be greater than 0');
  await rejects(r().call('lmpop', '3', 'l', 'LEFT'), SYNTAX);
  await rejects(r().call('lmpop', '1', 'l', 'UP'), SYNTAX);
  await rejects(r().call('lmpop', '1', 'l', 'LEFT', 'COUNT', '0'), 'ERR count should be greater than 0');
  await rejects(r().call('lmpop', '1', 'l', 'LEFT', 'COUNT', 'x'), 'ERR count should be greater than 0');
  await rejects(r().call('lmpop', '1', 'l', 'LEFT', 'COUNT', '1', 'COUNT', '1'), SYNTAX);
  await rejects(r().call('lmpop', '1', 'l', 'LEFT', 'COUNT'), SYNTAX);
});

test('wrong types', async () => {
  await r().set('str', 'x');
  for (const cmd of [
    ['lpush', 'str', 'a'], ['rpush', 'str', 'a'], ['lpushx', 'str', 'a'], ['rpushx', 'str', 'a'], ['lpop', 'str'], ['rpop', 'str', '2'],
    ['llen', 'str'], ['lrange', 'str', '0', '-1'], ['lindex', 'str', '0'], ['lset', 'str', '0', 'a'], ['linsert', 'str', 'before', 'a', 'b'],
    ['lrem', 'str', '0', 'a'], ['ltrim', 'str', '0', '1'], ['lpos', 'str', 'a'], ['lmove', 'str', 'd', 'left', 'left'],
    ['rpoplpush', 'str', 'd'], ['lmpop', '1', 'str', 'left'],
  ]) {
    await rejects(r().call(...cmd), WRONGTYPE);
  }
  assert.strictEqual(await r().get('str'), 'x');
  await r().rpush('l', 'a');
  await rejects(r().get('l'), WRONGTYPE);
  await rejects(r().sadd('l', 'a'), WRONGTYPE);
});

test('arity', async () => {
  for (const [cmd, n] of [
    ['lpush', 1], ['rpush', 1], ['lpushx', 1], ['rpushx', 1], ['lpop', 0], ['rpop', 0], ['llen', 0], ['llen', 2], ['lrange', 2],
    ['lindex', 1], ['lset', 2], ['linsert', 3], ['lrem', 2], ['ltrim', 2], ['lpos', 1], ['lmove', 3], ['rpoplpush', 1], ['lmpop', 2],
  ]) {
    await rejects(r().call(cmd, ...range(n, (i) => `k${i}`)), arity(cmd));
  }
});

test('empty and large lists', async () => {
  const items = range(10_000, (i) => `item-${i}`);
  for (let i = 0; i < items.length; i += 1000) await r().rpush('big', ...items.slice(i, i + 1000));
  assert.strictEqual(await r().llen('big'), 10_000);
  assert.deepStrictEqual(await r().lrange('big', 0, -1), items);
  assert.deepStrictEqual(await r().lrange('big', 4998, 5001), items.slice(4998, 5002));
  assert.strictEqual(await r().lindex('big', 7777), 'item-7777');
  assert.strictEqual(await r().linsert('big', 'AFTER', 'item-5000', 'new'), 10_001);
  assert.strictEqual(await r().lindex('big', 5001), 'new');
  assert.strictEqual(await r().lindex('big', 5002), 'item-5001');
  assert.strictEqual(await r().lrem('big', 0, 'new'), 1);
  assert.deepStrictEqual(await r().lrange('big', 0, -1), items);
  assert.strictEqual(await r().lpos('big', 'item-9999'), 9999);
  await r().ltrim('big', 100, -101);
  assert.strictEqual(await r().llen('big'), 9800);
  assert.strictEqual(await r().lindex('big', 0), 'item-100');
  assert.deepStrictEqual((await r().call('lpop', 'big', '20000')).length, 9800);
  assert.strictEqual(await r().exists('big'), 0);
  // copies and renames carry the elements
  await r().rpush('c', ...range(300));
  assert.strictEqual(await r().copy('c', 'c2'), 1);
  await r().rename('c', 'c3');
  assert.deepStrictEqual(await r().lrange('c2', 0, -1), range(300));
  assert.deepStrictEqual(await r().lrange('c3', 0, -1), range(300));
  await r().lset('c2', 0, 'changed');
  assert.strictEqual(await r().lindex('c3', 0), '0');
  // elements of any size and bytes
  const blob = Buffer.alloc(100_000, 7);
  await r().rpush('bin', blob, Buffer.from([0, 255, 13, 10]));
  assert.deepStrictEqual(await r().lrangeBuffer('bin', 0, -1), [blob, Buffer.from([0, 255, 13, 10])]);
});

test('commands across chunk borders and with big elements keep the order of an array', async () => {
  // LIST_CHUNK_ELEMENTS consecutive indexes share a record; longer elements have their own
  const K = LIST_CHUNK_ELEMENTS;
  const big = (tag, n) => Buffer.concat([Buffer.from(tag), Buffer.alloc(n - tag.length, 0xab)]);
  const model = [];
  const same = async () => {
    assert.strictEqual(await r().llen('l'), model.length);
    assert.deepStrictEqual(await r().lrangeBuffer('l', 0, -1), model);
    // Redis's clamping: a start before the head is the head, an end before it is an empty range
    const at = (i) => (i < 0 ? model.length + i : i);
    for (const [s, e] of [[K - 2, K + 1], [-K - 3, -K + 2], [1, 2 * K]]) assert.deepStrictEqual(await r().lrangeBuffer('l', s, e), at(e) < 0 ? [] : model.slice(Math.max(0, at(s)), at(e) + 1));
    for (const i of [0, K - 1, K, -1, -K, -K - 1]) assert.deepStrictEqual(await r().lindexBuffer('l', i), model.at(i) ?? null);
  };
  for (let i = 0; i < 3 * K; i++) model.push(i % 7 === 3 ? big(`b${i}:`, LIST_INLINE_MAX_BYTES + 1 + i) : Buffer.from(`e${i}`));
  await r().rpush('l', ...model.slice(K));
  await r().lpush('l', ...model.slice(0, K).reverse()); // indexes left of where the list started
  await same();
  const huge = big('huge:', 300_000);
  assert.strictEqual(await r().lset('l', K, huge), 'OK');
  assert.strictEqual(await r().lset('l', -K, 'small'), 'OK');
  model[K] = huge;
  model[model.length - K] = Buffer.from('small');
  await same();
  // LINSERT moves the shorter side, big elements' references included
  assert.strictEqual(await r().linsert('l', 'BEFORE', model[K - 1], big('ins1:', 1000)), model.length + 1);
  model.splice(K - 1, 0, big('ins1:', 1000));
  assert.strictEqual(await r().linsert('l', 'AFTER', model[2 * K], 'ins2'), model.length + 1);
  model.splice(2 * K + 1, 0, Buffer.from('ins2'));
  await same();
  assert.strictEqual(await r().lpos('l', 'ins2'), 2 * K + 1);
  // LREM of a repeated element spread over several chunks, from the tail
  await r().rpush('l', 'dup', 'x', 'dup');
  await r().lpush('l', 'dup');
  model.push(Buffer.from('dup'), Buffer.from('x'), Buffer.from('dup'));
  model.unshift(Buffer.from('dup'));
  assert.strictEqual(await r().lrem('l', -2, 'dup'), 2);
  model.splice(model.length - 3, 3, Buffer.from('x'));
  await same();
  assert.strictEqual(await r().ltrim('l', K - 3, -K + 1), 'OK');
  model.splice(0, K - 3);
  model.splice(model.length - K + 2);
  await same();
  assert.deepStrictEqual(await r().lpopBuffer('l', K + 1), model.splice(0, K + 1));
  assert.deepStrictEqual(await r().rpopBuffer('l', 2), model.splice(model.length - 2).reverse());
  await same();
  // LMOVE of a big element, within the list and to another one
  assert.deepStrictEqual(await r().lmoveBuffer('l', 'l', 'RIGHT', 'LEFT'), model.at(-1));
  model.unshift(model.pop());
  assert.deepStrictEqual(await r().lmoveBuffer('l', 'other', 'LEFT', 'RIGHT'), model[0]);
  assert.deepStrictEqual(await r().lrangeBuffer('other', 0, -1), [model.shift()]);
  await same();
  // LPOS and LREM compare long elements too (in place), short needles skip them unread
  const needle = big('needle:', LIST_INLINE_MAX_BYTES + 500);
  await r().rpush('l', needle, 'after', needle.subarray(0, LIST_INLINE_MAX_BYTES + 499));
  model.push(needle, Buffer.from('after'), needle.subarray(0, LIST_INLINE_MAX_BYTES + 499));
  assert.strictEqual(await r().lpos('l', needle), model.length - 3);
  assert.strictEqual(await r().linsert('l', 'AFTER', needle, 'x'), model.length + 1);
  model.splice(model.length - 2, 0, Buffer.from('x'));
  assert.strictEqual(await r().lrem('l', 0, needle), 1);
  model.splice(model.length - 4, 1);
  assert.strictEqual(await r().lrem('l', 0, 'after'), 1);
  model.splice(model.length - 2, 1);
  await same();
  // a copy holds the same bytes and outlives the original
  assert.strictEqual(await r().copy('l', 'copy'), 1);
  assert.strictEqual(await r().del('l'), 1);
  assert.deepStrictEqual(await r().lrangeBuffer('copy', 0, -1), model);
});

test('LINDEX in the middle of a 100k list', async () => {
  const pipe = r().pipeline();
  for (let i = 0; i < 100_000; i += 5000) pipe.rpush('huge', ...range(5000, (j) => `v${i + j}`));
  await pipe.exec();
  assert.strictEqual(await r().llen('huge'), 100_000);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 200; i++) assert.strictEqual(await r().lindex('huge', 50_000 + i), `v${50_000 + i}`);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(ms < 2000, `200 LINDEX took ${ms} ms`);
  assert.strictEqual(await r().lset('huge', -50_000, 'x'), 'OK');
  assert.deepStrictEqual(await r().lrange('huge', 49_999, 50_001), ['v49999', 'x', 'v50001']);
});

test('elements across chunk borders and too long for a chunk: every command against a model', async () => {
  // 16-element chunks (LIST_CHUNK_ELEMENTS); elements over 112 bytes get records of their own
  const big = (i) => `${i}:` + 'b'.repeat(1 << 20);
  const model = range(70, (i) => (i % 9 === 4 ? big(i) : `e${i}`));
  await r().rpush('c', ...model.slice(35));
  await r().lpush('c', ...model.slice(0, 35).reverse());
  const same = async () => {
    assert.strictEqual(await r().llen('c'), model.length);
    assert.deepStrictEqual(await r().lrange('c', 0, -1), model);
    for (const [a, b] of [[15, 16], [3, 40], [-20, -1], [31, 33]]) {
      const want = model.slice(a < 0 ? model.length + a : a, (b < 0 ? model.length + b : b) + 1);
      assert.deepStrictEqual(await r().lrange('c', a, b), want, `LRANGE ${a} ${b}`);
    }
    for (const i of [0, 15, 16, 17, -1, -16, -17]) assert.strictEqual(await r().lindex('c', i), model.at(i), `LINDEX ${i}`);
  };
  await same();
  await r().lset('c', 16, big(1000));
  model[16] = big(1000);
  await r().lset('c', 4, 'small again');
  model[4] = 'small again';
  await same();
  assert.strictEqual(await r().linsert('c', 'BEFORE', 'e20', big(2000)), 71);
  model.splice(20, 0, big(2000));
  assert.strictEqual(await r().linsert('c', 'AFTER', 'e50', 'mid'), 72);
  model.splice(model.indexOf('e50') + 1, 0, 'mid');
  await same();
  assert.strictEqual(await r().lrem('c', 0, big(1000)), 1);
  model.splice(16, 1);
  assert.strictEqual(await r().lpos('c', big(2000)), model.indexOf(big(2000)));
  await same();
  assert.strictEqual(await r().ltrim('c', 5, -7), 'OK');
  model.splice(0, 5);
  model.splice(-6, 6);
  await same();
  assert.deepStrictEqual(await r().lpop('c', 3), model.splice(0, 3));
  assert.deepStrictEqual(await r().rpop('c', 3), model.splice(-3, 3).reverse());
  await same();
  assert.strictEqual(await r().lmove('c', 'd', 'LEFT', 'RIGHT'), model.shift());
  await same();
});

test('expiry of a list key', async () => {
  await r().rpush('l', 'a', 'b');
  await r().pexpire('l', 100);
  await r().rpush('l', 'c'); // a push keeps the expiry
  assert.ok((await r().pttl('l')) > 0);
  await sleep(200);
  assert.strictEqual(await r().exists('l'), 0);
  assert.strictEqual(await r().llen('l'), 0);
  assert.strictEqual(await r().lpushx('l', 'x'), 0);
  // a list made again at the expired key holds only its new elements
  assert.strictEqual(await r().rpush('l', 'new'), 1);
  assert.deepStrictEqual(await r().lrange('l', 0, -1), ['new']);
  assert.strictEqual(await r().ttl('l'), -1);
});

test.run();
