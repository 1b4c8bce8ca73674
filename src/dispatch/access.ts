// Who may do what. Three kinds of password, as in Pika plus ours:
//   requirepass   the admin password: every table, every command;
//   userpass      Pika's user password: the tables without a password of their own, every
//                 command but admin ones and those in userblacklist;
//   table password (pkcluster addtable/tablepass): that table alone, as a user; AUTH with it
//                 also selects the table.
// A client that has not authenticated needs nothing while neither requirepass nor userpass is
// set (it is then an admin, as in Redis and Pika, but still cannot touch a table that has a
// password); once either is set it may only AUTH, HELLO and QUIT (NOAUTH), unlike Pika, which
// treats it as a user when only requirepass is set. As in Redis, a client that connected while
// no password was set keeps its rights when one is set later (grant 'open'). Protected mode
// refuses non-loopback clients while neither password is set, as Redis 7.0 does.
import * as crypto from 'crypto';
import type { Socket } from 'net';
import { Config, ConfigError } from '../common/config';
import { ERR_DB_INDEX, ERR_NOAUTH, noPermError, noTableError } from '../common/errors';
import { AUTH_FAILURE_LOGS_PER_MINUTE } from '../common/limits';
import { logger } from '../common/log';
import { errorReply } from '../protocol/reply';
import { isAdminCall, subcommandOf } from '../commands/container';
import { AuthOutcome, ClientInfo, CommandSpec, Grant } from '../commands/types';
import { Tables } from './tables';

const log = logger('M');

/** Redis 7.0's text, sent before closing a refused connection (networking.c clientAcceptHandler). */
export const DENIED_PROTECTED =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to ' +
  "Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' " +
  'from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not ' +
  'publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just ' +
  "disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then " +
  "restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
  '4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the ' +
  'server to start accepting connections from the outside.\r\n';

/** Client addresses Redis counts as local (islocalClient), and IPv4 ones as a dual-stack socket shows them. */
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const NOAUTH = errorReply(ERR_NOAUTH);

/** Compares secrets in time that depends on neither: both are hashed to 32 bytes first. */
function secretEquals(a: Buffer, b: string): boolean {
  const h = (x: Buffer | string) => crypto.createHash('sha256').update(x).digest();
  return crypto.timingSafeEqual(h(a), h(b));
}

export class Access {
  private deniedAuth = 0;
  private deniedCommands = 0;
  private logWindowStart = 0;
  private loggedInWindow = 0;
  private blacklistText = '';
  private blacklist = new Set<string>();

  constructor(private config: Config, private tables: Tables) {}

  /** requirepass or userpass is set: unauthenticated clients may do nothing. */
  private globalPassword(): boolean {
    return this.config.str('requirepass') !== '' || this.config.str('userpass') !== '';
  }

  /** Protected mode: whether to refuse this new connection (Redis's DENIED text, then close). */
  refuses(socket: Socket): boolean {
    return this.config.str('protected-mode') === 'yes' && !this.globalPassword() && !LOOPBACK.has(socket.remoteAddress ?? '');
  }

  /** CONFIG SET of requirepass or userpass: a table's password would open more than that table. */
  checkSetting(key: string, value: string): void {
    if ((key === 'requirepass' || key === 'userpass') && value !== '' && this.tables.tableOfPassword(Buffer.from(value)) >= 0) {
      throw new ConfigError('a table already uses this password');
    }
  }

  /** The grant of a new connection: 'open' while no password is needed, as Redis authenticates it at once. */
  initialGrant(): Grant {
    return this.globalPassword() ? 'none' : 'open';
  }

  authRequired(c: ClientInfo): boolean {
    return c.grant === 'none' && this.globalPassword();
  }

  private isAdmin(c: ClientInfo): boolean {
    return c.grant === 'admin' || c.grant === 'open' || (c.grant === 'none' && !this.globalPassword());
  }

  /** Whether the client may read and write `table` (which must exist). */
  mayUse(c: ClientInfo, table: number): boolean {
    if (!this.tables.exists(table)) return false;
    switch (c.grant) {
      case 'admin':
        return true;
      case 'table':
        return this.tables.uid(table) === c.grantTableUid;
      case 'user':
      case 'open':
        return !this.tables.hasPassword(table);
      default:
        return !this.globalPassword() && !this.tables.hasPassword(table);
    }
  }

  /** INFO keyspace shows a table to its users and to admins, not to other tables' clients. */
  maySee(c: ClientInfo, table: number): boolean {
    return this.isAdmin(c) || this.mayUse(c, table);
  }

  /** Why the client may not use `table`, or null when it may. */
  tableRefusal(c: ClientInfo, table: number): string | null {
    if (!this.tables.exists(table)) return ERR_DB_INDEX;
    if (this.mayUse(c, table)) return null;
    this.deniedCommands++;
    return c.grant === 'none' || c.grant === 'open' ? ERR_NOAUTH : noTableError(table);
  }

  /** The refusal of a command before it runs, or null when the client may run it. */
  check(c: ClientInfo, spec: CommandSpec, args: Buffer[]): Buffer | null {
    if (spec.flags.includes('noauth')) return null;
    if (c.grant === 'none' && this.globalPassword()) return NOAUTH;
    const sub = subcommandOf(spec, args);
    const admin = isAdminCall(spec, args);
    if (!this.isAdmin(c)) {
      if (admin || this.blacklisted(spec.name, sub)) {
        this.deniedCommands++;
        return errorReply(noPermError(sub === null ? spec.name : `${spec.name}|${sub}`));
      }
    }
    // admin commands act on the node, not on the current table
    if (!admin && !spec.ownTableCheck) {
      const refusal = this.tableRefusal(c, c.table);
      if (refusal) return errorReply(refusal);
    }
    const target = spec.targetTable?.(args);
    if (target !== undefined && this.tables.exists(target)) {
      const refusal = this.tableRefusal(c, target);
      if (refusal) return errorReply(refusal);
    }
    return null;
  }

  /** userblacklist: Pika's comma-separated command names; `container|sub` names one subcommand. */
  private blacklisted(name: string, sub: string | null): boolean {
    const text = this.config.str('userblacklist');
    if (text !== this.blacklistText) {
      this.blacklistText = text;
      this.blacklist = new Set(text.split(/[\s,]+/).filter(Boolean).map((s) => s.toLowerCase()));
    }
    return this.blacklist.size > 0 && (this.blacklist.has(name) || (sub !== null && this.blacklist.has(`${name}|${sub}`)));
  }

  /**
   * AUTH [user] password. Every password is compared, whichever matches, so the time taken
   * does not tell them apart; the admin password wins over the user password over a table's.
   */
  authenticate(c: ClientInfo, user: string | null, password: Buffer): AuthOutcome {
    const requirepass = this.config.str('requirepass');
    const userpass = this.config.str('userpass');
    const admin = requirepass !== '' && secretEquals(password, requirepass);
    const asUser = userpass !== '' && secretEquals(password, userpass);
    const table = this.tables.tableOfPassword(password);
    if (requirepass === '' && userpass === '' && !this.tables.ids().some((t) => this.tables.hasPassword(t))) return 'nopass';
    if (user !== null && user.toLowerCase() !== 'default') return this.failed(c, `user ${JSON.stringify(user.slice(0, 64))}`);
    if (admin) c.grant = 'admin';
    else if (asUser) c.grant = 'user';
    else if (table >= 0) {
      c.grant = 'table';
      c.grantTableUid = this.tables.uid(table);
      c.table = table;
    } else return this.failed(c, 'wrong password');
    return 'ok';
  }

  private failed(c: ClientInfo, why: string): AuthOutcome {
    this.deniedAuth++;
    const now = Date.now();
    if (now - this.logWindowStart >= 60_000) {
      if (this.loggedInWindow > AUTH_FAILURE_LOGS_PER_MINUTE) log.warn(`${this.loggedInWindow - AUTH_FAILURE_LOGS_PER_MINUTE} more failed AUTH attempts were not logged`);
      this.logWindowStart = now;
      this.loggedInWindow = 0;
    }
    if (++this.loggedInWindow <= AUTH_FAILURE_LOGS_PER_MINUTE) log.warn(`failed AUTH from ${c.addr} (${why})`);
    return 'wrongpass';
  }

  /** INFO's counters, named as Redis 7.2 names them. */
  stats(): [string, number][] {
    return [['acl_access_denied_auth', this.deniedAuth], ['acl_access_denied_cmd', this.deniedCommands]];
  }
}
