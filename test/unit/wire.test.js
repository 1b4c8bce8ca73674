// Messages a worker sends main besides replies (dispatch/wire.ts): appends, syncs.
'use strict';

const { test } = require('uvu');
const assert = require('uvu/assert');
const { APPENDS_CONN, SYNC_CONN, MESSAGE_CONN_MIN, appendsBytes, readAppends, encodeSyncs, readSyncs, writeAppends } = require('../../dist/dispatch/wire');

/** An appends message in a buffer of its own, as a worker writes one too large for its ring. */
function encodeAppends(appends) {
  const out = Buffer.alloc(appendsBytes(appends));
  writeAppends(out, 0, appends);
  return out;
}

test('appends: slots, last indexes and pushed entries survive the round trip', () => {
  const appends = [
    { table: 0, slot: 127, index: 2 ** 40 + 5, entries: [Buffer.from('a'), Buffer.alloc(0), Buffer.from('ccc')] },
    { table: 65535, slot: 16383, index: 1, entries: [] },
    { table: 3, slot: 0, index: 9, entries: [Buffer.alloc(70_000, 7)] },
  ];
  const msg = encodeAppends(appends);
  assert.is(msg.readUInt32LE(0), APPENDS_CONN);
  const got = [];
  readAppends(msg.subarray(4), (a) => got.push(a));
  assert.equal(got.map(({ table, slot, index, count }) => ({ table, slot, index, count })), appends.map(({ table, slot, index, entries }) => ({ table, slot, index, count: entries.length })));
  // each slot's entries arrive as the RESP bulk strings an E frame carries
  const bulks = (es) => Buffer.concat(es.flatMap((e) => [Buffer.from(`$${e.length}\r\n`), e, Buffer.from('\r\n')]));
  got.forEach((a, i) => assert.ok(a.entries.equals(bulks(appends[i].entries)), `slot ${a.slot}'s entries`));
});

test('appends: written in place (as into the reply ring), the same bytes in appendsBytes and nothing around them', () => {
  const appends = [
    { table: 1, slot: 5, index: 12, entries: [Buffer.from('x'.repeat(9)), Buffer.from('y'.repeat(10)), Buffer.from('z'.repeat(12345))] },
    { table: 2, slot: 6, index: 3, entries: [] },
  ];
  const len = appendsBytes(appends);
  const ring = Buffer.alloc(len + 40, 0xee);
  writeAppends(ring, 20, appends);
  assert.ok(ring.subarray(20, 20 + len).equals(encodeAppends(appends)));
  assert.is(len, encodeAppends(appends).length);
  assert.ok(ring.subarray(0, 20).every((b) => b === 0xee) && ring.subarray(20 + len).every((b) => b === 0xee), 'bytes around it untouched');
});

test('appends: an empty batch decodes to nothing', () => {
  const got = [];
  readAppends(encodeAppends([]).subarray(4), (a) => got.push(a));
  assert.equal(got, []);
});

test('syncs: the slots a worker hands main to fsync survive the round trip', () => {
  const slots = [{ table: 0, slot: 0 }, { table: 65535, slot: 16383 }, { table: 7, slot: 99 }];
  const msg = encodeSyncs(slots);
  assert.is(msg.readUInt32LE(0), SYNC_CONN);
  const got = [];
  readSyncs(msg.subarray(4), (table, slot) => got.push({ table, slot }));
  assert.equal(got, slots);
  assert.ok(APPENDS_CONN >= MESSAGE_CONN_MIN && SYNC_CONN >= MESSAGE_CONN_MIN, 'message ids sit above every client id');
});

test.run();
