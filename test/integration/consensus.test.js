// Consistent mode (consensus-level : 1) between two real nodes: a write answers OK only once the
// follower has it; with the follower gone writes fail cleanly and nothing is applied; a follower
// that stops answering makes a write, and reads of its slot, time out within the bounded wait;
// kill -9 of the leader under a write load loses no acknowledged write once the follower is
// promoted; a slot nobody follows holds back only its own reads.
'use strict';

const { suite } = require('uvu');
const assert = require('uvu/assert');
const { TARGET, startNode, stopAll, client, closeClients, sleep, rejects, RawConn, plain, parseInfo, slotField } = require('./helpers');
const { slotOf } = require('../../dist/common/crc32');
const { CONSENSUS_BATCH_MAX_COMMANDS, REPL_SEND_BATCH_MS } = require('../../dist/common/limits');

const test = suite('consensus');
const SLOTS = 8;
const NOT_MATCH = 'ERR Consensus level not match';
let leader, follower, L, F;

async function slotState(c, slot) {
  const text = await c.call('pkcluster', 'info', 'slot', String(slot));
  return /state=(\w+)/.exec(text)?.[1];
}

/** Waits until the leader `c` sees a follower streaming each of `slots`. */
async function waitStreaming(c = L, slots = Array.from({ length: SLOTS }, (_, s) => s), ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const states = await Promise.all(slots.map((s) => slotState(c, s)));
    if (states.every((s) => s === 'streaming')) return;
    if (Date.now() > deadline) assert.unreachable(`slots not streaming: ${states}`);
    await sleep(100);
  }
}

test.before(async () => {
  if (TARGET !== 'pika') return;
  const args = ['--default-slot-num', String(SLOTS)];
  [leader, follower] = await Promise.all([
    startNode({ args, config: 'consensus-level : 1\n' }),
    startNode({ args, config: 'replica-serve-reads : yes\n' }),
  ]);
  L = client(leader.port);
  F = client(follower.port);
  await F.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(leader.port), 'all');
  await waitStreaming();
});

test.after(async () => {
  closeClients();
  await stopAll();
});

test('an OK means the follower already has the write', async () => {
  if (TARGET !== 'pika') return;
  for (let i = 0; i < 50; i++) {
    assert.is(await L.set(`ack:${i}`, `v${i}`), 'OK');
    assert.is(await F.get(`ack:${i}`), `v${i}`, `ack:${i} on the follower when the leader answered`);
  }
  const tx = await L.multi().incr('ack:n').rpush('ack:l', 'a', 'b').exec();
  assert.equal(tx, [[null, 1], [null, 2]]);
  assert.is(await F.llen('ack:l'), 2);
});

test('the leader sends entries at once while writes wait on acks, and gathers them for a few ms while they do not', async () => {
  if (TARGET !== 'pika') return;
  const batchMs = async () => Number(/send_batch_ms=(\d+)/.exec(await L.call('pkcluster', 'info', 'slot', '0'))?.[1]);
  assert.is(await batchMs(), 0);
  await L.config('SET', 'consensus-level', '0');
  try {
    assert.is(await batchMs(), REPL_SEND_BATCH_MS);
    // gathered entries still arrive
    assert.is(await L.set('batch:k', 'v'), 'OK');
    for (let i = 0; (await F.get('batch:k')) !== 'v'; i++) {
      if (i > 200) assert.unreachable('the write never reached the follower');
      await sleep(10);
    }
  } finally {
    await L.config('SET', 'consensus-level', '1');
  }
  assert.is(await batchMs(), 0);
  assert.is(await L.set('batch:k', 'w'), 'OK');
  assert.is(await F.get('batch:k'), 'w');
});

test('in consistent mode a worker takes at most CONSENSUS_BATCH_MAX_COMMANDS commands per batch', async () => {
  if (TARGET !== 'pika') return;
  // one key, so one worker: 3,000 pipelined reads arrive in one or two socket reads
  const worker = slotOf(Buffer.from('small:batches'), SLOTS) % Number(parseInfo(await L.info('pika')).workers);
  const batches = async () => Number(parseInfo(await L.info('pika')).worker_batches.split(',')[worker].split('=')[1]);
  const before = await batches();
  const n = 3000;
  const pipe = L.pipeline();
  for (let i = 0; i < n; i++) pipe.get('small:batches');
  await pipe.exec();
  const taken = (await batches()) - before;
  assert.ok(taken >= Math.ceil(n / CONSENSUS_BATCH_MAX_COMMANDS), `${n} commands in ${taken} batches`);
});

test('with the follower gone, writes fail with Pika\'s error and apply nothing; reads go on', async () => {
  if (TARGET !== 'pika') return;
  await follower.kill9();
  const deadline = Date.now() + 10_000;
  while ((await slotState(L, 0)) === 'streaming' && Date.now() < deadline) await sleep(50);
  await rejects(L.set('gone:1', 'x'), NOT_MATCH);
  await rejects(L.mset('gone:2', 'x', 'gone:3', 'y'), NOT_MATCH);
  await rejects(L.flushdb(), NOT_MATCH);
  assert.is(await L.exists('gone:1', 'gone:2', 'gone:3'), 0, 'nothing applied');
  assert.is(await L.get('ack:1'), 'v1', 'reads are served');
  // a refused write in MULTI aborts EXEC, as any refusal at queue time does
  const aborted = await L.multi().set('gone:4', 'x').exec().then(() => null, (e) => e);
  assert.match(String(aborted && aborted.message), /EXECABORT/);
  // the restarted follower follows again from replication.json, and writes succeed
  await follower.restart();
  F = client(follower.port);
  await waitStreaming();
  assert.is(await L.set('back:1', 'y'), 'OK');
  assert.is(await F.get('back:1'), 'y');
  assert.is(await F.exists('gone:1', 'gone:2', 'gone:3', 'gone:4'), 0);
});

/** A key of `slot` (of SLOTS) named after `prefix`. */
function keyIn(prefix, slot) {
  for (let i = 0; ; i++) if (slotOf(Buffer.from(`${prefix}${i}`), SLOTS) === slot) return `${prefix}${i}`;
}

/** The slot's binlog index on a node. */
async function lastIndex(c, slot) {
  return Number((await slotField(c, slot, 'binlog_offset')).split(':')[1]);
}

test('a follower that stops acknowledging: the write and reads of its slot answer a timeout; other slots are read at once', async () => {
  if (TARGET !== 'pika') return;
  const slot = slotOf(Buffer.from('stalled'), SLOTS);
  const other = Array.from({ length: 50 }, (_, i) => `ack:${i}`).find((k) => slotOf(Buffer.from(k), SLOTS) !== slot);
  const before = await lastIndex(L, slot);
  const reader = client(leader.port);
  process.kill(follower.pid, 'SIGSTOP');
  try {
    const t0 = Date.now();
    const write = rejects(L.set('stalled', 'x'), /^ERR Consensus timeout: not acknowledged/);
    write.catch(() => {}); // awaited below; a failure then fails this test, not the run
    while ((await lastIndex(L, slot)) === before) await sleep(20);
    // the write is in the leader's log, not acknowledged: a read of its slot must not show it
    const read = rejects(reader.get('stalled'), /^ERR Consensus timeout: the keys read/);
    read.catch(() => {});
    assert.is(await reader.get(other), `v${other.split(':')[1]}`, 'a slot with nothing pending answers');
    await write;
    const waited = Date.now() - t0;
    assert.ok(waited >= 2500 && waited < 9000, `answered after ${waited} ms`);
    await read;
    // the leader shows how far behind, in entries and in ms
    const info = await L.call('pkcluster', 'info', 'slot', String(slot));
    const [, lag, lagMs] = /lag=(\d+) lag_ms=(\d+)/.exec(info);
    assert.ok(Number(lag) >= 1 && Number(lagMs) >= 2500, info);
  } finally {
    process.kill(follower.pid, 'SIGCONT');
  }
  // once it answers again, it catches up (the entry was logged): writes succeed, the read shows it
  assert.is(await L.set('resumed', 'x'), 'OK');
  assert.is(await F.get('stalled'), 'x');
  assert.is(await reader.get('stalled'), 'x');
});

test('kill -9 of the leader under writes: every acknowledged write is on the promoted follower', async () => {
  if (TARGET !== 'pika') return;
  const acked = [];
  let stop = false;
  const writers = Array.from({ length: 4 }, (_, w) => (async () => {
    const c = client(leader.port);
    for (let i = 0; !stop; i++) {
      const key = `load:${w}:${i}`;
      try {
        if ((await c.set(key, String(i))) === 'OK') acked.push(key);
      } catch {
        return;
      }
    }
  })());
  const deadline = Date.now() + 30_000;
  while (acked.length < 300 && Date.now() < deadline) await sleep(20);
  assert.ok(acked.length >= 300, `only ${acked.length} writes acknowledged`);
  await leader.kill9();
  stop = true;
  await Promise.all(writers);
  assert.is(await F.call('pkcluster', 'slotsslaveof', 'no', 'one', 'all'), 'OK');
  const values = await F.mget(...acked);
  const missing = acked.filter((k, i) => values[i] !== k.split(':')[2]);
  assert.equal(missing, [], `${missing.length} of ${acked.length} acknowledged writes missing`);
  assert.is(await F.set('after-promotion', '1'), 'OK', 'the promoted slots take writes');
});

test.run();

// A leader some of whose slots nobody follows: their entries (the expiry cycle's deletions) are
// never acknowledged, and that must hold back nothing but reads of those slots.
const partial = suite('consensus, some slots followed');
let L2, F2;

partial.before(async () => {
  if (TARGET !== 'pika') return;
  const args = ['--default-slot-num', String(SLOTS)];
  const [l, f] = await Promise.all([startNode({ args }), startNode({ args })]);
  L2 = client(l.port);
  F2 = client(f.port);
  await F2.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(l.port), '0-3');
  await waitStreaming(L2, [0, 1, 2, 3]);
});

partial.after(async () => {
  closeClients();
  await stopAll();
});

partial('an unacknowledged expiry in an unfollowed slot holds neither writes nor reads of followed slots', async () => {
  if (TARGET !== 'pika') return;
  const lone = keyIn('lone:', 5);
  const followed = keyIn('followed:', 0);
  // long enough to expire only once consistent mode is on
  assert.is(await L2.set(lone, 'x', 'PX', '1500'), 'OK', 'asynchronous mode: accepted');
  const before = await lastIndex(L2, 5);
  assert.is(await L2.config('SET', 'consensus-level', '1'), 'OK');
  // the expiry cycle deletes the key, logging a DEL in slot 5 that no follower acknowledges
  const deadline = Date.now() + 10_000;
  while ((await lastIndex(L2, 5)) === before) {
    if (Date.now() > deadline) assert.unreachable('no expiry entry in slot 5');
    await sleep(50);
  }
  assert.is(await L2.set(followed, 'y'), 'OK', 'a followed slot does not wait on slot 5');
  assert.is(await L2.get(followed), 'y');
  await rejects(L2.set(lone, 'z'), NOT_MATCH);
  // slot 5's last entry is acknowledged by nobody: a read there cannot be answered
  await rejects(L2.get(lone), /^ERR Consensus timeout: the keys read/);
  assert.is(await L2.config('SET', 'consensus-level', '0'), 'OK');
  assert.is(await L2.get(lone), null, 'asynchronous mode: reads answer at once');
});

partial.run();

// A leader whose slots two followers share out: F1 follows slots 0-3 (and all of table 1), F2
// slots 4-7. A transaction, or a keyless write, waits only on the slots it touches, so a stalled
// F2 holds back nothing F1 follows.
const split = suite('consensus, EXEC and FLUSHDB wait on their own slots');
let L3, leader3, f3a, f3b;

split.before(async () => {
  if (TARGET !== 'pika') return;
  const args = ['--default-slot-num', String(SLOTS)];
  [leader3, f3a, f3b] = await Promise.all([startNode({ args, config: 'consensus-level : 1\n' }), startNode({ args }), startNode({ args })]);
  L3 = client(leader3.port);
  const F3a = client(f3a.port);
  const F3b = client(f3b.port);
  await F3a.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(leader3.port), '0-3');
  await F3a.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(leader3.port), 'all', '1');
  await F3b.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(leader3.port), '4-7');
  const slots = Array.from({ length: SLOTS }, (_, s) => s);
  await waitStreaming(L3, [...slots, ...slots.map((s) => `1:${s}`)]);
});

split.after(async () => {
  closeClients();
  await stopAll();
});

split('EXEC of slot 0 and FLUSHDB of table 1 answer while slot 4 waits on a stopped follower; EXEC with a follower gone is refused', async () => {
  if (TARGET !== 'pika') return;
  const x = `{${keyIn('x', 0)}}`; // a hash tag: x and ${x}n share slot 0
  const y = keyIn('y:', 4);
  const before = await lastIndex(L3, 4);
  const writer = client(leader3.port);
  process.kill(f3b.pid, 'SIGSTOP');
  try {
    const stalled = rejects(writer.set(y, 'x'), /^ERR Consensus timeout: not acknowledged/);
    stalled.catch(() => {}); // awaited below
    while ((await lastIndex(L3, 4)) === before) await sleep(20);
    // slot 4 holds an entry nobody acknowledged: a transaction on slot 0 alone need not wait for it
    assert.equal(await L3.multi().set(x, 'a').incr(`${x}n`).get(x).exec(), [[null, 'OK'], [null, 1], [null, 'a']]);
    // nor FLUSHDB of table 1, whose slots F1 follows
    const t1 = client(leader3.port, { db: 1 });
    assert.is(await t1.set(keyIn('t1:', 2), 'v'), 'OK');
    assert.is(await t1.flushdb(), 'OK');
    assert.is(await t1.dbsize(), 0);
    // a transaction that reads slot 4 waits on it, as the read alone would
    const held = await L3.multi().get(x).get(y).exec().then((r) => r, (e) => e);
    assert.match(String(held && held.message), /^ERR Consensus timeout: the keys read/);
    await stalled;
  } finally {
    process.kill(f3b.pid, 'SIGCONT');
  }
  // a write queued while its slot had a follower: EXEC after the follower went is refused whole
  const raw = await RawConn.open(leader3.port);
  try {
    assert.equal(plain(await raw.call('MULTI')), 'OK');
    assert.equal(plain(await raw.call('SET', x, 'b')), 'QUEUED');
    assert.equal(plain(await raw.call('SET', y, 'b')), 'QUEUED');
    await f3b.kill9();
    const deadline = Date.now() + 10_000;
    while ((await slotState(L3, 4)) === 'streaming' && Date.now() < deadline) await sleep(50);
    assert.equal(plain(await raw.call('EXEC')), '-EXECABORT Transaction discarded because of: Consensus level not match');
  } finally {
    raw.close();
  }
  assert.is(await L3.get(x), 'a', 'nothing of the refused EXEC ran');
});

split.run();
