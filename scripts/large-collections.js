#!/usr/bin/env node
// Per-command latency on big collections, so anyone can see which operations grow with the
// collection's size. Against a running node (pika or redis-server):
//
//   node scripts/large-collections.js PORT [--sizes 10000,100000,1000000] [--samples 200] [--host 127.0.0.1]
//
// For each size N it builds one hash, one set, one sorted set and one list of N members
// (pipelined commands of 1000 members, progress on stderr), then times, one command at a time,
// HGET, SISMEMBER and ZSCORE of random members, ZRANK of members around the middle rank,
// ZRANGE of 10 members from the middle rank, LINDEX of the middle, SRANDMEMBER and SPOP, and DEL
// of each collection (once each: it destroys it). The set's first SRANDMEMBER is a row of its own
// ("SRANDMEMBER first"): on pika it builds the set's rank tree, one pass over its members, and
// every later pick is O(log N). Where INFO reports background reclaim (pika), it also waits for
// the deleted members to be reclaimed and reports how long that took. Prints a table per N and
// a summary of medians across sizes. Keys are named lc:<N>:<type> and deleted at the end.
'use strict';

const Redis = require('ioredis');

const MEMBERS_PER_COMMAND = 1000;
/** Build commands in flight at once. */
const PIPELINE_WINDOW = 32;
/** Longest wait for background reclaim after the DELs of one size. */
const RECLAIM_WAIT_MS = 600_000;

function usage(msg) {
  if (msg) process.stderr.write(`large-collections: ${msg}\n`);
  process.stderr.write('usage: node scripts/large-collections.js PORT [--sizes 10000,100000,1000000] [--samples 200] [--host 127.0.0.1]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { port: 0, host: '127.0.0.1', sizes: [10_000, 100_000, 1_000_000], samples: 200 };
  const rest = [...argv];
  while (rest.length) {
    const a = rest.shift();
    if (a === '--sizes') opts.sizes = (rest.shift() ?? '').split(',').map((s) => Number(s.replace(/_/g, '')));
    else if (a === '--samples') opts.samples = Number(rest.shift());
    else if (a === '--host') opts.host = rest.shift();
    else if (a === '-h' || a === '--help') usage();
    else if (!opts.port && /^\d+$/.test(a)) opts.port = Number(a);
    else usage(`unknown argument ${a}`);
  }
  if (!opts.port) usage('PORT is required');
  if (!opts.sizes.length || opts.sizes.some((n) => !Number.isSafeInteger(n) || n < 10)) usage('--sizes needs integers of at least 10');
  if (!Number.isSafeInteger(opts.samples) || opts.samples < 1) usage('--samples needs a positive integer');
  return opts;
}

const log = (msg) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);

/** Members of the i-th command: [cmd, ...args] for members from..to-1. */
const BUILDERS = {
  hash: (key, from, to) => ['hset', key, ...range(from, to).flatMap((i) => [`field:${i}`, `value:${i}`])],
  set: (key, from, to) => ['sadd', key, ...range(from, to).map((i) => `member:${i}`)],
  zset: (key, from, to) => ['zadd', key, ...range(from, to).flatMap((i) => [String(i), `member:${i}`])],
  list: (key, from, to) => ['rpush', key, ...range(from, to).map((i) => `element:${i}`)],
};
const range = (from, to) => Array.from({ length: to - from }, (_, k) => from + k);

/** Builds `key` of `type` with n members, PIPELINE_WINDOW commands in flight, logging progress. */
async function build(r, type, key, n) {
  const t0 = Date.now();
  let next = 0;
  let done = 0;
  let lastLog = t0;
  const inflight = new Set();
  while (next < n || inflight.size) {
    while (next < n && inflight.size < PIPELINE_WINDOW) {
      const from = next;
      const to = Math.min(n, from + MEMBERS_PER_COMMAND);
      next = to;
      const [cmd, ...args] = BUILDERS[type](key, from, to);
      const p = r.call(cmd, ...args).then(() => {
        inflight.delete(p);
        done += to - from;
      });
      inflight.add(p);
    }
    await Promise.race(inflight);
    if (Date.now() - lastLog >= 2000) {
      lastLog = Date.now();
      log(`  ${key}: ${done}/${n} members (${Math.round(done / ((lastLog - t0) / 1000))}/s)`);
    }
  }
  const secs = (Date.now() - t0) / 1000;
  log(`  ${key}: ${n} members in ${secs.toFixed(1)} s (${Math.round(n / secs)}/s)`);
}

/** Runs `fn(i)` `samples` times one after another; returns latencies in µs, sorted. */
async function time(samples, fn) {
  const out = [];
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return out.sort((a, b) => a - b);
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** Checks a reply and fails loudly: a benchmark of wrong answers is worthless. */
function expect(what, got, want) {
  if (String(got) !== String(want)) throw new Error(`${what}: expected ${want}, got ${got}`);
}

async function reclaimPending(r) {
  const info = await r.info('pika');
  const m = /reclaim_pending_records:(\d+)/.exec(info);
  return m ? Number(m[1]) : null;
}

async function measure(r, n, samples) {
  const keys = { hash: `lc:${n}:hash`, set: `lc:${n}:set`, zset: `lc:${n}:zset`, list: `lc:${n}:list` };
  await r.del(...Object.values(keys));
  log(`building 4 collections of ${n} members`);
  for (const [type, key] of Object.entries(keys)) await build(r, type, key, n);
  expect('HLEN', await r.hlen(keys.hash), n);
  expect('SCARD', await r.scard(keys.set), n);
  expect('ZCARD', await r.zcard(keys.zset), n);
  expect('LLEN', await r.llen(keys.list), n);

  const mid = Math.floor(n / 2);
  const rnd = () => Math.floor(Math.random() * n);
  /** Members around the middle rank, so ZRANK cannot get lucky at either end. */
  const nearMid = (i) => mid - Math.floor(samples / 2) + (i % n);
  const rows = [];
  const row = async (name, fn, count = samples) => {
    const lat = await time(count, fn);
    rows.push({ name, samples: count, p50: pct(lat, 50), p99: pct(lat, 99), max: lat[lat.length - 1] });
  };
  log(`timing reads (${samples} samples each)`);
  await row('HGET random', async () => {
    const i = rnd();
    expect('HGET', await r.hget(keys.hash, `field:${i}`), `value:${i}`);
  });
  await row('SISMEMBER random', async () => expect('SISMEMBER', await r.sismember(keys.set, `member:${rnd()}`), 1));
  await row('ZSCORE random', async () => {
    const i = rnd();
    expect('ZSCORE', await r.zscore(keys.zset, `member:${i}`), i);
  });
  await row('ZRANK middle', async (s) => {
    const i = Math.max(0, Math.min(n - 1, nearMid(s)));
    expect('ZRANK', await r.zrank(keys.zset, `member:${i}`), i);
  });
  await row('ZRANGE middle 10', async () => {
    const got = await r.zrange(keys.zset, mid, mid + 9);
    expect('ZRANGE', got[0], `member:${mid}`);
  });
  await row('LINDEX middle', async () => expect('LINDEX', await r.lindex(keys.list, mid), `element:${mid}`));
  const isMember = (what, m) => expect(`${what} member`, /^member:\d+$/.test(m), true);
  const once = async (name, fn) => {
    const lat = await time(1, fn);
    rows.push({ name, samples: 1, p50: lat[0], p99: lat[0], max: lat[0] });
  };
  await once('SRANDMEMBER first', async () => isMember('SRANDMEMBER', await r.srandmember(keys.set)));
  await row('SRANDMEMBER', async () => isMember('SRANDMEMBER', await r.srandmember(keys.set)));
  await row('SRANDMEMBER 10', async () => {
    const got = await r.srandmember(keys.set, 10);
    expect('SRANDMEMBER 10 distinct', new Set(got).size, Math.min(10, n));
  });
  // the set must survive for its DEL below
  const pops = Math.min(samples, n - 1);
  await row('SPOP', async () => isMember('SPOP', await r.spop(keys.set)), pops);
  expect('SCARD after SPOP', await r.scard(keys.set), n - pops);

  log('timing DEL of each collection');
  const t0 = Date.now();
  for (const [type, key] of Object.entries(keys)) await once(`DEL ${type}`, async () => expect('DEL', await r.del(key), 1));
  let reclaim = '';
  if ((await reclaimPending(r)) !== null) {
    const deadline = Date.now() + RECLAIM_WAIT_MS;
    let left;
    while ((left = await reclaimPending(r)) > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    reclaim = left === 0 ? `members reclaimed in the background ${((Date.now() - t0) / 1000).toFixed(2)} s after the first DEL` : `${left} member records still queued for reclaim`;
  }
  return { rows, reclaim };
}

function printTable(n, { rows, reclaim }) {
  console.log(`\nN = ${n}`);
  console.log(`${'operation'.padEnd(18)} ${'samples'.padStart(7)} ${'p50 µs'.padStart(10)} ${'p99 µs'.padStart(10)} ${'max µs'.padStart(10)}`);
  for (const r of rows) console.log(`${r.name.padEnd(18)} ${String(r.samples).padStart(7)} ${r.p50.toFixed(0).padStart(10)} ${r.p99.toFixed(0).padStart(10)} ${r.max.toFixed(0).padStart(10)}`);
  if (reclaim) console.log(reclaim);
}

function printSummary(results) {
  const sizes = [...results.keys()];
  console.log(`\np50 µs by size (a row that grows with N is not O(1)/O(log N))`);
  console.log(`${'operation'.padEnd(18)} ${sizes.map((n) => String(n).padStart(10)).join(' ')}`);
  for (const [i, r] of results.get(sizes[0]).rows.entries()) {
    console.log(`${r.name.padEnd(18)} ${sizes.map((n) => results.get(n).rows[i].p50.toFixed(0).padStart(10)).join(' ')}`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const r = new Redis({ port: opts.port, host: opts.host, maxRetriesPerRequest: 0, retryStrategy: () => null, commandTimeout: 600_000 });
  r.on('error', () => {});
  try {
    const info = await r.info('server');
    log(`node on ${opts.host}:${opts.port}: ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}${/pika_version/.test(info) ? ' (pika)' : ''}`);
    const results = new Map();
    for (const n of opts.sizes) {
      const res = await measure(r, n, opts.samples);
      results.set(n, res);
      printTable(n, res);
    }
    if (results.size > 1) printSummary(results);
  } finally {
    r.disconnect();
  }
}

main().catch((e) => {
  process.stderr.write(`large-collections: ${e.message}\n`);
  process.exit(1);
});
