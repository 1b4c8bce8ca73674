// Per-slot binlog and replication between two real nodes on loopback: every type with expiries
// replicates and slot digests agree, also for 100k keys; blocking pops (at once or woken), reclaimed big collections,
// zset rank trees and lists of chunks with big elements replicate; a follower killed with -9 catches up incrementally; a purged
// offset leads to a full sync under writes; `force` asks for one.
'use strict';

const { suite } = require('uvu');
const assert = require('uvu/assert');
const { TARGET, startNode, stopAll, client, closeClients, sleep, rejects, slotField } = require('./helpers');
const { slotOf } = require('../../dist/common/crc32');
const { LIST_CHUNK_ELEMENTS, LIST_INLINE_MAX_BYTES } = require('../../dist/common/limits');

const test = suite('replication');
const SLOTS = 16;
const opts = { workers: 2, args: ['--default-slot-num', String(SLOTS)] };
let leader, follower, L, F;

/** `pkcluster digest` as slot → digest. */
async function digests(c) {
  const flat = await c.call('pkcluster', 'digest');
  const m = new Map();
  for (let i = 0; i < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
  return m;
}

/** Waits until every slot's digest is the same on both nodes; returns the leader's. */
async function waitSynced(ms = 20_000) {
  const deadline = Date.now() + ms;
  let a, b;
  for (;;) {
    [a, b] = await Promise.all([digests(L), digests(F)]);
    if ([...a].every(([s, d]) => b.get(s) === d)) return a;
    if (Date.now() > deadline) break;
    await sleep(100);
  }
  assert.equal([...b], [...a], 'slot digests differ');
}

/** A mixed write load of every type with expiries and the rewritten commands. */
async function writeAll(c, prefix, n) {
  const p = c.pipeline();
  for (let i = 0; i < n; i++) {
    p.set(`${prefix}s${i}`, `v${i}`, 'EX', 1000 + i);
    p.hset(`${prefix}h${i % 50}`, `f${i}`, i);
    p.rpush(`${prefix}l${i % 50}`, i);
    p.sadd(`${prefix}set${i % 50}`, `m${i}`);
    p.zadd(`${prefix}z${i % 50}`, i, `m${i}`);
    if (i % 10 === 0) p.incrbyfloat(`${prefix}f`, '0.1');
    if (i % 10 === 1) p.hincrbyfloat(`${prefix}hf`, 'x', '1.5');
    if (i % 10 === 2) p.expire(`${prefix}h${i % 50}`, 5000);
    if (i % 10 === 3) p.spop(`${prefix}set${i % 50}`);
    if (i % 10 === 4) p.setex(`${prefix}ex${i}`, 100, 'x');
    if (i % 10 === 5) p.set(`${prefix}gone${i}`, 'x', 'PX', 1);
  }
  const res = await p.exec();
  for (const [err] of res) if (err) throw err;
}

test.before(async () => {
  if (TARGET !== 'pika') return;
  [leader, follower] = await Promise.all([startNode(opts), startNode(opts)]);
  L = client(leader.port);
  F = client(follower.port);
});

test.after(async () => {
  if (process.env.REPL_DEBUG) console.log(leader.output().slice(-3000), follower.output().slice(-3000));
  closeClients();
  await stopAll();
});

test('binlog: offsets grow with writes, PURGELOGSTO moves the oldest kept entry', async () => {
  if (TARGET !== 'pika') return;
  await L.set('{a}1', 'x');
  await L.set('{a}2', 'y');
  const slot = slotOf(Buffer.from('{a}1'), SLOTS);
  const off = await slotField(L, slot, 'binlog_offset');
  assert.ok(Number(off.split(':')[1]) >= 1, off);
  assert.equal(await slotField(L, slot, 'binlog_first'), '0:1');
  assert.is(await L.call('purgelogsto', '1', `0:${slot}`), 'OK');
  assert.equal(await slotField(L, slot, 'binlog_first'), off.split(':')[1] === '1' ? 'none' : '0:2');
  await rejects(L.call('config', 'set', 'binlog-retention', 'lots'), /binlog-retention/);
  assert.is(await L.call('config', 'set', 'binlog-retention', '7d'), 'OK');
  assert.is(await L.call('config', 'set', 'binlog-retention', '100000'), 'OK');
  await L.flushdb();
});

test('every type with expiries replicates; slot digests agree; the follower refuses writes', async () => {
  if (TARGET !== 'pika') return;
  await writeAll(L, 'pre:', 300);
  assert.is(await F.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(leader.port), 'all'), 'OK');
  await writeAll(L, 'live:', 700);
  // commands spanning slots record each slot's effect
  await L.rename('pre:s1', 'pre:renamed');
  await L.sunionstore('union', 'pre:set1', 'pre:set2', 'pre:set3');
  await L.del('pre:s2', 'pre:s3', 'pre:s4', 'pre:s5');
  await L.mset('m1', 'a', 'm2', 'b', 'm3', 'c');
  await L.lmove('pre:l1', 'pre:l2', 'LEFT', 'RIGHT');
  // SORT ... STORE records the list it left: the weights it read live in other slots
  await L.rpush('sort:ids', '1', '2', '3');
  await L.mset('sort:w_1', '30', 'sort:w_2', '10', 'sort:w_3', '20');
  assert.is(await L.sort('sort:ids', 'BY', 'sort:w_*', 'GET', '#', 'GET', 'sort:w_*', 'STORE', 'sorted'), 6);
  // RESTORE with a relative TTL records the state it left: a replay must not count the TTL again
  assert.is(await L.restore('restored', 100000, await L.dumpBuffer('sorted')), 'OK');
  // PFCOUNT caches its estimate in the HLL's header (a read that writes): followers get it too
  await L.pfadd('hll', 'a', 'b', 'c');
  assert.is(await L.pfcount('hll'), 3);
  const d = await waitSynced();
  assert.ok([...d.values()].some((x) => x !== 'da39a3ee5e6b4b0d3255bfef95601890afd80709'), 'the slots hold data');
  assert.is(await F.call('pkcluster', 'digest', '0-3').then((r) => r.length), 8);
  await rejects(F.set('x', 1), "READONLY You can't write against a read only replica.");
  await rejects(F.flushdb(), /^READONLY/);
  // a write queued in MULTI is refused when queued, and EXEC aborts, as on a Redis replica
  const tx = await F.multi().set('x', 1).exec().then(() => null, (e) => e);
  assert.match(String(tx && tx.message), /EXECABORT/);
  await waitSynced(); // the follower holds nothing the leader lacks
  const text = await L.call('pkcluster', 'info', 'slot', '0');
  assert.match(text, /connected_slaves: 1/);
  assert.match(text, /slave\[0\]: 127\.0\.0\.1:\d+ state=streaming acked=\d+ lag=\d+ lag_ms=\d+/);
  assert.match(await F.call('pkcluster', 'info', 'slot', '0'), new RegExp(`Role: Slave\\r\\n  master: 127.0.0.1:${leader.port}`));
  assert.match(await L.info('replication'), /role:master\r\nconnected_slaves:1\r\n/);
  assert.match(await F.info('replication'), /role:slave\r\nconnected_slaves:0\r\nfollowing_slots:\d+\r\nleaders:1/);
});

test('blocking pops, at once and woken, big collections reclaimed, rank trees: the follower agrees', async () => {
  if (TARGET !== 'pika') return;
  const W = client(leader.port);
  await L.rpush('bl:a', 'x', 'y');
  assert.equal(await L.blpop('bl:a', 0), ['bl:a', 'x']);
  await L.zadd('bl:z', 1, 'one', 2, 'two', 3, 'three');
  assert.equal(await L.bzpopmin('bl:z', 0), ['bl:z', 'one', '1']);
  // parked first, woken by a push: main retries the pop through its internal worker call
  const woken = [W.blpop('bl:w', 0), W.brpop('bl:w2', 0), W.blmove('bl:m', '{bl:m}dst', 'LEFT', 'RIGHT', 0), W.bzpopmax('bl:wz', 0), W.blmpop(0, 1, 'bl:mp', 'LEFT', 'COUNT', 2)];
  await sleep(200);
  await L.rpush('bl:w', 'w1', 'w2');
  await L.rpush('bl:w2', 'v1', 'v2');
  await L.rpush('bl:m', 'm1', 'm2');
  await L.zadd('bl:wz', 5, 'a', 7, 'b');
  await L.rpush('bl:mp', 'p1', 'p2', 'p3');
  const got = await Promise.all(woken);
  assert.equal(got, [['bl:w', 'w1'], ['bl:w2', 'v2'], 'm1', ['bl:wz', 'b', '7'], ['bl:mp', ['p1', 'p2']]]);
  // past the inline limit: DEL queues the members for background reclaim
  const p = L.pipeline();
  for (let i = 0; i < 3000; i++) p.sadd('big:set', `m${i}`);
  for (let i = 0; i < 3000; i++) p.zadd('big:z', i, `m${i}`);
  await p.exec();
  await L.del('big:set');
  await L.zrem('big:z', 'm10', 'm20');
  await waitSynced();
  assert.is(await F.call('config', 'set', 'replica-serve-reads', 'yes'), 'OK');
  try {
    assert.equal(await F.lrange('bl:w', 0, -1), ['w2']);
    assert.equal(await F.lrange('{bl:m}dst', 0, -1), ['m1']);
    assert.equal(await F.zrange('bl:wz', 0, -1), ['a']);
    assert.equal(await F.lrange('bl:mp', 0, -1), ['p3']);
    assert.is(await F.exists('big:set'), 0);
    assert.is(await F.zrank('big:z', 'm2999'), 2997);
    assert.equal(await F.zrange('big:z', 1500, 1501), ['m1502', 'm1503']);
  } finally {
    await F.call('config', 'set', 'replica-serve-reads', 'no');
  }
});

test('set rank trees are local: a leader with one and a follower without agree; a follower building its own logs nothing', async () => {
  if (TARGET !== 'pika') return;
  const p = L.pipeline();
  for (let i = 0; i < 3000; i++) p.sadd('rk:set', `m${i}`);
  await p.exec();
  // the leader's first picks build its tree; SPOP reaches the follower as SREM, SRANDMEMBER not at all
  const popped = await L.spop('rk:set', 5);
  assert.is((await L.srandmember('rk:set', 100)).length, 100);
  await waitSynced();
  const slot = slotOf(Buffer.from('rk:set'), SLOTS);
  const offset = await slotField(F, slot, 'binlog_offset');
  assert.is(await F.call('config', 'set', 'replica-serve-reads', 'yes'), 'OK');
  try {
    // the follower picks too: it builds a tree of its own, which its replay then keeps exact
    const picked = await F.srandmember('rk:set', 200);
    assert.is(picked.length, 200);
    for (const m of popped) assert.not.ok(picked.includes(m));
    assert.is(await slotField(F, slot, 'binlog_offset'), offset);
    await L.sadd('rk:set', 'late1', 'late2');
    await L.srem('rk:set', 'm1', 'm2', 'm3');
    await L.spop('rk:set', 20);
    await waitSynced();
    assert.is(await F.scard('rk:set'), 3000 - 5 - 3 - 20 + 2);
    const after = new Set(await L.smembers('rk:set'));
    for (const m of await F.srandmember('rk:set', -500)) assert.ok(after.has(m), `the follower picked ${m}, not a member`);
  } finally {
    await F.call('config', 'set', 'replica-serve-reads', 'no');
  }
  await waitSynced();
});

test('lists of chunks and big elements replicate, by replay and by key state: the follower agrees', async () => {
  if (TARGET !== 'pika') return;
  const big = (i) => `big${i}:`.padEnd(LIST_INLINE_MAX_BYTES + 50 + i, 'x');
  const n = 3 * LIST_CHUNK_ELEMENTS;
  await L.rpush('cl:a', ...Array.from({ length: n }, (_, i) => (i % 6 === 0 ? big(i) : `e${i}`)));
  await L.lpush('cl:a', ...Array.from({ length: LIST_CHUNK_ELEMENTS + 2 }, (_, i) => (i % 5 === 0 ? big(i) : `l${i}`)));
  await L.lset('cl:a', LIST_CHUNK_ELEMENTS, big(999));
  await L.lset('cl:a', 0, 'small');
  await L.linsert('cl:a', 'AFTER', 'e40', big(77));
  await L.linsert('cl:a', 'BEFORE', 'l3', 'ins');
  await L.lrem('cl:a', 0, 'e7');
  await L.ltrim('cl:a', 3, -4);
  await L.lpop('cl:a', 5);
  await L.rpop('cl:a', 2);
  // another slot: the binlog records each key's resulting state, chunks and big records as stored
  await L.lmove('cl:a', 'cl:other', 'RIGHT', 'LEFT');
  await L.lmove('cl:a', 'cl:other', 'LEFT', 'LEFT');
  await L.copy('cl:a', 'cl:copy');
  await waitSynced();
  assert.is(await F.call('config', 'set', 'replica-serve-reads', 'yes'), 'OK');
  try {
    for (const key of ['cl:a', 'cl:other', 'cl:copy']) assert.equal(await F.lrange(key, 0, -1), await L.lrange(key, 0, -1), key);
  } finally {
    await F.call('config', 'set', 'replica-serve-reads', 'no');
  }
});

test('100k keys of all five types, a third with expiries, replicate: every slot equal', async () => {
  if (TARGET !== 'pika') return;
  const N = 100_000;
  const CHUNK = 5000;
  for (let start = 0; start < N; start += CHUNK) {
    const p = L.pipeline();
    for (let i = start; i < start + CHUNK; i++) {
      const key = `hk:${i}`;
      switch (i % 5) {
        case 0: p.set(key, `v${i}`); break;
        case 1: p.hset(key, 'f', i, 'g', 'x'); break;
        case 2: p.rpush(key, i, 'x'); break;
        case 3: p.sadd(key, i, 'x'); break;
        default: p.zadd(key, i, 'm', 0, 'x');
      }
      if (i % 3 === 0) p.pexpire(key, 600_000 + i);
    }
    for (const [err] of await p.exec()) if (err) throw err;
  }
  assert.ok((await L.dbsize()) >= N, 'every key is there');
  const d = await waitSynced(60_000);
  assert.is(d.size, SLOTS);
  assert.ok((await L.pttl('hk:99999')) > 0);
  assert.is(await L.exists('hk:0', 'hk:1', 'hk:2', 'hk:3', 'hk:4', 'hk:99999'), 6);
});

test('kill -9 of the follower mid-stream: after restart it catches up without a full sync', async () => {
  if (TARGET !== 'pika') return;
  const load = writeAll(L, 'k9:', 1500);
  await sleep(200);
  await follower.kill9();
  await load;
  await writeAll(L, 'k9b:', 200);
  const logStart = follower.log.length;
  await follower.restart();
  F = client(follower.port);
  await waitSynced();
  const after = follower.log.slice(logStart).join('');
  assert.match(after, /linked to leader/);
  assert.not.match(after, /full sync/);
});

test('a purged offset leads to a full sync under writes, and nothing is lost', async () => {
  if (TARGET !== 'pika') return;
  assert.is(await F.call('pkcluster', 'slotsslaveof', 'no', 'one', 'all'), 'OK');
  assert.match(await F.call('pkcluster', 'info', 'slot', '0'), /Role: Master/);
  await writeAll(L, 'gap:', 300);
  const last = await Promise.all(Array.from({ length: SLOTS }, (_, s) => slotField(L, s, 'binlog_offset')));
  const top = Math.max(...last.map((o) => Number(o.split(':')[1])));
  assert.is(await L.call('purgelogsto', String(top), 'all'), 'OK');
  const load = writeAll(L, 'during:', 800);
  assert.is(await F.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(leader.port), 'all'), 'OK');
  await load;
  await waitSynced();
  assert.match(leader.output(), /full sync of 0:\d+ to .*snapshot at/);
  assert.match(follower.output(), /full sync of 0:\d+ from .*installed at index \d+/);
  assert.is(await L.get('during:s799'), 'v799');
});

test('slotsslaveof ... force makes a follower that is in step take a full sync', async () => {
  if (TARGET !== 'pika') return;
  await writeAll(L, 'force:', 100);
  await waitSynced();
  const [leaderFrom, followerFrom] = [leader.output().length, follower.output().length];
  assert.is(await F.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(leader.port), '3', 'force'), 'OK');
  const deadline = Date.now() + 20_000;
  while (!/full sync of 0:3 from .*installed at index \d+/.test(follower.output().slice(followerFrom))) {
    if (Date.now() > deadline) assert.unreachable(`no full sync of 0:3\n${follower.output().slice(followerFrom)}`);
    await sleep(100);
  }
  assert.match(leader.output().slice(leaderFrom), /full sync of 0:3 to .*snapshot at/);
  // only the slot asked for: no other slot was sent whole
  assert.not.match(leader.output().slice(leaderFrom), /full sync of 0:(?!3\b)\d+ to/);
  await writeAll(L, 'after-force:', 100);
  await waitSynced();
});

test.run();
