// A worker's side of the binlog: decides what each write command records, and appends it in the
// same LMDB transaction as the command's data change.
//
// - A command in a slot's batch transaction records itself as received, when it changed any
//   data, unless its handler chose its logged form (WorkerContext.propagate: SPOP as SREM,
//   relative expiries as absolute ones...).
// - A command whose keys lie in several slots (RENAME, SUNIONSTORE, MOVE...) runs inside the
//   write transactions of all of them; each slot it changed records the resulting state of
//   that slot's keys (`__keystate` or DEL), as the slots replicate independently.
// - DEL/UNLINK/MSET parts spanning slots run once per slot, each recording its own part.
import { slotOf } from '../common/crc32';
import { BINLOG_NEST_MAX_SLOTS } from '../common/limits';
import { ReplyWriter } from '../protocol/reply';
import { keysOf } from '../commands/server-family';
import { COMMANDS } from '../commands/table';
import { CommandSpec } from '../commands/types';
import { append } from '../storage/binlog';
import { keyStateArgs } from '../storage/keyspace';
import { SlotEnv, SlotStore } from '../storage/slot-store';
import { groupKeys } from './key-groups';

/** Runs the command's handler on these arguments; a CommandError is thrown. */
export type CommandRun = (args: Buffer[]) => boolean;

export class BinlogWriter {
  /** The handler chose its logged form (propagate) during the current command. */
  private overridden = false;
  /** Set while a follower replays entries: they are stored as received, not logged again. */
  replaying = false;

  /** `slotCount`: a table's slot count now, 0 when there is no such table. */
  constructor(private store: SlotStore, private slotCount: (table: number) => number) {}

  begin(): void {
    this.overridden = false;
  }

  /** Appends an entry to `env`'s log now (inside its transaction when one is open). */
  appendTo(env: SlotEnv, now: number, argv: Buffer[]): void {
    if (env.inWrite()) append(env, now, argv);
    else env.write(() => append(env, now, argv));
  }

  /** WorkerContext.propagate: `argv` goes to `env`, or to the slot of its first key. */
  propagate(table: number, now: number, argv: Buffer[] | null, env?: SlotEnv): void {
    if (this.replaying) return;
    this.overridden = true;
    if (!argv) return;
    this.appendTo(env ?? this.envOfEntry(table, argv), now, argv);
  }

  private envOfEntry(table: number, argv: Buffer[]): SlotEnv {
    const spec = COMMANDS.get(argv[0].toString('latin1').toLowerCase());
    const key = spec ? keysOf(spec, argv)[0] : undefined;
    if (key === undefined) throw new Error(`cannot log '${argv[0]}' without a key`);
    return this.store.env(table, slotOf(key, this.slotCount(table)), true)!;
  }

  /** A single-slot command inside the slot's open transaction. */
  runInSlot(env: SlotEnv, now: number, args: Buffer[], run: CommandRun): void {
    this.begin();
    const before = env.mutations;
    if (run(args) && !this.overridden && env.mutations !== before) this.appendTo(env, now, args);
  }

  /**
   * A write command outside a slot batch. Its keys' slots are written in nested transactions
   * (each slot's data and log commit together); too many slots to nest are logged after.
   */
  runSpanning(spec: CommandSpec, table: number, now: number, args: Buffer[], out: ReplyWriter, run: CommandRun): void {
    if ((spec.spread === 'sum' || spec.spread === 'mset') && this.runSplit(spec, table, now, args, out, run)) return;
    const keys = this.keysByEnv(spec, table, args);
    const envs = [...new Set(keys.map((k) => k.env))];
    const before = envs.map((e) => e.mutations);
    const finish = (ok: boolean) => {
      if (!ok || this.overridden) return;
      const changed = envs.filter((e, i) => e.mutations !== before[i]);
      if (changed.length === 0) return;
      // a blocking command's args (its name, or main's mode marker in args[0]) cannot be
      // replayed: one that did not choose its logged form records its keys' states
      if (envs.length === 1 && !spec.block) return this.appendTo(envs[0], now, args);
      for (const k of keys) if (changed.includes(k.env)) this.appendTo(k.env, now, keyStateArgs(k.env, k.key, now));
    };
    this.begin();
    if (envs.length > BINLOG_NEST_MAX_SLOTS) return finish(run(args));
    const nest = (i: number): void => {
      if (i === envs.length) return finish(run(args));
      envs[i].write(() => nest(i + 1));
    };
    nest(0);
  }

  private keysByEnv(spec: CommandSpec, table: number, args: Buffer[]): { env: SlotEnv; key: Buffer }[] {
    const keys = keysOf(spec, args);
    const tables = [table];
    const target = spec.crossTable ? spec.targetTable?.(args) : undefined;
    if (target !== undefined && target !== table && this.slotCount(target) > 0) tables.push(target);
    const out: { env: SlotEnv; key: Buffer }[] = [];
    const seen = new Set<string>();
    for (const t of tables) {
      for (const key of keys) {
        const slots = this.slotCount(t);
        if (!slots) continue;
        const id = `${t}:${key.toString('latin1')}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ env: this.store.env(t, slotOf(key, slots), true)!, key });
      }
    }
    return out;
  }

  /**
   * DEL/UNLINK (integer replies summed) and MSET (+OK) whose keys span several slots of this
   * worker: one run per slot, each recording its own part. Returns false when one slot holds
   * every key (the caller then runs the command whole).
   */
  private runSplit(spec: CommandSpec, table: number, now: number, args: Buffer[], out: ReplyWriter, run: CommandRun): boolean {
    const slots = this.slotCount(table);
    if (!slots) return false;
    const parts = groupKeys(spec, args, (key) => slotOf(key, slots));
    if (!parts || parts.size < 2) return false;
    const mark = out.size();
    let sum = 0;
    for (const [slot, { args: part }] of parts) {
      const env = this.store.env(table, slot, true)!;
      const start = out.size();
      // a throw aborts this slot's part and answers the error (the caller's catch)
      env.write(() => this.runInSlot(env, now, part, run));
      const reply = out.view().subarray(start);
      if (reply[0] === 0x2d) {
        // the first error is the answer, as a whole command would give it
        const err = Buffer.from(reply);
        out.truncate(mark);
        out.raw(err);
        return true;
      }
      if (reply[0] === 0x3a) sum += Number(reply.toString('latin1', 1, reply.length - 2));
      out.truncate(start);
    }
    out.truncate(mark);
    if (spec.spread === 'sum') out.int(sum);
    else out.ok();
    return true;
  }
}
