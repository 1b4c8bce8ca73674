// Main's copies of worker replies too large for Buffer's pool. Each would otherwise get an
// ArrayBuffer of its own, whose allocation and sweeping (on V8's helper threads) cost more
// than the copy: an LRANGE of 100 elements paid ~10 µs of helper-thread CPU per reply.
// Copies are carved from one slab in order; once every copy carved from it was released
// (written whole to its socket), the slab is reused from its start. A copy never released
// (queued behind a slow reader, handed to an internal caller, silenced) keeps the slab from
// being reused: when it fills, it is left to the GC with that copy and a new one starts.
// One small copy a slow reader holds keeps a whole slab alive, so slabs left to the GC but not
// yet collected are counted (FinalizationRegistry): past REPLY_SLABS_PINNED_MAX of them, copies
// get buffers of their own until the current slab can be reused or one is collected.
import { REPLY_SLAB_BYTES, REPLY_SLABS_PINNED_MAX } from '../common/limits';
import { copyOut } from './wire';

/** Buffer.allocUnsafe pools what is smaller than this (half of Buffer.poolSize). */
const POOLED_BELOW = Buffer.poolSize >>> 1;
/** A copy larger than this takes a buffer of its own: a few of them would fill the slab. */
const SLAB_COPY_MAX = REPLY_SLAB_BYTES >>> 3;
const align8 = (n: number) => (n + 7) & ~7;

export class ReplySlab {
  private slab = Buffer.allocUnsafeSlow(REPLY_SLAB_BYTES);
  private used = 0;
  /** Copies carved from this slab and not released. */
  private live = 0;
  /** Slabs left to the GC with copies still held, not collected yet. */
  private pinned = 0;
  private readonly collected = new FinalizationRegistry<null>(() => this.pinned--);

  /** A copy of src[start, start + len) that main may keep. */
  copy(src: Uint8Array, start: number, len: number): Buffer {
    if (len < POOLED_BELOW || len > SLAB_COPY_MAX) return copyOut(src, start, len);
    if (this.used + len > REPLY_SLAB_BYTES) {
      if (this.live > 0) {
        if (this.pinned >= REPLY_SLABS_PINNED_MAX) return copyOut(src, start, len);
        this.collected.register(this.slab.buffer, null);
        this.pinned++;
        this.slab = Buffer.allocUnsafeSlow(REPLY_SLAB_BYTES);
      }
      this.used = 0;
      this.live = 0;
    }
    const out = this.slab.subarray(this.used, this.used + len);
    out.set(src.subarray(start, start + len));
    this.used = align8(this.used + len);
    this.live++;
    return out;
  }

  /** `b` is no longer referred to by anyone (its bytes reached the kernel, or were copied on). */
  release(b: Buffer): void {
    if (b.buffer !== this.slab.buffer) return;
    if (this.live <= 0) throw new Error('reply slab: more copies released than carved');
    if (--this.live === 0) this.used = 0;
  }
}

/** The one slab of main's thread: worker-pool copies replies into it, clients release them. */
export const replySlab = new ReplySlab();
