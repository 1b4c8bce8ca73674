// Consistent mode (consensus-level : 1) between two real nodes: a write answers OK only once the
// follower has it; with the follower gone writes fail cleanly and nothing is applied; a follower
// that stops answering makes a write time out within the bounded wait; kill -9 of the leader under
// a write load loses no acknowledged write once the follower is promoted.
'use strict';

const { suite } = require('uvu');
const assert = require('uvu/assert');
const { TARGET, startNode, stopAll, client, closeClients, sleep, rejects } = require('./helpers');
const { slotOf } = require('../../dist/common/crc32');

const test = suite('consensus');
const SLOTS = 8;
const NOT_MATCH = 'ERR Consensus level not match';
let leader, follower, L, F;

async function slotState(c, slot) {
  const text = await c.call('pkcluster', 'info', 'slot', String(slot));
  return /state=(\w+)/.exec(text)?.[1];
}

/** Waits until the leader sees the follower streaming every slot. */
async function waitStreaming(ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const states = await Promise.all(Array.from({ length: SLOTS }, (_, s) => slotState(L, s)));
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

test('a follower that stops acknowledging makes a write answer a timeout within the bounded wait', async () => {
  if (TARGET !== 'pika') return;
  process.kill(follower.pid, 'SIGSTOP');
  try {
    const t0 = Date.now();
    await rejects(L.set('stalled', 'x'), /^ERR Consensus timeout/);
    const waited = Date.now() - t0;
    assert.ok(waited >= 2500 && waited < 9000, `answered after ${waited} ms`);
    // the leader shows how far behind, in entries and in ms
    const info = await L.call('pkcluster', 'info', 'slot', String(slotOf(Buffer.from('stalled'), SLOTS)));
    const [, lag, lagMs] = /lag=(\d+) lag_ms=(\d+)/.exec(info);
    assert.ok(Number(lag) >= 1 && Number(lagMs) >= 2500, info);
  } finally {
    process.kill(follower.pid, 'SIGCONT');
  }
  // once it answers again, it catches up (the entry was logged) and writes succeed
  assert.is(await L.set('resumed', 'x'), 'OK');
  assert.is(await F.get('stalled'), 'x');
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
