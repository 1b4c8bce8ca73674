// dispatch/ring.ts: SPSC byte ring over a SharedArrayBuffer, MessagePort side channel, Doorbell.
const path = require('path');
const { test } = require('uvu');
const assert = require('uvu/assert');
const { MessageChannel, Worker, receiveMessageOnPort } = require('worker_threads');
const { createRing, RingProducer, RingConsumer, Doorbell } = require('../../dist/dispatch/ring');

const RING_MODULE = path.resolve(__dirname, '../../dist/dispatch/ring.js');

/** Small deterministic PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Payload of message `seq`: a recognisable byte pattern of `len` bytes. */
function fill(dst, off, seq, len) {
  for (let k = 0; k < len; k++) dst[off + k] = (seq * 7 + k * 13 + 1) & 0xff;
}
function matches(src, off, seq, len) {
  for (let k = 0; k < len; k++) if (src[off + k] !== ((seq * 7 + k * 13 + 1) & 0xff)) return false;
  return true;
}

function setup(capacity, inlineMax) {
  const shared = createRing(capacity);
  const { port1, port2 } = new MessageChannel();
  const bell = new Doorbell();
  const producer = new RingProducer(shared, port1, bell, inlineMax);
  const consumer = new RingConsumer(shared, port2);
  const close = () => {
    port1.close();
    port2.close();
  };
  return { shared, producer, consumer, bell, port1, port2, close };
}

function write(producer, seq, len) {
  const off = producer.reserve(len);
  if (off < 0) return false;
  fill(producer.bytes, off, seq, len);
  producer.commit(len);
  return true;
}

test('createRing validates the capacity', () => {
  assert.throws(() => createRing(1000));
  assert.throws(() => createRing(512));
  assert.throws(() => createRing(3000));
  const r = createRing(1024);
  assert.is(r.capacity, 1024);
  assert.ok(r.sab instanceof SharedArrayBuffer);
  assert.ok(r.sab.byteLength >= 1024);
});

test('inlineMax is capped at a quarter of the ring and reserve refuses larger payloads', () => {
  const { producer, close } = setup(4096, 1 << 20);
  assert.is(producer.inlineMax, 1024);
  assert.throws(() => producer.reserve(1025), /inline maximum/);
  assert.ok(producer.reserve(1024) >= 0);
  close();
});

test('messages are invisible until publish', () => {
  const { producer, consumer, close } = setup(1024, 256);
  assert.ok(write(producer, 1, 10));
  assert.is(consumer.hasData(), false);
  assert.is(consumer.drain(100, () => assert.unreachable('nothing published')), 0);
  assert.is(producer.publish(), 1);
  assert.is(producer.publish(), 0);
  assert.is(consumer.hasData(), true);
  const seen = [];
  assert.is(consumer.drain(100, (b, off, len) => seen.push([len, matches(b, off, 1, len)])), 1);
  assert.equal(seen, [[10, true]]);
  assert.is(consumer.hasData(), false);
  close();
});

test('single thread: random sizes, wrap-around many times, content and order intact', () => {
  const capacity = 4096;
  const { producer, consumer, close } = setup(capacity, 1024);
  const rand = rng(12345);
  let nextWrite = 0;
  let nextRead = 0;
  let bytesRead = 0;
  let bad = null;
  const onMessage = (b, off, len) => {
    if (bad === null) {
      const wantLen = lenOf(nextRead);
      if (len !== wantLen) bad = `message ${nextRead}: length ${len}, want ${wantLen}`;
      else if (!matches(b, off, nextRead, len)) bad = `message ${nextRead}: wrong bytes`;
    }
    nextRead++;
    bytesRead += len;
  };
  const lens = [];
  const lenOf = (seq) => lens[seq];
  let sawFull = 0;
  for (let round = 0; round < 3000; round++) {
    const burst = 1 + Math.floor(rand() * 12);
    for (let i = 0; i < burst; i++) {
      const r = rand();
      const len = r < 0.1 ? 0 : r < 0.2 ? 1024 : Math.floor(rand() * 1025);
      lens[nextWrite] = len;
      if (!write(producer, nextWrite, len)) {
        sawFull++;
        break;
      }
      nextWrite++;
    }
    producer.publish();
    consumer.drain(1 + Math.floor(rand() * 8), onMessage);
    assert.is(bad, null);
    assert.ok(producer.depthBytes() <= capacity);
  }
  while (consumer.hasData()) consumer.drain(1000, onMessage);
  assert.is(bad, null);
  assert.is(nextRead, nextWrite);
  assert.is(producer.depthBytes(), 0);
  assert.ok(sawFull > 0, 'the ring filled up at least once');
  assert.ok(bytesRead > capacity * 100, `wrapped many times (${bytesRead} bytes)`);
  close();
});

test('full ring: reserve returns -1 until the consumer frees room', () => {
  const { producer, consumer, close } = setup(1024, 256);
  for (let i = 0; i < 4; i++) assert.ok(write(producer, i, 252), `message ${i} fits`);
  assert.is(producer.depthBytes(), 1024);
  assert.is(producer.reserve(0), -1);
  assert.is(producer.reserve(100), -1);
  producer.publish();
  assert.is(producer.reserve(0), -1, 'publishing does not free room');
  const seen = [];
  assert.is(consumer.drain(1, (b, off, len) => seen.push(matches(b, off, 0, len))), 1);
  assert.equal(seen, [true]);
  assert.ok(producer.reserve(252) >= 0, 'room after one drain');
  producer.commit(252);
  assert.is(producer.reserve(0), -1);
  close();
});

test('full ring: the wrap marker counts against free room', () => {
  const { producer, consumer, close } = setup(4096, 1024);
  // 3 x 1024 + 1004 bytes: HEAD ends 20 bytes before the end of the data area
  for (let i = 0; i < 3; i++) assert.ok(write(producer, i, 1020));
  assert.ok(write(producer, 3, 1000));
  producer.publish();
  const seen = [];
  const onMessage = (b, off, len) => seen.push([len, matches(b, off, seen.length, len)]);
  assert.is(consumer.drain(1, onMessage), 1); // frees the first 1024 bytes
  // 1028 bytes would fit in the 1044 free bytes, but not after skipping the 20-byte tail
  assert.is(producer.reserve(1021), -1);
  // 1024 bytes fit exactly: 20 skipped + 1024 at the start
  assert.ok(write(producer, 4, 1020));
  assert.is(producer.depthBytes(), 4096);
  assert.is(producer.reserve(0), -1);
  producer.publish();
  while (consumer.hasData()) consumer.drain(10, onMessage);
  assert.equal(seen, [
    [1020, true],
    [1020, true],
    [1020, true],
    [1000, true],
    [1020, true],
  ]);
  assert.is(producer.depthBytes(), 0);
  close();
});

test('drain respects max and resumes where it stopped', () => {
  const { producer, consumer, close } = setup(4096, 1024);
  for (let i = 0; i < 10; i++) assert.ok(write(producer, i, i * 3));
  producer.publish();
  const seen = [];
  const onMessage = (b, off, len) => seen.push(len);
  assert.is(consumer.drain(3, onMessage), 3);
  assert.is(consumer.drain(3, onMessage), 3);
  assert.is(consumer.drain(100, onMessage), 4);
  assert.is(consumer.drain(100, onMessage), 0);
  assert.equal(seen, [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
  close();
});

test('writeLarge: payload over the port, ordered with inline messages; a whole buffer is transferred, a view copied', () => {
  const { shared, producer, consumer, close } = setup(4096, 1024);
  const backing = new Uint8Array(300 * 1024 + 8);
  const big1 = backing.subarray(8);
  fill(big1, 0, 100, big1.length);
  const big2 = new Uint8Array(5000);
  fill(big2, 0, 101, big2.length);
  assert.ok(write(producer, 0, 10));
  assert.ok(producer.writeLarge(big1));
  big1.fill(0); // a view into a larger buffer: the ring sent a copy
  assert.ok(write(producer, 1, 20));
  assert.ok(producer.writeLarge(big2));
  assert.is(big2.buffer.byteLength, 0, 'a buffer of its own is transferred (detached here), not copied');
  assert.ok(write(producer, 2, 30));
  producer.publish();
  const seen = [];
  consumer.drain(100, (b, off, len) => seen.push({ own: b.buffer !== shared.sab, off, len, b: Buffer.from(b.subarray(off, off + len)) }));
  assert.equal(
    seen.map((m) => [m.own, m.len]),
    [
      [false, 10],
      [true, 300 * 1024],
      [false, 20],
      [true, 5000],
      [false, 30],
    ],
  );
  assert.is(seen[1].off, 0);
  assert.ok(matches(seen[0].b, 0, 0, 10));
  assert.ok(matches(seen[1].b, 0, 100, 300 * 1024), 'large payload intact (not the zeroed original)');
  assert.ok(matches(seen[2].b, 0, 1, 20));
  assert.ok(matches(seen[3].b, 0, 101, 5000));
  assert.ok(matches(seen[4].b, 0, 2, 30));
  close();
});

test('writeLarge on a full ring returns false and sends nothing', () => {
  const { producer, consumer, port2, close } = setup(1024, 256);
  for (let i = 0; i < 4; i++) assert.ok(write(producer, i, 252));
  assert.is(producer.writeLarge(new Uint8Array(10000)), false);
  assert.is(receiveMessageOnPort(port2), undefined);
  producer.publish();
  assert.is(consumer.drain(100, () => {}), 4);
  assert.ok(producer.writeLarge(new Uint8Array(10000).fill(7)));
  producer.publish();
  const seen = [];
  consumer.drain(100, (b, off, len) => seen.push([len, b[off], b[off + len - 1]]));
  assert.equal(seen, [[10000, 7, 7]]);
  close();
});

test('write fills in place when inline, over the port when larger, and writes nothing on a full ring', () => {
  const { shared, producer, consumer, close } = setup(4096, 1024);
  const fillSeq = (seq) => (dst, off) => fill(dst, off, seq, seq === 1 ? 5000 : 100);
  assert.ok(producer.write(100, fillSeq(0)));
  assert.ok(producer.write(5000, fillSeq(1)));
  assert.ok(producer.write(100, fillSeq(2)));
  // 4096 bytes hold 38 more messages of 100 (104 with the length word) beside the three above
  let written = 3;
  while (producer.write(100, fillSeq(written))) written++;
  assert.ok(written > 30 && written < 42, `${written} messages`);
  producer.publish();
  const seen = [];
  consumer.drain(100, (b, off, len) => seen.push({ own: b.buffer !== shared.sab, len, b: Buffer.from(b.subarray(off, off + len)) }));
  assert.is(seen.length, written);
  assert.equal(seen.slice(0, 3).map((m) => [m.own, m.len]), [[false, 100], [true, 5000], [false, 100]]);
  seen.forEach((m, i) => assert.ok(matches(m.b, 0, i, m.len), `message ${i}`));
  close();
});

test('Doorbell with a wake port: rings post once, only to a consumer that announced sleep', () => {
  const { port1, port2 } = new MessageChannel();
  const bell = new Doorbell(undefined, port1);
  bell.ring();
  assert.is(receiveMessageOnPort(port2), undefined, 'no message without a sleeper');
  bell.prepareSleep();
  bell.ring();
  assert.ok(receiveMessageOnPort(port2), 'a sleeping consumer gets one message');
  assert.is(Atomics.load(bell.cells, Doorbell.SLEEPING), 0);
  bell.ring();
  assert.is(receiveMessageOnPort(port2), undefined, 'a second ring before the next sleep posts nothing');
  // cancelSleep: the producer then does not signal
  const before = Atomics.load(bell.cells, Doorbell.SIGNAL);
  bell.prepareSleep();
  bell.cancelSleep();
  bell.ring();
  assert.is(Atomics.load(bell.cells, Doorbell.SIGNAL), before);
  assert.is(receiveMessageOnPort(port2), undefined);
  port1.close();
  port2.close();
});

test('Doorbell without a port: a blocking sleeper is woken by Atomics.notify', () => {
  const bell = new Doorbell();
  const sig = bell.prepareSleep();
  bell.ring(); // SIGNAL moves, so the wait returns at once instead of timing out
  assert.is.not(Atomics.load(bell.cells, Doorbell.SIGNAL), sig);
  bell.sleep(sig, 10_000);
  assert.is(Atomics.load(bell.cells, Doorbell.SLEEPING), 0);
});

const PRODUCER_CODE = `
const { workerData, parentPort } = require('worker_threads');
const { RingProducer, Doorbell } = require(${JSON.stringify(RING_MODULE)});
const { shared, port, bellSab, wakePort, spaceSab, count, bigEvery } = workerData;
const producer = new RingProducer(shared, port, new Doorbell(bellSab, wakePort), 1024);
const space = new Doorbell(spaceSab);
const lenOf = (i) => 4 + (i % 61);
function waitForRoom(tryIt) {
  for (;;) {
    if (tryIt()) return;
    producer.publish();
    const sig = space.prepareSleep();
    if (tryIt()) { space.cancelSleep(); return; }
    space.sleep(sig, 100);
  }
}
for (let i = 0; i < count; i++) {
  if (bigEvery && i % bigEvery === bigEvery - 1) {
    const big = new Uint8Array(2000 + i % 1000);
    new DataView(big.buffer).setUint32(0, i, true);
    big[big.length - 1] = i & 0xff;
    waitForRoom(() => producer.writeLarge(big));
  } else {
    const len = lenOf(i);
    let off = -1;
    waitForRoom(() => (off = producer.reserve(len)) >= 0);
    const b = producer.bytes;
    b[off] = i & 0xff; b[off + 1] = (i >>> 8) & 0xff; b[off + 2] = (i >>> 16) & 0xff; b[off + 3] = (i >>> 24) & 0xff;
    for (let k = 4; k < len; k++) b[off + k] = (i + k) & 0xff;
    producer.commit(len);
  }
  if ((i & 31) === 31) producer.publish();
}
producer.publish();
parentPort.postMessage('done');
`;

test('two threads: 100k numbered messages from a worker, in order, none lost', async () => {
  const count = 100_000;
  const bigEvery = 9973;
  const shared = createRing(64 * 1024);
  const { port1, port2 } = new MessageChannel();
  const bell = new Doorbell();
  const space = new Doorbell();
  const consumer = new RingConsumer(shared, port2);
  const wakeChannel = new MessageChannel();
  let failure = null;
  let exited = false;
  let woken = null;
  wakeChannel.port1.on('message', () => woken?.());
  const wake = () => woken?.();
  const worker = new Worker(PRODUCER_CODE, {
    eval: true,
    workerData: { shared, port: port1, bellSab: bell.sab, wakePort: wakeChannel.port2, spaceSab: space.sab, count, bigEvery },
    transferList: [port1, wakeChannel.port2],
  });
  worker.on('error', (e) => {
    failure = e;
    wake();
  });
  worker.on('exit', () => {
    exited = true;
    wake();
  });

  let expected = 0;
  let bad = null;
  let bigSeen = 0;
  const onMessage = (b, off, len) => {
    if (bad === null) {
      const seq = (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
      if (seq !== expected) bad = `got message ${seq}, expected ${expected}`;
      else if (bigEvery && seq % bigEvery === bigEvery - 1) {
        bigSeen++;
        if (off !== 0 || len !== 2000 + (seq % 1000) || b[len - 1] !== (seq & 0xff)) bad = `large message ${seq} corrupt`;
      } else if (len !== 4 + (seq % 61)) bad = `message ${seq} has length ${len}`;
      else for (let k = 4; k < len; k++) if (b[off + k] !== ((seq + k) & 0xff)) { bad = `message ${seq} byte ${k} wrong`; break; }
    }
    expected++;
  };
  while (expected < count && bad === null && failure === null) {
    const n = consumer.drain(1024, onMessage);
    if (n > 0) {
      space.ring();
      continue;
    }
    const asleep = new Promise((resolve) => (woken = resolve));
    bell.prepareSleep();
    if (consumer.hasData()) {
      bell.cancelSleep();
      continue;
    }
    if (exited) break;
    await asleep;
  }
  wakeChannel.port1.close();
  await new Promise((resolve) => (exited ? resolve() : worker.once('exit', resolve)));
  port2.close();
  assert.is(failure, null);
  assert.is(bad, null);
  assert.is(expected, count);
  assert.is(bigSeen, Math.floor(count / bigEvery));
  assert.is(consumer.hasData(), false);
});

test.run();
