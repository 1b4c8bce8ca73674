// binlog-retention on a real node: by entries, by bytes and by age, each slot's oldest kept
// entry (binlog_first in pkcluster info slot) moves up within a retention pass, the newest stays.
'use strict';

const { suite } = require('uvu');
const assert = require('uvu/assert');
const { TARGET, startNode, stopAll, client, closeClients, sleep, slotInfo } = require('./helpers');
const { slotOf } = require('../../dist/common/crc32');
const { BINLOG_RETENTION_INTERVAL_MS } = require('../../dist/common/limits');

const test = suite('binlog retention');
const SLOTS = 4;
let node, c;

/** binlog_first and binlog_offset of `slot` as indexes (first 0 when the log is empty). */
async function range(slot) {
  const { binlog_first: first, binlog_offset: last } = await slotInfo(c, slot);
  const index = (offset) => Number(offset.split(':')[1]);
  return { first: first === 'none' ? 0 : index(first), last: index(last) };
}

/** Waits (a few retention passes at most) until `ok` holds for the slot's range. */
async function until(slot, ok, what) {
  const deadline = Date.now() + 10 * BINLOG_RETENTION_INTERVAL_MS;
  let r;
  while (!ok((r = await range(slot)))) {
    if (Date.now() > deadline) assert.unreachable(`${what}: binlog ${r.first}..${r.last}`);
    await sleep(100);
  }
  return r;
}

/** `n` pipelined SETs of 100-byte values to keys of one slot; returns the slot. */
async function writeSlot(tag, n) {
  const p = c.pipeline();
  for (let i = 0; i < n; i++) p.set(`{${tag}}${i}`, 'x'.repeat(100));
  await p.exec();
  return slotOf(Buffer.from(`{${tag}}0`), SLOTS);
}

test.before(async () => {
  if (TARGET !== 'pika') return;
  node = await startNode({ args: ['--default-slot-num', String(SLOTS)], config: 'binlog-retention : 0\n' });
  c = client(node.port);
});

test.after(async () => {
  closeClients();
  await stopAll();
});

test('0 keeps everything; a number keeps that many entries per slot', async () => {
  if (TARGET !== 'pika') return;
  const slot = await writeSlot('n', 300);
  await sleep(2 * BINLOG_RETENTION_INTERVAL_MS);
  const all = await range(slot);
  assert.is(all.first, 1);
  assert.ok(all.last >= 300, `${all.last}`);
  await c.config('SET', 'binlog-retention', '50');
  const kept = await until(slot, (r) => r.first > 1, 'entries retention never purged');
  assert.is(kept.last, all.last);
  assert.is(kept.last - kept.first + 1, 50);
});

test('a size keeps the newest entries within that many bytes of log', async () => {
  if (TARGET !== 'pika') return;
  await c.config('SET', 'binlog-retention', '0');
  const slot = await writeSlot('b', 2000);
  const before = await range(slot);
  await c.config('SET', 'binlog-retention', '64kb');
  const kept = await until(slot, (r) => r.first > before.first, 'bytes retention never purged');
  assert.is(kept.last, before.last);
  // 2,000 entries of over 100 bytes are far more than 64 KiB; what is left fits near it
  const entries = kept.last - kept.first + 1;
  assert.ok(entries > 0 && entries < 1000, `${entries} entries kept`);
});

test('an age keeps entries younger than it', async () => {
  if (TARGET !== 'pika') return;
  await c.config('SET', 'binlog-retention', '0');
  const slot = await writeSlot('a', 100);
  const old = await range(slot);
  await sleep(2500);
  await c.config('SET', 'binlog-retention', '2s');
  await c.set('{a}fresh', 'y');
  // the old entries go; the fresh one stays unless a slow pass found it 2 s old too (then none is left)
  const kept = await until(slot, (r) => r.first > old.last || r.first === 0, 'age retention never purged the old entries');
  assert.is(kept.last, old.last + 1);
});

test.run();
