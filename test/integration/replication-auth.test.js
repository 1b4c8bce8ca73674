// masterauth between real nodes: a leader with requirepass refuses a follower whose masterauth
// is wrong (its slots stay connecting, the leader counts no follower), and streams to it once
// CONFIG SET masterauth gives the right password; writes then replicate.
'use strict';

const { suite } = require('uvu');
const assert = require('uvu/assert');
const { TARGET, startNode, stopAll, client, closeClients, sleep, slotField } = require('./helpers');
const { REPL_BACKOFF_MAX_MS } = require('../../dist/common/limits');

const test = suite('replication: masterauth');
const SLOTS = 4;
let leader, follower, L, F;

test.before(async () => {
  if (TARGET !== 'pika') return;
  const args = ['--default-slot-num', String(SLOTS)];
  [leader, follower] = await Promise.all([
    startNode({ args, config: 'requirepass : leader-pw\n' }),
    startNode({ args, config: 'masterauth : wrong-pw\nreplica-serve-reads : yes\n' }),
  ]);
  L = client(leader.port, { password: 'leader-pw' });
  F = client(follower.port);
});

test.after(async () => {
  closeClients();
  await stopAll();
});

test('a wrong masterauth is refused; the right one, set live, streams and the writes replicate', async () => {
  if (TARGET !== 'pika') return;
  assert.is(await F.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(leader.port), 'all'), 'OK');
  // several attempts at the first backoff steps (100, 200, 400 ms ...), each refused
  await sleep(1500);
  for (let s = 0; s < SLOTS; s++) {
    assert.is(await slotField(F, s, 'repl_state'), 'connecting');
    assert.is(await slotField(L, s, 'connected_slaves'), '0');
  }
  assert.match(follower.output(), /refused the link: WRONGPASS/);

  await F.config('SET', 'masterauth', 'leader-pw');
  const deadline = Date.now() + REPL_BACKOFF_MAX_MS + 10_000;
  for (;;) {
    const states = await Promise.all(Array.from({ length: SLOTS }, (_, s) => slotField(F, s, 'repl_state')));
    if (states.every((st) => st === 'streaming')) break;
    if (Date.now() > deadline) assert.unreachable(`slots never streamed with the right masterauth: ${states}\n${follower.output().slice(-2000)}`);
    await sleep(100);
  }
  assert.is(await slotField(L, 0, 'connected_slaves'), '1');
  const pipe = L.pipeline();
  for (let i = 0; i < 100; i++) pipe.set(`auth:k${i}`, `v${i}`);
  await pipe.exec();
  for (let i = 0; (await F.get('auth:k99')) !== 'v99'; i++) {
    if (i > 200) assert.unreachable('the writes never reached the follower');
    await sleep(20);
  }
  const got = await F.mget(Array.from({ length: 100 }, (_, i) => `auth:k${i}`));
  assert.equal(got, Array.from({ length: 100 }, (_, i) => `v${i}`));
});

test.run();
