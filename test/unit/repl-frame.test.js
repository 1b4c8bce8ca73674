// replication/protocol.ts: frames are RESP arrays, read back by the client parser.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { frame, frameParser, entriesFrame, bulks } = require('../../dist/replication/protocol');

test('a frame of numbers, strings and entries of every header width reads back as sent', () => {
  const parts = ['E', 0, 7, 3, Buffer.alloc(0), Buffer.from('abc'), Buffer.alloc(100000, 1), 'é', 9, 10, 999, 1000];
  const f = frame(parts);
  const got = [];
  frameParser().feed(f, (args) => got.push(args));
  assert.is(got.length, 1);
  assert.equal(got[0].map((b) => b.toString('hex')), parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(String(p))).toString('hex')));
  assert.is(f.subarray(0, 5).toString(), `*${parts.length}\r\n`);
});

test('an E frame from blocks of entries encoded once reads back as the frame of its parts', () => {
  const blocks = [
    { slot: 3, entries: [Buffer.from('one'), Buffer.alloc(0), Buffer.alloc(300, 2)] },
    { slot: 12, entries: Array.from({ length: 11 }, (_, i) => Buffer.from(`e${i}`)) },
  ];
  const encoded = blocks.map(({ slot, entries }) => ({ slot, count: entries.length, bulks: bulks(entries) }));
  const f = entriesFrame(7, encoded);
  assert.ok(f.equals(frame(['E', 7, ...blocks.flatMap(({ slot, entries }) => [slot, entries.length, ...entries])])));
  const got = [];
  frameParser().feed(f, (args) => got.push(args));
  assert.is(got[0].length, 2 + 2 + 3 + 2 + 11);
});

test.run();
