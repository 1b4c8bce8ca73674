// Background reclaim of dropped collections (storage/reclaim.ts): DEL, UNLINK, overwrite,
// RENAME over, expiry and FLUSHDB of a big collection answer at once and its members go later,
// in the background, across a kill -9 too. Pika only: it reads INFO pika and the LMDB files.
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { suite } = require('uvu');
const { open } = require('lmdb');
const { TARGET, useNode, startNode, stopAll, client, closeClients, parseInfo, sleep } = require('./helpers');

const RECLAIM_WAIT_MS = 120_000;
const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));

/** Writes `n` members with `cmd key ...args(i)` in pipelined commands of 1000 members. */
async function fill(r, cmd, key, n, args) {
  for (let i = 0; i < n; i += 10_000) {
    const pipe = r.pipeline();
    for (let j = i; j < Math.min(n, i + 10_000); j += 1000) pipe.call(cmd, key, ...range(Math.min(1000, n - j), (k) => args(j + k)).flat());
    for (const [err] of await pipe.exec()) assert.ifError(err);
  }
}

const reclaimInfo = async (r) => {
  const info = parseInfo(await r.info('pika'));
  const n = (k) => Number(info[k]);
  return {
    collections: n('reclaim_pending_collections'), records: n('reclaim_pending_records'),
    reclaimed: n('reclaimed_records'), paused: n('reclaim_paused'),
  };
};

/** Waits until nothing is queued for reclaim; returns the last INFO figures. */
async function waitReclaimed(r) {
  const deadline = Date.now() + RECLAIM_WAIT_MS;
  for (;;) {
    const info = await reclaimInfo(r);
    if (info.collections === 0 && info.records === 0) return info;
    if (Date.now() > deadline) throw new Error(`reclaim still pending after ${RECLAIM_WAIT_MS} ms: ${JSON.stringify(info)}`);
    await sleep(100);
  }
}

async function scanAll(r) {
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = await r.scan(cursor, 'COUNT', 100);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

// ---------------------------------------------------------------------------------------------
const test = suite('reclaim of dropped collections');
const h = useNode(test);
const r = () => h.redis;

test.before.each(async () => {
  await r().call('debug', 'reclaim', 'resume');
  await r().flushall();
});

test('DEL of a 200k-member hash answers at once, the name is free at once, members go in the background', async () => {
  await r().call('debug', 'reclaim', 'pause');
  const before = (await reclaimInfo(r())).reclaimed;
  await fill(r(), 'hset', 'big', 200_000, (i) => [`field:${i}`, `value:${i}`]);
  await r().hset('small', 'a', '1', 'b', '2');
  assert.strictEqual(await r().hlen('big'), 200_000);
  const bigBytes = await r().call('memory', 'usage', 'big');

  assert.strictEqual(await r().del('big'), 1);
  assert.strictEqual(await r().exists('big'), 0);
  assert.strictEqual(await r().hlen('big'), 0);
  assert.strictEqual(await r().hget('big', 'field:7'), null);
  assert.deepStrictEqual(await reclaimInfo(r()), { collections: 1, records: 200_000, reclaimed: before, paused: 1 });
  // Redis's names for the same figure
  assert.strictEqual(parseInfo(await r().info('memory')).lazyfree_pending_objects, '1');
  const freedBefore = Number(parseInfo(await r().info('stats')).lazyfreed_objects);

  // a new hash of the same name starts empty; nothing counts or lists the queued members
  assert.strictEqual(await r().hset('big', 'new', 'x'), 1);
  assert.deepStrictEqual(await r().hgetall('big'), { new: 'x' });
  assert.strictEqual(await r().dbsize(), 2);
  assert.deepStrictEqual(await scanAll(r()), ['big', 'small']);
  const newBytes = await r().call('memory', 'usage', 'big', 'SAMPLES', '0');
  assert.ok(newBytes * 100 < bigBytes, `MEMORY USAGE of the new hash: ${newBytes} bytes, the old one took ${bigBytes}`);
  assert.deepStrictEqual(await r().hscan('big', '0'), ['0', ['new', 'x']]);

  await r().call('debug', 'reclaim', 'resume');
  const after = await waitReclaimed(r());
  assert.strictEqual(after.reclaimed - before, 200_000);
  assert.strictEqual(parseInfo(await r().info('memory')).lazyfree_pending_objects, '0');
  assert.strictEqual(Number(parseInfo(await r().info('stats')).lazyfreed_objects), freedBefore + 1);
  assert.deepStrictEqual(await r().hgetall('big'), { new: 'x' });
  assert.deepStrictEqual(await r().hgetall('small'), { a: '1', b: '2' });
});

test('UNLINK, SET over a set, RENAME over a list and expiry of a sorted set queue their members', async () => {
  await r().call('debug', 'reclaim', 'pause');
  const before = (await reclaimInfo(r())).reclaimed;
  await fill(r(), 'hset', 'h', 10_000, (i) => [`f${i}`, `v${i}`]);
  await fill(r(), 'sadd', 's', 10_000, (i) => [`m${i}`]);
  await fill(r(), 'rpush', 'l', 10_000, (i) => [`e${i}`]);
  await fill(r(), 'zadd', 'z', 10_000, (i) => [String(i), `m${i}`]);
  await r().hset('src', 'only', 'one');

  assert.strictEqual(await r().unlink('h'), 1);
  assert.strictEqual(await r().set('s', 'now a string'), 'OK');
  assert.strictEqual(await r().rename('src', 'l'), 'OK');
  assert.strictEqual(await r().pexpire('z', 1), 1);
  // the active expiry cycle removes z's directory record and queues its members
  const deadline = Date.now() + RECLAIM_WAIT_MS;
  while ((await reclaimInfo(r())).collections < 4) {
    if (Date.now() > deadline) throw new Error(`z was not reclaimed by active expiry: ${JSON.stringify(await reclaimInfo(r()))}`);
    await sleep(50);
  }
  // a sorted set keeps two records per member (member and score index), a list one per 16 elements
  assert.deepStrictEqual(await reclaimInfo(r()), { collections: 4, records: 40_625, reclaimed: before, paused: 1 });
  assert.strictEqual(await r().get('s'), 'now a string');
  assert.deepStrictEqual(await r().hgetall('l'), { only: 'one' });
  assert.strictEqual(await r().dbsize(), 2);

  // new collections under the old names are untouched by the reclaim of the old ones
  await fill(r(), 'rpush', 'h', 2000, (i) => [`new${i}`]);
  await fill(r(), 'zadd', 'z', 2000, (i) => [String(-i), `n${i}`]);
  await r().call('debug', 'reclaim', 'resume');
  // the estimate counts members and index entries; the sorted set's rank-tree nodes come on top
  const reclaimed = (await waitReclaimed(r())).reclaimed - before;
  assert.ok(reclaimed >= 40_625 && reclaimed < 40_625 + 10_000 / 8, `reclaimed ${reclaimed} records`);
  assert.strictEqual(await r().llen('h'), 2000);
  assert.strictEqual(await r().lindex('h', 1999), 'new1999');
  assert.strictEqual(await r().zcard('z'), 2000);
  assert.deepStrictEqual(await r().zrange('z', 0, 1, 'WITHSCORES'), ['n1999', '-1999', 'n1998', '-1998']);
});

test('small collections are dropped inline: nothing is queued', async () => {
  await r().call('debug', 'reclaim', 'pause');
  const before = (await reclaimInfo(r())).reclaimed;
  await fill(r(), 'sadd', 'tiny', 300, (i) => [`m${i}`]);
  await fill(r(), 'zadd', 'ztiny', 200, (i) => [String(i), `m${i}`]);
  assert.strictEqual(await r().del('tiny', 'ztiny'), 2);
  assert.deepStrictEqual(await reclaimInfo(r()), { collections: 0, records: 0, reclaimed: before, paused: 1 });
});

test('FLUSHDB and FLUSHALL drop live and queued members with everything else', async () => {
  await r().call('debug', 'reclaim', 'pause');
  await fill(r(), 'hset', 'gone', 5000, (i) => [`f${i}`, 'v']);
  await r().del('gone');
  await fill(r(), 'sadd', 'live', 50_000, (i) => [`m${i}`]);
  assert.strictEqual((await reclaimInfo(r())).collections, 1);
  assert.strictEqual(await r().flushdb(), 'OK');
  assert.strictEqual(await r().dbsize(), 0);
  const after = await reclaimInfo(r());
  assert.deepStrictEqual([after.collections, after.records], [0, 0]);
  assert.strictEqual(await r().sadd('live', 'again'), 1);
  assert.deepStrictEqual(await r().smembers('live'), ['again']);
  await fill(r(), 'hset', 'gone', 5000, (i) => [`f${i}`, 'v']);
  await r().del('gone');
  assert.strictEqual(await r().flushall(), 'OK');
  assert.strictEqual((await reclaimInfo(r())).collections, 0);
});

/** Member records per member sub-database over every slot of table 0, counters left out, read from the files. */
function memberRecords(dbPath) {
  const counts = { hashes: 0, garbage: 0 };
  const table = path.join(dbPath, '0');
  for (const slot of fs.readdirSync(table)) {
    const dir = path.join(table, slot);
    const root = open({ path: dir, maxDbs: 12, readOnly: true, encoding: 'binary', keyEncoding: 'binary' });
    try {
      for (const name of Object.keys(counts)) {
        const db = root.openDB(name, { encoding: 'binary', keyEncoding: 'binary' });
        const counter = name === 'garbage' ? 0 : db.getBinary(Buffer.alloc(8)) ? 1 : 0;
        counts[name] += db.getStats().entryCount - counter;
      }
    } finally {
      root.close();
    }
  }
  return counts;
}

const crash = suite('reclaim across kill -9');
crash.after(async () => {
  closeClients();
  await stopAll();
});

crash('a reclaim cut by kill -9 resumes at the next start and spares the live hash of the same name', async () => {
  const node = await startNode({ args: ['--sync', 'everysec'] });
  let c = client(node.port);
  await c.call('debug', 'reclaim', 'pause');
  await fill(c, 'hset', 'big', 200_000, (i) => [`field:${i}`, `value:${i}`]);
  assert.strictEqual(await c.del('big'), 1);
  await fill(c, 'hset', 'big', 1000, (i) => [`new:${i}`, `v${i}`]);
  assert.strictEqual((await reclaimInfo(c)).records, 200_000);

  c.disconnect();
  await node.kill9();
  await node.restart();
  c = client(node.port);
  await waitReclaimed(c);
  assert.match(node.output(), /resuming reclaim of dropped collections in 1 slots/);
  assert.strictEqual(await c.hlen('big'), 1000);
  assert.strictEqual(await c.hget('big', 'new:999'), 'v999');
  assert.strictEqual(await c.hget('big', 'field:1'), null);

  c.disconnect();
  await node.stop();
  assert.deepStrictEqual(memberRecords(node.dbPath), { hashes: 1000, garbage: 0 });
  const markers = fs.readdirSync(path.join(node.dbPath, '0')).filter((s) => fs.existsSync(path.join(node.dbPath, '0', s, 'reclaim.pending')));
  assert.deepStrictEqual(markers, []);
  await node.destroy();
});

if (TARGET === 'pika') {
  test.run();
  crash.run();
}
