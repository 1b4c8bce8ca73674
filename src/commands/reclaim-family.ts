// Internal per-worker parts of background reclaim (storage/reclaim.ts): its figures for INFO's
// Pika section, and DEBUG RECLAIM PAUSE|RESUME, which tests use to catch a reclaim midway.
import { SLOTS_PER_TABLE_MAX } from '../common/limits';
import { ReplyWriter } from '../protocol/reply';
import { pendingGarbage } from '../storage/reclaim';
import { lower } from './args';
import { CommandSpec, WorkerContext } from './types';

/**
 * __reclaimstats: [paused 0|1, collections reclaimed, records reclaimed, then per slot with
 * queued garbage: slot key (table * SLOTS_PER_TABLE_MAX + slot), collections, records]. A slot
 * may be listed by two workers (exclusive commands write into other workers' slots): main
 * counts each slot once.
 */
function reclaimStats(ctx: WorkerContext, _args: Buffer[], out: ReplyWriter): void {
  const state = ctx.store.reclaim;
  const slots: number[] = [];
  for (const key of state.slots) {
    const env = ctx.store.env(Math.floor(key / SLOTS_PER_TABLE_MAX), key % SLOTS_PER_TABLE_MAX, false);
    if (!env) continue;
    const { collections, records } = pendingGarbage(env);
    slots.push(key, collections, records);
  }
  out.arrayHeader(3 + slots.length);
  out.int(state.paused ? 1 : 0);
  out.int(state.collections);
  out.int(state.records);
  for (const n of slots) out.int(n);
}

/** __reclaim pause|resume: stops or restarts this worker's background reclaim. */
function reclaimControl(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  ctx.store.reclaim.paused = lower(args[1]) === 'pause';
  out.ok();
}

const internal = (name: string, arity: number, summary: string, worker: CommandSpec['worker']): CommandSpec => ({
  name, arity, flags: ['internal'], firstKey: 0, lastKey: 0, keyStep: 0, group: 'server', summary, since: '0.1.0', worker,
});

export const RECLAIM_COMMANDS: CommandSpec[] = [
  internal('__reclaimstats', 1, 'Background reclaim figures of this worker', reclaimStats),
  internal('__reclaim', 2, 'Pause or resume background reclaim in this worker', reclaimControl),
];
