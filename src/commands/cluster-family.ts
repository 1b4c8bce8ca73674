// Pika v3.4's table administration, `pkcluster addtable|deltable|info`, and ours,
// `pkcluster tablepass`. The tables themselves live in dispatch (ServerContext.tables).
import { CommandError } from '../common/errors';
import { SLOTS_PER_TABLE_MAX, TABLE_ID_MAX } from '../common/limits';
import { decodeReply, RespError } from '../protocol/reply-reader';
import { bulkReply, OK, ReplyWriter } from '../protocol/reply';
import { countKeys } from '../storage/keyspace';
import { lower, parseInt64 } from './args';
import { helpReply, subcommandSyntaxError } from './container';
import { CommandSpec, ServerContext, WorkerContext } from './types';

const HELP = [
  'ADDTABLE <table-id> <slot-num> [<password>]', '    Create a table of <slot-num> slots, optionally with its own password.',
  'DELTABLE <table-id>', '    Delete a table and all of its data.',
  'TABLEPASS <table-id> <password>', '    Set or change the password of a table; an empty password removes it.',
  'INFO TABLE [<table-id>]', '    Slot count and command counters of every table, or of one.',
  'INFO SLOT [[<table-id>:]<slots>]', '    Role, key count, binlog offsets and followers of slots, e.g. 0-3,8,9 (table 0 unless named).',
  'SLOTSSLAVEOF <ip> <port> <slots|all> [force] [<table-id>]', '    Make these slots followers of the same slots on that node; force asks for a full sync.',
  'SLOTSSLAVEOF no one <slots|all> [<table-id>]', '    Make these slots leaders.',
  'DIGEST [[<table-id>:]<slots>]', '    A digest of each slot\'s contents, equal on a leader and its caught-up followers.',
];

function numberIn(b: Buffer | string, min: number, max: number, what: string): number {
  const n = parseInt64(b);
  if (n === undefined || n < BigInt(min) || n > BigInt(max)) throw new CommandError(`ERR ${what} must be an integer from ${min} to ${max}`);
  return Number(n);
}

const tableId = (b: Buffer | string) => numberIn(b, 0, TABLE_ID_MAX, 'table id');

/**
 * Pika's slot list syntax, "0-3,8,9": numbers and inclusive ranges. Slots at or past `limit`
 * (the table's slot count) are left out, which also bounds what a wide range can expand to.
 */
export function parseSlotList(text: string, limit: number): number[] {
  const slots = new Set<number>();
  const bad = () => new CommandError(`ERR invalid slot list '${text.slice(0, 128)}': use numbers and ranges such as 0-3,8,9`);
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw bad();
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw bad();
    for (let s = from; s <= Math.min(to, limit - 1); s++) slots.add(s);
  }
  return [...slots].sort((a, b) => a - b);
}

/** `[<table>:]<slots>` or `all` (table 0 unless named, as `2:0-3` or `db2:0-3`). */
export function slotSpec(ctx: ServerContext, text: string, table?: number): { table: number; slots: number[] } {
  const colon = text.indexOf(':');
  const t = colon < 0 ? table ?? 0 : tableId(text.slice(0, colon).replace(/^db/i, ''));
  if (!ctx.tables.info(t)) throw new CommandError(`ERR table ${t} does not exist`);
  const list = colon < 0 ? text : text.slice(colon + 1);
  const count = ctx.slotCount(t);
  return { table: t, slots: list.toLowerCase() === 'all' ? Array.from({ length: count }, (_, s) => s) : parseSlotList(list, count) };
}

function tableBlock(ctx: ServerContext, id: number): string {
  const t = ctx.tables.info(id);
  if (!t) return '';
  // Pika's layout, spacing included
  return (
    `table_id: ${id}\r\n  partition_num: ${t.slots}\r\n  total_commands_processed:${t.commands}\r\n` +
    `  total_write_commands_processed:${t.writes}\r\n  qps: ${t.qps}\r\n  write_qps: ${t.writeQps}\r\n  read_qps: ${t.qps - t.writeQps}\r\n`
  );
}

/** Keys of each slot, asked of the workers that own them. */
async function slotKeys(ctx: ServerContext, table: number, slots: number[]): Promise<Map<number, number>> {
  return (await perSlot(ctx, table, slots, '__slotkeys')) as Map<number, number>;
}

/** Per slot: Pika's "(db<t>:<s>)" header and fields, with its binlog and replication state. */
async function slotBlocks(ctx: ServerContext, table: number, slots: number[]): Promise<string> {
  const [keys, logs] = await Promise.all([slotKeys(ctx, table, slots), perSlot(ctx, table, slots, '__binloginfo')]);
  return slots
    .map((s) => {
      const [term, firstRaw, lastRaw] = logs.get(s) as [number, Buffer, Buffer, number];
      const first = firstRaw.toString();
      const last = lastRaw.toString();
      const repl = ctx.replication.slotInfo(table, s, last);
      return `(db${table}:${s})\r\n  Role: ${repl.role}\r\n${repl.lines.map((l) => `  ${l}\r\n`).join('')}  keys: ${keys.get(s) ?? 0}\r\n` +
        `  binlog_offset: ${last}\r\n  binlog_first: ${first || 'none'}\r\n  term: ${term}\r\n`;
    })
    .join('');
}

/** Slots grouped by the worker owning them. */
export function byWorker(ctx: { workerOfSlot(slot: number): number }, slots: number[]): [number, number[]][] {
  const m = new Map<number, number[]>();
  for (const s of slots) {
    const w = ctx.workerOfSlot(s);
    const l = m.get(w);
    if (l) l.push(s);
    else m.set(w, [s]);
  }
  return [...m];
}

/** Asks each slot's worker for `cmd <slot> ...` and maps the array reply back to slots. */
export async function perSlot(ctx: ServerContext, table: number, slots: number[], cmd: string): Promise<Map<number, unknown>> {
  const res = new Map<number, unknown>();
  await Promise.all(byWorker(ctx, slots).map(async ([w, list]) => {
    const reply = decodeReply(await ctx.callWorker(w, table, [Buffer.from(cmd), ...list.map((s) => Buffer.from(String(s)))]));
    if (reply instanceof RespError) throw new CommandError(reply.message);
    (reply as unknown[]).forEach((v, i) => res.set(list[i], v));
  }));
  return res;
}

async function info(ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  const section = args.length > 2 ? lower(args[2]) : '';
  if (args.length > 4 || (section !== 'table' && section !== 'slot')) throw new CommandError(subcommandSyntaxError(args));
  if (section === 'table') {
    const ids = args.length === 4 ? [tableId(args[3])] : ctx.tables.ids();
    return bulkReply(ids.map((id) => tableBlock(ctx, id)).join(''));
  }
  if (args.length === 3) {
    let text = '';
    for (const id of ctx.tables.ids()) text += await slotBlocks(ctx, id, Array.from({ length: ctx.slotCount(id) }, (_, s) => s));
    return bulkReply(text);
  }
  // [<table>:]<slots>, the table as Pika names it (db1) or by number
  const arg = args[3].toString('latin1');
  const colon = arg.indexOf(':');
  const table = colon < 0 ? 0 : tableId(arg.slice(0, colon).replace(/^db/i, ''));
  const slots = parseSlotList(colon < 0 ? arg : arg.slice(colon + 1), ctx.slotCount(table));
  return bulkReply(ctx.tables.info(table) ? await slotBlocks(ctx, table, slots) : '');
}

/** Pika's `pkcluster slotsslaveof <ip> <port> <slots|all> [force] [tid]` and `... no one <slots|all> [tid]`. */
async function slotsslaveof(ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  const a = args.map((b) => b.toString());
  if (lower(args[2]) === 'no' && lower(args[3]) === 'one') {
    if (args.length < 5 || args.length > 6) throw new CommandError(subcommandSyntaxError(args));
    const { table, slots } = slotSpec(ctx, a[4], args.length === 6 ? tableId(a[5]) : 0);
    await ctx.replication.lead(table, slots);
    return OK;
  }
  if (args.length < 5 || args.length > 7) throw new CommandError(subcommandSyntaxError(args));
  const port = numberIn(a[3], 1, 65535, 'port');
  let rest = a.slice(5);
  const force = rest.length > 0 && rest[0].toLowerCase() === 'force';
  if (force) rest = rest.slice(1);
  if (rest.length > 1) throw new CommandError(subcommandSyntaxError(args));
  const { table, slots } = slotSpec(ctx, a[4], rest.length === 1 ? tableId(rest[0]) : 0);
  await ctx.replication.follow(a[2], port, table, slots, force);
  return OK;
}

/** `pkcluster digest [[<table>:]<slots>]`: [slot, digest] pairs (ours: lets replicas be compared). */
async function digest(ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  if (args.length > 3) throw new CommandError(subcommandSyntaxError(args));
  const { table, slots } = slotSpec(ctx, args.length === 3 ? args[2].toString() : 'all');
  const digests = await perSlot(ctx, table, slots, '__slotdigest');
  const out = new ReplyWriter();
  out.arrayHeader(slots.length * 2);
  for (const s of slots) {
    out.int(s);
    out.bulk(digests.get(s) as Buffer);
  }
  return out.take();
}

async function pkcluster(ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  // arities are checked by dispatch (subcommands below); upper bounds here
  switch (lower(args[1])) {
    case 'help':
      return helpReply(args[0], HELP);
    case 'info':
      return info(ctx, args);
    case 'addtable': {
      if (args.length > 5) throw new CommandError(subcommandSyntaxError(args));
      const id = tableId(args[2]);
      const slots = numberIn(args[3], 1, SLOTS_PER_TABLE_MAX, 'slot_num');
      await ctx.tables.add(id, slots, args.length === 5 ? args[4].toString() : '');
      return OK;
    }
    case 'deltable':
      await ctx.tables.drop(tableId(args[2]));
      return OK;
    case 'tablepass':
      ctx.tables.setPassword(tableId(args[2]), args[3].toString());
      return OK;
    case 'slotsslaveof':
      return slotsslaveof(ctx, args);
    case 'digest':
      return digest(ctx, args);
    default:
      throw new CommandError(subcommandSyntaxError(args));
  }
}

/** __droptable: closes this worker's environments of the table, before main deletes its files. */
function dropTable(ctx: WorkerContext, _args: Buffer[], out: ReplyWriter): void {
  ctx.store.closeTable(ctx.table);
  out.ok();
}

/** __slotkeys <slot> ...: the key count of each slot, 0 for a slot never written. */
function ownSlotKeys(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  out.arrayHeader(args.length - 1);
  for (let i = 1; i < args.length; i++) {
    const env = ctx.store.env(ctx.table, Number(args[i].toString()), false);
    out.int(env ? countKeys(env) : 0);
  }
}

const base = { firstKey: 0, lastKey: 0, keyStep: 0, group: 'server', since: '3.4.0' };

export const CLUSTER_COMMANDS: CommandSpec[] = [
  {
    ...base, name: 'pkcluster', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], summary: "Pika's table administration: add, delete, password, info",
    main: pkcluster, subcommands: { addtable: -4, deltable: 3, help: 2, info: -3, tablepass: 4, slotsslaveof: -5, digest: -2 },
    adminSubcommands: ['addtable', 'deltable', 'info', 'tablepass', 'slotsslaveof', 'digest'],
  },
  { ...base, name: '__droptable', arity: 1, flags: ['internal'], summary: "Close this worker's environments of a table", worker: dropTable },
  { ...base, name: '__slotkeys', arity: -2, flags: ['internal'], summary: 'Key count of slots of this worker', worker: ownSlotKeys },
];
