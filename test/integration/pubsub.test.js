// SUBSCRIBE, PSUBSCRIBE, PUBLISH and PUBSUB through real clients.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, client, rejects, sleep, RawConn, encode, plain } = require('./helpers');

const test = suite('pubsub');
const h = useNode(test);

test('messages reach channel and pattern subscribers, in order', async () => {
  const sub = await RawConn.open(h.node.port);
  try {
    await sub.write(encode(['SUBSCRIBE', 'news', 'sport']));
    assert.deepStrictEqual((await sub.replies(2)).map(plain), [['subscribe', 'news', 1], ['subscribe', 'sport', 2]]);
    await sub.write(encode(['PSUBSCRIBE', 'n*']));
    assert.deepStrictEqual(plain(await sub.reply()), ['psubscribe', 'n*', 3]);
    assert.strictEqual(await h.redis.publish('news', 'one'), 2);
    assert.strictEqual(await h.redis.publish('sport', 'two'), 1);
    assert.strictEqual(await h.redis.publish('nothing-here', 'three'), 1);
    assert.strictEqual(await h.redis.publish('other', 'four'), 0);
    assert.deepStrictEqual((await sub.replies(4)).map(plain), [
      ['message', 'news', 'one'], ['pmessage', 'n*', 'news', 'one'], ['message', 'sport', 'two'], ['pmessage', 'n*', 'nothing-here', 'three'],
    ]);
    assert.deepStrictEqual((await h.redis.pubsub('CHANNELS')).sort(), ['news', 'sport']);
    assert.deepStrictEqual(await h.redis.pubsub('NUMSUB', 'news', 'none'), ['news', 1, 'none', 0]);
    assert.strictEqual(await h.redis.pubsub('NUMPAT'), 1);
    await sub.write(encode(['UNSUBSCRIBE']));
    await sub.replies(2);
    await sub.write(encode(['PUNSUBSCRIBE']));
    assert.deepStrictEqual(plain(await sub.reply()), ['punsubscribe', 'n*', 0]);
    assert.strictEqual(await h.redis.publish('news', 'five'), 0);
  } finally {
    sub.close();
  }
});

test('a subscribed connection refuses other commands; PING answers as a message', async () => {
  const c = await RawConn.open(h.node.port);
  try {
    await c.write(encode(['SUBSCRIBE', 'ch']));
    assert.deepStrictEqual(plain(await c.reply()), ['subscribe', 'ch', 1]);
    await c.write(encode(['GET', 'x']));
    assert.strictEqual(plain(await c.reply()), "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
    await c.write(encode(['PING']));
    assert.deepStrictEqual(plain(await c.reply()), ['pong', '']);
    await c.write(encode(['UNSUBSCRIBE']));
    assert.deepStrictEqual(plain(await c.reply()), ['unsubscribe', 'ch', 0]);
    await c.write(encode(['PING']));
    assert.strictEqual(plain(await c.reply()), 'PONG');
  } finally {
    c.close();
  }
});

test('subscribers leave when they disconnect', async () => {
  const sub = client(h.node.port);
  await sub.subscribe('leaving');
  assert.deepStrictEqual(await h.redis.pubsub('NUMSUB', 'leaving'), ['leaving', 1]);
  sub.disconnect();
  for (let i = 0; i < 50; i++) {
    if ((await h.redis.pubsub('NUMSUB', 'leaving'))[1] === 0) break;
    await sleep(20);
  }
  assert.deepStrictEqual(await h.redis.pubsub('NUMSUB', 'leaving'), ['leaving', 0]);
  await rejects(h.redis.call('PUBSUB', 'NOPE'), "ERR unknown subcommand 'NOPE'. Try PUBSUB HELP.");
});

test.run();
