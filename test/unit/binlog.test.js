// storage/binlog.ts against a real LMDB environment: entries go in index order, and a write
// that is not past the last entry is refused loudly, never dropped or overwritten.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { test } = require('uvu');
const assert = require('uvu/assert');
const { SlotStore } = require('../../dist/storage/slot-store');
const binlog = require('../../dist/storage/binlog');

const argv = (...a) => a.map((s) => Buffer.from(s));

test('appends take the next index; a stale cached offset makes the append throw, keeping what is stored', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pika-binlog-test-'));
  const store = new SlotStore(dir, 4, 'no');
  try {
    const env = store.env(0, 0, true);
    env.write(() => {
      binlog.append(env, 1000, argv('SET', 'a', '1'));
      binlog.append(env, 1001, argv('SET', 'b', '2'));
    });
    assert.is(binlog.lastOffset(env).index, 2);
    const received = binlog.encodeEntry(0, 3, 1002, argv('DEL', 'a'));
    env.write(() => binlog.appendReceived(env, received));
    assert.is(binlog.lastOffset(env).index, 3);
    env.logState.last = { term: 0, index: 1, time: 0 }; // as if the cache had missed entries 2 and 3
    assert.throws(() => env.write(() => binlog.append(env, 1003, argv('SET', 'c', '3'))), /entry 2 is not past the last one/);
    assert.equal(binlog.readFrom(env, 1, 1 << 20, 10).map((e) => binlog.entryArgs(e).map(String)), [['SET', 'a', '1'], ['SET', 'b', '2'], ['DEL', 'a']]);
  } finally {
    store.closeAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
