// Keyspace notifications (notify-keyspace-events) through real subscribers, WATCH driven by
// what commands really modified, and CLIENT REPLY ON|OFF|SKIP.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, client, rejects, RawConn, encode, plain, keysOnWorker, startNode, TARGET } = require('./helpers');

const test = suite('notify');
const h = useNode(test);

const setEvents = (classes) => h.redis.config('SET', 'notify-keyspace-events', classes);

/** A RESP2 subscriber on raw TCP, PSUBSCRIBEd to every keyspace and keyevent channel of db 0 unless told otherwise. */
async function subscriber(patterns = ['__key*@0__:*']) {
  const c = await RawConn.open(h.node.port);
  await c.write(encode(['PSUBSCRIBE', ...patterns]));
  const confirmations = (await c.replies(patterns.length)).map(plain);
  assert.deepStrictEqual(confirmations.map((r) => r[0]), patterns.map(() => 'psubscribe'));
  return c;
}

/** The next `n` messages of a PSUBSCRIBEd connection as 'channel payload' lines. */
async function messages(c, n) {
  return (await c.replies(n)).map(plain).map(([kind, , channel, payload]) => {
    assert.strictEqual(kind, 'pmessage');
    return `${channel} ${payload}`;
  });
}

/**
 * Runs `fn` and returns every message the subscriber got for it: a PUBLISH to `end` (a channel
 * its patterns match) after `fn` arrives behind the events of every command `fn` awaited.
 */
async function eventsOf(c, fn, end = '__keyspace@0__:__end__') {
  await fn();
  await h.redis.publish(end, 'end');
  const out = [];
  for (;;) {
    const [line] = await messages(c, 1);
    if (line === `${end} end`) return out;
    out.push(line);
  }
}

test.after.each(async () => {
  if (h.redis) await setEvents('');
});

test('CONFIG SET validates the class letters; CONFIG GET shows them in canonical order', async () => {
  for (const [set, shown] of [['gKE', 'gKE'], ['$lshzxeKE', '$lshzxeKE'], ['KA', 'AK'], ['EA', 'AE'], ['Kmn', 'nKm'], ['Ag$', 'A'], ['', '']]) {
    await setEvents(set);
    assert.deepStrictEqual(await h.redis.config('GET', 'notify-keyspace-events'), ['notify-keyspace-events', shown], `after SET ${set}`);
  }
  await setEvents('KEA');
  for (const bad of ['KEZ', 'K E', ' KE', 'a']) {
    await rejects(setEvents(bad), "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  }
  assert.deepStrictEqual(await h.redis.config('GET', 'notify-keyspace-events'), ['notify-keyspace-events', 'AKE']);
});

test('keyspace and keyevent messages for keys on both workers, in command order', async () => {
  const [a, b] = keysOnWorker(0, 2, 'ev-a');
  const [c1] = keysOnWorker(1, 1, 'ev-b');
  const sub = await subscriber();
  try {
    await setEvents('KEA');
    const got = await eventsOf(sub, async () => {
      await h.redis.set(a, '1');
      await h.redis.incrby(c1, 5);
      await h.redis.append(c1, '0');
      await h.redis.expire(a, 100);
      await h.redis.persist(a);
      await h.redis.rename(a, c1);
      await h.redis.del(c1, b);
    });
    const pair = (key, event) => [`__keyspace@0__:${key} ${event}`, `__keyevent@0__:${event} ${key}`];
    assert.deepStrictEqual(got, [
      ...pair(a, 'set'), ...pair(c1, 'incrby'), ...pair(c1, 'append'), ...pair(a, 'expire'), ...pair(a, 'persist'),
      ...pair(a, 'rename_from'), ...pair(c1, 'rename_to'), ...pair(c1, 'del'),
    ]);
  } finally {
    sub.close();
  }
});

test('classes mask events: each type reports its own names, "del" when a collection empties', async () => {
  const sub = await subscriber();
  try {
    await setEvents('Kls');
    const got = await eventsOf(sub, async () => {
      await h.redis.set('str', 'x'); // $ is off
      await h.redis.rpush('l', 'a', 'b');
      await h.redis.lpush('l', 'c');
      await h.redis.lmove('l', 'l2', 'LEFT', 'RIGHT');
      await h.redis.linsert('l', 'BEFORE', 'zz', 'y'); // no pivot: nothing
      await h.redis.ltrim('l', 0, -1); // reported even when nothing is trimmed
      await h.redis.rpop('l', 5);
      await h.redis.sadd('s', 'a', 'b');
      await h.redis.sadd('s', 'a'); // nothing added
      await h.redis.srem('s', 'nope');
      await h.redis.spop('s', 5);
    });
    const ks = (key, event) => `__keyspace@0__:${key} ${event}`;
    assert.deepStrictEqual(got, [
      ks('l', 'rpush'), ks('l', 'lpush'), ks('l2', 'rpush'), ks('l', 'lpop'), ks('l', 'ltrim'), ks('l', 'rpop'),
      ks('s', 'sadd'), ks('s', 'spop'),
    ]);
    await setEvents('Kghz');
    const more = await eventsOf(sub, async () => {
      await h.redis.hset('hh', 'f', '1', 'g', '2');
      await h.redis.hincrby('hh', 'f', 2);
      await h.redis.hdel('hh', 'f', 'g');
      await h.redis.zadd('zz', 1, 'a', 2, 'b', 3, 'c');
      await h.redis.zadd('zz', 1, 'a'); // unchanged
      await h.redis.zincrby('zz', 1, 'a');
      await h.redis.zrem('zz', 'x');
      await h.redis.zremrangebyscore('zz', 0, 2);
      await h.redis.zpopmin('zz');
    });
    assert.deepStrictEqual(more, [
      ks('hh', 'hset'), ks('hh', 'hincrby'), ks('hh', 'hdel'), ks('hh', 'del'), ks('zz', 'zadd'), ks('zz', 'zincr'),
      ks('zz', 'zremrangebyscore'), ks('zz', 'zpopmin'), ks('zz', 'del'),
    ]);
  } finally {
    sub.close();
  }
});

test('SMOVE reports the destination only when the member was added; STORE commands report or delete', async () => {
  const sub = await subscriber();
  try {
    await h.redis.sadd('src', 'a', 'b');
    await h.redis.sadd('dst', 'a');
    await h.redis.set('holder', 'x');
    await setEvents('KA');
    const got = await eventsOf(sub, async () => {
      await h.redis.smove('src', 'dst', 'a');
      await h.redis.smove('src', 'dst', 'b');
      await h.redis.sinterstore('holder', 'dst', 'none');
      await h.redis.sunionstore('u', 'dst');
      await h.redis.zadd('z1', 1, 'm');
      await h.redis.zunionstore('zu', 1, 'z1');
      await h.redis.zrangestore('zr', 'z1', 5, 9);
    });
    const ks = (key, event) => `__keyspace@0__:${key} ${event}`;
    assert.deepStrictEqual(got, [
      ks('src', 'srem'), ks('src', 'srem'), ks('src', 'del'), ks('dst', 'sadd'), ks('holder', 'del'), ks('u', 'sunionstore'),
      ks('z1', 'zadd'), ks('zu', 'zunionstore'),
    ]);
  } finally {
    sub.close();
  }
});

test('HyperLogLog, BITFIELD and geo commands report their events; WATCH sees PFCOUNT\'s cached count', async () => {
  const sub = await subscriber();
  try {
    await setEvents('KA');
    const got = await eventsOf(sub, async () => {
      await h.redis.pfadd('hll', 'a', 'b');
      await h.redis.pfadd('hll', 'a'); // nothing new
      await h.redis.pfmerge('hll2', 'hll');
      await h.redis.call('BITFIELD', 'bits', 'SET', 'u8', '0', '7');
      await h.redis.call('BITFIELD', 'bits', 'SET', 'u8', '0', '7'); // same value
      await h.redis.geoadd('geo', 13.361389, 38.115556, 'Palermo');
      await h.redis.call('GEOSEARCHSTORE', 'geo2', 'geo', 'FROMLONLAT', '13.36', '38.11', 'BYRADIUS', '10', 'km');
      await h.redis.call('GEORADIUS', 'geo', '0', '0', '1', 'km', 'STORE', 'geo2');
    });
    const ks = (key, event) => `__keyspace@0__:${key} ${event}`;
    assert.deepStrictEqual(got, [
      ks('hll', 'pfadd'), ks('hll2', 'pfadd'), ks('bits', 'setbit'), ks('geo', 'zadd'), ks('geo2', 'geosearchstore'), ks('geo2', 'del'),
    ]);
  } finally {
    sub.close();
  }
  await h.redis.pfadd('hll3', 'x');
  assert.strictEqual(await execAfter('hll3', () => h.redis.pfcount('hll3')), false, 'PFCOUNT caching its count');
  assert.strictEqual(await execAfter('hll3', () => h.redis.pfcount('hll3')), true, 'PFCOUNT with a valid cache');
});

test('events name the database; MOVE and COPY report in both', async () => {
  const sub = await subscriber(['__keyevent@*__:*']);
  const other = client(h.node.port, { db: 3 });
  try {
    await setEvents('EA');
    const got = await eventsOf(sub, async () => {
      await other.set('k', 'v');
      await other.call('COPY', 'k', 'k2', 'DB', '5');
      await other.move('k', 0);
      await h.redis.call('GETDEL', 'k');
    }, '__keyevent@0__:__end__');
    assert.deepStrictEqual(got, [
      '__keyevent@3__:set k', '__keyevent@5__:copy_to k2', '__keyevent@3__:move_from k', '__keyevent@0__:move_to k', '__keyevent@0__:del k',
    ]);
  } finally {
    other.disconnect();
    sub.close();
  }
});

test('expired keys are reported once, whether a read or the expiry cycle finds them', async () => {
  const sub = await subscriber(['__keyevent@0__:expired']);
  const keysOf = async (n) => (await messages(sub, n)).map((l) => l.split(' ')[1]).sort();
  try {
    await setEvents('Ex');
    const keys = [...keysOnWorker(0, 1, 'exp'), ...keysOnWorker(1, 1, 'exp')];
    for (const k of keys) await h.redis.psetex(k, 30, 'v');
    // reads find them expired (and report them) or find them already reclaimed (and reported)
    for (let i = 0; i < 2000 && (await h.redis.exists(...keys)) > 0; i++) await h.redis.get(keys[i % 2]);
    assert.strictEqual(await h.redis.exists(...keys), 0);
    assert.deepStrictEqual(await keysOf(2), [...keys].sort());
    // nothing more for them: the next reports are of keys expiring later, on each worker
    const ends = [...keysOnWorker(0, 1, 'exp-end'), ...keysOnWorker(1, 1, 'exp-end')];
    for (const k of ends) await h.redis.psetex(k, 1, 'v');
    assert.deepStrictEqual(await keysOf(2), [...ends].sort());
  } finally {
    sub.close();
  }
});

test('new keys and key misses are reported when asked for', async () => {
  const sub = await subscriber(['__keyevent@0__:new', '__keyevent@0__:keymiss']);
  try {
    await setEvents('Enm');
    await h.redis.del('fresh', 'missing');
    await h.redis.set('fresh', '1');
    await h.redis.set('fresh', '2'); // overwritten, not new
    await h.redis.get('missing');
    await h.redis.sadd('fresh-set', 'a');
    assert.deepStrictEqual(await messages(sub, 3), ['__keyevent@0__:new fresh', '__keyevent@0__:keymiss missing', '__keyevent@0__:new fresh-set']);
  } finally {
    sub.close();
  }
});

test('a RESP3 subscriber gets events as pushes', async () => {
  const c = await RawConn.open(h.node.port);
  try {
    await c.write(encode(['HELLO', '3']));
    await c.waitFor(() => c.text().includes('modules'), 10_000, 'HELLO 3');
    const from = c.text().length;
    await c.write(encode(['SUBSCRIBE', '__keyevent@0__:hset']));
    const confirmation = '>3\r\n$9\r\nsubscribe\r\n$19\r\n__keyevent@0__:hset\r\n:1\r\n';
    await c.waitFor(() => c.text().length >= from + confirmation.length, 10_000, 'the confirmation');
    await setEvents('Eh');
    await h.redis.hset('h3', 'f', 'v');
    const expected = confirmation + '>3\r\n$7\r\nmessage\r\n$19\r\n__keyevent@0__:hset\r\n$2\r\nh3\r\n';
    await c.waitFor(() => c.text().length >= from + expected.length, 10_000, 'the push');
    assert.strictEqual(c.text().slice(from), expected);
  } finally {
    c.close();
  }
});

test('pika.conf sets notify-keyspace-events; a bad class stops the start', async () => {
  if (TARGET === 'redis') return;
  const node = await startNode({ config: 'notify-keyspace-events : KEl\n' });
  const r = client(node.port);
  try {
    assert.deepStrictEqual(await r.config('GET', 'notify-keyspace-events'), ['notify-keyspace-events', 'lKE']);
  } finally {
    r.disconnect();
    await node.destroy();
  }
  await assert.rejects(startNode({ config: 'notify-keyspace-events : KEq\n' }), /Invalid event class character/);
});

// ---- WATCH: only keys a command really modified fail EXEC ----

/** WATCHes `key` on a fresh connection, lets `other` run, then answers whether EXEC ran. */
async function execAfter(key, other) {
  const w = client(h.node.port);
  try {
    await w.watch(key);
    await other();
    const res = await w.multi().ping().exec();
    return res !== null;
  } finally {
    w.disconnect();
  }
}

test('WATCH: a write that changes nothing leaves the transaction alone, a real change fails it', async () => {
  await h.redis.sadd('wsrc', 'a', 'b');
  await h.redis.sadd('wdst', 'a');
  assert.strictEqual(await execAfter('wdst', () => h.redis.smove('wsrc', 'wdst', 'a')), true, 'SMOVE of a member already there');
  assert.strictEqual(await execAfter('wdst', () => h.redis.smove('wsrc', 'wdst', 'b')), false, 'SMOVE that adds');
  assert.strictEqual(await execAfter('wmissing', () => h.redis.del('wmissing')), true, 'DEL of a missing key');
  assert.strictEqual(await execAfter('wdst', () => h.redis.srem('wdst', 'nope')), true, 'SREM of no member');
  assert.strictEqual(await execAfter('wdst', () => h.redis.srem('wdst', 'a')), false, 'SREM of a member');
  const [far] = keysOnWorker(1, 1, 'wfar');
  assert.strictEqual(await execAfter('wdst', () => h.redis.rename('wdst', far)), false, 'RENAME away, across workers');
  const db2 = client(h.node.port, { db: 2 });
  try {
    assert.strictEqual(await execAfter(far, () => db2.set(far, 'x')), true, 'the same key in another database');
  } finally {
    db2.disconnect();
  }
});

test('WATCH: writes sent before the WATCH never fail it, even still running when it arrives', async () => {
  const c = await RawConn.open(h.node.port);
  try {
    const [key] = keysOnWorker(0, 1, 'wrace');
    const writes = Array.from({ length: 300 }, (_, i) => encode(['SET', key, String(i)]));
    await c.write(Buffer.concat([...writes, encode(['WATCH', key]), encode(['MULTI']), encode(['GET', key]), encode(['EXEC'])]));
    const replies = (await c.replies(writes.length + 4)).map(plain);
    assert.deepStrictEqual(replies.slice(-4), ['OK', 'OK', 'QUEUED', ['299']]);
    await c.write(encode(['WATCH', key]));
    assert.strictEqual(plain(await c.reply()), 'OK');
    await h.redis.incr(key);
    await c.write(Buffer.concat([encode(['MULTI']), encode(['GET', key]), encode(['EXEC'])]));
    assert.deepStrictEqual((await c.replies(3)).map(plain), ['OK', 'QUEUED', null]);
  } finally {
    c.close();
  }
});

// ---- CLIENT REPLY ----

test('CLIENT REPLY OFF and SKIP silence replies, ON answers again; errors are silenced too', async () => {
  const c = await RawConn.open(h.node.port);
  try {
    await c.write(Buffer.concat([
      encode(['CLIENT', 'REPLY', 'OFF']), encode(['SET', 'cr', '1']), encode(['NOSUCHCMD']), encode(['GET', 'cr']),
      encode(['CLIENT', 'REPLY', 'SKIP']), // ignored while OFF
      encode(['CLIENT', 'REPLY', 'ON']), encode(['GET', 'cr']),
      encode(['CLIENT', 'REPLY', 'SKIP']), encode(['INCR', 'cr']), encode(['GET', 'cr']),
      encode(['CLIENT', 'REPLY', 'MAYBE']),
    ]));
    assert.deepStrictEqual((await c.replies(4)).map(plain), ['OK', '1', '2', '-ERR syntax error']);
    await rejects(h.redis.client('REPLY'), "ERR wrong number of arguments for 'client|reply' command");
  } finally {
    c.close();
  }
});

test('with CLIENT REPLY OFF, subscriptions are confirmed and messages arrive; QUIT still closes', async () => {
  const c = await RawConn.open(h.node.port);
  try {
    await c.write(Buffer.concat([encode(['CLIENT', 'REPLY', 'OFF']), encode(['PING']), encode(['SUBSCRIBE', 'quiet'])]));
    assert.deepStrictEqual(plain(await c.reply()), ['subscribe', 'quiet', 1]);
    assert.strictEqual(await h.redis.publish('quiet', 'hello'), 1);
    assert.deepStrictEqual(plain(await c.reply()), ['message', 'quiet', 'hello']);
    await c.write(Buffer.concat([encode(['UNSUBSCRIBE']), encode(['QUIT'])]));
    assert.deepStrictEqual(plain(await c.reply()), ['unsubscribe', 'quiet', 0]);
    await c.waitClose();
    assert.ok(c.closed);
  } finally {
    c.close();
  }
});

test.run();
