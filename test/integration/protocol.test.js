// RESP over raw TCP: inline commands, deep pipelines, reply order across workers, malformed
// input, the query buffer limit.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, RawConn, rawRequest, encode, plain, sleep } = require('./helpers');

const test = suite('protocol');
const h = useNode(test);
const r = () => h.redis;
const port = () => h.node.port;

/** A client that stays connected across the malformed-input tests and must keep working. */
let bystander;

test.before.each(async () => {
  if (!bystander || bystander.closed) bystander = await RawConn.open(port());
});

test.after(() => {
  if (bystander) bystander.close();
});

test('inline commands', async () => {
  const c = await RawConn.open(port());
  try {
    await c.write('PING\r\n');
    assert.strictEqual(plain(await c.reply()), 'PONG');
    await c.write('SET inline:foo bar\r\n');
    assert.strictEqual(plain(await c.reply()), 'OK');
    await c.write('GET inline:foo\n'); // a bare LF ends the line too
    assert.strictEqual(plain(await c.reply()), 'bar');
    await c.write('SET inline:sp "hello world"\r\nGET inline:sp\r\n');
    assert.deepStrictEqual((await c.replies(2)).map(plain), ['OK', 'hello world']);
    await c.write('SET inline:esc "a\\x41\\n\\t"\r\nGET inline:esc\r\n');
    assert.deepStrictEqual((await c.replies(2)).map(plain), ['OK', 'aA\n\t']);
    await c.write("ECHO 'single q'\r\n");
    assert.strictEqual(plain(await c.reply()), 'single q');
    await c.write('\r\n\r\n   \r\nPING\r\n'); // empty lines are skipped
    assert.strictEqual(plain(await c.reply()), 'PONG');
    await c.write('*0\r\n*-1\r\nPING\r\n'); // empty multibulks are skipped
    assert.strictEqual(plain(await c.reply()), 'PONG');
    // inline and multibulk mixed in one write
    await c.write(Buffer.concat([Buffer.from('ECHO one\r\n'), encode(['ECHO', 'two']), Buffer.from('ECHO three\r\n')]));
    assert.deepStrictEqual((await c.replies(3)).map(plain), ['one', 'two', 'three']);
    assert.strictEqual(c.closed, false);
  } finally {
    c.close();
  }
});

test('a command split into single bytes', async () => {
  const c = await RawConn.open(port());
  try {
    const bytes = Buffer.concat([encode(['SET', 'split:key', 'v'.repeat(100)]), Buffer.from('GET split:key\r\n')]);
    for (const b of bytes) {
      await c.write(Buffer.from([b]));
    }
    assert.deepStrictEqual((await c.replies(2)).map(plain), ['OK', 'v'.repeat(100)]);
  } finally {
    c.close();
  }
});

test('10k pipelined commands in one write answer in order', async () => {
  const c = await RawConn.open(port());
  try {
    await r().del('pipe:ctr');
    const n = 10_000;
    const cmds = [];
    for (let i = 0; i < n; i++) cmds.push(encode(['INCR', 'pipe:ctr']));
    await c.write(Buffer.concat(cmds));
    const replies = await c.replies(n, 120_000);
    for (let i = 0; i < n; i++) assert.strictEqual(replies[i], i + 1, `reply ${i}`);

    // SET/GET pairs on 5000 different keys, both workers, inline and multibulk mixed
    const parts = [];
    for (let i = 0; i < 5000; i++) {
      parts.push(encode(['SET', `pipe:${i}`, `value-${i}`]));
      parts.push(Buffer.from(`GET pipe:${i}\r\n`));
    }
    await c.write(Buffer.concat(parts));
    const got = await c.replies(10_000, 120_000);
    for (let i = 0; i < 5000; i++) {
      assert.strictEqual(plain(got[2 * i]), 'OK');
      assert.strictEqual(plain(got[2 * i + 1]), `value-${i}`);
    }
    assert.strictEqual(c.bytes().length, c.pos, 'no extra bytes');
  } finally {
    c.close();
  }
});

test('10k pipelined commands main answers itself, in one write, are all answered', async () => {
  // past CLIENT_MAX_INFLIGHT the client pauses; resuming it parses the rest during a flush,
  // whose replies once waited for a flush that never came (257 answered, then nothing)
  const c = await RawConn.open(port());
  try {
    const n = 10_000;
    const cmds = [];
    for (let i = 0; i < n; i++) cmds.push(i % 2 ? encode(['ECHO', `e${i}`]) : Buffer.from('PING\r\n'));
    await c.write(Buffer.concat(cmds));
    const replies = await c.replies(n, 60_000);
    for (let i = 0; i < n; i++) assert.strictEqual(plain(replies[i]), i % 2 ? `e${i}` : 'PONG', `reply ${i}`);
    await c.write('PING\r\n');
    assert.strictEqual(plain(await c.reply()), 'PONG');
  } finally {
    c.close();
  }
});

test('a pipeline over both workers and main keeps reply order', async () => {
  const keys = Array.from({ length: 200 }, (_, i) => `order:${i}`);
  await r().flushall();
  await r().mset(...keys.flatMap((k, i) => [k, `v${i}`]));
  const c = await RawConn.open(port());
  try {
    const cmds = [];
    const expected = [];
    const big = 'B'.repeat(1024 * 1024);
    for (let i = 0; i < 200; i++) {
      cmds.push(['GET', keys[i]]);
      expected.push(`v${i}`);
      if (i % 10 === 0) {
        cmds.push(['ECHO', `main-${i}`]); // answered on the main thread
        expected.push(`main-${i}`);
      }
      if (i % 25 === 0) {
        cmds.push(['MGET', keys[i], keys[(i + 1) % 200], keys[(i + 7) % 200], 'order:none']); // fanned out
        expected.push([`v${i}`, `v${(i + 1) % 200}`, `v${(i + 7) % 200}`, null]);
        cmds.push(['SET', `order:big:${i}`, big]); // a slow write on one worker ...
        expected.push('OK');
        cmds.push(['STRLEN', `order:big:${i}`]);
        expected.push(big.length);
        cmds.push(['DBSIZE']); // ... then a keyspace-wide command
        expected.push(200 + i / 25 + 1);
      }
      if (i % 50 === 0) {
        cmds.push(['RENAME', keys[i], `${keys[i]}:tmp`], ['RENAME', `${keys[i]}:tmp`, keys[i]]); // exclusive
        expected.push('OK', 'OK');
      }
    }
    await c.write(Buffer.concat(cmds.map(encode)));
    const replies = (await c.replies(cmds.length, 120_000)).map(plain);
    assert.deepStrictEqual(replies, expected);
  } finally {
    c.close();
    await r().del(...Array.from({ length: 8 }, (_, j) => `order:big:${j * 25}`));
  }
});

async function expectProtocolError(data, error) {
  const res = await rawRequest(port(), data, { until: () => false, ms: 10_000 });
  assert.strictEqual(res.closed, true, `connection closed after ${JSON.stringify(data)}; got ${JSON.stringify(res.text)}`);
  assert.strictEqual(res.text, `-ERR Protocol error: ${error}\r\n`);
  // the bystander keeps working
  assert.strictEqual(plain(await bystander.call('PING')), 'PONG');
}

test('malformed RESP answers a protocol error and closes only that connection', async () => {
  assert.strictEqual(plain(await bystander.call('PING')), 'PONG');
  await expectProtocolError('*1\r\n$x\r\n', 'invalid bulk length');
  await expectProtocolError('*abc\r\n', 'invalid multibulk length');
  await expectProtocolError('*1\r\n$999999999999\r\n', 'invalid bulk length');
  await expectProtocolError('*1\r\n$-1\r\n', 'invalid bulk length');
  await expectProtocolError('*1\r\nx\r\n', "expected '$', got 'x'");
  await expectProtocolError('SET a "b\r\n', 'unbalanced quotes in request');
  await expectProtocolError(`${'x'.repeat(70 * 1024)}`, 'too big inline request');
});

test("as Redis: the byte quoted in expected '$' is sent raw; the two bytes after a bulk go unread", async () => {
  const c = await RawConn.open(port());
  await c.write(Buffer.from('*1\r\n\xff\r\n', 'latin1'));
  await c.waitFor(() => c.closed, 10_000, 'the close');
  assert.deepStrictEqual(c.bytes(), Buffer.from("-ERR Protocol error: expected '$', got '\xff'\r\n", 'latin1'));
  const d = await RawConn.open(port());
  try {
    await d.write('*1\r\n$4\r\nPINGxx*2\r\n$4\r\nECHO\r\n$1\r\nz\r\n');
    assert.deepStrictEqual((await d.replies(2)).map(plain), ['PONG', 'z']);
  } finally {
    d.close();
  }
});

test('commands before the malformed part are still answered', async () => {
  const res = await rawRequest(port(), 'PING\r\nECHO hi\r\n*abc\r\nPING\r\n', { until: () => false, ms: 10_000 });
  assert.strictEqual(res.closed, true);
  assert.strictEqual(res.text, '+PONG\r\n$2\r\nhi\r\n-ERR Protocol error: invalid multibulk length\r\n');
});

test('a bulk over proto-max-bulk-len is a protocol error', async () => {
  await r().config('SET', 'proto-max-bulk-len', '1mb');
  try {
    await expectProtocolError('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n', 'invalid bulk length');
    // exactly at the limit is fine
    const c = await RawConn.open(port());
    const v = Buffer.alloc(1024 * 1024, 'y');
    assert.strictEqual(plain(await c.call('SET', 'atlimit', v)), 'OK');
    assert.strictEqual(plain(await c.call('STRLEN', 'atlimit')), v.length);
    c.close();
  } finally {
    await r().config('SET', 'proto-max-bulk-len', '512mb');
  }
  await r().del('atlimit');
});

test('a query buffer over client-query-buffer-limit closes the client', async () => {
  await r().config('SET', 'client-query-buffer-limit', '1mb');
  try {
    // an incomplete 3 MB bulk (proto-max-bulk-len is 512mb) of which 2 MB arrive
    const c = await RawConn.open(port());
    await c.write('*3\r\n$3\r\nSET\r\n$2\r\nqb\r\n$3000000\r\n');
    const chunk = Buffer.alloc(64 * 1024, 'q');
    for (let sent = 0; sent < 2 * 1024 * 1024 && !c.closed; sent += chunk.length) {
      await Promise.race([c.write(chunk), sleep(2000)]);
    }
    await c.waitClose(20_000);
    assert.strictEqual(c.closed, true);
    assert.strictEqual(await r().exists('qb'), 0);
    assert.strictEqual(plain(await bystander.call('PING')), 'PONG');

    // arguments of an unfinished command count as their heap, not their few bytes on the wire:
    // 40,000 empty ones are 240 KB sent and some 5 MB held
    const args = await RawConn.open(port());
    await args.write(Buffer.concat([Buffer.from('*2147483647\r\n'), Buffer.from('$0\r\n\r\n'.repeat(40_000))]));
    await args.waitClose(20_000);
    assert.strictEqual(args.closed, true);

    // many small pipelined commands never held in the buffer at once are fine
    const p = await RawConn.open(port());
    const cmds = Buffer.concat(Array.from({ length: 20_000 }, (_, i) => encode(['SET', `qbl:${i % 100}`, 'z'.repeat(100)])));
    assert.ok(cmds.length > 2 * 1024 * 1024);
    await p.write(cmds);
    const replies = await p.replies(20_000, 120_000);
    assert.ok(replies.every((x) => plain(x) === 'OK'));
    p.close();
  } finally {
    await r().config('SET', 'client-query-buffer-limit', '1gb');
  }
  const c2 = await RawConn.open(port());
  const v = Buffer.alloc(3_000_000, 'w');
  assert.strictEqual(plain(await c2.call('SET', 'qb', v)), 'OK', 'the same bulk passes under the default limit');
  assert.strictEqual(plain(await c2.call('STRLEN', 'qb')), v.length);
  c2.close();
});

test('the server still answers after all of it', async () => {
  const res = await rawRequest(port(), 'PING\r\n');
  assert.strictEqual(res.text, '+PONG\r\n');
  assert.strictEqual(plain(await bystander.call('PING')), 'PONG');
  assert.strictEqual(await r().ping(), 'PONG');
  assert.ok(h.node.proc.exitCode === null, 'node still running');
});

test.run();
