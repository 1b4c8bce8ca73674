// MULTI, EXEC, DISCARD, WATCH and UNWATCH through ioredis and raw TCP, against a node with two
// workers, with keys on both of them.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, client, rejects, sleep, RawConn, encode, plain, keysOnWorker, ERRORS } = require('./helpers');
const { WRONGTYPE } = ERRORS;

const test = suite('multi');
const h = useNode(test);
const r = () => h.redis;

const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';

const [A, B] = [keysOnWorker(0, 1, 'a')[0], keysOnWorker(1, 1, 'b')[0]];

/** Sends every command in one write and returns their parsed, plain replies. */
async function pipeline(conn, ...commands) {
  await conn.write(Buffer.concat(commands.map(encode)));
  return (await conn.replies(commands.length)).map(plain);
}

async function withRaw(fn) {
  const c = await RawConn.open(h.node.port);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

test.before.each(async () => {
  await r().flushall();
});

test('EXEC runs the queue in order across workers and answers every reply in one array', async () => {
  await withRaw(async (c) => {
    const replies = await pipeline(c,
      ['MULTI'], ['SET', A, '1'], ['INCR', A], ['SET', B, 'x'], ['MSET', A, '10', B, 'y'], ['MGET', A, B], ['PING'], ['EXEC'], ['GET', A]);
    assert.deepStrictEqual(replies, [
      'OK', 'QUEUED', 'QUEUED', 'QUEUED', 'QUEUED', 'QUEUED', 'QUEUED',
      ['OK', 2, 'OK', 'OK', ['10', 'y'], 'PONG'],
      '10',
    ]);
  });
  assert.deepStrictEqual(await r().multi().rename(A, B).get(B).exists(A).exec(), [[null, 'OK'], [null, '10'], [null, 0]]);
});

test('a runtime error is one element of the array; the other commands still run', async () => {
  await r().set(A, 'str');
  await withRaw(async (c) => {
    const replies = await pipeline(c, ['MULTI'], ['LPUSH', A, 'x'], ['SET', B, 'v'], ['INCR', A], ['EXEC']);
    assert.deepStrictEqual(replies.slice(4), [[`-${WRONGTYPE}`, 'OK', '-ERR value is not an integer or out of range']]);
  });
  assert.strictEqual(await r().get(B), 'v');
});

test('an error while queueing aborts the whole transaction', async () => {
  await withRaw(async (c) => {
    const replies = await pipeline(c, ['MULTI'], ['SET', A, '1'], ['NOSUCHCOMMAND', 'x'], ['GET'], ['SET', B, '2'], ['EXEC'], ['PING']);
    assert.deepStrictEqual(replies, [
      'OK', 'QUEUED', "-ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' ",
      "-ERR wrong number of arguments for 'get' command", 'QUEUED', `-${EXECABORT}`, 'PONG',
    ]);
  });
  assert.strictEqual(await r().exists(A, B), 0);
  await rejects(r().multi().set(A, '1').call('nosuchcommand').exec(), /EXECABORT/);
  assert.strictEqual(await r().exists(A), 0);
});

test('MULTI, EXEC, DISCARD and WATCH refuse what Redis refuses', async () => {
  await withRaw(async (c) => {
    assert.deepStrictEqual(await pipeline(c, ['EXEC'], ['DISCARD']), ['-ERR EXEC without MULTI', '-ERR DISCARD without MULTI']);
    // neither a nested MULTI nor WATCH dooms the transaction
    assert.deepStrictEqual(await pipeline(c, ['MULTI'], ['MULTI'], ['WATCH', A], ['SET', A, 'v'], ['EXEC']), [
      'OK', '-ERR MULTI calls can not be nested', '-ERR WATCH inside MULTI is not allowed', 'QUEUED', ['OK'],
    ]);
    assert.deepStrictEqual(await pipeline(c, ['MULTI'], ['SET', B, 'v'], ['SHUTDOWN'], ['SAVE'], ['EXEC']), [
      'OK', 'QUEUED', '-ERR Command not allowed inside a transaction', '-ERR Command not allowed inside a transaction', `-${EXECABORT}`,
    ]);
    assert.deepStrictEqual(await pipeline(c, ['MULTI'], ['SET', B, 'v'], ['DISCARD'], ['GET', B], ['MULTI'], ['EXEC']), ['OK', 'QUEUED', 'OK', null, 'OK', []]);
    // EXEC refused before it runs ends the transaction, naming why
    assert.deepStrictEqual(await pipeline(c, ['MULTI'], ['SET', B, 'v'], ['EXEC', 'now'], ['EXEC'], ['GET', B]), [
      'OK', 'QUEUED', "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command", '-ERR EXEC without MULTI', null,
    ]);
  });
  assert.strictEqual(await r().get(A), 'v');
  assert.strictEqual(await r().save(), 'OK');
});

test('SELECT inside MULTI applies to the commands after it', async () => {
  await withRaw(async (c) => {
    const replies = await pipeline(c, ['MULTI'], ['SELECT', '3'], ['SET', A, 'in3'], ['SELECT', '0'], ['SET', A, 'in0'], ['SELECT', '3'], ['EXEC'], ['GET', A]);
    assert.deepStrictEqual(replies.slice(6), [['OK', 'OK', 'OK', 'OK', 'OK'], 'in3']);
  });
  assert.strictEqual(await r().get(A), 'in0');
});

test('WATCH: another client\'s write makes EXEC answer a null array, on any worker', async () => {
  const other = client(h.node.port);
  for (const key of [A, B]) {
    await r().mset(A, '1', B, '1');
    assert.strictEqual(await r().watch(A, B), 'OK');
    await other.set(key, '2');
    assert.strictEqual(await r().multi().set(A, 'mine').exec(), null);
    assert.strictEqual(await r().get(A), key === A ? '2' : '1');
  }
  await withRaw(async (c) => {
    await pipeline(c, ['WATCH', A]);
    await other.set(A, 'x');
    assert.deepStrictEqual(await pipeline(c, ['MULTI'], ['PING'], ['EXEC']), ['OK', 'QUEUED', null]);
    assert.ok(c.text().endsWith('+QUEUED\r\n*-1\r\n'), 'a null array, not a null bulk');
  });
});

test('WATCH: untouched keys, reads, other databases and failed writes let EXEC run', async () => {
  const other = client(h.node.port);
  await r().set(A, 'str');
  await r().watch(A, B);
  await other.get(A);
  await other.exists(B);
  await other.select(5);
  await other.set(A, 'elsewhere');
  await other.select(0);
  await rejects(other.lpush(A, 'x'), WRONGTYPE);
  assert.deepStrictEqual(await r().multi().get(A).exec(), [[null, 'str']]);
  // after EXEC nothing is watched any more
  await other.set(A, 'changed');
  assert.deepStrictEqual(await r().multi().get(A).exec(), [[null, 'changed']]);
});

test('WATCH: DEL, EXPIRE, RENAME, MOVE and FLUSHDB of a watched key fail EXEC', async () => {
  const other = client(h.node.port);
  const cases = [
    ['DEL', () => other.del(A)],
    ['EXPIRE', () => other.expire(A, 100)],
    ['RENAME onto it', () => other.rename(B, A)],
    ['RENAME away', () => other.rename(A, B)],
    ['MOVE', () => other.move(A, 2)],
    ['FLUSHDB', () => other.flushdb()],
    ['FLUSHALL', () => other.flushall()],
  ];
  for (const [what, change] of cases) {
    await r().flushall();
    await r().mset(A, '1', B, '2');
    await r().watch(A);
    await change();
    assert.strictEqual(await r().multi().ping().exec(), null, what);
  }
  // a key absent when watched is not touched by FLUSHDB, nor by writes to other keys
  await r().del(A);
  await r().watch(A);
  await other.flushdb();
  await other.set(B, 'v');
  await other.move(B, 1);
  assert.deepStrictEqual(await r().multi().ping().exec(), [[null, 'PONG']]);
});

test('WATCH remembers the database of the key', async () => {
  const c = client(h.node.port, { db: 5 });
  const other = client(h.node.port);
  await c.set(A, '30');
  await c.watch(A);
  await other.set(A, '10');
  assert.deepStrictEqual(await c.multi().ping().exec(), [[null, 'PONG']]);
  await c.watch(A);
  await other.select(5);
  await other.set(A, '10');
  assert.strictEqual(await c.multi().ping().exec(), null);
  // a MOVE into the watched database creates the key there
  await c.del(A);
  await c.watch(A);
  await other.select(0);
  await other.set(A, 'moved');
  await other.move(A, 5);
  assert.strictEqual(await c.multi().ping().exec(), null);
});

test('WATCH: a key that expires fails EXEC; one already expired when watched does not', async () => {
  await r().set(A, 'v', 'PX', 150);
  await r().watch(A);
  await sleep(300);
  assert.strictEqual(await r().multi().ping().exec(), null);
  await r().set(B, 'v', 'PX', 1);
  await sleep(20);
  await r().watch(B);
  await sleep(150);
  assert.deepStrictEqual(await r().multi().ping().exec(), [[null, 'PONG']]);
});

test('UNWATCH and DISCARD forget watched keys and the dirty flag', async () => {
  const other = client(h.node.port);
  await r().watch(A);
  await other.set(A, '1');
  assert.strictEqual(await r().unwatch(), 'OK');
  assert.deepStrictEqual(await r().multi().incr(A).exec(), [[null, 2]]);
  await withRaw(async (c) => {
    await pipeline(c, ['WATCH', A]);
    await other.set(A, '10');
    assert.deepStrictEqual(await pipeline(c, ['MULTI'], ['DISCARD'], ['MULTI'], ['INCR', A], ['EXEC']), ['OK', 'OK', 'OK', 'QUEUED', [11]]);
  });
});

test('a transaction\'s writes dirty other clients\' watches', async () => {
  const watcher = client(h.node.port);
  await watcher.watch(B);
  assert.deepStrictEqual(await r().multi().set(A, '1').set(B, '1').exec(), [[null, 'OK'], [null, 'OK']]);
  assert.strictEqual(await watcher.multi().ping().exec(), null);
});

test('CLIENT LIST shows a connection in MULTI (flags=x multi=N) and a dirty one (flags=d)', async () => {
  const other = client(h.node.port);
  await withRaw(async (c) => {
    const [id] = await pipeline(c, ['CLIENT', 'ID']);
    const line = async () => (await other.client('LIST')).split('\n').find((l) => l.startsWith(`id=${id} `));
    assert.match(await line(), / flags=N .* multi=-1 /);
    await pipeline(c, ['WATCH', A], ['MULTI'], ['SET', A, '1'], ['GET', A]);
    assert.match(await line(), / flags=x .* multi=2 /);
    await other.set(A, 'x');
    assert.match(await line(), / flags=xd .* multi=2 /);
    assert.deepStrictEqual(await pipeline(c, ['EXEC']), [null]);
    assert.match(await line(), / flags=N .* multi=-1 /);
  });
});

test('EXEC is atomic for other clients even when its keys are on both workers', async () => {
  const keys = [...keysOnWorker(0, 8, 'w0-'), ...keysOnWorker(1, 8, 'w1-')];
  await r().mset(...keys.flatMap((k) => [k, '0']));
  const reader = client(h.node.port);
  const writer = client(h.node.port);
  let stop = false;
  const reading = (async () => {
    while (!stop) {
      const values = await reader.mget(...keys);
      assert.strictEqual(new Set(values).size, 1, `a read saw a transaction half done: ${values}`);
    }
  })();
  const rounds = 30;
  for (let i = 0; i < rounds; i++) {
    const tx = writer.multi();
    for (const k of keys) tx.incr(k);
    const res = await tx.exec();
    assert.deepStrictEqual(res, keys.map(() => [null, i + 1]));
  }
  stop = true;
  await reading;
  assert.deepStrictEqual(await r().mget(...keys), keys.map(() => String(rounds)));
});

test('a WATCH raced by concurrent INCRs: only transactions whose key stayed unchanged apply', async () => {
  await r().set(A, '0');
  const clients = Array.from({ length: 4 }, () => client(h.node.port));
  let applied = 0;
  await Promise.all(clients.map(async (c) => {
    for (let i = 0; i < 10; i++) {
      await c.watch(A);
      const v = Number(await c.get(A));
      const res = await c.multi().set(A, String(v + 1)).exec();
      if (res !== null) applied++;
    }
  }));
  // optimistic locking: every applied transaction added exactly one, none was lost
  assert.strictEqual(Number(await r().get(A)), applied);
  // each failed attempt was beaten by an applied one, which can beat at most the 3 others
  assert.ok(applied >= 10, `applied ${applied} of 40`);
});

test('commands pipelined after EXEC see its effects; other connections\' commands keep their order', async () => {
  await withRaw(async (c) => {
    const replies = await pipeline(c, ['SET', A, '1'], ['MULTI'], ['INCR', A], ['INCR', B], ['EXEC'], ['GET', A], ['GET', B]);
    assert.deepStrictEqual(replies, ['OK', 'OK', 'QUEUED', 'QUEUED', [2, 1], '2', '1']);
  });
});

test('a connection that closes in MULTI or while watching leaves nothing behind', async () => {
  await withRaw(async (c) => {
    await pipeline(c, ['WATCH', A], ['MULTI'], ['SET', A, 'never']);
  });
  await sleep(50);
  assert.strictEqual(await r().exists(A), 0);
  await r().set(A, 'v');
  assert.deepStrictEqual(await r().multi().get(A).exec(), [[null, 'v']]);
});

test.run();
