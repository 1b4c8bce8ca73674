// Connection and server commands, executed on the main thread against connection state.
import { globMatch } from '../common/glob';
import { PAUSE_MAX_MS } from '../common/limits';
import { CommandError, ERR_NO_PASSWORD_SET, ERR_NOAUTH_HELLO, ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGPASS, arityError } from '../common/errors';
import { bulkReply, EMPTY_ARRAY, intReply, OK, PONG, Protocol, ReplyWriter, simpleReply } from '../protocol/reply';
import { cIntArg, lower, parseInt64 } from './args';
import { helpReply, subcommandSyntaxError } from './container';
import { ClientInfo, CommandSpec, ServerContext } from './types';

export const SERVER_VERSION = '7.0.15';
const RESET = simpleReply('RESET');

/** Human-readable text: a verbatim string for RESP3 clients, as Redis answers INFO and CLIENT LIST. */
function textReply(ctx: ServerContext, text: string): Buffer {
  if (ctx.client.resp === 2) return bulkReply(text);
  const out = new ReplyWriter(3);
  out.verbatim(text);
  return out.take();
}

function ping(ctx: ServerContext, args: Buffer[]): Buffer {
  if (args.length > 2) throw new CommandError(arityError('ping'));
  if (ctx.client.sub + ctx.client.psub > 0 && ctx.client.resp === 2) {
    // a subscribed RESP2 client gets PING's answer shaped like a message, as Redis does
    const out = new ReplyWriter();
    out.bulkArray(['pong', args.length === 2 ? args[1] : '']);
    return out.take();
  }
  return args.length === 2 ? bulkReply(args[1]) : PONG;
}

function select(ctx: ServerContext, args: Buffer[]): Buffer {
  ctx.useTable(cIntArg(args[1]));
  return OK;
}

/** HELLO's AUTH username and password, the arguments MONITOR hides. */
function helloSecrets(args: Buffer[]): number[] {
  const at = args.findIndex((a, i) => i >= 2 && lower(a) === 'auth');
  return at < 0 ? [] : [at + 1, at + 2];
}

function quit(ctx: ServerContext): Buffer {
  ctx.closeAfterReply();
  return OK;
}

/** AUTH [user] password; which password opens what is dispatch/access.ts's business. */
function auth(ctx: ServerContext, args: Buffer[]): Buffer {
  if (args.length > 3) throw new CommandError(ERR_SYNTAX);
  const user = args.length === 3 ? args[1].toString() : null;
  const outcome = ctx.authenticate(user, args[args.length - 1]);
  if (outcome === 'wrongpass') throw new CommandError(ERR_WRONGPASS);
  // no password anywhere: Redis's default user takes any password, AUTH <password> is a mistake
  if (outcome === 'nopass' && user?.toLowerCase() !== 'default') throw new CommandError(ERR_NO_PASSWORD_SET);
  return OK;
}

function hello(ctx: ServerContext, args: Buffer[]): Buffer {
  let i = 1;
  let resp = ctx.client.resp;
  if (args.length > 1) {
    // as Redis: a strict 64-bit integer ('2.0' is refused)
    const ver = parseInt64(args[1]);
    if (ver === undefined) throw new CommandError('ERR Protocol version is not an integer or out of range');
    if (ver !== 2n && ver !== 3n) throw new CommandError('NOPROTO unsupported protocol version');
    resp = Number(ver) as Protocol;
    i = 2;
  }
  for (; i < args.length; i++) {
    const opt = lower(args[i]);
    if (opt === 'auth' && i + 2 < args.length) {
      auth(ctx, [Buffer.from('auth'), args[i + 1], args[i + 2]]);
      i += 2;
    } else if (opt === 'setname' && i + 1 < args.length) {
      setName(ctx, args[++i]);
    } else throw new CommandError(`ERR Syntax error in HELLO option '${args[i].toString()}'`);
  }
  if (ctx.authRequired()) throw new CommandError(ERR_NOAUTH_HELLO);
  ctx.client.resp = resp;
  const out = new ReplyWriter(resp);
  out.mapHeader(7);
  for (const [k, v] of [['server', 'redis'], ['version', SERVER_VERSION], ['proto', resp], ['id', ctx.client.id], ['mode', 'standalone'], ['role', 'master']] as const) {
    out.bulk(k);
    if (typeof v === 'number') out.int(v);
    else out.bulk(v);
  }
  out.bulk('modules');
  out.arrayHeader(0);
  return out.take();
}

function setName(ctx: ServerContext, name: Buffer): void {
  for (const c of name) if (c < 33 || c > 126) throw new CommandError('ERR Client names cannot contain spaces, newlines or special characters.');
  ctx.setClientName(name.toString());
}

export function clientLine(c: ClientInfo, now: number): string {
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name} age=${Math.floor((now - c.createdAt) / 1000)} ` +
    `idle=${Math.floor((now - c.lastActive) / 1000)} flags=${clientFlags(c)} db=${c.table} sub=${c.sub} psub=${c.psub} ssub=0 multi=${c.multi} qbuf=0 qbuf-free=0 ` +
    `argv-mem=0 multi-mem=${c.multiMem} rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=${c.lastCommand} user=default redir=-1 resp=${c.resp}`
  );
}

/** CLIENT LIST's flags, in Redis's order: O monitor, P subscribed, x in MULTI, b blocked, d a watched key changed; N none. */
function clientFlags(c: ClientInfo): string {
  const f = (c.monitor ? 'O' : '') + (c.sub + c.psub > 0 ? 'P' : '') + (c.multi >= 0 ? 'x' : '') + (c.blocked ? 'b' : '') + (c.watchDirty ? 'd' : '');
  return f || 'N';
}

const CLIENT_HELP = [
  'GETNAME', '    Return the name of the current connection.',
  'ID', '    Return the ID of the current connection.',
  'INFO', '    Return information about the current client connection.',
  'KILL <ip:port>', '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]', '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)', '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)', '      Kill connections made to specified local address',
  '    * TYPE (normal|master|replica|pubsub)', '      Kill connections by type.',
  '    * USER <username>', '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)', '      Skip killing current connection (default: yes).',
  '    * ID <client-id>', '      Kill connections by client id.',
  'LIST [options ...]', '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)', '      Return clients of specified type.',
  '    * ID <client-id> [<client-id> ...]', '      Return clients with the specified IDs.',
  'REPLY (ON|OFF|SKIP)', '    Control the replies sent to the current connection.',
  'NO-EVICT (ON|OFF)', '    Protect current client connection from eviction.',
  'PAUSE <timeout> [WRITE|ALL]', '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'SETNAME <name>', '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]', '    Unblock the specified blocked client.',
  'UNPAUSE', '    Stop the current client pause, resuming traffic.',
];
const CLIENT_TYPES = ['normal', 'master', 'replica', 'slave', 'pubsub'];

/** Redis's getRangeLongFromObjectOrReply: a 64-bit integer in [min, max], else `err`. */
function rangeArg(b: Buffer, min: bigint, max: bigint, err: string): bigint {
  const n = parseInt64(b);
  if (n === undefined || n < min || n > max) throw new CommandError(err);
  return n;
}
const INT64_MAX = 2n ** 63n - 1n;

function client(ctx: ServerContext, args: Buffer[]): Buffer {
  // arities are checked by dispatch (subcommands in the table below)
  const sub = lower(args[1]);
  const now = Date.now();
  switch (sub) {
    case 'help':
      return helpReply(args[0], CLIENT_HELP);
    case 'id':
      return intReply(ctx.client.id);
    case 'getname':
      return bulkReply(ctx.client.name ? ctx.client.name : null);
    case 'setname':
      setName(ctx, args[2]);
      return OK;
    case 'info':
      return textReply(ctx, clientLine(ctx.client, now) + '\n');
    case 'list': {
      if (args.length === 4 && lower(args[2]) === 'type') {
        const t = lower(args[3]);
        if (!CLIENT_TYPES.includes(t)) throw new CommandError(`ERR Unknown client type '${args[3].toString()}'`);
        return textReply(ctx, t === 'normal' ? ctx.clients().map((c) => clientLine(c, now) + '\n').join('') : '');
      }
      if (args.length > 3 && lower(args[2]) === 'id') {
        // in the order asked, as Redis
        const byId = new Map(ctx.clients().map((c) => [c.id, c]));
        let text = '';
        for (let i = 3; i < args.length; i++) {
          const id = parseInt64(args[i]);
          if (id === undefined) throw new CommandError('ERR Invalid client ID');
          const c = id > 0n && id <= BigInt(Number.MAX_SAFE_INTEGER) ? byId.get(Number(id)) : undefined;
          if (c) text += clientLine(c, now) + '\n';
        }
        return textReply(ctx, text);
      }
      if (args.length !== 2) throw new CommandError(ERR_SYNTAX);
      return textReply(ctx, ctx.clients().map((c) => clientLine(c, now) + '\n').join(''));
    }
    case 'kill': {
      if (args.length === 3) {
        // old form: CLIENT KILL <addr>, which may kill the caller
        const addr = args[2].toString();
        if (ctx.killClients((c) => c.addr === addr) === 0) throw new CommandError('ERR No such client');
        return OK;
      }
      // new form, as Redis's clientKillCommand: the last of a repeated option wins
      let addr: string | undefined, laddr: string | undefined, type: string | undefined, id: bigint | undefined;
      let skipMe = true;
      for (let i = 2; i < args.length; i += 2) {
        const opt = lower(args[i]);
        const more = i + 1 < args.length;
        if (opt === 'id' && more) id = rangeArg(args[i + 1], 1n, INT64_MAX, 'ERR client-id should be greater than 0');
        else if (opt === 'type' && more) {
          type = lower(args[i + 1]);
          if (!CLIENT_TYPES.includes(type)) throw new CommandError(`ERR Unknown client type '${args[i + 1].toString()}'`);
        } else if (opt === 'addr' && more) addr = args[i + 1].toString();
        else if (opt === 'laddr' && more) laddr = args[i + 1].toString();
        else if (opt === 'user' && more) {
          if (args[i + 1].toString() !== 'default') throw new CommandError(`ERR No such user '${args[i + 1].toString()}'`);
        } else if (opt === 'skipme' && more) {
          const v = lower(args[i + 1]);
          if (v !== 'yes' && v !== 'no') throw new CommandError(ERR_SYNTAX);
          skipMe = v === 'yes';
        } else throw new CommandError(ERR_SYNTAX);
      }
      const me = ctx.client.id;
      return intReply(ctx.killClients((c) =>
        (addr === undefined || c.addr === addr) &&
        (laddr === undefined || c.laddr === laddr) &&
        (type === undefined || type === 'normal') &&
        (id === undefined || BigInt(c.id) === id) &&
        !(skipMe && c.id === me)));
    }
    case 'reply': {
      const mode = lower(args[2]);
      if (mode !== 'on' && mode !== 'off' && mode !== 'skip') throw new CommandError(ERR_SYNTAX);
      ctx.setReplyMode(mode);
      return OK;
    }
    case 'unblock': {
      if (args.length > 4) throw new CommandError(subcommandSyntaxError(args));
      let error = false;
      if (args.length === 4) {
        const why = lower(args[3]);
        if (why !== 'timeout' && why !== 'error') throw new CommandError('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
        error = why === 'error';
      }
      const id = parseInt64(args[2]);
      if (id === undefined) throw new CommandError(ERR_NOT_INTEGER);
      return intReply(id > 0n && id <= BigInt(Number.MAX_SAFE_INTEGER) && ctx.unblockClient(Number(id), error) ? 1 : 0);
    }
    case 'no-evict':
    case 'no-touch':
      if (!['on', 'off'].includes(lower(args[2]))) throw new CommandError(ERR_SYNTAX);
      return OK;
    case 'pause': {
      if (args.length > 4) throw new CommandError(subcommandSyntaxError(args));
      const mode = args.length === 4 ? lower(args[3]) : 'all';
      if (mode !== 'write' && mode !== 'all') throw new CommandError('ERR CLIENT PAUSE mode must be WRITE or ALL');
      const ms = parseInt64(args[2]);
      if (ms === undefined) throw new CommandError('ERR timeout is not an integer or out of range');
      if (ms < 0n) throw new CommandError('ERR timeout is negative');
      ctx.pauseClients(Number(ms < BigInt(PAUSE_MAX_MS) ? ms : BigInt(PAUSE_MAX_MS)), mode === 'write');
      return OK;
    }
    case 'unpause':
      ctx.unpauseClients();
      return OK;
    default:
      throw new CommandError(subcommandSyntaxError(args));
  }
}

const CONFIG_HELP = [
  'GET <pattern>', '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>', '    Set the configuration <directive> to <value>.',
  'RESETSTAT', '    Reset statistics reported by the INFO command.',
  'REWRITE', '    Rewrite the configuration file.',
];

function configCmd(ctx: ServerContext, args: Buffer[]): Buffer | Promise<Buffer> {
  const sub = lower(args[1]);
  switch (sub) {
    case 'help':
      return helpReply(args[0], CONFIG_HELP);
    case 'get': {
      const seen = new Map<string, string>();
      for (let i = 2; i < args.length; i++) for (const [k, v] of ctx.configGet(args[i].toString().toLowerCase())) seen.set(k, v);
      const out = new ReplyWriter(ctx.client.resp);
      out.mapHeader(seen.size);
      for (const [k, v] of seen) {
        out.bulk(k);
        out.bulk(v);
      }
      return out.take();
    }
    case 'set':
      return configSet(ctx, args);
    case 'resetstat':
      return ctx.resetStats().then(() => OK);
    case 'rewrite':
      ctx.configRewrite();
      return OK;
    default:
      throw new CommandError(subcommandSyntaxError(args));
  }
}

/**
 * CONFIG SET name value [name value ...], all or nothing, as Redis 7.0's configSetCommand: the
 * first unknown name or repeated parameter refuses the whole command before anything is set,
 * and a value refused part-way restores the parameters already set.
 */
function configSet(ctx: ServerContext, args: Buffer[]): Buffer {
  if (args.length % 2 === 1) throw new CommandError(ERR_SYNTAX);
  const current = (k: string) => ctx.configGet(k).find(([n]) => n === k)?.[1];
  const pairs: [string, string, string][] = []; // [name as given, canonical name, value]
  for (let i = 2; i < args.length; i += 2) {
    const given = args[i].toString();
    const k = given.toLowerCase();
    if (current(k) === undefined) throw new CommandError(`ERR Unknown option or number of arguments for CONFIG SET - '${given}'`);
    if (pairs.some(([, n]) => n === k)) throw new CommandError(`ERR CONFIG SET failed (possibly related to argument '${given}') - duplicate parameter`);
    pairs.push([given, k, args[i + 1].toString()]);
  }
  const done: [string, string][] = [];
  try {
    for (const [given, k, v] of pairs) {
      const old = current(k)!;
      ctx.configSet(given, v);
      done.push([k, old]);
    }
  } catch (e) {
    for (const [k, old] of done.reverse()) ctx.configSet(k, old);
    throw e;
  }
  return OK;
}

function commandReplyFor(out: ReplyWriter, c: CommandSpec): void {
  out.arrayHeader(10);
  out.bulk(c.name);
  out.int(c.arity);
  out.setHeader(c.flags.length);
  for (const f of c.flags) out.simple(f);
  out.int(c.firstKey);
  out.int(c.lastKey);
  out.int(c.keyStep);
  out.setHeader(1);
  out.simple(`@${c.group}`);
  out.setHeader(0); // tips
  out.setHeader(0); // key specs
  out.arrayHeader(0); // subcommands
}

/** Keys of `args` (a full command line) according to its table entry. */
export function keysOf(spec: CommandSpec, args: Buffer[]): Buffer[] {
  if (spec.keys) return spec.keys(args);
  if (spec.firstKey === 0) return [];
  const last = spec.lastKey < 0 ? args.length + spec.lastKey : spec.lastKey;
  const out: Buffer[] = [];
  for (let i = spec.firstKey; i <= last && i < args.length; i += spec.keyStep) out.push(args[i]);
  return out;
}

function command(ctx: ServerContext, args: Buffer[]): Buffer {
  const table = ctx.commandTable();
  const visible = [...table.values()].filter((c) => !c.flags.includes('internal'));
  const out = new ReplyWriter(ctx.client.resp);
  const sub = args.length > 1 ? lower(args[1]) : '';
  switch (sub) {
    case '':
      out.arrayHeader(visible.length);
      for (const c of visible) commandReplyFor(out, c);
      return out.take();
    case 'help':
      return helpReply(args[0], COMMAND_HELP);
    case 'count':
      return intReply(visible.length);
    case 'list':
      out.bulkArray(visible.map((c) => c.name));
      return out.take();
    case 'info': {
      const names = args.length > 2 ? args.slice(2).map(lower) : visible.map((c) => c.name);
      out.arrayHeader(names.length);
      for (const n of names) {
        const c = table.get(n);
        if (c && !c.flags.includes('internal')) commandReplyFor(out, c);
        else out.nullArray();
      }
      return out.take();
    }
    case 'docs': {
      const names = args.length > 2 ? args.slice(2).map(lower) : visible.map((c) => c.name);
      const found = names.map((n) => table.get(n)).filter((c): c is CommandSpec => !!c && !c.flags.includes('internal'));
      out.mapHeader(found.length);
      for (const c of found) {
        out.bulk(c.name);
        out.mapHeader(3);
        out.bulk('summary');
        out.bulk(c.summary);
        out.bulk('since');
        out.bulk(c.since);
        out.bulk('group');
        out.bulk(c.group);
      }
      return out.take();
    }
    case 'getkeys': {
      const c = table.get(lower(args[2]));
      if (!c || c.flags.includes('internal')) throw new CommandError('ERR Invalid command specified');
      const line = args.slice(2);
      if ((c.arity > 0 && line.length !== c.arity) || line.length < Math.abs(c.arity)) throw new CommandError('ERR Invalid number of arguments specified for command');
      const keys = keysOf(c, line);
      if (keys.length === 0) throw new CommandError('ERR The command has no key arguments');
      out.bulkArray(keys);
      return out.take();
    }
    default:
      throw new CommandError(subcommandSyntaxError(args));
  }
}

const COMMAND_HELP = [
  '(no subcommand)', '    Return details about all Redis commands.',
  'COUNT', '    Return the total number of commands in this Redis server.',
  'LIST', '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]', '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all', '    commands are returned.',
  'DOCS [<command-name> ...]', '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all', '    commands are returned.',
  'GETKEYS <full-command>', '    Return the keys from a full Redis command.',
];

function time(): Buffer {
  const now = process.hrtime.bigint();
  const us = BigInt(Date.now()) * 1000n + ((now / 1000n) % 1000n);
  const out = new ReplyWriter();
  out.bulkArray([String(us / 1_000_000n), String(us % 1_000_000n)]);
  return out.take();
}

const SLOWLOG_HELP = [
  'GET [<count>]', '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:', '    id, timestamp, time in microseconds, arguments array, client IP and port,', '    client name',
  'LEN', '    Return the length of the slowlog.',
  'RESET', '    Reset the slowlog.',
];

function slowlog(ctx: ServerContext, args: Buffer[]): Buffer {
  const sub = lower(args[1]);
  if (sub === 'help' && args.length === 2) return helpReply(args[0], SLOWLOG_HELP);
  if (sub === 'reset' && args.length === 2) {
    ctx.slowlogReset();
    return OK;
  }
  if (sub === 'len' && args.length === 2) return intReply(ctx.slowlogLen());
  if (sub === 'get' && (args.length === 2 || args.length === 3)) {
    const count = args.length === 3 ? rangeArg(args[2], -1n, INT64_MAX, 'ERR count should be greater than or equal to -1') : 10n;
    return ctx.slowlogGet(count === -1n ? Infinity : Number(count)).take();
  }
  throw new CommandError(subcommandSyntaxError(args));
}

async function debug(ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  const sub = lower(args[1]);
  if (sub === 'help' && args.length === 2) {
    return helpReply(args[0], [
      'LOG <message>', '    Write <message> to the server log.', 'SLEEP <seconds>', '    Stop the server for <seconds>. Decimals allowed.',
      'RECLAIM PAUSE|RESUME', '    Pause or resume the background reclaim of dropped collections (pika only).',
    ]);
  }
  if (sub === 'log' && args.length === 3) return OK;
  if (sub === 'reclaim' && args.length === 3 && ['pause', 'resume'].includes(lower(args[2]))) {
    await ctx.everyWorker(0, [Buffer.from('__reclaim'), args[2]]);
    return OK;
  }
  if (sub === 'sleep' && args.length === 3) {
    const secs = Number(args[2].toString());
    await new Promise((r) => setTimeout(r, Math.max(0, secs || 0) * 1000));
    return OK;
  }
  throw new CommandError(subcommandSyntaxError(args));
}

async function info(ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  return textReply(ctx, await ctx.info(args.slice(1).map((a) => a.toString().toLowerCase())));
}

function shutdown(ctx: ServerContext, args: Buffer[]): Buffer {
  for (let i = 1; i < args.length; i++) {
    if (!['nosave', 'save', 'now', 'force', 'abort'].includes(lower(args[i]))) throw new CommandError(ERR_SYNTAX);
  }
  if (args.some((a) => lower(a) === 'abort')) throw new CommandError('ERR No shutdown in progress.');
  ctx.shutdown();
  return OK;
}

export function matchConfig(pattern: string, key: string): boolean {
  return globMatch(Buffer.from(pattern), Buffer.from(key), true);
}

/** Pika has no scripting: the function library is always empty, so FLUSH and LIST are exact. */
function functionCmd(_ctx: ServerContext, args: Buffer[]): Buffer {
  const sub = lower(args[1]);
  if (sub === 'help') {
    return helpReply(args[0], [
      'LIST [LIBRARYNAME PATTERN] [WITHCODE]', '    Return general information on all the libraries (there are none here).',
      'FLUSH [ASYNC|SYNC]', '    Delete all the libraries.',
    ]);
  }
  if (sub === 'flush') {
    if (args.length > 3) throw new CommandError(subcommandSyntaxError(args));
    if (args.length === 3 && !['async', 'sync'].includes(lower(args[2]))) throw new CommandError('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
    return OK;
  }
  if (sub === 'list') {
    let withCode = false;
    let libraryName = false;
    for (let i = 2; i < args.length; i++) {
      const opt = lower(args[i]);
      if (!withCode && opt === 'withcode') withCode = true;
      else if (!libraryName && opt === 'libraryname') {
        if (i >= args.length - 1) throw new CommandError('ERR library name argument was not given');
        libraryName = true;
        i++;
      } else throw new CommandError(`ERR Unknown argument ${args[i].toString()}`);
    }
    return EMPTY_ARRAY;
  }
  throw new CommandError(subcommandSyntaxError(args));
}

const M = (
  name: string, arity: number, flags: CommandSpec['flags'], group: string, summary: string, main: CommandSpec['main'],
  subcommands?: Record<string, number>,
): CommandSpec => ({ name, arity, flags, firstKey: 0, lastKey: 0, keyStep: 0, group, summary, since: '1.0.0', main, ...(subcommands && { subcommands }) });

export const SERVER_COMMANDS: CommandSpec[] = [
  { ...M('ping', -1, ['fast', 'stale'], 'connection', 'Ping the server', ping), whileSubscribed: true },
  M('echo', 2, ['fast'], 'connection', 'Echo the given string', (_c, a) => bulkReply(a[1])),
  { ...M('select', 2, ['fast', 'loading', 'stale'], 'connection', 'Change the selected database for the current connection', select), ownTableCheck: true, selectsTable: true },
  { ...M('quit', -1, ['noauth', 'fast', 'loading', 'stale'], 'connection', 'Close the connection', quit), whileSubscribed: true, runsInMulti: true },
  {
    ...M('reset', 1, ['noauth', 'fast', 'loading', 'stale', 'noscript'], 'connection', 'Reset the connection', (ctx) => {
      ctx.resetConnection();
      return RESET;
    }),
    since: '6.2.0', whileSubscribed: true, runsInMulti: true,
  },
  { ...M('auth', -2, ['noauth', 'fast', 'loading', 'stale'], 'connection', 'Authenticate to the server', auth), selectsTable: true, redactedArgs: (a) => a.map((_, i) => i).slice(1) },
  { ...M('hello', -1, ['noauth', 'fast', 'loading', 'stale'], 'connection', 'Handshake with Redis', hello), selectsTable: true, redactedArgs: helloSecrets },
  {
    ...M('client', -2, ['admin', 'loading', 'stale'], 'connection', 'A container for client connection commands', client, {
      getname: 2, help: 2, id: 2, info: 2, kill: -3, list: -2, 'no-evict': 3, 'no-touch': 3, pause: -3, reply: 3, setname: 3, unblock: -3, unpause: 2,
    }),
    adminSubcommands: ['kill', 'list', 'no-evict', 'pause', 'unpause'],
  },
  {
    ...M('config', -2, ['admin', 'loading', 'stale'], 'server', 'A container for server configuration commands', configCmd, {
      get: -3, help: 2, resetstat: 2, rewrite: 2, set: -4,
    }),
    adminSubcommands: ['get', 'resetstat', 'rewrite', 'set'],
  },
  M('command', -1, ['loading', 'stale'], 'server', 'Get array of Redis command details', command, {
    count: 2, docs: -2, getkeys: -4, help: 2, info: -2, list: -2,
  }),
  M('time', 1, ['fast', 'loading', 'stale', 'random'], 'server', 'Return the current server time', time),
  { ...M('slowlog', -2, ['admin', 'loading', 'stale'], 'server', 'A container for slow log commands', slowlog, { get: -2, help: 2, len: 2, reset: 2 }), adminSubcommands: ['get', 'len', 'reset'] },
  M('debug', -2, ['admin', 'loading', 'stale'], 'server', 'A container for debugging commands', debug),
  M('function', -2, ['noscript'], 'scripting', 'A container for function commands', functionCmd, { flush: -2, help: 2, list: -2 }),
  M('info', -1, ['loading', 'stale'], 'server', 'Get information and statistics about the server', info),
  M('monitor', 1, ['admin', 'noscript', 'loading', 'stale'], 'server', 'Listen for all requests received by the server in real time', (ctx) => {
    ctx.monitor();
    return OK;
  }),
  M('shutdown', -1, ['admin', 'loading', 'stale', 'no_multi'], 'server', 'Synchronously save the dataset to disk and then shut down the server', shutdown),
];


