// Connection and server commands, executed on the main thread against connection state.
import { globMatch } from '../common/glob';
import { CommandError, ERR_DB_INDEX, ERR_SYNTAX, ERR_WRONGPASS, arityError } from '../common/errors';
import { bulkReply, EMPTY_ARRAY, intReply, OK, PONG, ReplyWriter } from '../protocol/reply';
import { intArg, lower } from './args';
import { ClientInfo, CommandSpec, ServerContext } from './types';

export const SERVER_VERSION = '7.0.15';

function ping(_ctx: ServerContext, args: Buffer[]): Buffer {
  if (args.length > 2) throw new CommandError(arityError('ping'));
  return args.length === 2 ? bulkReply(args[1]) : PONG;
}

function select(ctx: ServerContext, args: Buffer[]): Buffer {
  const t = intArg(args[1]);
  if (t < 0 || t >= ctx.tableCount()) throw new CommandError(ERR_DB_INDEX);
  ctx.client.table = t;
  return OK;
}

function quit(ctx: ServerContext): Buffer {
  ctx.closeAfterReply();
  return OK;
}

function auth(ctx: ServerContext, args: Buffer[]): Buffer {
  if (args.length > 3) throw new CommandError(ERR_SYNTAX);
  if (!ctx.passwordRequired()) {
    if (args.length === 3 && lower(args[1]) === 'default') return OK;
    throw new CommandError('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
  }
  if (args.length === 3 && lower(args[1]) !== 'default') throw new CommandError(ERR_WRONGPASS);
  if (!ctx.checkPassword(args[args.length - 1].toString())) throw new CommandError(ERR_WRONGPASS);
  ctx.client.authenticated = true;
  return OK;
}

function hello(ctx: ServerContext, args: Buffer[]): Buffer {
  let i = 1;
  if (args.length > 1) {
    const ver = Number(args[1].toString());
    if (!Number.isInteger(ver)) throw new CommandError('ERR Protocol version is not an integer or out of range');
    if (ver !== 2) throw new CommandError('NOPROTO unsupported protocol version');
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
  if (ctx.passwordRequired() && !ctx.client.authenticated) throw new CommandError('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
  const out = new ReplyWriter();
  out.arrayHeader(14);
  for (const [k, v] of [['server', 'redis'], ['version', SERVER_VERSION], ['proto', 2], ['id', ctx.client.id], ['mode', 'standalone'], ['role', 'master']] as const) {
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
    `idle=${Math.floor((now - c.lastActive) / 1000)} flags=N db=${c.table} sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 ` +
    `argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=${c.lastCommand} user=default redir=-1 resp=${c.resp}`
  );
}

const CLIENT_HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GETNAME', '    Return the name of the current connection.',
  'ID', '    Return the ID of the current connection.',
  'INFO', '    Return information about the current client connection.',
  'KILL <ip:port>', '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]', '    Kill connections. Options are: ID, ADDR, LADDR, SKIPME.',
  'LIST [options ...]', '    Return information about client connections. Options: TYPE normal, ID <id> [...].',
  'SETNAME <name>', '    Assign the name <name> to the current connection.',
  'HELP', '    Print this help.',
];

function client(ctx: ServerContext, args: Buffer[]): Buffer {
  const sub = lower(args[1]);
  const now = Date.now();
  const wrongArgs = () => new CommandError(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString()}'. Try CLIENT HELP.`);
  switch (sub) {
    case 'help': {
      const out = new ReplyWriter();
      out.bulkArray(CLIENT_HELP);
      return out.take();
    }
    case 'id':
      if (args.length !== 2) throw wrongArgs();
      return intReply(ctx.client.id);
    case 'getname':
      if (args.length !== 2) throw wrongArgs();
      return bulkReply(ctx.client.name ? ctx.client.name : null);
    case 'setname':
      if (args.length !== 3) throw wrongArgs();
      setName(ctx, args[2]);
      return OK;
    case 'info':
      if (args.length !== 2) throw wrongArgs();
      return bulkReply(clientLine(ctx.client, now) + '\n');
    case 'list': {
      let clients = ctx.clients();
      for (let i = 2; i < args.length; i++) {
        const opt = lower(args[i]);
        if (opt === 'type' && i + 1 < args.length) {
          const t = lower(args[++i]);
          if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(t)) throw new CommandError(`ERR Unknown client type '${args[i].toString()}'`);
          if (t !== 'normal') clients = [];
        } else if (opt === 'id' && i + 1 < args.length) {
          const ids = new Set<number>();
          while (i + 1 < args.length) ids.add(intArg(args[++i], 'ERR Invalid client ID'));
          clients = clients.filter((c) => ids.has(c.id));
        } else throw new CommandError(ERR_SYNTAX);
      }
      return bulkReply(clients.map((c) => clientLine(c, now) + '\n').join(''));
    }
    case 'kill': {
      if (args.length === 3) {
        const addr = args[2].toString();
        if (ctx.killClients((c) => c.addr === addr) === 0) throw new CommandError('ERR No such client');
        return OK;
      }
      if (args.length < 4 || args.length % 2 !== 0) throw new CommandError(ERR_SYNTAX);
      const tests: ((c: ClientInfo) => boolean)[] = [];
      let skipMe = true;
      for (let i = 2; i < args.length; i += 2) {
        const opt = lower(args[i]);
        const v = args[i + 1].toString();
        if (opt === 'id') {
          const id = intArg(args[i + 1], 'ERR client-id should be greater than 0');
          tests.push((c) => c.id === id);
        } else if (opt === 'addr') tests.push((c) => c.addr === v);
        else if (opt === 'laddr') tests.push((c) => c.laddr === v);
        else if (opt === 'type') {
          const t = v.toLowerCase();
          if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(t)) throw new CommandError(`ERR Unknown client type '${v}'`);
          tests.push(() => t === 'normal');
        } else if (opt === 'user') tests.push(() => v === 'default');
        else if (opt === 'skipme') {
          if (v !== 'yes' && v !== 'no') throw new CommandError(ERR_SYNTAX);
          skipMe = v === 'yes';
        } else throw new CommandError(ERR_SYNTAX);
      }
      const me = ctx.client.id;
      return intReply(ctx.killClients((c) => (!skipMe || c.id !== me) && tests.every((t) => t(c))));
    }
    case 'no-evict':
    case 'no-touch':
      if (args.length !== 3 || !['on', 'off'].includes(lower(args[2]))) throw new CommandError(ERR_SYNTAX);
      return OK;
    default:
      throw wrongArgs();
  }
}


function configCmd(ctx: ServerContext, args: Buffer[]): Buffer | Promise<Buffer> {
  const sub = lower(args[1]);
  const wrongArgs = () => new CommandError(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString()}'. Try CONFIG HELP.`);
  switch (sub) {
    case 'get': {
      if (args.length < 3) throw wrongArgs();
      const seen = new Map<string, string>();
      for (let i = 2; i < args.length; i++) for (const [k, v] of ctx.configGet(args[i].toString().toLowerCase())) seen.set(k, v);
      const out = new ReplyWriter();
      out.arrayHeader(seen.size * 2);
      for (const [k, v] of seen) {
        out.bulk(k);
        out.bulk(v);
      }
      return out.take();
    }
    case 'set': {
      if (args.length < 4 || args.length % 2 !== 0) throw wrongArgs();
      for (let i = 2; i < args.length; i += 2) ctx.configSet(args[i].toString(), args[i + 1].toString());
      return OK;
    }
    case 'resetstat':
      if (args.length !== 2) throw wrongArgs();
      return ctx.resetStats().then(() => OK);
    case 'rewrite':
      if (args.length !== 2) throw wrongArgs();
      ctx.configRewrite();
      return OK;
    default:
      throw wrongArgs();
  }
}

function commandReplyFor(out: ReplyWriter, c: CommandSpec): void {
  out.arrayHeader(10);
  out.bulk(c.name);
  out.int(c.arity);
  out.arrayHeader(c.flags.length);
  for (const f of c.flags) out.simple(f);
  out.int(c.firstKey);
  out.int(c.lastKey);
  out.int(c.keyStep);
  out.arrayHeader(1);
  out.simple(`@${c.group}`);
  out.arrayHeader(0);
  out.arrayHeader(0);
  out.arrayHeader(0);
}

/** Keys of `args` (a full command line) according to its table entry. */
export function keysOf(spec: CommandSpec, args: Buffer[]): Buffer[] {
  if (spec.firstKey === 0) return [];
  const last = spec.lastKey < 0 ? args.length + spec.lastKey : spec.lastKey;
  const out: Buffer[] = [];
  for (let i = spec.firstKey; i <= last && i < args.length; i += spec.keyStep) out.push(args[i]);
  return out;
}

function command(ctx: ServerContext, args: Buffer[]): Buffer {
  const table = ctx.commandTable();
  const visible = [...table.values()].filter((c) => !c.flags.includes('internal'));
  const out = new ReplyWriter();
  const sub = args.length > 1 ? lower(args[1]) : '';
  switch (sub) {
    case '':
      out.arrayHeader(visible.length);
      for (const c of visible) commandReplyFor(out, c);
      return out.take();
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
      out.arrayHeader(found.length * 2);
      for (const c of found) {
        out.bulk(c.name);
        out.arrayHeader(6);
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
      if (args.length < 3) throw new CommandError(`ERR unknown subcommand or wrong number of arguments for 'getkeys'. Try COMMAND HELP.`);
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
      throw new CommandError(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString()}'. Try COMMAND HELP.`);
  }
}

function time(): Buffer {
  const now = process.hrtime.bigint();
  const us = BigInt(Date.now()) * 1000n + ((now / 1000n) % 1000n);
  const out = new ReplyWriter();
  out.bulkArray([String(us / 1_000_000n), String(us % 1_000_000n)]);
  return out.take();
}

function slowlog(ctx: ServerContext, args: Buffer[]): Buffer {
  const sub = lower(args[1]);
  if (sub === 'get' && args.length <= 3) {
    const count = args.length === 3 ? intArg(args[2]) : 10;
    return ctx.slowlogGet(count < 0 ? Infinity : count).take();
  }
  if (sub === 'len' && args.length === 2) return intReply(ctx.slowlogLen());
  if (sub === 'reset' && args.length === 2) {
    ctx.slowlogReset();
    return OK;
  }
  if (sub === 'help' && args.length === 2) {
    const out = new ReplyWriter();
    out.bulkArray(['SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', 'GET [<count>]', 'LEN', 'RESET', 'HELP']);
    return out.take();
  }
  throw new CommandError(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString()}'. Try SLOWLOG HELP.`);
}

async function debug(_ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  const sub = lower(args[1]);
  if (sub === 'log') return OK;
  if (sub === 'sleep' && args.length === 3) {
    const secs = Number(args[2].toString());
    await new Promise((r) => setTimeout(r, Math.max(0, secs) * 1000));
    return OK;
  }
  if (sub === 'help') {
    const out = new ReplyWriter();
    out.bulkArray(['DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', 'LOG <message>', 'SLEEP <seconds>', 'HELP']);
    return out.take();
  }
  throw new CommandError(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString()}'. Try DEBUG HELP.`);
}

async function info(ctx: ServerContext, args: Buffer[]): Promise<Buffer> {
  return bulkReply(await ctx.info(args.slice(1).map((a) => a.toString().toLowerCase())));
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
  if (sub === 'flush' && (args.length === 2 || (args.length === 3 && ['async', 'sync'].includes(lower(args[2]))))) return OK;
  if (sub === 'list') return EMPTY_ARRAY;
  throw new CommandError(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString()}'. Try FUNCTION HELP.`);
}

const M = (
  name: string, arity: number, flags: CommandSpec['flags'], group: string, summary: string, main: CommandSpec['main'],
): CommandSpec => ({ name, arity, flags, firstKey: 0, lastKey: 0, keyStep: 0, group, summary, since: '1.0.0', main });

export const SERVER_COMMANDS: CommandSpec[] = [
  M('ping', -1, ['fast', 'stale'], 'connection', 'Ping the server', ping),
  M('echo', 2, ['fast'], 'connection', 'Echo the given string', (_c, a) => bulkReply(a[1])),
  M('select', 2, ['fast', 'loading', 'stale'], 'connection', 'Change the selected database for the current connection', select),
  M('quit', -1, ['noauth', 'fast', 'loading', 'stale'], 'connection', 'Close the connection', quit),
  M('auth', -2, ['noauth', 'fast', 'loading', 'stale'], 'connection', 'Authenticate to the server', auth),
  M('hello', -1, ['noauth', 'fast', 'loading', 'stale'], 'connection', 'Handshake with Redis', hello),
  M('client', -2, ['admin', 'loading', 'stale'], 'connection', 'A container for client connection commands', client),
  M('config', -2, ['admin', 'loading', 'stale'], 'server', 'A container for server configuration commands', configCmd),
  M('command', -1, ['loading', 'stale'], 'server', 'Get array of Redis command details', command),
  M('time', 1, ['fast', 'loading', 'stale', 'random'], 'server', 'Return the current server time', time),
  M('slowlog', -2, ['admin', 'loading', 'stale'], 'server', 'A container for slow log commands', slowlog),
  M('debug', -2, ['admin', 'loading', 'stale'], 'server', 'A container for debugging commands', debug),
  M('function', -2, ['noscript'], 'scripting', 'A container for function commands', functionCmd),
  M('info', -1, ['loading', 'stale'], 'server', 'Get information and statistics about the server', info),
  M('shutdown', -1, ['admin', 'noauth', 'loading', 'stale'], 'server', 'Synchronously save the dataset to disk and then shut down the server', shutdown),
];


