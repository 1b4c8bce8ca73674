// Single-producer single-consumer byte ring over a SharedArrayBuffer.
//
// Layout: a 64-byte Int32 header, then `capacity` data bytes (a power of two).
// Messages are 4-byte aligned: [u32 length][payload]. A message that does not fit before the
// end of the data area leaves a WRAP marker and starts again at offset 0. HEAD and TAIL are
// free-running u32 byte counters; the producer publishes HEAD once per batch, the consumer
// stores TAIL once per drain.
//
// Wake-ups go through a Doorbell owned by the consumer: it raises SLEEPING before it waits,
// reads SIGNAL, then checks the ring once more; a producer that sees SLEEPING after
// publishing bumps SIGNAL and notifies. Sequentially consistent Atomics make a lost wake-up
// impossible: either the consumer's re-check sees the new HEAD, or the producer sees SLEEPING.
// A worker sleeps in Atomics.wait and is notified with Atomics.notify. Main cannot block, and
// Node 20 resolves Atomics.waitAsync through a delayed task that often runs late
// (native-notes/atomics.md), so main's doorbell is rung with one MessagePort message instead.
import { MessagePort, receiveMessageOnPort } from 'worker_threads';

const HEAD = 0;
const TAIL = 1;
const HEADER_BYTES = 64;
const WRAP = 0xffffffff;
/** Length field flag: the payload travelled over the MessagePort, the ring holds a marker. */
const BY_PORT = 0x80000000;

const align4 = (n: number) => (n + 3) & ~3;

export class Doorbell {
  static readonly SLEEPING = 0;
  static readonly SIGNAL = 1;
  readonly cells: Int32Array;

  /** `wakePort`: ring by posting on it (main's doorbell) rather than Atomics.notify. */
  constructor(readonly sab: SharedArrayBuffer = new SharedArrayBuffer(8), private wakePort?: MessagePort) {
    this.cells = new Int32Array(sab);
  }

  /** Producer side: wake the consumer if it is (about to be) asleep. */
  ring(): void {
    if (Atomics.load(this.cells, Doorbell.SLEEPING) !== 0) {
      Atomics.store(this.cells, Doorbell.SLEEPING, 0);
      Atomics.add(this.cells, Doorbell.SIGNAL, 1);
      if (this.wakePort) this.wakePort.postMessage(0);
      else Atomics.notify(this.cells, Doorbell.SIGNAL);
    }
  }

  /** Consumer side: announce sleep; returns the SIGNAL value to wait on. */
  prepareSleep(): number {
    Atomics.store(this.cells, Doorbell.SLEEPING, 1);
    return Atomics.load(this.cells, Doorbell.SIGNAL);
  }

  cancelSleep(): void {
    Atomics.store(this.cells, Doorbell.SLEEPING, 0);
  }

  /** Blocking wait (worker threads only). */
  sleep(signal: number, timeoutMs: number): void {
    Atomics.wait(this.cells, Doorbell.SIGNAL, signal, timeoutMs);
    Atomics.store(this.cells, Doorbell.SLEEPING, 0);
  }

}

export interface RingShared {
  sab: SharedArrayBuffer;
  capacity: number;
}

export function createRing(capacity: number): RingShared {
  if (capacity & (capacity - 1) || capacity < 1024) throw new Error(`ring capacity ${capacity} must be a power of two ≥ 1024`);
  return { sab: new SharedArrayBuffer(HEADER_BYTES + capacity), capacity };
}

class RingBase {
  protected header: Int32Array;
  protected u8: Uint8Array;
  protected u32: Uint32Array;
  protected mask: number;

  constructor(protected shared: RingShared, protected port: MessagePort) {
    this.header = new Int32Array(shared.sab, 0, HEADER_BYTES / 4);
    this.u8 = new Uint8Array(shared.sab, HEADER_BYTES, shared.capacity);
    this.u32 = new Uint32Array(shared.sab, HEADER_BYTES, shared.capacity / 4);
    this.mask = shared.capacity - 1;
  }

  /** The data area: where a producer fills what it reserved, and drain's `bytes` for a message read in place. */
  get bytes(): Uint8Array {
    return this.u8;
  }
}

export class RingProducer extends RingBase {
  private head: number;
  /** Messages written since the last publish. */
  private written = 0;
  readonly inlineMax: number;

  constructor(shared: RingShared, port: MessagePort, private doorbell: Doorbell, inlineMax: number) {
    super(shared, port);
    this.head = Atomics.load(this.header, HEAD) >>> 0;
    this.inlineMax = Math.min(inlineMax, shared.capacity / 4);
  }

  /**
   * Reserves room for a payload of `len` bytes and returns its offset in `bytes`, or -1 when
   * the ring is full. Payloads over `inlineMax` must go through `writeLarge`.
   */
  reserve(len: number): number {
    if (len > this.inlineMax) throw new Error(`ring payload ${len} over inline maximum`);
    const need = 4 + align4(len);
    const tail = Atomics.load(this.header, TAIL) >>> 0;
    let off = this.head & this.mask;
    const contiguous = this.shared.capacity - off;
    const wrapCost = need > contiguous ? contiguous : 0;
    if (((this.head - tail) >>> 0) + wrapCost + need > this.shared.capacity) return -1;
    if (wrapCost) {
      this.u32[off >>> 2] = WRAP;
      this.head = (this.head + contiguous) >>> 0;
      off = 0;
    }
    this.u32[off >>> 2] = len;
    return off + 4;
  }

  /**
   * Writes one message of `len` bytes, which `fill` lays out at `off` of `dst`: in place when it
   * fits inline, else into a buffer of its own that goes over the port. False when the ring is
   * full (then nothing was written; `fill` may have run).
   */
  write(len: number, fill: (dst: Uint8Array, off: number) => void): boolean {
    if (len > this.inlineMax) {
      const own = Buffer.allocUnsafeSlow(len);
      fill(own, 0);
      return this.writeLarge(own);
    }
    const off = this.reserve(len);
    if (off < 0) return false;
    fill(this.u8, off);
    this.commit(len);
    return true;
  }

  /** Completes the message reserved last. */
  commit(len: number): void {
    this.head = (this.head + 4 + align4(len)) >>> 0;
    this.written++;
  }

  /**
   * Sends a payload too large for the ring over the port, leaving an ordered marker. A payload
   * that is a whole ArrayBuffer of its own is transferred, not copied: the caller gives it up.
   */
  writeLarge(payload: Uint8Array): boolean {
    const off = this.reserve(0);
    if (off < 0) return false;
    this.u32[(off - 4) >>> 2] = BY_PORT;
    const whole = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength && payload.buffer instanceof ArrayBuffer;
    const own = whole ? payload : new Uint8Array(payload);
    this.port.postMessage(own, [own.buffer as ArrayBuffer]);
    this.commit(0);
    return true;
  }

  /** Messages written since the last publish. */
  get unpublished(): number {
    return this.written;
  }

  /** Makes written messages visible and wakes the consumer; returns how many were published. */
  publish(): number {
    const n = this.written;
    if (n === 0) return 0;
    this.written = 0;
    Atomics.store(this.header, HEAD, this.head | 0);
    this.doorbell.ring();
    return n;
  }

  /** Bytes written and not yet consumed. */
  depthBytes(): number {
    return (this.head - (Atomics.load(this.header, TAIL) >>> 0)) >>> 0;
  }
}

export class RingConsumer extends RingBase {
  private tail: number;
  /** The data area as a DataView, for reading fields of messages that drain hands out in place. */
  readonly view: DataView;

  constructor(shared: RingShared, port: MessagePort) {
    super(shared, port);
    this.tail = Atomics.load(this.header, TAIL) >>> 0;
    this.view = new DataView(shared.sab, HEADER_BYTES, shared.capacity);
  }

  hasData(): boolean {
    return (Atomics.load(this.header, HEAD) >>> 0) !== this.tail;
  }

  /**
   * Calls `onMessage(bytes, offset, length)` for up to `max` messages; for a message that
   * came over the port, `bytes` is its own array and offset 0. Returns the count.
   */
  drain(max: number, onMessage: (bytes: Uint8Array, off: number, len: number) => void): number {
    const head = Atomics.load(this.header, HEAD) >>> 0;
    let n = 0;
    while (this.tail !== head && n < max) {
      const off = this.tail & this.mask;
      const len = this.u32[off >>> 2];
      if (len === WRAP) {
        this.tail = (this.tail + (this.shared.capacity - off)) >>> 0;
        continue;
      }
      if (len === BY_PORT) {
        const msg = receiveMessageOnPort(this.port);
        if (!msg) throw new Error('ring marker without its port message');
        const big = msg.message as Uint8Array;
        this.tail = (this.tail + 4) >>> 0;
        onMessage(big, 0, big.length);
      } else {
        onMessage(this.u8, off + 4, len);
        this.tail = (this.tail + 4 + align4(len)) >>> 0;
      }
      n++;
    }
    Atomics.store(this.header, TAIL, this.tail | 0);
    return n;
  }
}
