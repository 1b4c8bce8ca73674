#!/usr/bin/env node
// Differential check against redis-server: the same seeded stream of random commands (every
// data command both servers list, with keys, numbers, option words and odd bytes for
// arguments) goes to a fresh pika node and a fresh redis-server, one command at a time, and
// every reply is compared; every `--snapshot-every` commands the whole keyspace is read back
// from both (TYPE and contents of every key) and compared too, so a command that answers the
// same but writes something else is caught right after it ran.
//
//   node scripts/diff-redis.js [--commands 20000] [--seed 1] [--snapshot-every 10] [--show 2] [--members 0]
//
// `--members N` seeds the list, hash, set and sorted set with N more members each (every ninth
// one longer than a list chunk keeps inline) and draws member names and indexes from that range,
// so commands cross list chunks, encodings and rank-tree nodes, not only collections of four.
// `--no-ttl 1` sends nothing that sets a time to live: a key that expires between the two
// servers' runs of one command makes a difference of timing, not of behaviour, and with no
// expiry at all any difference left is pika's.
//
// Both servers listen on free loopback ports with temporary directories and are stopped by PID
// at the end. Replies of commands whose answer is random or time-dependent (SRANDMEMBER, TTL,
// INFO ...) are not compared, and commands that change state at random (SPOP) or leave the
// keyspace the snapshot reads (SELECT, MOVE, FLUSHALL, MULTI ...) are not sent. Unordered
// replies (SMEMBERS, HGETALL ...) compare as sorted lines. Prints each kind of difference with
// up to `--show` examples; exits 1 when anything differed.
'use strict';

const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { readReply, RespError } = require('../dist/protocol/reply-reader');

/** Replies that differ between any two correct servers: compared by nothing. */
const UNCOMPARED = new Set(['srandmember', 'randomkey', 'hrandfield', 'zrandmember', 'ttl', 'pttl', 'expiretime', 'pexpiretime', 'object', 'info', 'time', 'scan', 'sscan', 'hscan', 'zscan', 'memory', 'command', 'lastsave', 'dbsize', 'keys', 'dump', 'debug', 'pfdebug', 'slowlog', 'latency', 'echo', 'georadius', 'georadiusbymember', 'georadius_ro', 'georadiusbymember_ro', 'geosearch', 'geosearchstore', 'sort', 'sort_ro']);
/** Not sent: random effects, other databases, connection state, server administration, self tests, streams and scripts pika does not have. */
const NOT_SENT = new Set(['spop', 'pfselftest', 'restore', 'restore-asking', 'shutdown', 'monitor', 'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe', 'quit', 'reset', 'pkcluster', 'slaveof', 'replicaof', 'migrate', 'client', 'config', 'auth', 'hello', 'sync', 'psync', 'save', 'bgsave', 'bgrewriteaof', 'failover', 'wait', 'purgelogsto', 'select', 'swapdb', 'move', 'multi', 'exec', 'discard', 'watch', 'unwatch', 'flushall', 'flushdb', 'publish', 'spublish', 'pubsub', 'readonly', 'readwrite', 'cluster', 'module', 'script', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'function', 'fcall', 'fcall_ro', 'lolwut', 'role', 'replconf', 'asking', 'acl']);
const WORDS = ['NX', 'XX', 'GT', 'LT', 'CH', 'INCR', 'WITHSCORES', 'LIMIT', 'COUNT', 'MATCH', 'BYSCORE', 'BYLEX', 'REV', 'EX', 'PX', 'EXAT', 'KEEPTTL', 'GET', 'LEFT', 'RIGHT', 'BEFORE', 'AFTER', 'WEIGHTS', 'AGGREGATE', 'SUM', 'MIN', 'MAX', 'WITHVALUES', 'ASC', 'DESC', 'RANK', 'MAXLEN', 'IDX', 'LEN', 'MINMATCHLEN', 'WITHMATCHLEN', 'OVERFLOW', 'WRAP', 'SAT', 'FAIL', 'SET', 'INCRBY', 'u8', 'i64', 'u63', 'i1', 'AND', 'OR', 'XOR', 'NOT', 'BIT', 'BYTE', 'REPLACE', 'DB'];
const NUMBERS = ['0', '1', '-1', '2', '3', '10', '100', '-100', '1.5', '-2.5', 'inf', '-inf', '+inf', '(1', '(5', '[a', '(b', '[m1', '(m3', '-', '+', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '1e308', '1e400', 'nan', '', '0x10', ' 1', '4294967296', '65536', '-0', '3.0e2', '2147483648'];
const KEYS = ['k0', 'k1', 'k2', '{t}a', '{t}b', 'str', 'h', 'l', 's', 'z'];
/** `--no-ttl`: commands and option words that set a time to live. */
const TTL_COMMANDS = new Set(['expire', 'pexpire', 'expireat', 'pexpireat', 'setex', 'psetex', 'getex']);
const TTL_WORDS = new Set(['EX', 'PX', 'EXAT', 'PXAT']);
/** One key of each type, written again every SEED_EVERY commands. */
const SEED = [['SET', 'str', '12'], ['HSET', 'h', 'm1', '1', 'm2', 'x'], ['RPUSH', 'l', 'm1', 'm2', '3', 'm1'], ['SADD', 's', 'm1', 'm2', '3'], ['ZADD', 'z', '1', 'm1', '2', 'm2', '2', 'm3'], ['SET', 'k0', 'm1']];
const SEED_EVERY = 200;
/** `--members`: every ninth seeded member is this long (past LIST_INLINE_MAX_BYTES). */
const LONG_MEMBER_BYTES = 150;
const START_TIMEOUT_MS = 10_000;
/** Longest a single reply may take: blocking commands are given a 10 ms timeout. */
const REPLY_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 10_000;
/** Keys expiring sooner than this are left out of keyspace snapshots. */
const EXPIRING_SOON_MS = 1_000;

function parseArgs(argv) {
  const opts = { commands: 20_000, seed: 1, snapshotEvery: 10, show: 2, members: 0, noTtl: 0 };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '').replace(/-(.)/g, (_, c) => c.toUpperCase());
    if (!(name in opts) || i + 1 >= argv.length || !Number.isInteger(Number(argv[i + 1]))) {
      process.stderr.write('usage: node scripts/diff-redis.js [--commands N] [--seed S] [--snapshot-every K] [--show N] [--members N] [--no-ttl 1]\n');
      process.exit(2);
    }
    opts[name] = Number(argv[++i]);
  }
  return opts;
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** One connection: commands written in RESP, whole raw replies handed back in order. */
class Connection {
  constructor(socket, label) {
    this.socket = socket;
    this.label = label;
    this.buffer = Buffer.alloc(0);
    this.waiting = [];
    socket.on('data', (d) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, d]) : d;
      this.deliver();
    });
  }

  static open(port, label) {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new Connection(socket, label)));
      socket.once('error', reject);
    });
  }

  deliver() {
    while (this.waiting.length > 0) {
      let end;
      try {
        end = readReply(this.buffer, 0)[1];
      } catch {
        return; // incomplete: wait for more bytes
      }
      // readReply takes complete replies: a bulk string still arriving ends past the buffer
      if (end > this.buffer.length) return;
      const raw = this.buffer.subarray(0, end);
      this.buffer = this.buffer.subarray(end);
      this.waiting.shift().resolve(raw);
    }
  }

  send(args) {
    const parts = [Buffer.from(`*${args.length}\r\n`)];
    for (const a of args) {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(a);
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
    }
    this.socket.write(Buffer.concat(parts));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label}: no reply to ${args.slice(0, 4).join(' ')} in ${REPLY_TIMEOUT_MS} ms`)), REPLY_TIMEOUT_MS);
      this.waiting.push({ resolve: (raw) => (clearTimeout(timer), resolve(raw)) });
      this.deliver();
    });
  }

  async value(args) {
    return readReply(await this.send(args), 0)[0];
  }

  close() {
    this.socket.destroy();
  }
}

async function startServer(label, argv, port) {
  const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const conn = await Connection.open(port, label);
      return { child, conn, label };
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${label} did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const text = (v) => (Array.isArray(v) ? v.map(text) : v instanceof RespError ? `ERR:${v.message}` : Buffer.isBuffer(v) ? v.toString('latin1') : String(v));

/** The whole keyspace as one string: every live key with its type and contents. */
async function snapshot(conn) {
  const keys = text(await conn.value(['KEYS', '*'])).sort();
  const out = [];
  for (const k of keys) {
    // a key about to expire may be gone on one side and not yet on the other: not compared
    const pttl = Number(text(await conn.value(['PTTL', k])));
    if (pttl !== -1 && pttl < EXPIRING_SOON_MS) continue;
    const type = text(await conn.value(['TYPE', k]));
    let v;
    if (type === 'none') continue;
    else if (type === 'string') v = text(await conn.value(['GET', k]));
    else if (type === 'hash') {
      const flat = text(await conn.value(['HGETALL', k]));
      v = [];
      for (let j = 0; j < flat.length; j += 2) v.push(`${flat[j]}=${flat[j + 1]}`);
      v.sort();
    } else if (type === 'list') v = text(await conn.value(['LRANGE', k, '0', '-1']));
    else if (type === 'set') v = text(await conn.value(['SMEMBERS', k])).sort();
    else if (type === 'zset') v = text(await conn.value(['ZRANGE', k, '0', '-1', 'WITHSCORES']));
    out.push(`${k}:${type}:${JSON.stringify(v)}`);
  }
  return out.join(' ');
}

const member = (i) => (i % 9 === 4 ? `m${i}${'-'.repeat(LONG_MEMBER_BYTES)}` : `m${i}`);

/** The commands that write the seed keys, with `members` more members in each collection. */
function seedCommands(members) {
  if (members === 0) return SEED;
  const ms = Array.from({ length: members }, (_, i) => member(i));
  return [...SEED, ['RPUSH', 'l', ...ms], ['HSET', 'h', ...ms.flatMap((m, i) => [m, String(i)])], ['SADD', 's', ...ms], ['ZADD', 'z', ...ms.flatMap((m, i) => [String(i % 17), m])]];
}

/** Where two snapshots part: the text around the first differing character on each side. */
function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const from = Math.max(0, a.lastIndexOf(' ', i - 1) + 1, i - 200);
  return [`  pika:  …${a.slice(from, i + 200)}`, `  redis: …${b.slice(from, i + 200)}`];
}

/** A seeded stream of commands shaped like each command's arity. */
function generator(seed, commands, members, words) {
  let s = seed >>> 0 || 1;
  const rand = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 2 ** 32);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const arg = () => {
    if (members > 0 && rand() < 0.3) return rand() < 0.5 ? member(Math.floor(rand() * members)) : String(Math.floor(rand() * (2 * members + 5)) - members - 2);
    const r = rand();
    if (r < 0.35) return pick(KEYS);
    if (r < 0.6) return pick(NUMBERS);
    if (r < 0.8) return pick(words);
    if (r < 0.85) return `x${Math.floor(rand() * 3)}`;
    return `m${Math.floor(rand() * 5)}`;
  };
  return () => {
    const [name, [arity, firstKey, lastKey, step]] = pick(commands);
    const argc = rand() < 0.7 ? Math.max(0, Math.abs(arity) - 1 + (arity < 0 ? Math.floor(rand() * 4) : 0)) : Math.floor(rand() * 6);
    const args = [name, ...Array.from({ length: argc }, arg)];
    // key positions mostly get keys, so more commands get past their key lookups
    const last = lastKey < 0 ? args.length + lastKey : lastKey;
    if (firstKey > 0) for (let i = firstKey; i <= last && i < args.length; i += step || 1) if (rand() < 0.9) args[i] = pick(KEYS);
    // blocking commands wait 10 ms at most (their timeout is the last argument, or BLMPOP's first)
    if (/^(bl|br|bz)/.test(name) && args.length > 1) args[/mpop$/.test(name) ? 1 : args.length - 1] = '0.01';
    return args;
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pika-diff-'));
  const [pikaPort, redisPort] = [await freePort(), await freePort()];
  const servers = [];
  /** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS: both are gone before their directory is. */
  const stop = () => Promise.all(servers.map((s) => new Promise((resolve) => {
    s.conn.close();
    if (s.child.exitCode !== null) return resolve();
    const timer = setTimeout(() => s.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    s.child.once('exit', () => (clearTimeout(timer), resolve()));
    s.child.kill('SIGTERM');
  })));
  try {
    execFileSync('redis-server', ['--version']);
    servers.push(await startServer('pika', [process.execPath, path.join(__dirname, '..', 'bin', 'pika'), '--port', String(pikaPort), '--db-path', path.join(dir, 'pika'), '--log-path', dir], pikaPort));
    servers.push(await startServer('redis-server', ['redis-server', '--bind', '127.0.0.1', '--port', String(redisPort), '--dir', dir, '--save', '', '--appendonly', 'no'], redisPort));
    const [pika, redis] = servers.map((s) => s.conn);
    // name → [arity, first key, last key, key step], as COMMAND lists them
    const listed = async (c) => new Map(text(await c.value(['COMMAND'])).map((c) => [c[0], [1, 3, 4, 5].map((i) => Number(c[i]))]));
    const pikaCommands = await listed(pika);
    const both = [...(await listed(redis))].filter(([n]) => pikaCommands.has(n) && !NOT_SENT.has(n) && !(opts.noTtl && TTL_COMMANDS.has(n)));
    const next = generator(opts.seed, both, opts.members, opts.noTtl ? WORDS.filter((w) => !TTL_WORDS.has(w)) : WORDS);
    const seedKeys = [['FLUSHDB'], ...seedCommands(opts.members)];
    const kinds = new Map();
    let replyDiffs = 0;
    let stateDiffs = 0;
    const recent = [];
    const note = (kind, lines) => {
      const n = (kinds.get(kind) ?? 0) + 1;
      kinds.set(kind, n);
      if (n <= opts.show) console.log(lines.join('\n'));
    };
    process.on('exit', (code) => {
      if (code === 2) console.error(`the last commands sent: ${JSON.stringify(recent)}`);
    });
    for (let i = 0; i < opts.commands; i++) {
      if (i % SEED_EVERY === 0) for (const c of seedKeys) await Promise.all([pika.send(c), redis.send(c)]);
      const args = next();
      recent.push(args);
      if (recent.length > 3) recent.shift();
      const [a, b] = (await Promise.all([pika.send(args), redis.send(args)])).map((r) => r.toString('latin1'));
      if (a !== b && !UNCOMPARED.has(args[0]) && a.split('\r\n').sort().join('\n') !== b.split('\r\n').sort().join('\n')) {
        replyDiffs++;
        note(`reply ${args[0]} ${a[0]}${b[0]} ${a[0] === '-' ? a.slice(0, 60).trim() : ''}`, [`${JSON.stringify(args)} after ${JSON.stringify(recent.slice(0, -1))}`, `  pika:  ${JSON.stringify(a.slice(0, 200))}`, `  redis: ${JSON.stringify(b.slice(0, 200))}`]);
      }
      if (i % opts.snapshotEvery === opts.snapshotEvery - 1) {
        const [sa, sb] = [await snapshot(pika), await snapshot(redis)];
        if (sa !== sb) {
          stateDiffs++;
          note(`state after ${args[0]}`, [`keyspace differs after ${JSON.stringify(recent)}`, ...firstDifference(sa, sb)]);
          // start both again from the same state, so one difference is reported once
          for (const c of seedKeys) await Promise.all([pika.send(c), redis.send(c)]);
        }
      }
    }
    console.log(`${opts.commands} commands (seed ${opts.seed}, ${opts.members} more members) over ${both.length} command names: ${replyDiffs} replies and ${stateDiffs} keyspaces differed, ${kinds.size} kinds`);
    for (const [k, n] of [...kinds].sort((x, y) => y[1] - x[1])) console.log(`${String(n).padStart(6)}  ${k}`);
    process.exitCode = replyDiffs + stateDiffs > 0 ? 1 : 0;
  } catch (e) {
    const log = path.join(dir, 'pika.log');
    if (fs.existsSync(log)) console.error(`pika's log, last lines:\n${fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n')}`);
    throw e;
  } finally {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`diff-redis: ${e.message}`);
  process.exit(2);
});
