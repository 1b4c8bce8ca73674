// The binlog's commands: Pika's PURGELOGSTO, and the internal commands through which main's
// replication reads, checks, applies and purges a slot's log and installs full-sync snapshots.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CommandError } from '../common/errors';
import { BINLOG_PURGE_MAX_PER_PASS, BINLOG_READ_MAX_ENTRIES, SLOTS_PER_TABLE_MAX } from '../common/limits';
import { logger } from '../common/log';
import { ReplyWriter } from '../protocol/reply';
import {
  appendReceived, continuesFrom, currentTerm, entryArgs, entryOffset, firstOffset, lastOffset, Offset, purgedOffset, purgeTo, readFrom, setTerm,
} from '../storage/binlog';
import { applyKeyState, clearAll, KeyType, slotContents } from '../storage/keyspace';
import { adoptQueuedGarbage } from '../storage/reclaim';
import { SlotEnv } from '../storage/slot-store';
import { parseInt64 } from './args';
import { byWorker, slotSpec } from './cluster-family';
import { COMMANDS } from './table';
import { CommandSpec, ServerContext, WorkerContext } from './types';

const log = logger('binlog');
/** What PKSYNC's argument must be: the version of replication/protocol.ts's frames. */
export const REPL_PROTOCOL_VERSION = '2';
const slotArg = (b: Buffer) => Number(b.toString());
const num = (b: Buffer) => Number(b.toString());

function offsetReply(out: ReplyWriter, o: Offset | null): void {
  out.bulk(o ? `${o.term}:${o.index}` : '');
}

/** __binloginfo <slot> ...: per slot [term, first kept "term:index" ("" when empty), last "term:index", follower 0/1]. */
function binlogInfo(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  out.arrayHeader(args.length - 1);
  for (let i = 1; i < args.length; i++) {
    const slot = slotArg(args[i]);
    const env = ctx.store.env(ctx.table, slot, false);
    out.arrayHeader(4);
    out.int(env ? currentTerm(env) : 0);
    offsetReply(out, env ? firstOffset(env) : null);
    offsetReply(out, env ? lastOffset(env) : { term: 0, index: 0, time: 0 });
    out.int(ctx.followers.has(ctx.table * SLOTS_PER_TABLE_MAX + slot) ? 1 : 0);
  }
}

/** __binloglast <slot> ...: per slot its last offset as [term, index, time] (the follower's handshake). */
function binlogLast(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  out.arrayHeader(args.length - 1);
  for (let i = 1; i < args.length; i++) {
    const env = ctx.store.env(ctx.table, slotArg(args[i]), false);
    const o = env ? lastOffset(env) : { term: 0, index: 0, time: 0 };
    out.arrayHeader(3);
    out.int(o.term);
    out.int(o.index);
    out.bulk(String(o.time));
  }
}

/**
 * __binlogread <max-bytes> <slot> <from> [<slot> <from> ...]: per slot [last index, 1 when
 * entries from `from` were purged (full sync needed) else 0, entries...].
 */
function binlogRead(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const maxBytes = num(args[1]);
  out.arrayHeader((args.length - 2) / 2);
  for (let i = 2; i + 1 < args.length; i += 2) {
    const env = ctx.store.env(ctx.table, slotArg(args[i]), false);
    const from = num(args[i + 1]);
    const last = env ? lastOffset(env).index : 0;
    // most slots a pass asks about appended nothing since: skip their cursor
    const entries = env && from <= last ? readFrom(env, from, maxBytes, BINLOG_READ_MAX_ENTRIES) : [];
    const purged = env ? from <= purgedOffset(env).index : false;
    out.arrayHeader(2 + entries.length);
    out.int(last);
    out.int(purged ? 1 : 0);
    for (const e of entries) out.bulk(e);
  }
}

/** __binlogcheck <slot> <term> <index> <time>: 1 when a follower at that offset can continue from this log, else 0. */
function binlogCheck(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const env = ctx.store.env(ctx.table, slotArg(args[1]), false);
  const off = { term: num(args[2]), index: num(args[3]), time: num(args[4]) };
  if (!env) return out.int(off.index === 0 ? 1 : 0);
  out.int(continuesFrom(env, off) ? 1 : 0);
}

/**
 * __binlogapply <slot> <n> <entry>×n [<slot> <n> <entry>×n ...]: a follower replays its leader's
 * entries, one transaction per slot, each at the leader's time, and stores them as they are.
 * Entries it already has are skipped; a gap is an error (the link then asks again from its
 * offset). Answers, per slot, its last index or that slot's error: one call carries every slot
 * of this worker that received entries meanwhile, so a burst over many slots is one ring trip.
 */
function binlogApply(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const groups: { slot: number; from: number; to: number }[] = [];
  for (let i = 1; i < args.length; ) {
    const n = i + 1 < args.length ? num(args[i + 1]) : NaN;
    if (!Number.isInteger(n) || n < 0 || i + 2 + n > args.length) throw new CommandError('ERR __binlogapply: malformed slot group');
    groups.push({ slot: slotArg(args[i]), from: i + 2, to: i + 2 + n });
    i += 2 + n;
  }
  const scratch = new ReplyWriter();
  out.arrayHeader(groups.length);
  for (const g of groups) {
    try {
      out.int(applyEntries(ctx, g.slot, args.slice(g.from, g.to), scratch));
    } catch (e) {
      out.error(e instanceof CommandError ? e.message : `ERR ${(e as Error).message}`);
    }
  }
}

/** Replays `entries` on `slot` in one transaction; answers the slot's last index. */
function applyEntries(ctx: WorkerContext, slot: number, entries: Buffer[], scratch: ReplyWriter): number {
  const env = ctx.store.env(ctx.table, slot, true)!;
  env.write(() => {
    for (const entry of entries) {
      const off = entryOffset(entry);
      const last = lastOffset(env).index;
      if (off.index <= last) continue;
      if (off.index !== last + 1) throw new CommandError(`ERR binlog gap: have ${last}, got ${off.index}`);
      const argv = entryArgs(entry);
      const spec = COMMANDS.get(argv[0].toString('latin1').toLowerCase());
      if (!spec?.worker) throw new CommandError(`ERR binlog entry ${off.index} names no worker command`);
      ctx.replay(env, off.time, () => {
        try {
          spec.worker!(ctx, argv, scratch);
        } catch (e) {
          // as a Redis replica, an error the leader's stream causes does not stop it
          log.warn(`replaying entry ${off.index} of ${ctx.table}/${env.slot} (${spec.name}): ${(e as Error).message}`);
        }
      });
      scratch.reset();
      appendReceived(env, entry);
    }
  });
  return lastOffset(env).index;
}

/** __binlogpurge <to> <slot> ...: deletes entries up to `to`; answers how many went. */
function binlogPurge(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const to = num(args[1]);
  let n = 0;
  for (let i = 2; i < args.length; i++) {
    const env = ctx.store.env(ctx.table, slotArg(args[i]), false);
    if (!env) continue;
    for (let got = -1; got !== 0; ) {
      got = env.write(() => purgeTo(env, to, BINLOG_PURGE_MAX_PER_PASS));
      n += got;
    }
  }
  out.int(n);
}

/**
 * __slotrole <slot> follower|leader: a follower has no expiry cycle of its own; a slot made
 * leader starts a new term, so entries it writes never pass for an old leader's. Answers the term.
 */
function slotRole(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const slot = slotArg(args[1]);
  const id = ctx.table * SLOTS_PER_TABLE_MAX + slot;
  if (args[2].toString() === 'follower') {
    ctx.followers.add(id);
    const env = ctx.store.env(ctx.table, slot, false);
    return out.int(env ? currentTerm(env) : 0);
  }
  ctx.followers.delete(id);
  const env = ctx.store.env(ctx.table, slot, true)!;
  env.write(() => setTerm(env, Math.max(currentTerm(env), lastOffset(env).term) + 1));
  out.int(currentTerm(env));
}

/** __slotclose <slot>: closes this worker's handle of the slot's environment (before it is replaced). */
function slotClose(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  ctx.store.closeSlot(ctx.table, slotArg(args[1]));
  out.ok();
}

/** __slotinstall <slot> <dir>: replaces the slot's environment with the snapshot in `dir` (a full sync). */
function slotInstall(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const slot = slotArg(args[1]);
  const from = args[2].toString();
  ctx.store.closeSlot(ctx.table, slot);
  const dir = ctx.store.slotDir(ctx.table, slot);
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(path.join(dir, 'lock.mdb'), { force: true });
  fs.renameSync(path.join(from, 'data.mdb'), path.join(dir, 'data.mdb'));
  fs.rmSync(from, { recursive: true, force: true });
  const env = ctx.store.env(ctx.table, slot, false);
  if (env) adoptQueuedGarbage(env);
  out.int(env ? lastOffset(env).index : 0);
}

/** __keystate: a key's whole state, as the binlog records keys a multi-slot command changed. */
function keyState(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const env = ctx.env(args[1], true)!;
  env.write(() => applyKeyState(env, args));
  out.ok();
}

/** __clearslot: FLUSHDB as one slot's binlog records it. */
function clearSlot(ctx: WorkerContext, _args: Buffer[], out: ReplyWriter): void {
  if (ctx.replaySlot) clearAll(ctx.replaySlot);
  out.ok();
}

/**
 * A digest of a slot's contents: keys, types, expiries, values and members, not how they are
 * laid out (collection ids differ between replicas), so a leader and its followers agree.
 */
export function slotDigest(env: SlotEnv | null): string {
  // a slot never written digests as an empty one
  const h = createHash('sha1');
  if (!env) return h.digest('hex');
  const len = Buffer.allocUnsafe(4);
  const put = (b: Buffer) => {
    len.writeUInt32BE(b.length, 0);
    h.update(len);
    h.update(b);
  };
  for (const { key, rec, members } of slotContents(env)) {
    put(key);
    put(Buffer.from(`${rec.type}:${rec.expireAt}`));
    // a collection's meta starts with its id (8 bytes), which differs between replicas
    put(rec.type === KeyType.String ? rec.payload : rec.payload.subarray(8));
    for (const m of members) put(m);
  }
  return h.digest('hex');
}

/** __slotdigest <slot> ...: the digest of each slot. */
function slotDigests(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  out.arrayHeader(args.length - 1);
  for (let i = 1; i < args.length; i++) out.bulk(slotDigest(ctx.store.env(ctx.table, slotArg(args[i]), false)));
}

/** PURGELOGSTO [write2file]<index> [[<table>:]<slots>]: drops the binlog entries up to index (all slots of table 0 unless named). */
async function purgelogsto(ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  if (args.length > 3) throw new CommandError('ERR wrong number of arguments for \'purgelogsto\' command');
  const n = parseInt64(args[1].toString().replace(/^write2file/i, ''));
  if (n === undefined || n < 0n) throw new CommandError('ERR invalid binlog index');
  const { table, slots } = slotSpec(ctx, args.length === 3 ? args[2].toString() : 'all');
  await Promise.all(byWorker(ctx, slots).map(([w, list]) => ctx.callWorker(w, table, [Buffer.from('__binlogpurge'), Buffer.from(String(n)), ...list.map((s) => Buffer.from(String(s)))])));
  return Buffer.from('+OK\r\n');
}

/** PKSYNC: a follower node's link starts here (replication/protocol.ts); admin only, so masterauth is requirepass. */
function pksync(ctx: ServerContext, args: Buffer[]): Buffer {
  if (args[1].toString() !== REPL_PROTOCOL_VERSION) throw new CommandError(`ERR PKSYNC speaks protocol ${REPL_PROTOCOL_VERSION} only`);
  ctx.replication.acceptLink(ctx.detach());
  return Buffer.alloc(0);
}

const base = { firstKey: 0, lastKey: 0, keyStep: 0, group: 'server', since: '3.4.0' };
const internal = (name: string, arity: number, summary: string, worker: CommandSpec['worker']): CommandSpec => ({ ...base, name, arity, flags: ['internal'], summary, worker });

export const BINLOG_COMMANDS: CommandSpec[] = [
  { ...base, name: 'purgelogsto', arity: -2, flags: ['admin'], summary: 'Purge the binlog up to an index', main: purgelogsto },
  { ...base, name: 'pksync', arity: 2, flags: ['admin', 'noscript'], summary: "Open a follower node's replication link", main: pksync },
  internal('__binloginfo', -2, 'Binlog offsets of slots', binlogInfo),
  internal('__binloglast', -2, 'Last binlog offsets of slots', binlogLast),
  internal('__binlogread', -4, 'Read binlog entries', binlogRead),
  internal('__binlogcheck', 5, 'Whether a follower offset continues this log', binlogCheck),
  internal('__binlogapply', -4, "Replay a leader's entries", binlogApply),
  internal('__binlogpurge', -3, 'Purge binlog entries', binlogPurge),
  internal('__slotrole', 3, 'Make a slot follower or leader', slotRole),
  internal('__slotclose', 2, "Close this worker's handle of a slot", slotClose),
  internal('__slotinstall', 3, 'Install a full-sync snapshot', slotInstall),
  internal('__slotdigest', -2, 'Digest of slots', slotDigests),
  { ...base, name: '__keystate', arity: -5, flags: ['internal'], firstKey: 1, lastKey: 1, keyStep: 1, summary: "A key's whole state", worker: keyState },
  internal('__clearslot', 1, 'Empty one slot (a replicated FLUSHDB)', clearSlot),
];
