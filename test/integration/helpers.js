// Shared helpers of the integration tests: start real pika nodes, talk to them through
// ioredis, redis-cli and raw TCP.
//
// Every node a test starts is tracked here by its PID; tests stop their nodes in after-hooks
// (stopAll), and a last-resort exit handler SIGKILLs, by PID, any node a crashed run left.
//
// PIKA_TEST_TARGET=redis runs the same suites against a real redis-server 7.0 (when
// installed) to check that the assertions describe Redis's behaviour; tests that only make
// sense for pika (pika.conf, INFO pika, durability of the db-path) are skipped then.
'use strict';

const assert = require('assert');
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const Redis = require('ioredis');
const { slotOf } = require('../../dist/common/crc32');
const { DEFAULT_SLOT_NUM } = require('../../dist/common/config');

const ROOT = path.resolve(__dirname, '..', '..');
const TARGET = process.env.PIKA_TEST_TARGET === 'redis' ? 'redis' : 'pika';
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 20_000;

/** Nodes started and not yet known to have exited, by PID. */
const live = new Map();
/** Every node object made, for stopAll(). */
const nodes = new Set();

process.on('exit', () => {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rejects after `ms` with a message naming `what`, so no test can hang the run. */
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A port nobody listens on right now: listen on 127.0.0.1:0 and close. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Sends PING on a fresh connection; resolves with the first reply line or null. */
function probe(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let buf = '';
    const done = (v) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const nl = buf.indexOf('\r\n');
      if (nl >= 0) done(buf.slice(0, nl));
    });
    sock.on('error', () => done(null));
    sock.on('close', () => done(null));
  });
}

/** pika.conf text → the redis-server command line, for PIKA_TEST_TARGET=redis. */
function redisArgsFor(node) {
  const args = ['--port', String(node.port), '--bind', '127.0.0.1', '--dir', node.dbPath, '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes'];
  const conf = node.configText ? parseConf(node.configText) : {};
  const flags = {};
  for (let i = 0; i < node.args.length; i += 2) flags[node.args[i].replace(/^--/, '')] = node.args[i + 1];
  const all = { ...conf, ...flags };
  for (const [k, v] of Object.entries(all)) {
    if (['maxclients', 'requirepass', 'protected-mode', 'timeout', 'databases', 'proto-max-bulk-len', 'client-query-buffer-limit', 'slowlog-log-slower-than'].includes(k)) args.push(`--${k}`, v);
  }
  return args;
}

function parseConf(text) {
  const out = {};
  for (const line of text.split(/\r?\n/)) {
    const body = line.trim();
    if (!body || body.startsWith('#') || !body.includes(':')) continue;
    const c = body.indexOf(':');
    out[body.slice(0, c).trim()] = body.slice(c + 1).trim();
  }
  return out;
}

/**
 * Starts a node on a free port with a fresh db-path under os.tmpdir().
 * opts.args: extra command-line flags ('--sync', 'always', ...); opts.config: pika.conf text,
 * written to <dir>/pika.conf and passed with --config; opts.workers: thread-pool-size (2).
 */
async function startNode(opts = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pika-it-'));
  const node = {
    port: await freePort(),
    dir,
    dbPath: path.join(dir, 'db'),
    configFile: opts.config !== undefined ? path.join(dir, 'pika.conf') : undefined,
    configText: opts.config,
    args: ['--thread-pool-size', String(opts.workers ?? 2), ...(opts.args ?? [])],
    proc: null,
    pid: 0,
    exit: null,
    log: [],
    target: TARGET,
    /** Output of the node so far (stdout and stderr), for failure messages. */
    output() {
      return node.log.join('');
    },
    /** SIGTERM, then waits for the process to exit; resolves with { code, signal }. */
    async stop() {
      return terminate(node, 'SIGTERM');
    },
    /** SIGKILL, then waits for the process to exit. */
    async kill9() {
      return terminate(node, 'SIGKILL');
    },
    /** Stops the node if it runs, starts it again on the same port and db-path. */
    async restart() {
      if (node.proc && !node.exitInfo) await node.stop();
      await launch(node);
      return node;
    },
    /** Waits for the process to exit by itself (SHUTDOWN); resolves with { code, signal }. */
    waitExit(ms = STOP_TIMEOUT_MS) {
      return withTimeout(node.exit, ms, `node ${node.pid} to exit`);
    },
    /** Stops the node and removes its directory. */
    async destroy() {
      if (node.proc && !node.exitInfo) await node.stop();
      nodes.delete(node);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  fs.mkdirSync(node.dbPath, { recursive: true });
  if (opts.config !== undefined) fs.writeFileSync(node.configFile, opts.config);
  nodes.add(node);
  await launch(node);
  return node;
}

async function launch(node) {
  let argv;
  let cmd;
  if (TARGET === 'redis') {
    cmd = 'redis-server';
    argv = redisArgsFor(node);
  } else {
    cmd = process.execPath;
    argv = [path.join(ROOT, 'bin', 'pika'), '--port', String(node.port), '--db-path', node.dbPath, '--bind', '127.0.0.1'];
    if (node.configFile) argv.push('--config', node.configFile);
    argv.push(...node.args);
  }
  const proc = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  node.proc = proc;
  node.pid = proc.pid;
  node.exitInfo = null;
  live.set(proc.pid, proc);
  const capture = (d) => {
    node.log.push(d.toString());
    if (node.log.length > 2000) node.log.splice(0, 1000);
  };
  proc.stdout.on('data', capture);
  proc.stderr.on('data', capture);
  node.exit = new Promise((resolve) => {
    proc.once('exit', (code, signal) => {
      live.delete(proc.pid);
      node.exitInfo = { code, signal };
      resolve(node.exitInfo);
    });
  });
  proc.once('error', (e) => capture(`spawn error: ${e.message}\n`));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (node.exitInfo) throw new Error(`node exited during start (${JSON.stringify(node.exitInfo)}):\n${node.output()}`);
    const line = await probe(node.port);
    if (line && (line === '+PONG' || line.startsWith('-NOAUTH'))) return node;
    if (Date.now() > deadline) {
      await terminate(node, 'SIGKILL');
      throw new Error(`node on port ${node.port} did not answer PING within ${READY_TIMEOUT_MS} ms:\n${node.output()}`);
    }
    await sleep(50);
  }
}

async function terminate(node, signal) {
  const proc = node.proc;
  if (!proc || node.exitInfo) return node.exitInfo;
  try {
    process.kill(proc.pid, signal);
  } catch {
    /* exited meanwhile */
  }
  try {
    return await withTimeout(node.exit, STOP_TIMEOUT_MS, `node ${proc.pid} to exit on ${signal}`);
  } catch (e) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await withTimeout(node.exit, STOP_TIMEOUT_MS, `node ${proc.pid} to exit on SIGKILL`);
    throw e;
  }
}

/** Stops (by PID) and removes every node not yet destroyed; for after-hooks. */
async function stopAll() {
  const errors = [];
  for (const node of [...nodes]) {
    try {
      await node.destroy();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length) throw errors[0];
}

const clients = new Set();

/** An ioredis client that never reconnects or queues forever, so failures surface. */
function client(port, opts = {}) {
  const c = new Redis({
    port,
    host: '127.0.0.1',
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    commandTimeout: 60_000,
    connectTimeout: 10_000,
    disableClientInfo: true,
    ...opts,
  });
  c.on('error', () => {});
  clients.add(c);
  c.once('end', () => clients.delete(c));
  return c;
}

function closeClients() {
  for (const c of clients) c.disconnect();
  clients.clear();
}

/**
 * Registers before/after hooks on a uvu suite that start one node and stop it by PID.
 * A failed start fails every test of the suite (uvu would otherwise report a before-hook
 * error as silently skipped tests). Returns a holder: { node, redis (an ioredis client) }.
 */
function useNode(test, opts = {}) {
  const h = { node: null, redis: null, error: null };
  test.before(async () => {
    try {
      h.node = await startNode(opts);
      h.redis = client(h.node.port, opts.clientOptions);
      await withTimeout(h.redis.ping(), 10_000, 'first PING');
    } catch (e) {
      h.error = e;
    }
  });
  test.before.each(() => {
    if (h.error) throw h.error;
  });
  test.after(async () => {
    closeClients();
    await stopAll();
  });
  return h;
}

/** Runs redis-cli against 127.0.0.1:port; returns its stdout without the final newline. */
function redisCli(port, ...args) {
  let out;
  try {
    out = execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args.map(String)], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.stdout === undefined || e.stdout === null) throw e;
    out = e.stdout;
  }
  return out.replace(/\n$/, '');
}

// ---- RESP framing of replies, for raw-socket tests ----

/**
 * Parses one RESP2 reply at `off`; returns [value, nextOffset] or null when incomplete.
 * Errors come back as { error: 'ERR ...' }, simple strings as { simple: 'OK' }.
 */
function parseReply(buf, off = 0) {
  if (off >= buf.length) return null;
  const nl = buf.indexOf('\r\n', off);
  if (nl < 0) return null;
  const type = String.fromCharCode(buf[off]);
  const line = buf.toString('latin1', off + 1, nl);
  const next = nl + 2;
  switch (type) {
    case '+':
      return [{ simple: line }, next];
    case '-':
      return [{ error: line }, next];
    case ':':
      return [Number(line), next];
    case '$': {
      const len = Number(line);
      if (len < 0) return [null, next];
      if (buf.length < next + len + 2) return null;
      return [buf.subarray(next, next + len), next + len + 2];
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return [null, next];
      const items = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p);
        if (!r) return null;
        items.push(r[0]);
        p = r[1];
      }
      return [items, p];
    }
    default:
      throw new Error(`not a RESP reply at ${off}: ${JSON.stringify(buf.toString('latin1', off, off + 40))}`);
  }
}

/** Turns parsed replies into plain text for comparisons: '+OK' → 'OK', '-ERR x' → '-ERR x', bulks → strings. */
function plain(v) {
  if (v === null) return null;
  if (Buffer.isBuffer(v)) return v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && 'simple' in v) return v.simple;
  if (typeof v === 'object' && 'error' in v) return `-${v.error}`;
  return v;
}

/** A raw TCP connection that collects bytes and can wait for replies or for the close. */
class RawConn {
  /** `opts`: more net.connect options, e.g. { localAddress: '127.0.0.2' } (another loopback source). */
  constructor(port, opts = {}) {
    this.port = port;
    this.buf = Buffer.alloc(0);
    this.chunks = [];
    this.pos = 0;
    this.closed = false;
    this.waiters = [];
    this.sock = net.connect({ port, host: '127.0.0.1', noDelay: true, ...opts });
    this.sock.on('data', (d) => {
      this.chunks.push(d);
      this.wake();
    });
    this.sock.on('error', (e) => {
      this.error = e;
    });
    this.sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.connected = withTimeout(
      new Promise((resolve, reject) => {
        this.sock.once('connect', resolve);
        this.sock.once('error', reject);
      }),
      10_000,
      `connect to ${port}`,
    );
  }

  static async open(port, opts) {
    const c = new RawConn(port, opts);
    await c.connected;
    return c;
  }

  wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  bytes() {
    if (this.chunks.length) {
      this.buf = Buffer.concat([this.buf, ...this.chunks]);
      this.chunks = [];
    }
    return this.buf;
  }

  /** Everything received so far, as latin1 text. */
  text() {
    return this.bytes().toString('latin1');
  }

  write(data) {
    return new Promise((resolve) => this.sock.write(data, () => resolve()));
  }

  /** Waits until `cond()` holds, the connection closes, or `ms` pass (then throws). */
  async waitFor(cond, ms, what) {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (this.closed) {
        if (cond()) return;
        throw new Error(`connection closed while waiting for ${what}; received ${JSON.stringify(this.text().slice(-300))}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}; received ${this.bytes().length} bytes ${JSON.stringify(this.text().slice(-300))}`);
      await new Promise((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Reads the next `n` replies (parsed, see parseReply). */
  async replies(n, ms = 30_000) {
    const out = [];
    await this.waitFor(
      () => {
        const b = this.bytes();
        while (out.length < n) {
          const r = parseReply(b, this.pos);
          if (!r) return false;
          out.push(r[0]);
          this.pos = r[1];
        }
        return true;
      },
      ms,
      `${n} replies (got ${out.length})`,
    );
    return out;
  }

  async reply(ms) {
    return (await this.replies(1, ms))[0];
  }

  /** Sends a command as a RESP multibulk and returns its parsed reply. */
  async call(...args) {
    await this.write(encode(args));
    return this.reply();
  }

  /** Waits for the server to close the connection. */
  async waitClose(ms = 10_000) {
    await this.waitFor(() => this.closed, ms, 'the server to close the connection').catch((e) => {
      if (!this.closed) throw e;
    });
  }

  close() {
    this.sock.destroy();
  }
}

/** RESP multibulk encoding of one command. */
function encode(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/**
 * Opens a connection, sends `data`, and collects the answer until `until(text)` is true, the
 * server closes, or `ms` pass. Resolves with { data: Buffer, text, closed }.
 */
async function rawRequest(port, data, { until, ms = 10_000 } = {}) {
  const c = await RawConn.open(port);
  try {
    await c.write(data);
    const stop = until ?? ((t) => parseReply(Buffer.from(t, 'latin1')) !== null);
    await c.waitFor(() => stop(c.text()) || c.closed, ms, 'a reply').catch(() => {});
    return { data: c.bytes(), text: c.text(), closed: c.closed };
  } finally {
    c.close();
  }
}

/** Asserts that `promise` rejects with a Redis error whose text is exactly `message` (or matches a RegExp). */
async function rejects(promise, message) {
  let err;
  try {
    const v = await promise;
    throw new assert.AssertionError({ message: `expected error ${message}, got reply ${JSON.stringify(plain(v))}` });
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  if (message instanceof RegExp) assert.match(err.message, message);
  else assert.strictEqual(err.message, message);
  return err;
}

/** Parses INFO text into { field: value }. */
function parseInfo(text) {
  const out = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const c = line.indexOf(':');
    if (c > 0) out[line.slice(0, c)] = line.slice(c + 1);
  }
  return out;
}

/** One slot's `pkcluster info slot` block as { field: value } (role, repl_state, binlog_offset, binlog_first ...). */
async function slotInfo(c, slot) {
  const out = {};
  for (const m of (await c.call('pkcluster', 'info', 'slot', String(slot))).matchAll(/^ +(\w+): (.*?)\r?$/gm)) out[m[1]] = m[2];
  return out;
}

/** One field of slotInfo, or undefined. */
async function slotField(c, slot, field) {
  return (await slotInfo(c, slot))[field];
}

/** Keys whose slots (DEFAULT_SLOT_NUM per table, slot % 2 workers, the test nodes' defaults) land on worker `w`. */
function keysOnWorker(w, n, prefix) {
  const out = [];
  for (let i = 0; out.length < n; i++) {
    const k = `${prefix}${i}`;
    if (slotOf(Buffer.from(k), DEFAULT_SLOT_NUM) % 2 === w) out.push(k);
  }
  return out;
}

/** Redis's error texts that every command family shares. */
const ERRORS = {
  arity: (cmd) => `ERR wrong number of arguments for '${cmd}' command`,
  NOT_INT: 'ERR value is not an integer or out of range',
  NOT_FLOAT: 'ERR value is not a valid float',
  SYNTAX: 'ERR syntax error',
  WRONGTYPE: 'WRONGTYPE Operation against a key holding the wrong kind of value',
};

/** Whether a process with this PID still exists. */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

module.exports = {
  ROOT, TARGET, sleep, withTimeout, freePort, startNode, stopAll, useNode, client, closeClients, redisCli,
  parseReply, plain, RawConn, rawRequest, encode, rejects, parseInfo, slotInfo, slotField, alive, keysOnWorker, ERRORS,
};
