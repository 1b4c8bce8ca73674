// Geo commands through ioredis against a real node with two workers. Expected texts were taken
// from redis-server 7.0.15 (PIKA_TEST_TARGET=redis runs this file against it).
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, rejects, sleep, keysOnWorker, rawRequest, ERRORS } = require('./helpers');
const { arity, NOT_INT, NOT_FLOAT, SYNTAX, WRONGTYPE } = ERRORS;

const test = suite('geo');
const h = useNode(test);
const r = () => h.redis;

const UNIT = 'ERR unsupported unit provided. please use M, KM, FT, MI';
const DECODE = 'ERR could not decode requested zset member';

const PALERMO = [13.361389, 38.115556];
const CATANIA = [15.087269, 37.502669];
const EDGE1 = [12.758489, 38.788135];

async function sicily(key) {
  return r().geoadd(key, ...PALERMO, 'Palermo', ...CATANIA, 'Catania', ...EDGE1, 'edge1');
}

test.before.each(async () => {
  await r().flushall();
});

test('GEOADD stores geohash scores in a zset; GEOPOS GEOHASH GEODIST read them', async () => {
  assert.strictEqual(await sicily('s'), 3);
  assert.strictEqual(await r().type('s'), 'zset');
  assert.strictEqual(await r().zscore('s', 'Palermo'), '3479099956230698');
  assert.deepStrictEqual(await r().zrange('s', 0, -1, 'WITHSCORES'), ['Palermo', '3479099956230698', 'edge1', '3479273021651468', 'Catania', '3479447370796909']);
  assert.strictEqual(await r().object('ENCODING', 's'), 'listpack');
  assert.deepStrictEqual(await r().geopos('s', 'Palermo', 'nope'), [['13.36138933897018433', '38.11555639549629859'], null]);
  assert.deepStrictEqual(await r().geohash('s', 'Palermo', 'Catania', 'nope'), ['sqc8b49rny0', 'sqdtr74hyu0', null]);
  assert.strictEqual(await r().geodist('s', 'Palermo', 'Catania'), '166274.1516');
  assert.strictEqual(await r().geodist('s', 'Palermo', 'Catania', 'km'), '166.2742');
  assert.strictEqual(await r().geodist('s', 'Palermo', 'Catania', 'FT'), '545518.8700');
  assert.strictEqual(await r().geodist('s', 'Palermo', 'Catania', 'mi'), '103.3182');
  assert.strictEqual(await r().geodist('s', 'Palermo', 'Palermo'), '0.0000');
  assert.strictEqual(await r().geodist('s', 'Palermo', 'nope'), null);
  // Wikipedia's example geohash
  await r().geoadd('p', -5.6, 42.6, 'test');
  assert.deepStrictEqual(await r().geohash('p', 'test'), ['ezs42e44yx0']);
  // any zset score decodes, clamped to the indexable range
  await r().zadd('z', 0, 'zero', 4503599627370495, 'top');
  assert.deepStrictEqual(await r().geopos('z', 'zero', 'top'), [
    ['-179.99999731779098511', '-85.05112751263942528'],
    ['179.99999731779098511', '85.05112751263942528'],
  ]);
  assert.deepStrictEqual(await r().geohash('p'), []);
  assert.deepStrictEqual(await r().geopos('p'), []);
});

test('GEOADD NX XX CH and their errors', async () => {
  assert.strictEqual(await r().geoadd('g', -73.9454966, 40.747533, 'lic'), 1);
  assert.strictEqual(await r().geoadd('g', -73.9454966, 40.747533, 'lic'), 0);
  assert.strictEqual(await r().geoadd('g', 'CH', 40.747533, -73.9454966, 'lic'), 1);
  assert.strictEqual(await r().geoadd('g', 'NX', 1, 2, 'lic', 3, 4, 'new'), 1);
  assert.strictEqual(await r().geoadd('g', 'XX', 'CH', 1, 2, 'lic', 3, 4, 'other'), 1);
  assert.strictEqual(await r().zcard('g'), 2);
  assert.strictEqual(await r().geoadd('g', 'CH', 'NX', 1, 2, 'lic'), 0);
  assert.strictEqual(await r().geoadd('none', 'XX', 1, 2, 'a'), 0);
  assert.strictEqual(await r().exists('none'), 0);
  await rejects(r().geoadd('g', 'XX', 'NX', 1, 2, 'a'), SYNTAX);
  await rejects(r().geoadd('g', 'CH', 'XX', 'foo', 1, 2, 'a'), SYNTAX);
  await rejects(r().geoadd('g', 1, 2, 'a', 3), SYNTAX);
  await rejects(r().geoadd('g', 'CH', 'CH', 'CH'), SYNTAX);
  await rejects(r().geoadd('g', 1, 2, 'a', 'foo', 'bar', 'b'), NOT_FLOAT);
  await rejects(r().geoadd('g', 200, 100, 'a'), 'ERR invalid longitude,latitude pair 200.000000,100.000000');
  await rejects(r().geoadd('g', 'inf', 0, 'a'), 'ERR invalid longitude,latitude pair inf,0.000000');
  await rejects(r().geoadd('g', 0, '85.06', 'a'), 'ERR invalid longitude,latitude pair 0.000000,85.060000');
  // a bad pair anywhere refuses the whole command
  assert.strictEqual(await r().zcard('g'), 2);
  await r().set('str', 'x');
  await rejects(r().geoadd('str', 1, 2, 'a'), WRONGTYPE);
  await rejects(r().geoadd('str', 200, 2, 'a'), 'ERR invalid longitude,latitude pair 200.000000,2.000000');
});

test('wrong arity, wrong types, and missing keys for every command', async () => {
  for (const [cmd, args] of [
    ['geoadd', ['k', 1, 2]], ['geopos', []], ['geohash', []], ['geodist', ['k', 'a']], ['georadius', ['k', 1, 2, 3]],
    ['georadius_ro', ['k', 1, 2, 3]], ['georadiusbymember', ['k', 'm', 3]], ['georadiusbymember_ro', ['k', 'm', 3]],
    ['geosearch', ['k', 'FROMMEMBER', 'm', 'BYRADIUS', 1]], ['geosearchstore', ['d', 'k', 'FROMMEMBER', 'm', 'BYRADIUS', 1]],
  ]) await rejects(r().call(cmd, ...args), arity(cmd));
  await r().set('str', 'x');
  for (const args of [
    ['geopos', 'str', 'a'], ['geohash', 'str', 'a'], ['geodist', 'str', 'a', 'b'], ['georadius', 'str', 1, 2, 3, 'km'],
    ['georadius_ro', 'str', 1, 2, 3, 'km'], ['georadiusbymember', 'str', 'a', 3, 'km'], ['georadiusbymember_ro', 'str', 'a', 3, 'km'],
    ['geosearch', 'str', 'FROMLONLAT', 1, 2, 'BYRADIUS', 3, 'km'], ['geosearchstore', 'd', 'str', 'FROMMEMBER', 'a', 'BYBOX', 1, 1, 'km'],
    // WRONGTYPE comes before argument errors
    ['georadius', 'str', 500, 2, 3, 'km'],
  ]) await rejects(r().call(...args), WRONGTYPE);
  assert.deepStrictEqual(await r().geopos('none', 'a', 'b'), [null, null]);
  assert.deepStrictEqual(await r().geohash('none', 'a'), [null]);
  assert.strictEqual(await r().geodist('none', 'a', 'b'), null);
  assert.deepStrictEqual(await r().call('georadius', 'none', 1, 2, 3, 'km'), []);
  assert.deepStrictEqual(await r().call('georadiusbymember', 'none', 'a', 3, 'km'), []);
  // without a source, BYMEMBER does not look at its radius
  assert.deepStrictEqual(await r().call('georadiusbymember_ro', 'none', 'a', 'x', 'y'), []);
  assert.deepStrictEqual(await r().call('geosearch', 'none', 'FROMMEMBER', 'a', 'BYRADIUS', 3, 'km'), []);
  // coordinates are still checked
  await rejects(r().call('georadius', 'none', 1, 100, 3, 'km'), 'ERR invalid longitude,latitude pair 1.000000,100.000000');
  // STORE with no source deletes the destination
  await r().set('dst', 'x');
  assert.strictEqual(await r().call('georadius', 'none', 1, 2, 3, 'km', 'STORE', 'dst'), 0);
  assert.strictEqual(await r().exists('dst'), 0);
});

test('GEODIST units and errors', async () => {
  await sicily('s');
  await rejects(r().geodist('s', 'Palermo', 'Catania', 'yards'), UNIT);
  // the unit is checked before the key
  await rejects(r().geodist('none', 'a', 'b', 'yards'), UNIT);
  await rejects(r().geodist('s', 'Palermo', 'Catania', 'km', 'x'), SYNTAX);
});

test('GEORADIUS GEORADIUSBYMEMBER GEOSEARCH replies: WITHDIST WITHHASH WITHCOORD COUNT ANY ASC DESC', async () => {
  await sicily('s');
  assert.deepStrictEqual(await r().call('georadius', 's', 15, 37, 200, 'km', 'WITHDIST', 'WITHHASH', 'WITHCOORD', 'ASC'), [
    ['Catania', '56.4413', 3479447370796909, ['15.08726745843887329', '37.50266842333162032']],
    ['Palermo', '190.4424', 3479099956230698, ['13.36138933897018433', '38.11555639549629859']],
  ]);
  assert.deepStrictEqual(await r().call('georadius_ro', 's', 15, 37, 200, 'km', 'DESC'), ['Palermo', 'Catania']);
  assert.deepStrictEqual(await r().call('georadius', 's', 15, 37, 200, 'km', 'COUNT', 1, 'DESC'), ['Palermo']);
  assert.deepStrictEqual(await r().call('georadius', 's', 15, 37, 200, 'km', 'COUNT', 1), ['Catania']);
  assert.deepStrictEqual(await r().call('georadius', 's', 15, 37, 1000, 'km', 'COUNT', 2, 'ANY'), ['Palermo', 'edge1']);
  assert.deepStrictEqual(await r().call('georadius', 's', 15, 37, 1, 'm'), []);
  assert.deepStrictEqual(await r().call('georadiusbymember', 's', 'Palermo', 200, 'km', 'WITHDIST'), [
    ['Palermo', '0.0000'], ['edge1', '91.4007'], ['Catania', '166.2742'],
  ]);
  assert.deepStrictEqual(await r().call('georadiusbymember_ro', 's', 'Palermo', 100, 'mi', 'ASC'), ['Palermo', 'edge1']);
  assert.deepStrictEqual(await r().call('geosearch', 's', 'FROMMEMBER', 'Palermo', 'BYBOX', 400, 400, 'km', 'WITHDIST', 'DESC'), [
    ['Catania', '166.2742'], ['edge1', '91.4007'], ['Palermo', '0.0000'],
  ]);
  assert.deepStrictEqual(await r().call('geosearch', 's', 'FROMLONLAT', 15, 37, 'BYRADIUS', 100, 'km', 'WITHCOORD'), [
    ['Catania', ['15.08726745843887329', '37.50266842333162032']],
  ]);
  assert.deepStrictEqual(await r().call('geosearch', 's', 'FROMLONLAT', 15, 37, 'BYBOX', 400, 2, 'km'), []);
});

test('GEORADIUS and GEOSEARCH argument errors', async () => {
  await sicily('s');
  const g = (...a) => r().call('georadius', 's', 15, 37, ...a);
  await rejects(g('x', 'km'), 'ERR need numeric radius');
  await rejects(g(-1, 'km'), 'ERR radius cannot be negative');
  await rejects(g(1, 'parsec'), UNIT);
  await rejects(g(1, 'km', 'COUNT'), SYNTAX);
  await rejects(g(1, 'km', 'COUNT', 'x'), NOT_INT);
  await rejects(g(1, 'km', 'COUNT', 0), 'ERR COUNT must be > 0');
  await rejects(g(1, 'km', 'ANY'), 'ERR the ANY argument requires COUNT argument');
  await rejects(g(1, 'km', 'STORE'), SYNTAX);
  await rejects(g(1, 'km', 'STORE', 'd', 'WITHDIST'), 'ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options');
  await rejects(g(1, 'km', 'FROMLONLAT', 1, 2), SYNTAX);
  await rejects(r().call('georadius_ro', 's', 15, 37, 1, 'km', 'STORE', 'd'), SYNTAX);
  await rejects(r().call('georadiusbymember', 's', 'nope', 1, 'km'), DECODE);
  await rejects(r().call('georadiusbymember', 's', 'Palermo', 1, 'km', 'bogus'), SYNTAX);
  const s = (...a) => r().call('geosearch', 's', ...a);
  await rejects(s('FROMLONLAT', 15, 37, 'FROMMEMBER', 'Palermo', 'BYRADIUS', 1, 'km'), SYNTAX);
  await rejects(s('BYRADIUS', 1, 'km', 'ASC', 'WITHDIST'), 'ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch');
  await rejects(r().call('GEOSEARCH', 's', 'FROMMEMBER', 'Palermo', 'WITHDIST', 'ASC', 'WITHHASH'), 'ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH');
  await rejects(s('FROMMEMBER', 'Palermo', 'BYRADIUS', 1, 'km', 'BYBOX', 1, 1, 'km'), SYNTAX);
  await rejects(s('FROMMEMBER', 'nope', 'BYRADIUS', 1, 'km'), DECODE);
  await rejects(s('FROMMEMBER', 'Palermo', 'BYBOX', 'x', 1, 'km'), 'ERR need numeric width');
  await rejects(s('FROMMEMBER', 'Palermo', 'BYBOX', 1, 'x', 'km'), 'ERR need numeric height');
  await rejects(s('FROMMEMBER', 'Palermo', 'BYBOX', 1, -1, 'km'), 'ERR height or width cannot be negative');
  await rejects(s('FROMMEMBER', 'Palermo', 'BYRADIUS', 1, 'km', 'STORE', 'd'), SYNTAX);
  await rejects(s('FROMMEMBER', 'Palermo', 'BYRADIUS', 1, 'km', 'STOREDIST'), SYNTAX);
  await rejects(s('FROMLONLAT', 181, 0, 'BYRADIUS', 1, 'km'), 'ERR invalid longitude,latitude pair 181.000000,0.000000');
  await rejects(r().call('geosearchstore', 'd', 's', 'FROMMEMBER', 'Palermo', 'BYRADIUS', 1, 'km', 'WITHCOORD'),
    'ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options');
  await rejects(r().call('geosearchstore', 'd', 's', 'FROMMEMBER', 'Palermo', 'BYRADIUS', 1, 'km', 'STORE', 'd'), SYNTAX);
});

test('STORE STOREDIST GEOSEARCHSTORE with source and destination on different workers', async () => {
  const [src, other] = keysOnWorker(0, 2, 'geo-src-');
  const [dst, dst2] = keysOnWorker(1, 2, 'geo-dst-');
  await sicily(src);
  assert.strictEqual(await r().call('georadius', src, 15, 37, 200, 'km', 'STORE', dst), 2);
  assert.deepStrictEqual(await r().zrange(dst, 0, -1, 'WITHSCORES'), ['Palermo', '3479099956230698', 'Catania', '3479447370796909']);
  assert.deepStrictEqual(await r().geopos(dst, 'Catania'), [['15.08726745843887329', '37.50266842333162032']]);
  assert.strictEqual(await r().call('georadius', src, 15, 37, 200, 'km', 'STOREDIST', dst), 2);
  assert.deepStrictEqual(await r().zrange(dst, 0, -1, 'WITHSCORES'), ['Catania', '56.441257870158204', 'Palermo', '190.44242984775784']);
  assert.strictEqual(await r().call('georadiusbymember', src, 'Palermo', 100, 'km', 'COUNT', 1, 'STORE', dst2), 1);
  assert.deepStrictEqual(await r().zrange(dst2, 0, -1), ['Palermo']);
  assert.strictEqual(await r().call('geosearchstore', dst, src, 'FROMLONLAT', 15, 37, 'BYBOX', 400, 400, 'km', 'DESC', 'COUNT', 2, 'STOREDIST'), 2);
  assert.deepStrictEqual(await r().zrange(dst, 0, -1), ['Palermo', 'edge1']);
  assert.strictEqual(await r().call('geosearchstore', dst, src, 'FROMMEMBER', 'edge1', 'BYRADIUS', 1, 'mi'), 1);
  assert.deepStrictEqual(await r().zrange(dst, 0, -1), ['edge1']);
  // the destination is replaced whatever it held, and loses its TTL
  await r().set(dst2, 'string');
  await r().expire(dst2, 1000);
  assert.strictEqual(await r().call('geosearchstore', dst2, src, 'FROMMEMBER', 'Palermo', 'BYRADIUS', 100, 'km'), 2);
  assert.strictEqual(await r().type(dst2), 'zset');
  assert.strictEqual(await r().ttl(dst2), -1);
  // an empty result deletes the destination
  assert.strictEqual(await r().call('georadius', src, 0, 0, 1, 'km', 'STORE', dst2), 0);
  assert.strictEqual(await r().exists(dst2), 0);
  assert.strictEqual(await r().call('geosearchstore', dst, other, 'FROMLONLAT', 0, 0, 'BYRADIUS', 1, 'km'), 0);
  assert.strictEqual(await r().exists(dst), 0);
  // storing into the source itself
  assert.strictEqual(await r().call('georadius', src, 15, 37, 100, 'km', 'STORE', src), 1);
  assert.deepStrictEqual(await r().zrange(src, 0, -1), ['Catania']);
});

test('geo keys expire like any zset', async () => {
  const [src] = keysOnWorker(0, 1, 'geo-exp-');
  const [dst] = keysOnWorker(1, 1, 'geo-exp-dst-');
  await sicily(src);
  await r().pexpire(src, 100);
  assert.strictEqual(await r().geoadd(src, 1, 2, 'x'), 1);
  assert.ok((await r().pttl(src)) > 0);
  await sleep(250);
  assert.deepStrictEqual(await r().geopos(src, 'Palermo'), [null]);
  assert.strictEqual(await r().geodist(src, 'Palermo', 'Catania'), null);
  assert.deepStrictEqual(await r().call('georadius', src, 15, 37, 200, 'km'), []);
  await r().set(dst, 'x');
  assert.strictEqual(await r().call('geosearchstore', dst, src, 'FROMLONLAT', 15, 37, 'BYRADIUS', 200, 'km'), 0);
  assert.strictEqual(await r().exists(dst), 0);
  assert.strictEqual(await r().geoadd(src, ...PALERMO, 'Palermo'), 1);
  assert.strictEqual(await r().zcard(src), 1);
  assert.strictEqual(await r().ttl(src), -1);
});

test('zset commands work on geo sets', async () => {
  await sicily('s');
  assert.strictEqual(await r().zrem('s', 'edge1'), 1);
  assert.deepStrictEqual(await r().call('georadius', 's', 15, 37, 1000, 'km', 'ASC'), ['Catania', 'Palermo']);
  await r().zadd('s', 3479099956230698, 'copy');
  assert.deepStrictEqual(await r().geopos('s', 'copy'), [['13.36138933897018433', '38.11555639549629859']]);
  assert.strictEqual(await r().zunionstore('u', 1, 's'), 3);
  assert.strictEqual(await r().geodist('u', 'copy', 'Catania', 'km'), '166.2742');
});

test('RESP3: coordinates are doubles, distances stay bulk strings, missing positions are nulls', async () => {
  await sicily('s');
  const tail = '*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n'
    + '*1\r\n*3\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n';
  const { text } = await rawRequest(h.node.port, 'HELLO 3\r\nGEOPOS s Palermo nope\r\nGEORADIUS s 15 37 200 km WITHDIST WITHCOORD COUNT 1\r\n', {
    until: (t) => t.endsWith(tail),
  });
  assert.ok(text.endsWith(tail), JSON.stringify(text.slice(-300)));
});

test.run();
