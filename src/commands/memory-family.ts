// MEMORY USAGE: an estimate of the bytes a key takes on disk, from its directory record and,
// for collections, a sample of member records scaled to the member count (as Redis samples).
import { slotOf } from '../common/crc32';
import { CommandError, ERR_SYNTAX } from '../common/errors';
import { LIST_CHUNK_ELEMENTS } from '../common/limits';
import { ReplyWriter } from '../protocol/reply';
import { directoryKey, KeyType, lookup } from '../storage/keyspace';
import { SubDbName } from '../storage/slot-store';
import { decodeMeta, prefixRange } from '../types/collection';
import { intArg, lower } from './args';
import { helpReply } from './container';
import { CommandSpec, ServerContext, WorkerContext } from './types';

/** Members Redis samples by default; SAMPLES 0 means all of them. */
const DEFAULT_SAMPLES = 5;
/** Per-record bookkeeping in an LMDB leaf page (node header and pointer), roughly. */
const RECORD_OVERHEAD = 10;
const MEMBER_DB: Partial<Record<KeyType, SubDbName>> = {
  [KeyType.Hash]: 'hashes', [KeyType.List]: 'lists', [KeyType.Set]: 'sets', [KeyType.ZSet]: 'zsets',
};
/** Members one record holds, where it is not one (list chunks, types/list.ts). */
const MEMBERS_PER_RECORD: Partial<Record<KeyType, number>> = { [KeyType.List]: LIST_CHUNK_ELEMENTS };

const MEMORY_HELP = [
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

function memory(ctx: ServerContext, args: Buffer[]): Buffer | Promise<Buffer> {
  if (lower(args[1]) === 'help') return helpReply(args[0], MEMORY_HELP);
  let samples = DEFAULT_SAMPLES;
  for (let i = 3; i < args.length; i++) {
    if (lower(args[i]) === 'samples' && i + 1 < args.length) {
      samples = intArg(args[++i]);
      if (samples < 0) throw new CommandError(ERR_SYNTAX);
    } else throw new CommandError(ERR_SYNTAX);
  }
  const key = args[2];
  const worker = ctx.workerOfSlot(slotOf(key, ctx.slotCount(ctx.client.table)));
  return ctx.callWorker(worker, ctx.client.table, [Buffer.from('__memusage'), key, Buffer.from(String(samples))], ctx.client.resp);
}

/** __memusage <key> <samples>: MEMORY USAGE's part in the key's worker. */
function ownMemoryUsage(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const env = ctx.env(args[1], false);
  const rec = lookup(env, args[1], ctx.now);
  if (!env || !rec) return out.nullBulk();
  let bytes = directoryKey(args[1]).length + 9 + rec.payload.length + RECORD_OVERHEAD;
  const db = MEMBER_DB[rec.type];
  if (db) {
    const { id, count } = decodeMeta(rec.payload);
    const samples = Number(args[2].toString()) || count;
    let seen = 0;
    let sampled = 0;
    for (const { key, value } of env.dbs[db].getRange({ ...prefixRange(id), limit: samples }) as Iterable<{ key: Buffer; value: Buffer }>) {
      sampled += key.length + value.length + RECORD_OVERHEAD;
      seen++;
    }
    if (seen > 0) bytes += Math.round((sampled / seen) * Math.ceil(count / (MEMBERS_PER_RECORD[rec.type] ?? 1)));
  }
  out.int(bytes);
}

export const MEMORY_COMMANDS: CommandSpec[] = [
  {
    name: 'memory', arity: -2, flags: ['readonly'], firstKey: 2, lastKey: 2, keyStep: 1, group: 'server',
    summary: 'A container for memory diagnostics commands', since: '4.0.0', main: memory, subcommands: { usage: -3, help: 2 },
  },
  {
    name: '__memusage', arity: 3, flags: ['internal'], firstKey: 0, lastKey: 0, keyStep: 0, group: 'server',
    summary: 'MEMORY USAGE\'s part in the key\'s worker', since: '0.1.0', worker: ownMemoryUsage,
  },
];
