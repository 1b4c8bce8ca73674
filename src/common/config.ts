// pika.conf: Pika's `key : value` format, `#` comments. One schema drives parsing,
// validation, CONFIG GET/SET and CONFIG REWRITE.
import * as fs from 'fs';
import * as os from 'os';
import { GB, MB, SLOTS_PER_TABLE_MAX } from './limits';
import { ERR_NOTIFY_CLASS, formatNotifyFlags, parseNotifyFlags } from './notify';
import { DEFAULT_OUTPUT_LIMITS_TEXT, formatOutputLimits, parseOutputLimits } from './output-limits';
import { parseRetention } from './retention';
import { parseSize } from './size';

/** `events`: keyspace event classes (common/notify.ts), shown in Redis's canonical order. */
type Kind = 'int' | 'size' | 'string' | 'bool' | 'enum' | 'output-limits' | 'retention' | 'events';

interface Spec {
  kind: Kind;
  def: string;
  /** CONFIG SET may change it while running. */
  live: boolean;
  min?: number;
  max?: number;
  values?: string[];
  /** Hidden from pika.conf.example: accepted for Redis clients and test suites. */
  redisOnly?: boolean;
}

/**
 * Slots of the tables a new db-path starts with. Each slot is an LMDB environment and a commit per
 * batch it appears in: 32 against 128 cut a SET's worker time by a quarter (native-notes/performance.md),
 * and still spreads a table over up to 32 workers or leaders.
 */
export const DEFAULT_SLOT_NUM = 32;

const SPECS: Record<string, Spec> = {
  port: { kind: 'int', def: '9221', live: false, min: 0, max: 65535 },
  bind: { kind: 'string', def: '127.0.0.1', live: false },
  'db-path': { kind: 'string', def: './db', live: false },
  'log-path': { kind: 'string', def: '', live: false },
  loglevel: { kind: 'enum', def: 'info', live: true, values: ['debug', 'info', 'warn', 'error'] },
  pidfile: { kind: 'string', def: '', live: false },
  'thread-pool-size': { kind: 'int', def: String(os.availableParallelism?.() ?? os.cpus().length), live: false, min: 1, max: 64 },
  databases: { kind: 'int', def: '16', live: false, min: 1, max: 4096 },
  'default-slot-num': { kind: 'int', def: String(DEFAULT_SLOT_NUM), live: false, min: 1, max: SLOTS_PER_TABLE_MAX },
  requirepass: { kind: 'string', def: '', live: true },
  userpass: { kind: 'string', def: '', live: true },
  userblacklist: { kind: 'string', def: '', live: true },
  'protected-mode': { kind: 'bool', def: 'yes', live: true },
  timeout: { kind: 'int', def: '0', live: true, min: 0, max: 2 ** 31 - 1 },
  maxclients: { kind: 'int', def: '10000', live: true, min: 1, max: 1_000_000 },
  sync: { kind: 'enum', def: 'everysec', live: false, values: ['always', 'everysec', 'no'] },
  'min-free-disk': { kind: 'size', def: '256mb', live: true, min: 0, max: 2 ** 50 },
  'max-open-slots': { kind: 'int', def: '512', live: false, min: 1, max: 16384 },
  'slowlog-log-slower-than': { kind: 'int', def: '10000', live: true, min: -1, max: 2 ** 53 },
  'slowlog-max-len': { kind: 'int', def: '128', live: true, min: 0, max: 1_000_000 },
  'proto-max-bulk-len': { kind: 'size', def: '512mb', live: true, min: 1 * MB, max: 2 * GB },
  'client-query-buffer-limit': { kind: 'size', def: '1gb', live: true, min: 1 * MB, max: 2 * GB },
  'client-output-buffer-limit': { kind: 'output-limits', def: DEFAULT_OUTPUT_LIMITS_TEXT, live: true },
  'hll-sparse-max-bytes': { kind: 'size', def: '3000', live: true, min: 0, max: 2 ** 50 },
  'binlog-retention': { kind: 'retention', def: '100000', live: true },
  masterauth: { kind: 'string', def: '', live: true },
  'replica-serve-reads': { kind: 'bool', def: 'no', live: true },
  'consensus-level': { kind: 'int', def: '0', live: true, min: 0, max: 16 },
  'notify-keyspace-events': { kind: 'events', def: '', live: true },
  // Redis settings clients and Redis's test suite read or set; they carry no meaning here.
  save: { kind: 'string', def: '', live: true, redisOnly: true },
  appendonly: { kind: 'bool', def: 'no', live: true, redisOnly: true },
  'lua-time-limit': { kind: 'int', def: '5000', live: true, redisOnly: true },
  'busy-reply-threshold': { kind: 'int', def: '5000', live: true, redisOnly: true },
  'latency-tracking': { kind: 'bool', def: 'no', live: true, redisOnly: true },
  maxmemory: { kind: 'size', def: '0', live: true, redisOnly: true },
  'maxmemory-policy': { kind: 'string', def: 'noeviction', live: true, redisOnly: true },
  'lazyfree-lazy-user-del': { kind: 'bool', def: 'no', live: true, redisOnly: true },
  'lazyfree-lazy-user-flush': { kind: 'bool', def: 'no', live: true, redisOnly: true },
  'list-max-ziplist-size': { kind: 'int', def: '-2', live: true, redisOnly: true },
  'list-max-listpack-size': { kind: 'int', def: '-2', live: true, redisOnly: true },
  'list-compress-depth': { kind: 'int', def: '0', live: true, redisOnly: true },
  'hash-max-ziplist-entries': { kind: 'int', def: '512', live: true, redisOnly: true },
  'hash-max-listpack-entries': { kind: 'int', def: '512', live: true, redisOnly: true },
  'hash-max-ziplist-value': { kind: 'int', def: '64', live: true, redisOnly: true },
  'hash-max-listpack-value': { kind: 'int', def: '64', live: true, redisOnly: true },
  'set-max-intset-entries': { kind: 'int', def: '512', live: true, redisOnly: true },
  'set-max-listpack-entries': { kind: 'int', def: '128', live: true, redisOnly: true },
  'zset-max-ziplist-entries': { kind: 'int', def: '128', live: true, redisOnly: true },
  'zset-max-listpack-entries': { kind: 'int', def: '128', live: true, redisOnly: true },
  'zset-max-ziplist-value': { kind: 'int', def: '64', live: true, redisOnly: true },
  'zset-max-listpack-value': { kind: 'int', def: '64', live: true, redisOnly: true },
  'active-expire-enabled': { kind: 'bool', def: 'yes', live: true, redisOnly: true },
  'stream-node-max-entries': { kind: 'int', def: '100', live: true, redisOnly: true },
  'stream-node-max-bytes': { kind: 'size', def: '4096', live: true, redisOnly: true },
  'latency-tracking-info-percentiles': { kind: 'string', def: '50 99 99.9', live: true, redisOnly: true },
  'min-replicas-to-write': { kind: 'int', def: '0', live: true, redisOnly: true },
  'replica-read-only': { kind: 'bool', def: 'yes', live: true, redisOnly: true },
  'replica-serve-stale-data': { kind: 'bool', def: 'yes', live: true, redisOnly: true },
  'sanitize-dump-payload': { kind: 'string', def: 'no', live: true, redisOnly: true },
  'rdb-key-save-delay': { kind: 'int', def: '0', live: true, redisOnly: true },
  'key-load-delay': { kind: 'int', def: '0', live: true, redisOnly: true },
};

export const CONFIG_KEYS = Object.keys(SPECS);
export const isRedisOnlyKey = (key: string) => SPECS[key]?.redisOnly === true;

export class ConfigError extends Error {}

export { parseSize };

/** The validated, canonical text of `raw` for `key`; `previous` is the value it replaces. */
function check(key: string, raw: string, previous?: string): string {
  const spec = SPECS[key];
  if (!spec) throw new ConfigError(`unknown key '${key}'`);
  const value = raw.trim();
  switch (spec.kind) {
    case 'int':
    case 'size': {
      const n = spec.kind === 'int' ? (/^-?\d+$/.test(value) ? Number(value) : undefined) : parseSize(value);
      if (n === undefined || !Number.isSafeInteger(n)) throw new ConfigError(`'${key}' needs ${spec.kind === 'int' ? 'an integer' : 'a size such as 512mb'}, not '${value}'`);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max))
        throw new ConfigError(`'${key}' must be between ${spec.min} and ${spec.max}, not ${value}`);
      return value;
    }
    case 'bool':
      if (value !== 'yes' && value !== 'no') throw new ConfigError(`'${key}' must be yes or no, not '${value}'`);
      return value;
    case 'output-limits':
      try {
        return formatOutputLimits(parseOutputLimits(value, previous === undefined ? undefined : parseOutputLimits(previous)));
      } catch (e) {
        throw new ConfigError((e as Error).message);
      }
    case 'retention':
      if (!parseRetention(value)) throw new ConfigError(`'${key}' needs entries (100000), a size (256mb) or an age (7d, 12h, 30m, 90s), not '${value}'`);
      return value.toLowerCase();
    case 'events':
      // not trimmed: Redis refuses a space as any other unknown class character
      if (parseNotifyFlags(raw) < 0) throw new ConfigError(ERR_NOTIFY_CLASS);
      return raw;
    case 'enum':
      if (!spec.values!.includes(value.toLowerCase())) throw new ConfigError(`'${key}' must be one of ${spec.values!.join(', ')}, not '${value}'`);
      return value.toLowerCase();
    default:
      return value;
  }
}

/** The node's settings: typed getters over validated text values. */
export class Config {
  private values = new Map<string, string>();
  /** Parsed numbers, read on hot paths; entries drop when their key is set. */
  private numbers = new Map<string, number>();
  /** The file it was read from, for CONFIG REWRITE. */
  file: string | undefined;

  constructor() {
    for (const [k, s] of Object.entries(SPECS)) this.values.set(k, s.def);
  }

  static parseText(text: string, origin: string): Config {
    const cfg = new Config();
    text.split(/\r?\n/).forEach((line, i) => {
      const body = line.trim();
      if (body === '' || body.startsWith('#')) return;
      const colon = body.indexOf(':');
      if (colon < 0) throw new ConfigError(`${origin}:${i + 1}: expected 'key : value', got '${body}'`);
      const key = body.slice(0, colon).trim().toLowerCase();
      try {
        cfg.values.set(key, check(key, body.slice(colon + 1).trim()));
      } catch (e) {
        throw new ConfigError(`${origin}:${i + 1}: ${(e as Error).message}`);
      }
    });
    return cfg;
  }

  static load(file: string): Config {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`);
    }
    const cfg = Config.parseText(text, file);
    cfg.file = file;
    return cfg;
  }

  /** Command-line and CONFIG SET changes; `startup` allows keys that cannot change live. */
  set(key: string, value: string, startup = false): void {
    const k = key.toLowerCase();
    const spec = SPECS[k];
    if (!spec) throw new ConfigError(`unknown key '${key}'`);
    if (!startup && !spec.live) throw new ConfigError(`'${k}' cannot be changed while running`);
    this.values.set(k, check(k, value, this.values.get(k)));
    this.numbers.delete(k);
  }

  has(key: string): boolean {
    return SPECS[key.toLowerCase()] !== undefined;
  }

  str(key: string): string {
    const v = this.values.get(key);
    if (v === undefined) throw new ConfigError(`unknown key '${key}'`);
    return v;
  }

  num(key: string): number {
    let n = this.numbers.get(key);
    if (n === undefined) {
      const v = this.str(key);
      n = SPECS[key].kind === 'size' ? parseSize(v)! : Number(v);
      this.numbers.set(key, n);
    }
    return n;
  }

  /** Every key with its value as CONFIG GET shows it. */
  entries(): [string, string][] {
    // event classes read back canonical as in Redis (which drops n beside A: kept here, only not
    // shown), sizes in bytes as Redis answers them ("1mb" reads back 1048576)
    return [...this.values.entries()].map(([k, v]) => {
      const kind = SPECS[k].kind;
      return [k, kind === 'events' ? formatNotifyFlags(parseNotifyFlags(v)) : kind === 'size' ? String(this.num(k)) : v];
    });
  }

  /** Rewrites `file` keeping comments and order: known lines are updated in place, the rest appended. */
  rewrite(file: string): void {
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split(/\r?\n/) : [];
    const written = new Set<string>();
    const out = lines.map((line) => {
      const body = line.trim();
      const colon = body.indexOf(':');
      if (body === '' || body.startsWith('#') || colon < 0) return line;
      const key = body.slice(0, colon).trim().toLowerCase();
      if (!SPECS[key]) return line;
      written.add(key);
      return `${key} : ${this.values.get(key)}`;
    });
    while (out.length && out[out.length - 1] === '') out.pop();
    for (const [k, v] of this.values) {
      if (!written.has(k) && v !== SPECS[k].def) out.push(`${k} : ${v}`);
    }
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, out.join('\n') + '\n');
    fs.renameSync(tmp, file);
  }
}
