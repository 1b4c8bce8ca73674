// RESP3 through raw TCP: HELLO 3 switches a connection's replies to RESP3 types, byte for byte
// as Redis 7.0 writes them, and HELLO 2 switches back.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, RawConn, encode } = require('./helpers');

const test = suite('resp3');
const h = useNode(test);

/** Sends one command and checks the exact bytes of its reply. */
async function expectRaw(conn, args, expected) {
  const from = conn.text().length;
  await conn.write(encode(args));
  await conn.waitFor(() => conn.text().length >= from + expected.length, 10_000, `reply to ${args[0]}`);
  assert.strictEqual(conn.text().slice(from), expected, `reply to ${args.join(' ')}`);
}

async function withConn(fn) {
  const c = await RawConn.open(h.node.port);
  try {
    await fn(c);
  } finally {
    c.close();
  }
}

test('HELLO answers a map in the protocol it switches to; unsupported versions are refused', async () => {
  await withConn(async (c) => {
    await expectRaw(c, ['HELLO', '4'], '-NOPROTO unsupported protocol version\r\n');
    await expectRaw(c, ['HELLO', 'x'], '-ERR Protocol version is not an integer or out of range\r\n');
    const at = c.text().length;
    await c.write(encode(['HELLO', '3']));
    await c.waitFor(() => c.text().includes('modules'), 10_000, 'HELLO 3 reply');
    assert.match(c.text().slice(at), /^%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n/);
    assert.match(c.text().slice(at), /\$5\r\nproto\r\n:3\r\n/);
    const from = c.text().length;
    await c.write(encode(['HELLO', '2']));
    await c.waitFor(() => c.text().includes('modules', from), 10_000, 'HELLO 2 reply');
    assert.match(c.text().slice(from), /^\*14\r\n/);
    assert.match(c.text().slice(from), /\$5\r\nproto\r\n:2\r\n/);
  });
});

test('nulls, doubles, maps and sets in RESP3; the same commands in RESP2 after HELLO 2', async () => {
  await h.redis.del('r3:h', 'r3:z', 'r3:s', 'r3:l');
  await h.redis.hset('r3:h', 'f', 'v');
  await h.redis.zadd('r3:z', '1.5', 'a', '2', 'b');
  await h.redis.sadd('r3:s', 'm');
  await withConn(async (c) => {
    await c.write(encode(['HELLO', '3']));
    await c.waitFor(() => c.text().includes('modules'), 10_000, 'HELLO 3 reply');
    await expectRaw(c, ['GET', 'r3:missing'], '_\r\n');
    await expectRaw(c, ['LPOP', 'r3:l', '2'], '_\r\n');
    await expectRaw(c, ['MGET', 'r3:missing', 'r3:other'], '*2\r\n_\r\n_\r\n');
    await expectRaw(c, ['HGETALL', 'r3:h'], '%1\r\n$1\r\nf\r\n$1\r\nv\r\n');
    await expectRaw(c, ['HGETALL', 'r3:missing'], '%0\r\n');
    await expectRaw(c, ['SMEMBERS', 'r3:s'], '~1\r\n$1\r\nm\r\n');
    await expectRaw(c, ['ZSCORE', 'r3:z', 'a'], ',1.5\r\n');
    await expectRaw(c, ['ZSCORE', 'r3:z', 'nope'], '_\r\n');
    await expectRaw(c, ['ZRANGE', 'r3:z', '0', '-1', 'WITHSCORES'], '*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n');
    await expectRaw(c, ['ZINCRBY', 'r3:z', 'inf', 'b'], ',inf\r\n');
    await expectRaw(c, ['CONFIG', 'GET', 'maxclients'], '%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n');
    // main asks the key's worker for these, in the client's protocol
    await expectRaw(c, ['OBJECT', 'ENCODING', 'r3:missing'], '_\r\n');
    await expectRaw(c, ['MEMORY', 'USAGE', 'r3:missing'], '_\r\n');
    await c.write(encode(['HELLO', '2']));
    await c.waitFor(() => c.text().endsWith('*0\r\n'), 10_000, 'HELLO 2 reply');
    await expectRaw(c, ['GET', 'r3:missing'], '$-1\r\n');
    await expectRaw(c, ['HGETALL', 'r3:h'], '*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
    await expectRaw(c, ['ZSCORE', 'r3:z', 'a'], '$3\r\n1.5\r\n');
  });
});

test('INFO is a verbatim string; a RESP3 subscriber gets pushes and may run other commands', async () => {
  await withConn(async (c) => {
    await c.write(encode(['HELLO', '3']));
    await c.waitFor(() => c.text().includes('modules'), 10_000, 'HELLO 3 reply');
    const from = c.text().length;
    await c.write(encode(['INFO', 'server']));
    await c.waitFor(() => c.text().includes('redis_version', from), 10_000, 'INFO');
    assert.match(c.text().slice(from), /^=\d+\r\ntxt:# Server\r\n/);
    await c.waitFor(() => /\r\n\r\n$|[^\r\n]\r\n$/.test(c.text()), 10_000, 'end of INFO');
    await expectRaw(c, ['SUBSCRIBE', 'r3chan'], '>3\r\n$9\r\nsubscribe\r\n$6\r\nr3chan\r\n:1\r\n');
    await expectRaw(c, ['PING'], '+PONG\r\n');
    assert.strictEqual(await h.redis.publish('r3chan', 'hi'), 1);
    await c.waitFor(() => c.text().endsWith('$2\r\nhi\r\n'), 10_000, 'pushed message');
    assert.ok(c.text().endsWith('>3\r\n$7\r\nmessage\r\n$6\r\nr3chan\r\n$2\r\nhi\r\n'));
  });
});

test.run();
