// HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST. The HLL is a string value in
// Redis's byte format (types/hll.ts). Multi-key PFCOUNT and PFMERGE run 'exclusive', reading
// every key's slot while the other workers idle, so keys may live anywhere (never CROSSSLOT).
import { CommandError } from '../common/errors';
import { SLOTS_PER_TABLE_MAX } from '../common/limits';
import { NOTIFY_NONE, NOTIFY_STRING } from '../common/notify';
import { ReplyWriter } from '../protocol/reply';
import { getStringWithExpiry, putString } from '../types/string';
import {
  countRegisters, denseGet, denseSet, ERR_HLL_CORRUPT, Hll, HLL_DENSE, HLL_DENSE_SIZE, HLL_HDR_SIZE, HLL_REGISTERS, HLL_SPARSE,
} from '../types/hll';
import { lower } from './args';
import { countLookup } from './keyspace-events';
import { CommandSpec, MainHandler, WorkerContext } from './types';

/** The HLL at `key` with its expiry, undefined when absent; WRONGTYPE for other values. */
function readHll(ctx: WorkerContext, key: Buffer): { hll: Hll; expireAt: number } | undefined {
  const cur = getStringWithExpiry(ctx.env(key, false), key, ctx.now);
  return cur && { hll: Hll.from(cur.value), expireAt: cur.expireAt };
}

/**
 * Stores an HLL changed outside a write (a cached count, a dense conversion), keeping its TTL;
 * `logAs` records the change in the binlog with it, so followers keep the same bytes.
 */
function saveHll(ctx: WorkerContext, key: Buffer, hll: Hll, expireAt: number, logAs?: Buffer[]): void {
  const env = ctx.env(key, true)!;
  // a follower's copy changes only through its leader's log (replica-serve-reads lets clients read it)
  if (!ctx.replaying && ctx.followers.has(ctx.table * SLOTS_PER_TABLE_MAX + env.slot)) return;
  env.write(() => {
    putString(env, key, hll.value(), expireAt);
    if (logAs) ctx.propagate(logAs, env);
  });
}
const PFCOUNT = Buffer.from('PFCOUNT');

function pfadd(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const key = args[1];
  const env = ctx.env(key, true)!;
  env.write(() => {
    const cur = readHll(ctx, key);
    const hll = cur ? cur.hll : Hll.create();
    let updated = cur ? 0 : 1;
    for (let j = 2; j < args.length; j++) {
      const r = hll.add(args[j], ctx.hllSparseMaxBytes);
      if (r === -1) {
        // As Redis, registers updated before the corrupted part was met stay updated.
        if (updated) putString(env, key, hll.value(), cur!.expireAt);
        return out.error(ERR_HLL_CORRUPT);
      }
      updated += r;
    }
    if (updated) {
      hll.invalidateCache();
      putString(env, key, hll.value(), cur ? cur.expireAt : 0);
      ctx.notify(NOTIFY_STRING, 'pfadd', key);
    }
    out.int(updated ? 1 : 0);
  });
}

function pfcount(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  if (args.length > 2) {
    // The cardinality of the union; the cached values are neither used nor updated.
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < args.length; j++) {
      const cur = readHll(ctx, args[j]);
      countLookup(ctx, args[j], cur !== undefined);
      if (cur && !cur.hll.mergeInto(max)) throw new CommandError(ERR_HLL_CORRUPT);
    }
    return out.int(countRegisters(max));
  }
  const key = args[1];
  const cur = readHll(ctx, key);
  countLookup(ctx, key, cur !== undefined);
  if (!cur) return out.int(0);
  const { hll } = cur;
  if (hll.cacheValid()) return out.int(hll.cachedCardinality());
  const card = hll.count();
  if (card < 0) throw new CommandError(ERR_HLL_CORRUPT);
  // Redis keeps the estimate in the header even though PFCOUNT is a read command.
  hll.setCachedCardinality(card);
  saveHll(ctx, key, hll, cur.expireAt, [PFCOUNT, key]);
  ctx.notify(NOTIFY_NONE, '', key);
  out.int(card);
}

function pfmerge(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  // The destination counts as a source too (j starts at 1, as in Redis).
  for (let j = 1; j < args.length; j++) {
    const cur = readHll(ctx, args[j]);
    countLookup(ctx, args[j], cur !== undefined);
    if (!cur) continue;
    if (cur.hll.encoding === HLL_DENSE) useDense = true;
    if (!cur.hll.mergeInto(max)) throw new CommandError(ERR_HLL_CORRUPT);
  }
  const dest = args[1];
  const env = ctx.env(dest, true)!;
  env.write(() => {
    const cur = readHll(ctx, dest);
    const hll = cur ? cur.hll : Hll.create();
    if (useDense && !hll.toDense()) throw new CommandError(ERR_HLL_CORRUPT);
    for (let i = 0; i < HLL_REGISTERS; i++) if (max[i] !== 0) hll.set(i, max[i], ctx.hllSparseMaxBytes);
    hll.invalidateCache();
    putString(env, dest, hll.value(), cur ? cur.expireAt : 0);
    // as Redis: a merge is a mass add
    ctx.notify(NOTIFY_STRING, 'pfadd', dest);
    out.ok();
  });
}

/** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key, as Redis: the key is checked before the subcommand. */
function pfdebug(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const key = args[2];
  const cur = readHll(ctx, key);
  if (!cur) throw new CommandError('ERR The specified key does not exist');
  const { hll } = cur;
  switch (lower(args[1])) {
    case 'getreg': {
      if (hll.encoding === HLL_SPARSE) {
        if (!hll.toDense()) throw new CommandError(ERR_HLL_CORRUPT);
        saveHll(ctx, key, hll, cur.expireAt);
      }
      const v = hll.value();
      out.arrayHeader(HLL_REGISTERS);
      for (let i = 0; i < HLL_REGISTERS; i++) out.int(denseGet(v, HLL_HDR_SIZE, i));
      return;
    }
    case 'decode':
      if (hll.encoding !== HLL_SPARSE) throw new CommandError('ERR HLL encoding is not sparse');
      return out.bulk(hll.decode());
    case 'encoding':
      return out.simple(hll.encoding === HLL_DENSE ? 'dense' : 'sparse');
    case 'todense': {
      if (hll.encoding !== HLL_SPARSE) return out.int(0);
      if (!hll.toDense()) throw new CommandError(ERR_HLL_CORRUPT);
      saveHll(ctx, key, hll, cur.expireAt);
      return out.int(1);
    }
    default:
      throw new CommandError(`ERR Unknown PFDEBUG subcommand '${args[1].toString()}'`);
  }
}

/** Register access round trips, then estimates of 1..10^7 distinct elements, dense and sparse side by side. */
const SELFTEST_REGISTER_CYCLES = 1000;
const SELFTEST_ELEMENTS = 10_000_000;

function selftestReply(sparseMaxBytes: number): string | null {
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let c = 0; c < SELFTEST_REGISTER_CYCLES; c++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = Math.floor(Math.random() * 64);
      expected[i] = r;
      denseSet(dense, HLL_HDR_SIZE, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(dense, HLL_HDR_SIZE, i);
      if (v !== expected[i]) return `ERR TESTFAILED Register ${i} should be ${expected[i]} but is ${v}`;
    }
  }
  const denseHll = Hll.create();
  denseHll.toDense();
  const sparseHll = Hll.create();
  const relErr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = (Math.random() * 2 ** 32) >>> 0;
  const seedHi = (Math.random() * 2 ** 32) >>> 0;
  const ele = Buffer.alloc(8);
  ele.writeUInt32LE(seedHi, 4);
  let checkpoint = 1;
  for (let j = 1; j <= SELFTEST_ELEMENTS; j++) {
    ele.writeUInt32LE((j ^ seedLo) >>> 0, 0);
    denseHll.add(ele, sparseMaxBytes);
    sparseHll.add(ele, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && sparseHll.encoding !== HLL_SPARSE) return 'ERR TESTFAILED sparse encoding not used';
    const card = denseHll.count();
    if (card !== sparseHll.count()) return 'ERR TESTFAILED dense/sparse disagree';
    // At 10 a collision is likely enough that Redis allows an error of 1 only there.
    const maxErr = j === 10 ? 1 : Math.ceil(relErr * 6 * checkpoint);
    if (Math.abs(checkpoint - card) > maxErr) return `ERR TESTFAILED Too big error. card:${checkpoint} abserr:${Math.abs(checkpoint - card)}`;
    checkpoint *= 10;
  }
  return null;
}

function ownSelftest(ctx: WorkerContext, _args: Buffer[], out: ReplyWriter): void {
  const failure = selftestReply(ctx.hllSparseMaxBytes);
  if (failure) out.error(failure);
  else out.ok();
}

/** Runs in a worker: the test takes seconds and must not stall the main thread. */
const pfselftest: MainHandler = (ctx) => ctx.callWorker(0, ctx.client.table, [Buffer.from('__pfselftest')]);

const H = (name: string, arity: number, flags: CommandSpec['flags'], keys: [number, number, number], summary: string, impl: Partial<CommandSpec>): CommandSpec => ({
  name, arity, flags, firstKey: keys[0], lastKey: keys[1], keyStep: keys[2], group: 'hyperloglog', summary, since: '2.8.9', ...impl,
});

export const HLL_COMMANDS: CommandSpec[] = [
  H('pfadd', -2, ['write', 'denyoom', 'fast'], [1, 1, 1], 'Adds the specified elements to the specified HyperLogLog.', { worker: pfadd }),
  H('pfcount', -2, ['readonly'], [1, -1, 1], 'Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).', { worker: pfcount, spread: 'exclusive' }),
  H('pfmerge', -2, ['write', 'denyoom'], [1, -1, 1], 'Merge N different HyperLogLogs into a single one.', { worker: pfmerge, spread: 'exclusive' }),
  H('pfdebug', 3, ['write', 'denyoom', 'admin'], [2, 2, 1], 'Internal commands for debugging HyperLogLog values', { worker: pfdebug }),
  H('pfselftest', 1, ['admin'], [0, 0, 0], 'An internal command for testing HyperLogLog values', { main: pfselftest }),
  H('__pfselftest', 1, ['internal'], [0, 0, 0], 'PFSELFTEST\'s run in a worker', { worker: ownSelftest }),
];
