// Refuses writes before the disk fills. LMDB with useWritemap writes through a sparse mmap; on a
// full disk the kernel answers a page fault with SIGBUS and the process dies
// (native-notes/lmdb-options.md). Keeping `minFreeBytes` free, checked before every write
// batch, turns that into an error reply while reads go on.
import * as fs from 'fs';

/** Re-read free space at least this often while writes flow. */
const RECHECK_MS = 100;

export class DiskGuard {
  private free = Infinity;
  private checkedAt = 0;

  constructor(private dir: string, public minFreeBytes: number) {}

  /** Whether a batch adding about `bytes` may be written. */
  allows(bytes: number, now: number): boolean {
    if (this.minFreeBytes <= 0) return true;
    if (now - this.checkedAt >= RECHECK_MS || bytes * 2 >= this.free - this.minFreeBytes) {
      this.checkedAt = now;
      try {
        const st = fs.statfsSync(this.dir);
        this.free = st.bavail * st.bsize;
      } catch {
        this.free = Infinity; // db-path not created yet: nothing written, nothing to fill
      }
    }
    // LMDB may write each page twice (copy-on-write) before freeing the old one.
    return this.free - bytes * 2 >= this.minFreeBytes;
  }

  freeBytes(): number {
    return this.free;
  }
}
