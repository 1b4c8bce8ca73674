// Limits that keep one client from hurting the rest: the output buffer limit with a slow reader
// (the node's RSS is measured), flow control without a limit, CLIENT PAUSE/UNPAUSE, MONITOR,
// INFO commandstats and errorstats.
'use strict';

const assert = require('assert');
const fs = require('fs');
const net = require('net');
const { suite } = require('uvu');
const { useNode, TARGET, sleep, RawConn, encode, parseInfo, plain, alive } = require('./helpers');

const test = suite('limits');
const h = useNode(test);
const pikaOnly = TARGET === 'pika';

const VALUE_BYTES = 512 * 1024;
/** Replies a slow reader asks for: 4 GB in all, far above every limit under test. */
const SLOW_READER_GETS = 8192;
/** What the node may grow by while serving it: in-flight replies (CLIENT_MAX_INFLIGHT of them)
 * and their copies before the garbage collector returns them. */
const RSS_GROWTH_MAX = 768 * 1024 * 1024;

function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

/**
 * A client that sends a pipeline of big GETs and never reads. A paused socket does not notice
 * that the node closed it, so the node is asked: resolves with whether CLIENT LIST still shows
 * it after `ms` (or as soon as it is gone).
 */
async function slowReader(port, ms) {
  const sock = net.connect({ port, host: '127.0.0.1' });
  sock.on('error', () => {});
  await new Promise((r) => sock.once('connect', r));
  sock.pause();
  const one = encode(['GET', 'limits:big']);
  sock.write(Buffer.concat(Array.from({ length: SLOW_READER_GETS }, () => one)));
  const addr = `127.0.0.1:${sock.localPort} `;
  const deadline = Date.now() + ms;
  let connected = true;
  while (connected && Date.now() < deadline) {
    await sleep(200);
    connected = (await h.redis.client('LIST')).includes(addr);
  }
  return { closed: !connected, sock };
}

async function info(section) {
  return parseInfo(await h.redis.info(section));
}

test('a slow reader past client-output-buffer-limit is disconnected and logged; RSS stays bounded', async () => {
  await h.redis.set('limits:big', 'x'.repeat(VALUE_BYTES));
  await h.redis.config('SET', 'client-output-buffer-limit', 'normal 8mb 4mb 10');
  try {
    const before = pikaOnly ? rssBytes(h.node.pid) : 0;
    const { closed, sock } = await slowReader(h.node.port, 20_000);
    sock.destroy();
    assert.ok(closed, 'the node closed the slow reader');
    if (pikaOnly) {
      const grown = rssBytes(h.node.pid) - before;
      assert.ok(grown < RSS_GROWTH_MAX, `RSS grew by ${grown} bytes for a reader of ${SLOW_READER_GETS * VALUE_BYTES} bytes`);
      assert.match(h.node.output(), /output buffer over its hard limit 8388608/);
      assert.ok(Number((await info('stats')).client_output_buffer_limit_disconnections) >= 1);
    }
    assert.strictEqual(await h.redis.ping(), 'PONG');
  } finally {
    await h.redis.config('SET', 'client-output-buffer-limit', 'normal 0 0 0');
  }
});

if (pikaOnly) {
  test('without a limit a slow reader is not read further: RSS stays bounded and the node serves others', async () => {
    await h.redis.set('limits:big', 'x'.repeat(VALUE_BYTES));
    const before = rssBytes(h.node.pid);
    const { closed, sock } = await slowReader(h.node.port, 3000);
    try {
      assert.ok(!closed, 'no limit: the reader stays connected');
      const grown = rssBytes(h.node.pid) - before;
      assert.ok(grown < RSS_GROWTH_MAX, `RSS grew by ${grown} bytes while ${SLOW_READER_GETS * VALUE_BYTES} bytes of replies were asked for`);
      assert.strictEqual(await h.redis.get('limits:missing'), null);
    } finally {
      sock.destroy();
    }
    assert.ok(alive(h.node.pid));
  });
}

test('a disk under min-free-disk refuses every write, split or whole, while reads go on', async () => {
  if (!pikaOnly) return;
  const r = h.redis;
  await r.mset('disk:a', '1', 'disk:b', '2', 'disk:c', '3');
  const FULL = 'ERR disk almost full: free space under min-free-disk, write refused';
  // more free space than any disk here has: the next write batch finds the disk "full"
  await r.config('SET', 'min-free-disk', String(2 ** 50));
  try {
    const replies = await r.pipeline().set('disk:a', 'x').mset('disk:a', 'y', 'disk:b', 'y', 'disk:c', 'y').del('disk:a', 'disk:b').get('disk:a').exec();
    assert.deepStrictEqual(replies.map(([err, v]) => (err ? err.message : v)), [FULL, FULL, FULL, '1']);
    assert.deepStrictEqual(await r.mget('disk:a', 'disk:b', 'disk:c'), ['1', '2', '3']);
  } finally {
    await r.config('SET', 'min-free-disk', '0');
  }
  assert.strictEqual(await r.set('disk:a', 'after'), 'OK');
  assert.strictEqual(await r.del('disk:a', 'disk:b', 'disk:c'), 3);
});

test('CLIENT PAUSE WRITE holds writes (reads go on) until UNPAUSE; a held client keeps its order', async () => {
  await h.redis.set('limits:p', 'before');
  const writer = await RawConn.open(h.node.port);
  try {
    assert.strictEqual(await h.redis.client('PAUSE', '60000', 'WRITE'), 'OK');
    await writer.write(encode(['SET', 'limits:p', 'during']) + encode(['GET', 'limits:p']));
    await sleep(300);
    assert.strictEqual(writer.text(), '', 'the write and the read behind it wait');
    assert.strictEqual(await h.redis.get('limits:p'), 'before', 'other clients still read');
    assert.strictEqual(await h.redis.client('UNPAUSE'), 'OK');
    assert.deepStrictEqual((await writer.replies(2)).map(plain), ['OK', 'during']);
  } finally {
    writer.close();
  }
});

test('CLIENT PAUSE ALL holds every command until the timeout; argument errors as Redis', async () => {
  const other = await RawConn.open(h.node.port);
  try {
    assert.strictEqual(await h.redis.client('PAUSE', '500'), 'OK');
    const t0 = Date.now();
    await other.write(encode(['PING']));
    assert.strictEqual(plain(await other.reply()), 'PONG');
    assert.ok(Date.now() - t0 >= 300, 'PING waited for the pause to end');
  } finally {
    other.close();
  }
  await assert.rejects(h.redis.client('PAUSE', 'abc'), /ERR timeout is not an integer or out of range/);
  await assert.rejects(h.redis.client('PAUSE', '-1'), /ERR timeout is negative/);
  await assert.rejects(h.redis.client('PAUSE', '10', 'READ'), /ERR CLIENT PAUSE mode must be WRITE or ALL/);
});

test('MONITOR shows accepted commands with db and address, escapes bytes, hides admin commands and redacts AUTH', async () => {
  const mon = await RawConn.open(h.node.port);
  try {
    assert.strictEqual(plain(await mon.call('MONITOR')), 'OK');
    await h.redis.select(3);
    await h.redis.set('limits:m', 'a "b"\n');
    await h.redis.config('GET', 'port');
    const authing = await RawConn.open(h.node.port);
    await authing.call('AUTH', 'secret');
    authing.close();
    await h.redis.select(0);
    await mon.waitFor(() => mon.text().includes('"select" "0"'), 10_000, 'monitor lines');
    const lines = mon.text().split('\r\n').filter((l) => l.startsWith('+1'));
    const set = lines.find((l) => l.includes('"set"'));
    assert.match(set, /^\+\d+\.\d{6} \[3 127\.0\.0\.1:\d+\] "set" "limits:m" "a \\"b\\"\\n"$/);
    assert.ok(!lines.some((l) => l.includes('"config"')), 'admin commands are not shown');
    assert.ok(lines.some((l) => /"auth" "\(redacted\)"$/i.test(l)), `AUTH is shown redacted: ${JSON.stringify(lines)}`);
    assert.match(await h.redis.client('LIST'), /flags=O /);
  } finally {
    mon.close();
  }
});

test('MONITOR as Redis 7.0: EXEC after its commands, HELLO redacts only AUTH, CLIENT REPLY shown, a monitor may not touch keys', async () => {
  const mon = await RawConn.open(h.node.port);
  const other = await RawConn.open(h.node.port);
  try {
    assert.strictEqual(plain(await mon.call('MONITOR')), 'OK');
    for (const args of [['MULTI'], ['INCR', 'limits:mc'], ['GET', 'limits:mk'], ['EXEC'], ['CLIENT', 'REPLY', 'ON'], ['CLIENT', 'LIST']]) await other.call(...args);
    await other.write('HELLO 3 SETNAME mon-test\r\n');
    await mon.waitFor(() => mon.text().includes('"HELLO"'), 10_000, 'the HELLO line');
    const shown = mon.text().split('\r\n').filter((l) => l.startsWith('+1')).map((l) => l.replace(/^\+[\d.]+ \[0 [\d.:]+\] /, ''));
    assert.deepStrictEqual(shown, ['"MULTI"', '"INCR" "limits:mc"', '"GET" "limits:mk"', '"EXEC"', '"CLIENT" "REPLY" "ON"', '"HELLO" "3" "SETNAME" "mon-test"']);
    mon.pos = mon.bytes().length; // past the lines read above
    assert.strictEqual(plain(await mon.call('GET', 'limits:mc')), "-ERR Replica can't interact with the keyspace");
  } finally {
    mon.close();
    other.close();
  }
  await h.redis.del('limits:mc');
});

test('INFO commandstats and errorstats count calls, failures and rejections; CONFIG RESETSTAT clears them', async () => {
  await h.redis.config('RESETSTAT');
  await h.redis.set('limits:s', 'v');
  await h.redis.get('limits:s');
  await assert.rejects(h.redis.call('LPUSH', 'limits:s', 'x'), /WRONGTYPE/);
  await assert.rejects(h.redis.call('GET'), /wrong number of arguments/);
  await assert.rejects(h.redis.call('NOSUCHCOMMAND'), /unknown command/);
  const stats = await info('commandstats');
  assert.match(stats.cmdstat_set, /^calls=1,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=0$/);
  assert.match(stats.cmdstat_lpush, /calls=1,.*rejected_calls=0,failed_calls=1$/);
  assert.match(stats.cmdstat_get, /calls=1,.*rejected_calls=1,failed_calls=0$/);
  const errors = await info('errorstats');
  assert.strictEqual(errors.errorstat_WRONGTYPE, 'count=1');
  assert.strictEqual(errors.errorstat_ERR, 'count=2');
  const byDefault = await h.redis.info();
  assert.ok(!byDefault.includes('# Commandstats') && byDefault.includes('# Errorstats'), 'INFO without a section: errorstats, not commandstats');
});

test.run();
