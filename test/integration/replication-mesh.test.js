// Replication between three real nodes where every node leads some slots and follows others,
// as in Pika's cluster (each slot its own replication group): A leads slots 0-3, B leads 4-7;
// B follows A's slots, A follows B's, and C follows every slot from whichever node leads it, so
// each slot has two followers. Writes go to each key's leader (there is no forwarding: a
// follower slot answers READONLY), digests agree per slot on all three nodes; B killed with -9
// catches A's slots up incrementally; C promoted for B's slots leads them, A and later B follow
// it; consistent mode on A holds with either follower of a slot and refuses with both gone.
'use strict';

const { suite } = require('uvu');
const assert = require('uvu/assert');
const { TARGET, startNode, stopAll, client, closeClients, sleep, rejects, slotField } = require('./helpers');
const { slotOf } = require('../../dist/common/crc32');

const test = suite('replication mesh');
const SLOTS = 8;
const A_SLOTS = [0, 1, 2, 3];
const B_SLOTS = [4, 5, 6, 7];
const ALL = [...A_SLOTS, ...B_SLOTS];
const NOT_MATCH = 'ERR Consensus level not match';
const opts = { workers: 2, args: ['--default-slot-num', String(SLOTS)] };
/** Nodes and their clients; `leaders[slot]` is the client of the node leading that slot now. */
let a, b, c, A, B, C;
const leaders = [];

const slotOfKey = (key) => slotOf(Buffer.from(key), SLOTS);

/** A key of `slot` named after `prefix`. */
function keyIn(prefix, slot) {
  for (let i = 0; ; i++) if (slotOfKey(`${prefix}${i}`) === slot) return `${prefix}${i}`;
}

/** `pkcluster digest` of some slots as slot → digest. */
async function digests(cl, slots) {
  const flat = await cl.call('pkcluster', 'digest', `${slots[0]}-${slots[slots.length - 1]}`);
  const m = new Map();
  for (let i = 0; i < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
  return m;
}

/** Waits until each of `slots` has the same digest on every one of `nodes`; returns the first node's. */
async function waitSynced(nodes, slots, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const all = await Promise.all(nodes.map((n) => digests(n, slots)));
    const differ = slots.filter((s) => all.some((d) => d.get(s) !== all[0].get(s)));
    if (differ.length === 0) return all[0];
    if (Date.now() > deadline) {
      assert.equal(differ.map((s) => all.map((d) => d.get(s))), [], `slots ${differ} differ between nodes`);
    }
    await sleep(100);
  }
}

/** Per slot, the followers a leader sees streaming it. */
async function streamingFollowers(cl, slots) {
  const text = await cl.call('pkcluster', 'info', 'slot', `${slots[0]}-${slots[slots.length - 1]}`);
  const out = new Map();
  for (const block of text.split('(db0:').slice(1)) {
    const slot = Number(block.slice(0, block.indexOf(')')));
    out.set(slot, (block.match(/state=streaming/g) || []).length);
  }
  return out;
}

/** Waits until the leader `cl` sees exactly `n` followers streaming each of `slots`. */
async function waitFollowers(cl, slots, n, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await streamingFollowers(cl, slots);
    if (slots.every((s) => got.get(s) === n)) return;
    if (Date.now() > deadline) assert.unreachable(`expected ${n} streaming followers of slots ${slots}, got ${[...got]}`);
    await sleep(100);
  }
}

/**
 * Writes every type with expiries, each command sent to the leader of its key's slot (`slots`
 * limits the slots written). Multi-key commands keep their keys in one slot with a hash tag.
 */
async function writeRouted(prefix, n, slots = ALL) {
  const pipes = new Map();
  const pipeOf = (key) => {
    const cl = leaders[slotOfKey(key)];
    if (!pipes.has(cl)) pipes.set(cl, cl.pipeline());
    return pipes.get(cl);
  };
  const ok = (key) => slots.includes(slotOfKey(key));
  for (let i = 0; i < n; i++) {
    const k = (t) => `${prefix}${t}${i % 40}`;
    const s = `${prefix}s${i}`;
    if (ok(s)) pipeOf(s).set(s, `v${i}`, 'EX', 1000 + i);
    if (ok(k('h'))) pipeOf(k('h')).hset(k('h'), `f${i}`, i).pexpire(k('h'), 900_000 + i);
    if (ok(k('l'))) pipeOf(k('l')).rpush(k('l'), i);
    if (ok(k('set'))) pipeOf(k('set')).sadd(k('set'), `m${i}`);
    if (ok(k('z'))) pipeOf(k('z')).zadd(k('z'), i, `m${i}`).expire(k('z'), 5000);
    const tag = `{${prefix}t${i % 16}}`;
    if (ok(tag)) {
      const p = pipeOf(tag);
      p.incrbyfloat(`${tag}f`, '0.1').hincrbyfloat(`${tag}hf`, 'x', '1.5').spop(`${tag}set`);
      p.sadd(`${tag}set`, `a${i}`, `b${i}`).rpush(`${tag}src`, i).lmove(`${tag}src`, `${tag}dst`, 'LEFT', 'RIGHT');
      p.set(`${tag}gone${i}`, 'x', 'PX', 1).setex(`${tag}ex${i}`, 100, 'x');
      if (i % 5 === 0) p.rename(`${tag}f`, `${tag}f2`);
    }
  }
  const results = await Promise.all([...pipes.values()].map((p) => p.exec()));
  for (const res of results) for (const [err] of res) if (err) throw err;
}

/** The node's log from `from` (a length of node.log) on. */
const logSince = (node, from) => node.log.slice(from).join('');

test.before(async () => {
  if (TARGET !== 'pika') return;
  [a, b, c] = await Promise.all([startNode(opts), startNode(opts), startNode(opts)]);
  A = client(a.port);
  B = client(b.port);
  C = client(c.port);
  const range = (slots) => `${slots[0]}-${slots[slots.length - 1]}`;
  assert.is(await B.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(a.port), range(A_SLOTS)), 'OK');
  assert.is(await A.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(b.port), range(B_SLOTS)), 'OK');
  assert.is(await C.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(a.port), range(A_SLOTS)), 'OK');
  assert.is(await C.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(b.port), range(B_SLOTS)), 'OK');
  for (const s of A_SLOTS) leaders[s] = A;
  for (const s of B_SLOTS) leaders[s] = B;
  await Promise.all([waitFollowers(A, A_SLOTS, 2), waitFollowers(B, B_SLOTS, 2)]);
});

test.after(async () => {
  if (process.env.REPL_DEBUG) for (const n of [a, b, c]) console.log(n.output().slice(-3000));
  closeClients();
  await stopAll();
});

test('roles: each node leads its slots and follows the others; followers refuse writes', async () => {
  if (TARGET !== 'pika') return;
  const roleOf = async (cl, slot) => /Role: (\w+)/.exec(await cl.call('pkcluster', 'info', 'slot', String(slot)))[1];
  assert.equal(await Promise.all([A, B, C].map((cl) => roleOf(cl, 0))), ['Master', 'Slave', 'Slave']);
  assert.equal(await Promise.all([A, B, C].map((cl) => roleOf(cl, 7))), ['Slave', 'Master', 'Slave']);
  assert.match(await A.call('pkcluster', 'info', 'slot', '5'), new RegExp(`master: 127.0.0.1:${b.port}\\r\\n  repl_state: streaming`));
  assert.match(await C.call('pkcluster', 'info', 'slot', '1'), new RegExp(`master: 127.0.0.1:${a.port}\\r\\n  repl_state: streaming`));
  // INFO replication counts links both ways: A and B lead (two follower nodes each) and follow one leader
  assert.match(await A.info('replication'), /role:master\r\nconnected_slaves:2\r\nfollowing_slots:4\r\nleaders:1/);
  assert.match(await C.info('replication'), /role:slave\r\nconnected_slaves:0\r\nfollowing_slots:8\r\nleaders:2/);
  await rejects(A.set(keyIn('ro:', 5), 'x'), "READONLY You can't write against a read only replica.");
  await rejects(B.set(keyIn('ro:', 0), 'x'), "READONLY You can't write against a read only replica.");
  await rejects(C.set(keyIn('ro:', 3), 'x'), "READONLY You can't write against a read only replica.");
  // FLUSHDB would reach follower slots on every node
  await rejects(A.flushdb(), /^READONLY/);
  // replica-serve-reads defaults to no: only a slot's leader answers reads
  await rejects(C.get(keyIn('ro:', 3)), new RegExp(`^ERR slot \\d+ follows 127.0.0.1:${a.port} and replica-serve-reads is no$`));
  assert.is(await A.get(keyIn('ro:', 3)), null);
});

test('every type with expiries, written through both leaders: each slot equal on all three nodes', async () => {
  if (TARGET !== 'pika') return;
  await writeRouted('m1:', 600);
  const d = await waitSynced([A, B, C], ALL);
  const EMPTY = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
  assert.ok(ALL.every((s) => d.get(s) !== EMPTY), `every slot holds data: ${[...d]}`);
  // a key of each leader, read on its leader, with its expiry
  const onB = Array.from({ length: 600 }, (_, i) => `m1:s${i}`).find((k) => slotOfKey(k) >= 4);
  assert.is(await B.get(onB), `v${onB.slice(4)}`);
  assert.ok((await B.ttl(onB)) > 900);
});

test('consistent mode on A: writes go on with both followers and with one; level 2 needs both', async () => {
  if (TARGET !== 'pika') return;
  const key = keyIn('cl:', 2);
  assert.is(await A.config('SET', 'consensus-level', '2'), 'OK');
  assert.is(await A.set(key, 'two'), 'OK', 'both followers stream slot 2');
  assert.is(await A.config('SET', 'consensus-level', '1'), 'OK');
  assert.is(await A.set(key, 'one'), 'OK');
  await b.kill9();
  await waitFollowers(A, A_SLOTS, 1);
  assert.is(await A.set(key, 'c-only'), 'OK', 'C alone acknowledges');
  assert.is(await A.config('SET', 'consensus-level', '2'), 'OK');
  await rejects(A.set(key, 'refused'), NOT_MATCH);
  assert.is(await A.config('SET', 'consensus-level', '1'), 'OK');
  assert.is(await A.get(key), 'c-only', 'the refused write applied nothing');
});

test('B down: A\'s slots keep taking writes; C promoted for B\'s slots leads them, A follows C', async () => {
  if (TARGET !== 'pika') return;
  await writeRouted('down:', 400, A_SLOTS);
  assert.is(await C.call('pkcluster', 'slotsslaveof', 'no', 'one', '4-7'), 'OK');
  assert.match(await C.call('pkcluster', 'info', 'slot', '4'), /Role: Master/);
  assert.is(await A.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(c.port), '4-7'), 'OK');
  for (const s of B_SLOTS) leaders[s] = C;
  await waitFollowers(C, B_SLOTS, 1);
  await writeRouted('promoted:', 400);
  await waitSynced([A, C], ALL);
  assert.match(await A.call('pkcluster', 'info', 'slot', '6'), new RegExp(`master: 127.0.0.1:${c.port}`));
});

test('consistent mode on A: with both followers of its slots gone a write is refused and applies nothing', async () => {
  if (TARGET !== 'pika') return;
  await c.kill9();
  await waitFollowers(A, A_SLOTS, 0);
  const keys = A_SLOTS.map((s) => keyIn('none:', s));
  for (const k of keys) await rejects(A.set(k, 'x'), NOT_MATCH);
  await rejects(A.mset(keys[0], 'x', keys[1], 'y'), NOT_MATCH);
  // C comes back: it follows A's slots again (replication.json) and leads B's, A follows it again
  await c.restart();
  C = client(c.port);
  for (const s of B_SLOTS) leaders[s] = C;
  await Promise.all([waitFollowers(A, A_SLOTS, 1), waitFollowers(C, B_SLOTS, 1)]);
  // asked only now: the expiry cycle's deletions while no follower acknowledged them hold reads back
  assert.is(await A.exists(...keys), 0, 'the refused writes applied nothing');
  assert.is(await A.set(keys[0], 'back'), 'OK');
});

test('B restarts: it catches A\'s slots up without a full sync, then follows C for its old slots', async () => {
  if (TARGET !== 'pika') return;
  const from = b.log.length;
  await b.restart();
  B = client(b.port);
  await waitFollowers(A, A_SLOTS, 2);
  await writeRouted('after:', 300, A_SLOTS);
  await waitSynced([A, B, C], A_SLOTS);
  const caughtUp = logSince(b, from);
  assert.match(caughtUp, /linked to leader/);
  assert.not.match(caughtUp, /full sync/);
  // consistent mode: with C gone again, B alone acknowledges A's slots
  await c.kill9();
  await waitFollowers(A, A_SLOTS, 1);
  const key = keyIn('b-only:', 1);
  assert.is(await A.set(key, 'b'), 'OK', 'B alone acknowledges');
  await c.restart();
  C = client(c.port);
  for (const s of B_SLOTS) leaders[s] = C;
  // B's old slots: it left them as a leader, C leads them now in a newer term
  assert.is(await B.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(c.port), '4-7'), 'OK');
  await Promise.all([waitFollowers(A, A_SLOTS, 2), waitFollowers(C, B_SLOTS, 2)]);
  await writeRouted('final:', 400);
  const d = await waitSynced([A, B, C], ALL);
  assert.is(d.size, SLOTS);
  assert.is(await C.call('config', 'set', 'replica-serve-reads', 'yes'), 'OK');
  assert.is(await C.get(key), 'b');
  assert.is(await C.call('config', 'set', 'replica-serve-reads', 'no'), 'OK');
});

async function waitReplState(cl, slot, state, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await slotField(cl, slot, 'repl_state');
    if (got === state) return;
    if (Date.now() > deadline) assert.unreachable(`slot ${slot}: repl_state ${got}, expected ${state}`);
    await sleep(100);
  }
}

test('slot 7 handed from C to A, C re-pointed before A is promoted: C\'s follower is told, C follows A once A leads', async () => {
  if (TARGET !== 'pika') return;
  // A still follows C for slot 7, so A refuses C's handshake for it
  assert.is(await C.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(a.port), '7'), 'OK');
  await waitReplState(C, 7, 'refused');
  // C leads slot 7 no more: B, still following C there, must not take C's log for a leader's
  await waitReplState(B, 7, 'refused');
  assert.is(await A.call('pkcluster', 'slotsslaveof', 'no', 'one', '7'), 'OK');
  leaders[7] = A;
  // C asks again by itself and streams slot 7 from A; B is pointed at A
  await waitFollowers(A, [7], 1);
  assert.is(await B.call('pkcluster', 'slotsslaveof', '127.0.0.1', String(a.port), '7'), 'OK');
  await waitFollowers(A, [7], 2);
  await writeRouted('handover:', 300);
  const d = await waitSynced([A, B, C], ALL);
  assert.ok(d.get(7) !== 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  assert.match(await C.call('pkcluster', 'info', 'slot', '7'), new RegExp(`Role: Slave\\r\\n  master: 127.0.0.1:${a.port}\\r\\n  repl_state: streaming`));
});

test.run();
