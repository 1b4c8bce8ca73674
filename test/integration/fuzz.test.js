// Every command the node lists, with a few kinds of odd arguments each, pipelined on one
// connection: whatever each answers, the node must stay up and keep serving.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, RawConn, encode, plain, alive } = require('./helpers');

const test = suite('fuzz');
const h = useNode(test);

/** Commands that end the connection or the node, block by design, or (Pub/Sub) answer once per name. */
const SKIP = new Set(['shutdown', 'quit', 'debug', 'client', 'monitor', 'subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe', 'blpop', 'brpop', 'blmove', 'brpoplpush', 'blmpop', 'bzpopmin', 'bzpopmax', 'bzmpop']);
const ODD = ['', 'x', '-1', '0', '1', '18446744073709551616', '-9223372036854775809', 'nan', 'inf', '{tag}k', '*', 'EX', 'COUNT', 'x'.repeat(3000)];

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 2 ** 32);
}

test('odd arguments to every command never take the node down', async () => {
  const names = (await h.redis.call('COMMAND', 'LIST')).map(String).filter((n) => !SKIP.has(n.toLowerCase()));
  assert.ok(names.length > 50, `COMMAND LIST has ${names.length} commands`);
  const rand = rng(12345);
  const conn = await RawConn.open(h.node.port);
  try {
    let sent = 0;
    for (let round = 0; round < 6; round++) {
      let batch = '';
      for (const name of names) {
        const argc = Math.floor(rand() * 5);
        const args = [name];
        for (let i = 0; i < argc; i++) args.push(ODD[Math.floor(rand() * ODD.length)]);
        batch += encode(args);
        sent++;
      }
      await conn.write(batch);
      const replies = await conn.replies(names.length);
      assert.strictEqual(replies.length, names.length);
    }
    await conn.write(encode(['PING']));
    assert.strictEqual(plain(await conn.reply()), 'PONG');
    assert.ok(sent > 300);
  } finally {
    conn.close();
  }
  assert.ok(alive(h.node.pid), 'the node process is still running');
  assert.strictEqual(await h.redis.ping(), 'PONG');
});

test.run();
