// `sync : everysec` without stalling workers: once a second each worker hands main the slots
// it dirtied, and main fdatasyncs their data.mdb on libuv's thread pool while every worker goes
// on serving. With LMDB's writemap the data lives in a shared file mapping, and on Linux
// fdatasync of the file writes back the pages dirtied through the map, as mdb_env_sync's msync
// does (native-notes/sync-modes.md). fdatasync, as LMDB's own sync uses without writemap: the
// file size is flushed with the data, the modification time that writes through the map bump is
// not. A worker syncing 64 slots itself stopped for 65-160 ms a second.
import * as fs from 'fs';
import * as path from 'path';
import { BACKGROUND_SYNC_CONCURRENCY, BACKGROUND_SYNC_ERROR_LOG_MS } from '../common/limits';
import { logger } from '../common/log';

const log = logger('M');

export class BackgroundSync {
  /** Files waiting for an fsync; at most one entry per slot, so bounded by the slots on disk. */
  private queued = new Set<string>();
  private running = 0;
  private lastErrorLog = 0;
  /** fsyncs done and failed since start (INFO persistence). */
  done = 0;
  failed = 0;

  constructor(private slotDir: (table: number, slot: number) => string) {}

  request(table: number, slot: number): void {
    this.queued.add(path.join(this.slotDir(table, slot), 'data.mdb'));
    this.next();
  }

  private next(): void {
    while (this.running < BACKGROUND_SYNC_CONCURRENCY && this.queued.size > 0) {
      const file = this.queued.values().next().value as string;
      this.queued.delete(file);
      this.running++;
      this.fsync(file, () => {
        this.running--;
        this.next();
      });
    }
  }

  private fsync(file: string, done: () => void): void {
    fs.open(file, 'r', (err, fd) => {
      if (err) return this.finish(file, err, done); // the slot was dropped or replaced meanwhile
      fs.fdatasync(fd, (syncErr) => fs.close(fd, () => this.finish(file, syncErr, done)));
    });
  }

  private finish(file: string, err: NodeJS.ErrnoException | null, done: () => void): void {
    if (!err) this.done++;
    else if (err.code !== 'ENOENT') {
      this.failed++;
      const now = Date.now();
      if (now - this.lastErrorLog >= BACKGROUND_SYNC_ERROR_LOG_MS) {
        this.lastErrorLog = now;
        log.error(`fsync of ${file} failed: ${err.message} (${this.failed} failures so far)`);
      }
    }
    done();
  }
}
