// Generic key commands, expiry and tables, through ioredis against a node with two workers.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { TARGET, useNode, client, rejects, sleep, parseInfo, redisCli, rawRequest, keysOnWorker, ERRORS } = require('./helpers');
const { arity, NOT_INT } = ERRORS;

const test = suite('keys');
const h = useNode(test);
const r = () => h.redis;

const nowSec = () => Math.floor(Date.now() / 1000);
/** An integer reply as its exact text (ioredis turns integers into doubles). */
const exactInt = async (...cmd) => (await rawRequest(h.node.port, `${cmd.join(' ')}\r\n`)).text.replace(/^:|\r\n$/g, '');

test.before.each(async () => {
  await r().select(0);
  await r().flushall();
});

test('DEL UNLINK EXISTS', async () => {
  await r().mset('a', '1', 'b', '2', 'c', '3');
  assert.strictEqual(await r().exists('a'), 1);
  assert.strictEqual(await r().exists('a', 'b', 'zz', 'a'), 3);
  assert.strictEqual(await r().del('a', 'zz'), 1);
  assert.strictEqual(await r().del('a'), 0);
  assert.strictEqual(await r().unlink('b', 'c', 'b'), 2);
  assert.strictEqual(await r().exists('a', 'b', 'c'), 0);
  await rejects(r().call('del'), arity('del'));
  await rejects(r().call('unlink'), arity('unlink'));
  await rejects(r().call('exists'), arity('exists'));
});

test('DEL, EXISTS and MSET split by slot keep every key in order within a pipeline', async () => {
  // keys of one worker in several slots: their parts run in the slot groups of one batch
  const [k0, k1, k2, k3] = keysOnWorker(0, 4, 'split:');
  const replies = await r().pipeline()
    .set(k0, 'x')
    .mset(k0, 'a', k1, 'b', k2, 'c', k3, 'd')
    .get(k0)
    .del(k0, k1, 'split:elsewhere')
    .exists(k0, k1, k2, k3, k2)
    .mset(k1, 'e', k2, 'f')
    .mget(k0, k1, k2, k3)
    .del(k2, k2, k3)
    .exists(k1, k2, k3)
    .exec();
  assert.deepStrictEqual(replies.map(([err, v]) => err ?? v), ['OK', 'OK', 'a', 2, 3, 'OK', [null, 'e', 'f', 'd'], 2, 1]);
});

test('TYPE', async () => {
  await r().set('s', 'v');
  assert.strictEqual(await r().type('s'), 'string');
  assert.strictEqual(await r().type('nokey'), 'none');
  await rejects(r().call('type'), arity('type'));
});

test('KEYS with patterns', async () => {
  await r().mset('hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'a*b', '6', 'other', '7');
  const sorted = async (p) => (await r().keys(p)).sort();
  assert.deepStrictEqual(await sorted('h?llo'), ['hallo', 'hello', 'hxllo']);
  assert.deepStrictEqual(await sorted('h*llo'), ['hallo', 'heeeello', 'hello', 'hllo', 'hxllo']);
  assert.deepStrictEqual(await sorted('h[ae]llo'), ['hallo', 'hello']);
  assert.deepStrictEqual(await sorted('h[^e]llo'), ['hallo', 'hxllo']);
  assert.deepStrictEqual(await sorted('h[a-b]llo'), ['hallo']);
  assert.deepStrictEqual(await sorted('a\\*b'), ['a*b']);
  assert.deepStrictEqual(await sorted('*'), ['a*b', 'hallo', 'heeeello', 'hello', 'hllo', 'hxllo', 'other']);
  assert.deepStrictEqual(await sorted('nomatch*'), []);
});

test('SCAN visits every one of 1000 keys', async () => {
  const pairs = [];
  for (let i = 0; i < 1000; i++) pairs.push(`scan:${i}`, String(i));
  await r().mset(...pairs);
  for (const count of [undefined, 7, 100, 5000]) {
    const seen = new Set();
    let cursor = '0';
    let calls = 0;
    do {
      const res = count ? await r().scan(cursor, 'COUNT', count) : await r().scan(cursor);
      assert.strictEqual(res.length, 2);
      cursor = res[0];
      assert.match(cursor, /^\d+$/);
      for (const k of res[1]) seen.add(k);
      assert.ok(++calls < 10000, 'SCAN does not terminate');
    } while (cursor !== '0');
    assert.strictEqual(seen.size, 1000, `COUNT ${count}: saw ${seen.size} keys`);
    for (let i = 0; i < 1000; i++) assert.ok(seen.has(`scan:${i}`), `COUNT ${count}: scan:${i} missing`);
  }
});

test('SCAN MATCH and TYPE', async () => {
  const pairs = [];
  for (let i = 0; i < 300; i++) pairs.push(i % 3 === 0 ? `foo:${i}` : `bar:${i}`, 'v');
  await r().mset(...pairs);
  const scanAll = async (...opts) => {
    const seen = new Set();
    let cursor = '0';
    do {
      const [next, keys] = await r().scan(cursor, ...opts);
      cursor = next;
      keys.forEach((k) => seen.add(k));
    } while (cursor !== '0');
    return seen;
  };
  const foo = await scanAll('MATCH', 'foo:*', 'COUNT', 20);
  assert.strictEqual(foo.size, 100);
  for (const k of foo) assert.ok(k.startsWith('foo:'), k);
  assert.strictEqual((await scanAll('MATCH', 'foo:1?')).size, 3); // foo:12 foo:15 foo:18
  assert.strictEqual((await scanAll('TYPE', 'string')).size, 300);
  assert.strictEqual((await scanAll('TYPE', 'hash')).size, 0);
  assert.strictEqual((await scanAll('MATCH', 'bar:*', 'TYPE', 'string', 'COUNT', 1000)).size, 200);
  await rejects(r().call('scan', 'abc'), 'ERR invalid cursor');
  // the cursor is an unsigned 64-bit number, as Redis's strtoul reads it
  await rejects(r().call('scan', '18446744073709551616'), 'ERR invalid cursor');
  await rejects(r().call('scan', '1.5'), 'ERR invalid cursor');
  await rejects(r().call('scan', ' 0'), 'ERR invalid cursor');
  await rejects(r().call('scan', '-'), 'ERR invalid cursor');
  // the largest cursor ends the iteration (in Redis it names the last bucket)
  assert.strictEqual((await r().call('scan', '18446744073709551615'))[0], '0');
  if (TARGET === 'pika') {
    // pika's cursors name saved positions: one it never handed out finds nothing
    assert.deepStrictEqual(await r().call('scan', '18446744073709551615'), ['0', []]);
    assert.deepStrictEqual(await r().call('scan', '99999999999999999', 'COUNT', '1000'), ['0', []]);
  }
  assert.strictEqual((await r().call('scan', '0', 'COUNT', '9223372036854775807'))[0], '0', 'a huge COUNT is accepted');
  await rejects(r().call('scan', '0', 'COUNT', '0'), 'ERR syntax error');
  await rejects(r().call('scan', '0', 'COUNT', 'x'), NOT_INT);
  await rejects(r().call('scan', '0', 'FOO', 'bar'), 'ERR syntax error');
  await rejects(r().call('scan', '0', 'MATCH'), 'ERR syntax error');
});

test('RANDOMKEY', async () => {
  assert.strictEqual(await r().randomkey(), null);
  // keys spread over many slots, then deleted: the slots stay, empty
  const spread = Array.from({ length: 300 }, (_, i) => `spread:${i}`);
  await r().mset(...spread.flatMap((k) => [k, 'v']));
  await r().del(...spread);
  assert.strictEqual(await r().randomkey(), null);
  await r().set('only', 'v');
  for (let i = 0; i < 30; i++) assert.strictEqual(await r().randomkey(), 'only', `RANDOMKEY call ${i + 1} with one key in the table`);
  const keys = Array.from({ length: 50 }, (_, i) => `rk:${i}`);
  await r().mset(...keys.flatMap((k) => [k, 'v']));
  const all = new Set([...keys, 'only']);
  for (let i = 0; i < 20; i++) assert.ok(all.has(await r().randomkey()));
});

test('RENAME RENAMENX', async () => {
  await r().set('a', 'A', 'EX', 1000);
  assert.strictEqual(await r().rename('a', 'b'), 'OK');
  assert.strictEqual(await r().exists('a'), 0);
  assert.strictEqual(await r().get('b'), 'A');
  assert.ok((await r().ttl('b')) > 900);
  assert.strictEqual(await r().rename('b', 'b'), 'OK');
  assert.strictEqual(await r().get('b'), 'A');
  await rejects(r().rename('nokey', 'x'), 'ERR no such key');
  await rejects(r().rename('nokey', 'nokey'), 'ERR no such key');

  await r().set('c', 'C');
  assert.strictEqual(await r().renamenx('b', 'c'), 0);
  assert.strictEqual(await r().get('b'), 'A');
  assert.strictEqual(await r().get('c'), 'C');
  assert.strictEqual(await r().renamenx('b', 'd'), 1);
  assert.strictEqual(await r().get('d'), 'A');
  assert.strictEqual(await r().exists('b'), 0);
  assert.strictEqual(await r().renamenx('d', 'd'), 0);
  await rejects(r().renamenx('nokey', 'x'), 'ERR no such key');
  await rejects(r().call('rename', 'a'), arity('rename'));
  await rejects(r().call('renamenx', 'a'), arity('renamenx'));
});

test('COPY', async () => {
  await r().set('src', 'v', 'EX', 1000);
  assert.strictEqual(await r().copy('src', 'dst'), 1);
  assert.strictEqual(await r().get('dst'), 'v');
  assert.strictEqual(await r().get('src'), 'v');
  assert.ok((await r().ttl('dst')) > 900, 'COPY keeps the TTL');
  await r().set('src', 'v2');
  assert.strictEqual(await r().copy('src', 'dst'), 0);
  assert.strictEqual(await r().get('dst'), 'v');
  assert.strictEqual(await r().copy('src', 'dst', 'REPLACE'), 1);
  assert.strictEqual(await r().get('dst'), 'v2');
  assert.strictEqual(await r().ttl('dst'), -1);
  assert.strictEqual(await r().copy('nokey', 'dst2'), 0);
  assert.strictEqual(await r().exists('dst2'), 0);
  await rejects(r().copy('src', 'src'), 'ERR source and destination objects are the same');

  // DB option: another table, same or different name
  assert.strictEqual(await r().copy('src', 'src', 'DB', 1), 1);
  assert.strictEqual(await r().copy('src', 'other', 'DB', 1), 1);
  assert.strictEqual(await r().copy('src', 'other', 'DB', 1), 0);
  await r().set('src', 'v3');
  assert.strictEqual(await r().copy('src', 'other', 'DB', 1, 'REPLACE'), 1);
  await r().select(1);
  assert.strictEqual(await r().get('src'), 'v2');
  assert.strictEqual(await r().get('other'), 'v3');
  assert.strictEqual(await r().dbsize(), 2);
  await r().select(0);
  await rejects(r().copy('src', 'x', 'DB', 99), 'ERR DB index is out of range');
  await rejects(r().copy('src', 'x', 'DB', 'abc'), NOT_INT);
  await rejects(r().copy('src', 'x', 'FOO'), 'ERR syntax error');
  await rejects(r().call('copy', 'src'), arity('copy'));
});

test('MOVE', async () => {
  await r().set('m', 'v', 'EX', 1000);
  assert.strictEqual(await r().move('m', 1), 1);
  assert.strictEqual(await r().exists('m'), 0);
  assert.strictEqual(await r().move('m', 1), 0);
  await r().select(1);
  assert.strictEqual(await r().get('m'), 'v');
  assert.ok((await r().ttl('m')) > 900, 'MOVE keeps the TTL');
  await r().select(0);
  await r().set('m', 'here');
  assert.strictEqual(await r().move('m', 1), 0, 'target exists');
  assert.strictEqual(await r().get('m'), 'here');
  await rejects(r().move('m', 0), 'ERR source and destination objects are the same');
  await rejects(r().move('m', 99), 'ERR DB index is out of range');
  await rejects(r().call('move', 'm', 'x'), NOT_INT);
  // a database number is a C int first, as getIntFromObjectOrReply reads it
  const INT_RANGE = 'ERR value is out of range, value must between -2147483648 and 2147483647';
  for (const n of ['2147483648', '-2147483649', '9223372036854775807']) {
    await rejects(r().call('move', 'm', n), INT_RANGE);
    await rejects(r().call('copy', 'm', 'm2', 'DB', n), INT_RANGE);
    await rejects(r().call('select', n), INT_RANGE);
  }
});

test('TOUCH', async () => {
  await r().mset('a', '1', 'b', '2');
  assert.strictEqual(await r().touch('a', 'b', 'c'), 2);
  await rejects(r().call('touch'), arity('touch'));
});

test('DBSIZE FLUSHDB FLUSHALL', async () => {
  assert.strictEqual(await r().dbsize(), 0);
  await r().mset('a', '1', 'b', '2', 'c', '3');
  assert.strictEqual(await r().dbsize(), 3);
  await r().select(2);
  await r().set('x', '1');
  assert.strictEqual(await r().dbsize(), 1);
  assert.strictEqual(await r().flushdb(), 'OK');
  assert.strictEqual(await r().dbsize(), 0);
  await r().set('y', '1');
  await r().select(0);
  assert.strictEqual(await r().dbsize(), 3, 'FLUSHDB in table 2 left table 0 alone');
  assert.strictEqual(await r().call('flushdb', 'ASYNC'), 'OK');
  assert.strictEqual(await r().dbsize(), 0);
  await r().set('z', '1');
  assert.strictEqual(await r().call('flushall', 'SYNC'), 'OK');
  assert.strictEqual(await r().dbsize(), 0);
  await r().select(2);
  assert.strictEqual(await r().dbsize(), 0, 'FLUSHALL empties every table');
  await r().select(0);
  await rejects(r().call('flushdb', 'FOO'), 'ERR syntax error');
  await rejects(r().call('dbsize', 'x'), arity('dbsize'));
});

test('OBJECT ENCODING', async () => {
  await r().mset('int', '12345', 'neg', '-9223372036854775808', 'emb', 'hello', 'zero', '0123', 'raw', 'x'.repeat(100));
  assert.strictEqual(await r().object('ENCODING', 'int'), 'int');
  assert.strictEqual(await r().object('ENCODING', 'neg'), 'int');
  assert.strictEqual(await r().object('ENCODING', 'emb'), 'embstr');
  assert.strictEqual(await r().object('ENCODING', 'zero'), 'embstr');
  assert.strictEqual(await r().object('ENCODING', 'raw'), 'raw');
  assert.strictEqual(await r().object('ENCODING', 'nokey'), null);
  // Redis 7.0's texts for container commands
  await rejects(r().call('object', 'foo', 'int'), "ERR unknown subcommand 'foo'. Try OBJECT HELP.");
  await rejects(r().call('object', 'encoding'), "ERR wrong number of arguments for 'object|encoding' command");
});

test('EXPIRE family sets and TTL PTTL EXPIRETIME PEXPIRETIME read', async () => {
  await r().set('k', 'v');
  assert.strictEqual(await r().ttl('k'), -1);
  assert.strictEqual(await r().pttl('k'), -1);
  assert.strictEqual(await r().call('expiretime', 'k'), -1);
  assert.strictEqual(await r().call('pexpiretime', 'k'), -1);
  assert.strictEqual(await r().ttl('nokey'), -2);
  assert.strictEqual(await r().pttl('nokey'), -2);
  assert.strictEqual(await r().call('expiretime', 'nokey'), -2);
  assert.strictEqual(await r().call('pexpiretime', 'nokey'), -2);

  assert.strictEqual(await r().expire('k', 100), 1);
  let ttl = await r().ttl('k');
  assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
  assert.strictEqual(await r().pexpire('k', 200000), 1);
  const pttl = await r().pttl('k');
  assert.ok(pttl > 190000 && pttl <= 200000, `pttl ${pttl}`);
  const at = nowSec() + 300;
  assert.strictEqual(await r().expireat('k', at), 1);
  assert.strictEqual(await r().call('expiretime', 'k'), at);
  assert.strictEqual(await r().call('pexpiretime', 'k'), at * 1000);
  const pat = Date.now() + 400000;
  assert.strictEqual(await r().pexpireat('k', pat), 1);
  assert.strictEqual(await r().call('pexpiretime', 'k'), pat);
  assert.strictEqual(await r().call('expiretime', 'k'), Math.floor((pat + 500) / 1000));
  ttl = await r().ttl('k');
  assert.ok(ttl > 390 && ttl <= 400, `ttl ${ttl}`);

  // far in the future but well inside Redis's range
  assert.strictEqual(await r().expireat('k', 4102444800), 1); // 2100-01-01
  assert.strictEqual(await r().call('expiretime', 'k'), 4102444800);

  assert.strictEqual(await r().expire('nokey', 100), 0);
  assert.strictEqual(await r().pexpireat('nokey', pat), 0);
  await rejects(r().call('expire', 'k', 'abc'), NOT_INT);
  await rejects(r().call('expire', 'k', '1.5'), NOT_INT);
  await rejects(r().call('expire', 'k'), arity('expire'));
  await rejects(r().call('ttl'), arity('ttl'));
  await rejects(r().call('expire', 'k', '9223372036854776'), "ERR invalid expire time in 'expire' command");
  await rejects(r().call('pexpire', 'k', '9223372036854770000'), "ERR invalid expire time in 'pexpire' command");
});

test('EXPIRE with a time beyond 2^53 ms that Redis accepts', async () => {
  // Redis 7.0 only rejects times whose milliseconds overflow a signed 64-bit integer.
  await r().set('k', 'v');
  assert.strictEqual(await r().expireat('k', 100000000000000), 1);
  assert.strictEqual(await r().call('expiretime', 'k'), 100000000000000);
  assert.strictEqual(await r().get('k'), 'v');
  // the largest times Redis takes
  assert.strictEqual(await r().call('pexpireat', 'k', '9223372036854775807'), 1);
  assert.strictEqual(await exactInt('pexpiretime', 'k'), '9223372036854775807');
  assert.strictEqual(await r().call('expireat', 'k', '9223372036854775'), 1);
  assert.strictEqual(await exactInt('expiretime', 'k'), '9223372036854775');
  assert.ok((await r().ttl('k')) > 9e15);
  await rejects(r().call('expireat', 'k', '9223372036854776'), "ERR invalid expire time in 'expireat' command");
  await rejects(r().call('expireat', 'k', '-9223372036854776'), "ERR invalid expire time in 'expireat' command");
  // options are checked before the time
  await rejects(r().call('expire', 'k', 'abc', 'FOO'), 'ERR Unsupported option FOO');
  // a huge negative time is in the past: the key goes
  assert.strictEqual(await r().call('expireat', 'k', '-9223372036854775'), 1);
  assert.strictEqual(await r().exists('k'), 0);
});

test('EXPIRE with a time in the past deletes the key', async () => {
  await r().mset('a', '1', 'b', '2', 'c', '3', 'd', '4');
  assert.strictEqual(await r().expire('a', -1), 1);
  assert.strictEqual(await r().pexpire('b', 0), 1);
  assert.strictEqual(await r().expireat('c', 1), 1);
  assert.strictEqual(await r().pexpireat('d', Date.now() - 1000), 1);
  assert.strictEqual(await r().exists('a', 'b', 'c', 'd'), 0);
  assert.strictEqual(await r().dbsize(), 0);
});

test('EXPIRE NX XX GT LT', async () => {
  await r().set('k', 'v');
  // no TTL yet: XX and GT refuse, NX and LT set
  assert.strictEqual(await r().expire('k', 100, 'XX'), 0);
  assert.strictEqual(await r().expire('k', 100, 'GT'), 0);
  assert.strictEqual(await r().ttl('k'), -1);
  assert.strictEqual(await r().expire('k', 100, 'NX'), 1);
  assert.strictEqual(await r().expire('k', 200, 'NX'), 0);
  assert.ok((await r().ttl('k')) <= 100);
  assert.strictEqual(await r().expire('k', 200, 'XX'), 1);
  assert.ok((await r().ttl('k')) > 100);
  assert.strictEqual(await r().expire('k', 100, 'GT'), 0);
  assert.strictEqual(await r().expire('k', 300, 'GT'), 1);
  assert.ok((await r().ttl('k')) > 200);
  assert.strictEqual(await r().expire('k', 400, 'LT'), 0);
  assert.strictEqual(await r().expire('k', 50, 'LT'), 1);
  assert.ok((await r().ttl('k')) <= 50);
  assert.strictEqual(await r().expire('k', 60, 'XX', 'GT'), 1);
  assert.strictEqual(await r().pexpire('k', 10000, 'XX', 'LT'), 1);
  assert.ok((await r().pttl('k')) <= 10000);

  await r().set('p', 'v');
  assert.strictEqual(await r().expire('p', 100, 'LT'), 1, 'LT on a key without TTL sets it');
  await r().persist('p');
  assert.strictEqual(await r().pexpireat('p', Date.now() + 100000, 'NX'), 1);
  assert.strictEqual(await r().expireat('p', nowSec() + 1000, 'GT'), 1);

  await rejects(r().call('expire', 'k', '10', 'NX', 'XX'), 'ERR NX and XX, GT or LT options at the same time are not compatible');
  await rejects(r().call('expire', 'k', '10', 'NX', 'GT'), 'ERR NX and XX, GT or LT options at the same time are not compatible');
  await rejects(r().call('expire', 'k', '10', 'GT', 'LT'), 'ERR GT and LT options at the same time are not compatible');
  await rejects(r().call('expire', 'k', '10', 'FOO'), 'ERR Unsupported option FOO');
});

test('PERSIST', async () => {
  await r().set('k', 'v', 'EX', 100);
  assert.strictEqual(await r().persist('k'), 1);
  assert.strictEqual(await r().ttl('k'), -1);
  assert.strictEqual(await r().persist('k'), 0);
  assert.strictEqual(await r().persist('nokey'), 0);
  assert.strictEqual(await r().get('k'), 'v');
});

test('expired keys are never returned', async () => {
  await r().set('gone', 'v', 'PX', 50);
  await r().set('gone2', 'v');
  await r().pexpire('gone2', 50);
  await r().set('stay', 'v');
  await sleep(150);
  assert.strictEqual(await r().get('gone'), null);
  assert.deepStrictEqual(await r().mget('gone', 'gone2', 'stay'), [null, null, 'v']);
  assert.strictEqual(await r().exists('gone', 'gone2'), 0);
  assert.strictEqual(await r().type('gone'), 'none');
  assert.strictEqual(await r().ttl('gone'), -2);
  assert.strictEqual(await r().pttl('gone2'), -2);
  assert.strictEqual(await r().strlen('gone'), 0);
  assert.strictEqual(await r().touch('gone'), 0);
  assert.strictEqual(await r().persist('gone'), 0);
  assert.strictEqual(await r().expire('gone', 100), 0);
  assert.deepStrictEqual(await r().keys('*'), ['stay']);
  const [cursor, keys] = await r().scan('0', 'COUNT', 1000);
  assert.strictEqual(cursor, '0');
  assert.deepStrictEqual(keys, ['stay']);
  for (let i = 0; i < 10; i++) {
    // (that RANDOMKEY answers at all with keys present is the RANDOMKEY test's business)
    assert.ok(!['gone', 'gone2'].includes(await r().randomkey()), 'RANDOMKEY returned an expired key');
  }
  await rejects(r().rename('gone', 'x'), 'ERR no such key');
  assert.strictEqual(await r().copy('gone', 'x'), 0);
  assert.strictEqual(await r().move('gone', 1), 0);
  assert.strictEqual(await r().object('ENCODING', 'gone'), null);
  assert.strictEqual(await r().del('gone', 'gone2'), 0);
  assert.strictEqual(await r().set('gone', 'new', 'NX'), 'OK');
  assert.strictEqual(await r().msetnx('gone2', 'x'), 1);
});

test('SELECT isolates tables', async () => {
  const other = client(h.node.port);
  try {
    await r().set('shared', 'zero');
    await other.select(1);
    assert.strictEqual(await other.get('shared'), null);
    await other.set('shared', 'one');
    await other.set('only1', 'x');
    assert.strictEqual(await r().get('shared'), 'zero');
    assert.strictEqual(await r().get('only1'), null);
    assert.strictEqual(await r().dbsize(), 1);
    assert.strictEqual(await other.dbsize(), 2);
    assert.deepStrictEqual((await other.keys('*')).sort(), ['only1', 'shared']);
    assert.strictEqual(await other.del('shared'), 1);
    assert.strictEqual(await r().get('shared'), 'zero');
    await other.select(15);
    assert.strictEqual(await other.dbsize(), 0);
    // redis-cli -n selects a table too
    assert.strictEqual(redisCli(h.node.port, '-n', '1', 'GET', 'only1'), 'x');
    assert.strictEqual(redisCli(h.node.port, '-n', '1', 'DBSIZE'), '1');
  } finally {
    other.disconnect();
  }
});

test('INFO keyspace', async () => {
  const pairs = [];
  for (let i = 0; i < 40; i++) pairs.push(`ks:${i}`, 'v');
  await r().mset(...pairs);
  for (let i = 0; i < 7; i++) await r().expire(`ks:${i}`, 1000);
  await r().select(3);
  await r().set('t3', 'v');
  await r().select(0);
  const text = await r().info('keyspace');
  assert.match(text, /^# Keyspace\r?$/m);
  assert.match(text, /^db0:keys=40,expires=7(,|\r?$)/m);
  assert.match(text, /^db3:keys=1,expires=0(,|\r?$)/m);
  assert.doesNotMatch(text, /^db1:/m, 'empty tables are not listed');
  const info = parseInfo(text);
  assert.ok(info.db0);
  await r().flushall();
  assert.doesNotMatch(await r().info('keyspace'), /^db\d+:/m);
});

test.run();
