// Durability of the db-path: clean restarts and kill -9 under each sync mode.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { TARGET, startNode, stopAll, client, closeClients, sleep, alive, withTimeout, parseInfo } = require('./helpers');

/** A suite whose nodes are all stopped (by PID) in its after-hook. */
function durabilitySuite(name) {
  const s = suite(name);
  s.after(async () => {
    closeClients();
    await stopAll();
  });
  return s;
}

/** Checks keys `prefix0..prefix{n-1}` hold `value(i)`, in chunks of MGET. */
async function expectValues(redis, keys, valueOf, what) {
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const got = await redis.mget(...chunk);
    chunk.forEach((k, j) => assert.strictEqual(got[j], valueOf(k), `${what}: ${k}`));
  }
}

// ---------------------------------------------------------------------------------------------
const restart = durabilitySuite('durability: SIGTERM and restart');

restart('1000 keys with their TTLs survive a restart (sync everysec)', async () => {
  const node = await startNode({ args: ['--sync', 'everysec'] });
  let r = client(node.port);
  const plain = Array.from({ length: 600 }, (_, i) => `plain:${i}`);
  const withTtl = Array.from({ length: 400 }, (_, i) => `ttl:${i}`);
  const pipe = r.pipeline();
  for (const k of plain) pipe.set(k, `value of ${k}`);
  withTtl.forEach((k, i) => (i % 2 ? pipe.set(k, `value of ${k}`, 'EX', 5000 + i) : pipe.set(k, `value of ${k}`, 'PXAT', Date.now() + 9_000_000 + i)));
  for (const [err] of await pipe.exec()) assert.ifError(err);
  await r.select(5);
  await r.set('in-table-5', 'five', 'EX', 7000);
  await r.select(0);
  const expireTimes = {};
  for (const k of withTtl) expireTimes[k] = await r.call('pexpiretime', k);
  await r.set('short-lived', 'x', 'PX', 300);
  assert.strictEqual(await r.exists('short-lived'), 1);
  await sleep(500); // short-lived is now expired

  r.disconnect();
  const pid = node.pid;
  const exit = await node.stop();
  assert.deepStrictEqual(exit, { code: 0, signal: null }, `clean exit on SIGTERM:\n${node.output()}`);
  assert.strictEqual(alive(pid), false);

  await node.restart();
  assert.notStrictEqual(node.pid, pid);
  r = client(node.port);
  assert.strictEqual(await r.dbsize(), 1000, 'the expired key is not counted');
  await expectValues(r, [...plain, ...withTtl], (k) => `value of ${k}`, 'after restart');
  for (const k of plain.slice(0, 50)) assert.strictEqual(await r.ttl(k), -1, `${k} has no TTL`);
  for (const k of withTtl) assert.strictEqual(await r.call('pexpiretime', k), expireTimes[k], `${k} keeps its expire time`);
  const ttl = await r.ttl('ttl:1');
  assert.ok(ttl > 4900 && ttl <= 5001, `ttl:1 TTL ${ttl}`);
  assert.strictEqual(await r.get('short-lived'), null);
  await r.select(5);
  assert.strictEqual(await r.get('in-table-5'), 'five');
  assert.ok((await r.ttl('in-table-5')) > 6000);
  r.disconnect();
  await node.destroy();
});

restart('restart with --max-open-slots 4: slots closed by eviction keep their data', async () => {
  const node = await startNode({ args: ['--sync', 'everysec', '--max-open-slots', '4'] });
  let r = client(node.port);
  const keys = Array.from({ length: 1000 }, (_, i) => `ev:${i}`);
  for (let i = 0; i < keys.length; i += 100) await r.mset(...keys.slice(i, i + 100).flatMap((k) => [k, `v-${k}`]));
  for (let i = 0; i < 200; i++) await r.append(keys[(i * 37) % 1000], '+');
  const valueOf = (k) => {
    const n = Number(k.slice(3));
    const appended = Array.from({ length: 200 }, (_, i) => (i * 37) % 1000).filter((x) => x === n).length;
    return `v-${k}${'+'.repeat(appended)}`;
  };
  await expectValues(r, keys, valueOf, 'before restart');
  r.disconnect();
  assert.deepStrictEqual(await node.stop(), { code: 0, signal: null }, node.output());
  await node.restart();
  r = client(node.port);
  assert.strictEqual(await r.dbsize(), 1000);
  await expectValues(r, keys, valueOf, 'after restart');
  r.disconnect();
  await node.destroy();
});

if (TARGET === 'pika') restart.run();

// ---------------------------------------------------------------------------------------------
const crash = durabilitySuite('durability: kill -9');

/**
 * Writers that each SET their own keys one at a time, recording every acknowledged write,
 * until the connection fails. Resolves with the acknowledged keys → values.
 */
function writers(port, count, prefix) {
  const acked = new Map();
  const conns = [];
  const runs = [];
  for (let w = 0; w < count; w++) {
    const c = client(port, { commandTimeout: 30_000 });
    conns.push(c);
    runs.push(
      (async () => {
        for (let i = 0; ; i++) {
          const key = `${prefix}:${w}:${i}`;
          const value = `${key}:${'v'.repeat(i % 50)}`;
          try {
            const reply = await c.set(key, value);
            assert.strictEqual(reply, 'OK');
          } catch {
            return;
          }
          acked.set(key, value);
        }
      })(),
    );
  }
  return {
    acked,
    done: () => withTimeout(Promise.all(runs), 60_000, 'writers to stop').finally(() => conns.forEach((c) => c.disconnect())),
  };
}

crash('sync always: every acknowledged SET survives SIGKILL mid-stream', async () => {
  const node = await startNode({ args: ['--sync', 'always'] });
  const ctl = client(node.port);
  // a counter incremented one acknowledged INCR at a time, next to the writers
  let incrAcked = 0;
  let stopIncr = false;
  const incr = (async () => {
    while (!stopIncr) {
      try {
        await ctl.incr('crash:counter');
      } catch {
        return;
      }
      incrAcked++;
    }
  })();
  const w = writers(node.port, 4, 'always');
  const deadline = Date.now() + 60_000;
  while (w.acked.size < 400 && Date.now() < deadline) await sleep(20);
  assert.ok(w.acked.size >= 400, `writers made progress (${w.acked.size} acknowledged)`);
  const exit = await node.kill9(); // mid-stream: writers have requests in flight
  assert.strictEqual(exit.signal, 'SIGKILL');
  await w.done();
  stopIncr = true;
  await withTimeout(incr, 30_000, 'INCR loop to stop');
  ctl.disconnect();
  const acked = new Map(w.acked);

  await node.restart();
  const r = client(node.port);
  const keys = [...acked.keys()];
  await expectValues(r, keys, (k) => acked.get(k), 'acknowledged before SIGKILL');
  const counter = Number(await r.get('crash:counter'));
  assert.ok(counter >= incrAcked && counter <= incrAcked + 1, `counter ${counter}, ${incrAcked} INCRs acknowledged`);
  // the node works normally after recovery
  assert.strictEqual(await r.set('after-recovery', '1'), 'OK');
  assert.strictEqual(await r.get('after-recovery'), '1');
  r.disconnect();
  await node.destroy();
});

crash('sync everysec: data written 2 s before SIGKILL is all there; main fsyncs the dirty slots', async () => {
  const node = await startNode({ args: ['--sync', 'everysec'] });
  let r = client(node.port);
  const persistence = async () => parseInfo(await r.info('persistence'));
  assert.strictEqual(Number((await persistence()).background_fsyncs), 0, 'nothing written, nothing synced');
  const keys = Array.from({ length: 1000 }, (_, i) => `es:${i}`);
  for (let i = 0; i < 500; i++) await r.set(keys[i], `value-${i}`);
  await r.mset(...keys.slice(500).flatMap((k) => [k, `value-${k.slice(3)}`]));
  await r.expire('es:1', 8000);
  await r.del('es:2');
  await sleep(2000);
  // the workers handed their dirty slots to main, which fsynced them
  const p = await persistence();
  assert.ok(Number(p.background_fsyncs) > 0, `background fsyncs: ${p.background_fsyncs}`);
  assert.strictEqual(Number(p.background_fsync_failures), 0);
  r.disconnect();
  assert.strictEqual((await node.kill9()).signal, 'SIGKILL');
  await node.restart();
  r = client(node.port);
  assert.strictEqual(await r.dbsize(), 999);
  await expectValues(r, keys.filter((k) => k !== 'es:2'), (k) => `value-${k.slice(3)}`, 'after SIGKILL');
  assert.strictEqual(await r.get('es:2'), null);
  assert.ok((await r.ttl('es:1')) > 7000);
  r.disconnect();
  await node.destroy();
});

crash('sync no: a process crash right after the acknowledgements loses nothing', async () => {
  const node = await startNode({ args: ['--sync', 'no'] });
  const w = writers(node.port, 3, 'nosync');
  const deadline = Date.now() + 60_000;
  while (w.acked.size < 600 && Date.now() < deadline) await sleep(10);
  assert.ok(w.acked.size >= 600, `writers made progress (${w.acked.size} acknowledged)`);
  await node.kill9();
  await w.done();
  const acked = new Map(w.acked);
  await node.restart();
  const r = client(node.port);
  await expectValues(r, [...acked.keys()], (k) => acked.get(k), 'acknowledged before SIGKILL');
  r.disconnect();
  await node.destroy();
});

crash('deletes, renames, moves, copies and FLUSHDB survive SIGKILL too (sync always)', async () => {
  const node = await startNode({ args: ['--sync', 'always'] });
  let r = client(node.port);
  await r.mset('a', '1', 'b', '2', 'c', '3', 'd', '4');
  assert.strictEqual(await r.del('a'), 1);
  assert.strictEqual(await r.rename('b', 'b2'), 'OK');
  assert.strictEqual(await r.copy('c', 'c', 'DB', 1), 1);
  assert.strictEqual(await r.move('d', 2), 1);
  await r.select(1);
  await r.mset('t1', 'x', 't2', 'y');
  assert.strictEqual(await r.flushdb(), 'OK');
  await r.set('after-flush', 'z');
  await r.select(0);
  await r.set('e', 'v', 'EX', 100);
  assert.strictEqual(await r.persist('e'), 1);
  await r.set('f', 'v');
  await r.pexpire('f', 50);
  await r.set('g', '1');
  await r.incrby('g', 41);
  await r.append('g', '!');
  await sleep(200);
  r.disconnect();
  await node.kill9();
  await node.restart();
  r = client(node.port);
  const dump = {};
  for (const db of [0, 1, 2]) {
    await r.select(db);
    dump[db] = {};
    for (const k of (await r.keys('*')).sort()) dump[db][k] = [await r.get(k), await r.ttl(k)];
  }
  assert.deepStrictEqual(dump, {
    0: { b2: ['2', -1], c: ['3', -1], e: ['v', -1], g: ['42!', -1] },
    1: { 'after-flush': ['z', -1] },
    2: { d: ['4', -1] },
  });
  r.disconnect();
  await node.destroy();
});

if (TARGET === 'pika') crash.run();
