// Keyspace-event patterns the command families share, in Redis 7.0's order (see WorkerContext.notify).
import { NOTIFY_GENERIC, NOTIFY_KEY_MISS } from '../common/notify';
import { WorkerContext } from './types';

/** A read looked `key` up: Redis's keyspace hit and miss counters, and its "keymiss" event. */
export function countLookup(ctx: WorkerContext, key: Buffer, found: boolean): void {
  if (found) return void ctx.stats.keyspaceHits++;
  ctx.stats.keyspaceMisses++;
  ctx.notify(NOTIFY_KEY_MISS, 'keymiss', key);
}

/** Elements left the collection at `key`: its `event`, then "del" when `left` is 0. */
export function removedFrom(ctx: WorkerContext, type: number, event: string, key: Buffer, left: number): void {
  ctx.notify(type, event, key);
  if (left === 0) ctx.notify(NOTIFY_GENERIC, 'del', key);
}

/** A *STORE command wrote `count` elements to `dst` (`event`), or none, deleting a key that `existed`. */
export function storedTo(ctx: WorkerContext, type: number, event: string, dst: Buffer, count: number, existed: boolean): void {
  if (count > 0) ctx.notify(type, event, dst);
  else if (existed) ctx.notify(NOTIFY_GENERIC, 'del', dst);
}
