// replication/leader.ts: entries a worker pushed reach the follower as they were committed,
// even after the reply ring they arrived in was written over.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { EventEmitter } = require('events');
const { LeaderLink } = require('../../dist/replication/leader');
const { bulks, frameParser } = require('../../dist/replication/protocol');

class FakeSocket extends EventEmitter {
  constructor() {
    super();
    this.written = [];
    this.writableLength = 0;
    this.remoteAddress = '127.0.0.1';
    this.remotePort = 1;
  }
  write(b) {
    this.written.push(Buffer.from(b));
    return true;
  }
  destroy() {}
}

const host = {
  sendBatchMs: () => 10,
  acked() {},
  lastIndex: () => undefined,
  workerOfSlot: () => 0,
  slotCount: () => 8,
  isFollower: () => false,
};

function framesOf(socket) {
  const frames = [];
  const parser = frameParser();
  for (const b of socket.written) parser.feed(b, (args) => frames.push(args.map(String)));
  return frames;
}

test('a block offered from the reply ring is sent as it was when offered', () => {
  const socket = new FakeSocket();
  const link = new LeaderLink(socket, host, () => {});
  try {
    link.slots.set('0:3', { table: 0, slot: 3, next: 5, acked: 4, state: 'streaming', last: 4 });
    const ring = Buffer.from(bulks([Buffer.from('entry-5'), Buffer.from('entry-6')]));
    link.offer(0, 3, 5, 2, ring);
    ring.fill(0x78); // the worker reuses the drained region before the batch leaves
    link.flush();
    assert.equal(framesOf(socket).filter((f) => f[0] === 'E'), [['E', '0', '3', '2', 'entry-5', 'entry-6']]);
    assert.is(link.slots.get('0:3').next, 7);
  } finally {
    link.close('test over');
  }
});

test.run();
