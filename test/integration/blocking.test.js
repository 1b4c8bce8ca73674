// Blocking commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP) through
// ioredis and raw TCP against a node with two workers, keys placed on both.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, client, RawConn, encode, plain, parseInfo, rejects, sleep, withTimeout, TARGET, keysOnWorker, ERRORS } = require('./helpers');
const { WRONGTYPE } = ERRORS;

const test = suite('blocking');
const h = useNode(test);
const r = () => h.redis;
const port = () => h.node.port;

const UNBLOCKED = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';

// keys on worker 0 (A0, C0) and worker 1 (B1, D1)
const [A0, C0] = keysOnWorker(0, 2, 'a');
const [B1, D1] = keysOnWorker(1, 2, 'b');

async function blockedClients() {
  return Number(parseInfo(await r().info('clients')).blocked_clients);
}

/** Polls INFO until exactly `n` clients are blocked (no timing is asserted, only reached). */
async function waitBlocked(n) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const now = await blockedClients();
    if (now === n) return;
    if (Date.now() > deadline) throw new Error(`blocked_clients stayed ${now}, expected ${n}`);
    await sleep(10);
  }
}

/** A fresh connection for one blocking call; closed by the suite's after-hook. */
const conn = () => client(port());

test.before.each(async () => {
  await r().flushall();
  await waitBlocked(0);
});

test('with data there, each blocking command pops at once', async () => {
  await r().rpush(A0, 'a', 'b', 'c', 'd');
  assert.deepStrictEqual(await r().blpop(A0, 1), [A0, 'a']);
  assert.deepStrictEqual(await r().brpop(A0, 1), [A0, 'd']);
  assert.deepStrictEqual(await r().blmpop(1, 2, B1, A0, 'LEFT', 'COUNT', 5), [A0, ['b', 'c']]);
  assert.strictEqual(await r().exists(A0), 0);
  await r().rpush(A0, 'x', 'y');
  assert.strictEqual(await r().brpoplpush(A0, B1, 1), 'y');
  assert.strictEqual(await r().blmove(A0, B1, 'LEFT', 'RIGHT', 1), 'x');
  assert.deepStrictEqual(await r().lrange(B1, 0, -1), ['y', 'x']);
  await r().zadd(C0, 1, 'one', 2, 'two', 3, 'three');
  assert.deepStrictEqual(await r().bzpopmin(D1, C0, 1), [C0, 'one', '1']);
  assert.deepStrictEqual(await r().bzpopmax(C0, 1), [C0, 'three', '3']);
  assert.deepStrictEqual(await r().call('BZMPOP', 1, 2, D1, C0, 'MIN', 'COUNT', 9), [C0, [['two', '2']]]);
});

test('timeouts: parsed as Redis does, null array when they pass', async () => {
  await rejects(r().blpop(A0, -1), 'ERR timeout is negative');
  await rejects(r().blpop(A0, 'abc'), 'ERR timeout is not a float or out of range');
  if (TARGET === 'pika') {
    // Redis 7.2's checks: 7.0.15 overflows there and answers 'is negative'
    await rejects(r().brpop(A0, '1e300'), 'ERR timeout is out of range');
    await rejects(r().bzpopmin(A0, 'inf'), 'ERR timeout is out of range');
  }
  await rejects(r().blmove(A0, B1, 'LEFT', 'UP', -1), 'ERR syntax error'); // sides are read before the timeout
  await rejects(r().call('BLMPOP', -1, 0, A0, 'LEFT'), 'ERR numkeys should be greater than 0');
  assert.strictEqual(await r().blpop(A0, B1, 0.05), null);
  assert.strictEqual(await r().blmove(A0, B1, 'LEFT', 'LEFT', '0.01'), null);
  assert.strictEqual(await r().call('BZMPOP', '0.01', 1, C0, 'MAX'), null);
  // a raw timed-out reply is the null array, for every one of them
  const c = await RawConn.open(port());
  await c.write(encode(['BRPOPLPUSH', A0, B1, '0.01']));
  await c.waitFor(() => c.text().length >= 5, 10_000, 'the timeout');
  assert.strictEqual(c.text(), '*-1\r\n');
  c.close();
  assert.strictEqual(await blockedClients(), 0);
});

test('a push from another connection on the other worker wakes the client, on the key it pushed', async () => {
  const blocked = conn().blpop(A0, B1, 0);
  await waitBlocked(1);
  assert.strictEqual(await r().rpush(B1, 'x', 'y'), 2);
  assert.deepStrictEqual(await blocked, [B1, 'x']);
  assert.deepStrictEqual(await r().lrange(B1, 0, -1), ['y']);
  assert.strictEqual(await blockedClients(), 0);
});

test('clients blocked on one key are served in arrival order', async () => {
  const c1 = conn().brpop(A0, 0);
  await waitBlocked(1);
  const c2 = conn().brpop(A0, 0);
  await waitBlocked(2);
  const c3 = conn().blmpop(0, 1, A0, 'RIGHT', 'COUNT', 10);
  await waitBlocked(3);
  await r().lpush(A0, 'a', 'b', 'c', 'd');
  assert.deepStrictEqual(await c1, [A0, 'a']);
  assert.deepStrictEqual(await c2, [A0, 'b']);
  assert.deepStrictEqual(await c3, [A0, ['c', 'd']]);
  assert.strictEqual(await r().exists(A0), 0);
});

test('a push serves only as many clients as it has elements; the rest wait on', async () => {
  const c1 = conn().blpop(B1, 0);
  await waitBlocked(1);
  const c2 = conn().blpop(B1, 0);
  await waitBlocked(2);
  await r().rpush(B1, 'only');
  assert.deepStrictEqual(await c1, [B1, 'only']);
  assert.strictEqual(await blockedClients(), 1);
  await r().rpush(B1, 'next');
  assert.deepStrictEqual(await c2, [B1, 'next']);
});

test('a client that disconnects while blocked is forgotten', async () => {
  const gone = conn();
  gone.blpop(A0, 0).catch(() => {});
  await waitBlocked(1);
  const info = await r().client('LIST');
  assert.match(info, /flags=b .*cmd=blpop/);
  gone.disconnect();
  await waitBlocked(0);
  const next = conn().blpop(A0, 0);
  await waitBlocked(1);
  await r().rpush(A0, 'v');
  assert.deepStrictEqual(await next, [A0, 'v']);
  assert.strictEqual(await r().exists(A0), 0);
});

test('CLIENT UNBLOCK: TIMEOUT answers null, ERROR the UNBLOCKED error; others answer 0', async () => {
  const c = conn();
  const id = await c.client('ID');
  let p = c.blpop(A0, 0);
  await waitBlocked(1);
  assert.strictEqual(await r().client('UNBLOCK', id), 1);
  assert.strictEqual(await p, null);
  p = c.bzpopmin(C0, 0);
  await waitBlocked(1);
  assert.strictEqual(await r().client('UNBLOCK', id, 'timeout'), 1);
  assert.strictEqual(await p, null);
  p = c.blmove(A0, B1, 'LEFT', 'LEFT', 0);
  p.catch(() => {}); // rejects before UNBLOCK answers; asserted below
  await waitBlocked(1);
  assert.strictEqual(await r().client('UNBLOCK', id, 'ERROR'), 1);
  await rejects(p, UNBLOCKED);
  assert.strictEqual(await r().client('UNBLOCK', id), 0);
  assert.strictEqual(await r().client('UNBLOCK', await r().client('ID')), 0);
  assert.strictEqual(await r().client('UNBLOCK', 999999), 0);
  await rejects(r().client('UNBLOCK', 'asd'), 'ERR value is not an integer or out of range');
  await rejects(r().client('UNBLOCK', id, 'later'), 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  // the unblocked connection still works, and blocks again
  p = c.blpop(A0, 0);
  await waitBlocked(1);
  await r().rpush(A0, 'after');
  assert.deepStrictEqual(await p, [A0, 'after']);
});

test('INFO blocked_clients and CLIENT LIST flags follow parked clients', async () => {
  const c = conn();
  const id = await c.client('ID');
  assert.match(await r().client('LIST', 'ID', id), /flags=N /);
  const p = c.bzpopmax(C0, D1, 0);
  await waitBlocked(1);
  assert.match(await r().client('LIST', 'ID', id), /flags=b /);
  await r().zadd(D1, 5, 'm');
  assert.deepStrictEqual(await p, [D1, 'm', '5']);
  assert.match(await r().client('LIST', 'ID', id), /flags=N /);
  assert.strictEqual(await blockedClients(), 0);
});

test('BLMOVE across workers: the move is whole, and wakes a client blocked on the destination', async () => {
  const target = conn().blpop(B1, 0); // B1 lives on worker 1
  await waitBlocked(1);
  const mover = conn().blmove(A0, B1, 'RIGHT', 'LEFT', 0); // A0 on worker 0
  await waitBlocked(2);
  await r().rpush(A0, 'foo');
  assert.strictEqual(await mover, 'foo');
  assert.deepStrictEqual(await target, [B1, 'foo']);
  assert.strictEqual(await r().exists(A0, B1), 0);
});

test('linked and circular BRPOPLPUSH across workers settle before the push answers', async () => {
  const c1 = conn().brpoplpush(A0, B1, 0);
  await waitBlocked(1);
  const c2 = conn().brpoplpush(B1, C0, 0);
  await waitBlocked(2);
  await r().rpush(A0, 'foo');
  // both moves happened before RPUSH answered, as in Redis
  assert.deepStrictEqual(await r().lrange(A0, 0, -1), []);
  assert.deepStrictEqual(await r().lrange(B1, 0, -1), []);
  assert.deepStrictEqual(await r().lrange(C0, 0, -1), ['foo']);
  assert.strictEqual(await c1, 'foo');
  assert.strictEqual(await c2, 'foo');

  const d1 = conn().brpoplpush(A0, D1, 0);
  await waitBlocked(1);
  const d2 = conn().brpoplpush(D1, A0, 0);
  await waitBlocked(2);
  await r().rpush(A0, 'round');
  assert.deepStrictEqual(await r().lrange(A0, 0, -1), ['round']);
  assert.deepStrictEqual(await r().lrange(D1, 0, -1), []);
  assert.strictEqual(await d1, 'round');
  assert.strictEqual(await d2, 'round');
});

test('a write that leaves the key of another type, or empty, does not wake; the right push does', async () => {
  const p = conn().blpop(A0, 0);
  await waitBlocked(1);
  await r().set(A0, 'str');
  await r().del(A0);
  await r().zadd(A0, 1, 'm'); // a zset: BLPOP waits on
  assert.strictEqual(await blockedClients(), 1);
  await r().del(A0);
  await r().lpush(A0, 'list');
  assert.deepStrictEqual(await p, [A0, 'list']);
});

test('clients waiting for different types on one key: each is served by its own type', async () => {
  const z = conn().bzpopmin(B1, 0);
  await waitBlocked(1);
  const l = conn().brpop(B1, 0);
  await waitBlocked(2);
  await r().rpush(B1, 'e');
  assert.deepStrictEqual(await l, [B1, 'e']);
  assert.strictEqual(await blockedClients(), 1);
  await r().zadd(B1, 7, 'z');
  assert.deepStrictEqual(await z, [B1, 'z', '7']);
});

test('WRONGTYPE: answered at once, or on wake-up for a BRPOPLPUSH destination', async () => {
  await r().set(A0, 'x');
  await rejects(r().blpop(B1, A0, 0), WRONGTYPE);
  await rejects(r().bzpopmin(A0, 0), WRONGTYPE);
  await rejects(r().call('BLMPOP', 0, 1, A0, 'LEFT'), WRONGTYPE);
  const p = conn().brpoplpush(B1, A0, 0);
  p.catch(() => {}); // rejects before RPUSH answers; asserted below
  await waitBlocked(1);
  await r().rpush(B1, 'kept');
  await rejects(p, WRONGTYPE);
  assert.deepStrictEqual(await r().lrange(B1, 0, -1), ['kept']);
});

test('the same key named twice, and a key renamed into place', async () => {
  const p = conn().blpop(A0, B1, B1, A0, 0);
  await waitBlocked(1);
  await r().lpush(B1, 'b');
  assert.deepStrictEqual(await p, [B1, 'b']);
  const q = conn().call('BLMPOP', 0, 1, C0, 'LEFT');
  await waitBlocked(1);
  await r().rpush(`{${C0}}src`, 'x', 'y');
  await r().rename(`{${C0}}src`, C0);
  assert.deepStrictEqual(await q, [C0, ['x']]);
});

test('a timed-out client is not served later: the element stays', async () => {
  assert.strictEqual(await conn().blpop(D1, 0.05), null);
  await r().rpush(D1, 'stays');
  assert.deepStrictEqual(await r().lrange(D1, 0, -1), ['stays']);
});

test('a blocked client runs its later pipelined commands only after its reply', async () => {
  const c = await RawConn.open(port());
  await c.write(Buffer.concat([encode(['BLPOP', A0, '0']), encode(['PING']), encode(['LLEN', A0])]));
  await waitBlocked(1);
  assert.strictEqual(c.text(), '');
  await r().rpush(A0, 'a', 'b');
  assert.deepStrictEqual((await c.replies(3)).map(plain), [[A0, 'a'], 'PONG', 1]);
  // its own push, pipelined behind its BLPOP, cannot wake it: the BLPOP times out first
  await c.write(Buffer.concat([encode(['BLPOP', B1, '0.05']), encode(['RPUSH', B1, 'late']), encode(['LRANGE', B1, '0', '-1'])]));
  assert.deepStrictEqual((await c.replies(3)).map(plain), [null, 1, ['late']]);
  c.close();
});

test('past BLOCKED_HELD_COMMANDS_MAX held commands a blocked client is still read: its disconnect is seen, and when served it runs them all', async () => {
  const held = 60_000; // over the 10,000 held as commands; the rest waits unframed
  const pings = Buffer.from('*1\r\n$4\r\nPING\r\n'.repeat(held));
  const gone = await RawConn.open(port());
  await gone.write(Buffer.concat([encode(['BLPOP', A0, '0']), pings]));
  await waitBlocked(1);
  gone.close();
  await waitBlocked(0);
  await r().rpush(A0, 'kept');
  assert.deepStrictEqual(await r().lrange(A0, 0, -1), ['kept'], 'the push stays in the list');

  const c = await RawConn.open(port());
  await c.write(Buffer.concat([encode(['BLPOP', B1, '0']), pings, encode(['ECHO', 'last'])]));
  await waitBlocked(1);
  await r().rpush(B1, 'x');
  const replies = await c.replies(held + 2, 60_000);
  assert.deepStrictEqual(plain(replies[0]), [B1, 'x']);
  assert.strictEqual(replies.slice(1, -1).filter((p) => plain(p) === 'PONG').length, held);
  assert.strictEqual(plain(replies[held + 1]), 'last');
  c.close();
});

test('BZMPOP and BLMPOP blocked on several keys, woken by the second', async () => {
  const z = conn().call('BZMPOP', 0, 2, C0, D1, 'MAX', 'COUNT', 2);
  const l = conn().call('BLMPOP', 0, 2, A0, B1, 'RIGHT', 'COUNT', 2);
  await waitBlocked(2);
  await r().zadd(D1, 1, 'a', 2, 'b', 3, 'c');
  await r().rpush(B1, '1', '2', '3');
  assert.deepStrictEqual(await z, [D1, [['c', '3'], ['b', '2']]]);
  assert.deepStrictEqual(await l, [B1, ['3', '2']]);
});

test('many clients, many pushes: every element reaches exactly one client', async () => {
  const n = 20;
  const waiting = [];
  for (let i = 0; i < n; i++) waiting.push(conn().blpop(i % 2 ? A0 : B1, 0));
  await waitBlocked(n);
  const pushes = [];
  for (let i = 0; i < n; i++) pushes.push(r().rpush(i % 2 ? A0 : B1, `v${i}`));
  await Promise.all(pushes);
  const got = (await withTimeout(Promise.all(waiting), 30_000, 'every client served')).map((x) => x[1]).sort();
  assert.deepStrictEqual(got, Array.from({ length: n }, (_, i) => `v${i}`).sort());
  assert.strictEqual(await r().exists(A0, B1), 0);
});

test('inside MULTI they answer at once as their non-blocking forms', async () => {
  await r().rpush(A0, 'a', 'b');
  const res = await r().multi().blpop(A0, 0).brpoplpush(A0, B1, 0).blpop(A0, 0).blmove(A0, B1, 'LEFT', 'LEFT', 0).call('BZMPOP', 0, 1, C0, 'MIN').exec();
  assert.deepStrictEqual(res.map(([e, v]) => (e ? e.message : v)), [[A0, 'a'], 'b', null, null, null]);
  assert.strictEqual(await blockedClients(), 0);
});

test('EXEC wakes clients once, after its last command: LPUSH + DEL does not wake, three LPUSHes give the last', async () => {
  const p = conn().blpop(A0, 0);
  await waitBlocked(1);
  await r().multi().lpush(A0, 'x').del(A0).exec();
  await r().multi().lpush(A0, 'y').del(A0).set(A0, 'str').exec();
  assert.strictEqual(await blockedClients(), 1);
  await r().del(A0);
  await r().multi().lpush(A0, 'a').lpush(A0, 'b').lpush(A0, 'c').exec();
  assert.deepStrictEqual(await p, [A0, 'c']);
  assert.deepStrictEqual(await r().lrange(A0, 0, -1), ['b', 'a']);
});

test('a served pop dirties WATCH on the keys it wrote, at once or on wake-up', async () => {
  const w = conn();
  await r().rpush(A0, 'a', 'b');
  await w.watch(A0);
  assert.deepStrictEqual(await conn().blpop(A0, 0), [A0, 'a']); // A0 still exists: only the pop tells
  assert.strictEqual(await w.multi().get(C0).exec(), null);
  await r().rpush(B1, 'old');
  await w.watch(B1);
  const mover = conn().brpoplpush(D1, B1, 0);
  await waitBlocked(1);
  await r().rpush(D1, 'new');
  assert.strictEqual(await mover, 'new');
  assert.strictEqual(await w.multi().get(C0).exec(), null);
});

test('RESP3: a timed-out client gets the RESP3 null, a woken BZPOPMIN a double score', async () => {
  const c = await RawConn.open(port());
  await c.write(encode(['HELLO', '3']));
  await c.waitFor(() => c.text().includes('proto'), 10_000, 'HELLO 3');
  const skip = c.bytes().length;
  await c.write(encode(['BLPOP', A0, '0.01']));
  await c.waitFor(() => c.bytes().length >= skip + 3, 10_000, 'the timeout');
  assert.strictEqual(c.text().slice(skip), '_\r\n');
  await c.write(encode(['BZPOPMIN', C0, '0']));
  await waitBlocked(1);
  await r().zadd(C0, 1.5, 'm');
  await c.waitFor(() => c.text().length > skip + 3 + 20, 10_000, 'the pop');
  assert.strictEqual(c.text().slice(skip + 3), `*3\r\n$${C0.length}\r\n${C0}\r\n$1\r\nm\r\n,1.5\r\n`);
  c.close();
});

test('COMMAND INFO describes them as Redis 7.0 does', async () => {
  const [blpop] = await r().command('INFO', 'blpop');
  assert.strictEqual(blpop[1], -3);
  assert.ok(blpop[2].includes('blocking') && blpop[2].includes('write'));
  const [bzmpop] = await r().command('INFO', 'bzmpop');
  assert.strictEqual(bzmpop[1], -5);
  assert.deepStrictEqual(await r().command('GETKEYS', 'blmpop', '0', '2', 'x', 'y', 'left'), ['x', 'y']);
});

test.run();
