// Rank queries on big sorted sets through a running node: builds zsets of each size with
// pipelined ZADD batches, then times ZSCORE (the O(1) reference), ZRANK, ZREVRANK, ZRANGE by
// rank from the middle, ZRANGEBYSCORE ... LIMIT with a middle offset and ZCOUNT, pipelined so
// the figures are the node's work per command rather than round trips. With a rank tree the
// per-command times stay flat as the size grows tenfold; walking to a rank would grow with it.
// Each kind runs in ROUNDS short rounds: the fastest round's client time and the node's median
// time per command are reported (on a shared machine both move with other load).
//
// usage: node scripts/native/zset-rank.js [port=9221] [sizes=10000,100000,1000000]
// (start a node first, e.g. bin/pika --port 7103 --db-path /tmp/zset-rank-db; the keys
// zset-rank:<size> are deleted at the end)
//        node scripts/native/zset-rank.js layout [size=1000000]
// builds one zset with types/zset.ts (npm run build first) in a temporary LMDB environment and
// prints its rank tree's shape and the bytes of each record kind per member.
'use strict';
const Redis = require('ioredis');

/** Members per ZADD, ZADDs in flight, most queries per pipeline. */
const ZADD_MEMBERS = 1000;
const ZADD_INFLIGHT = 16;
const QUERY_PIPELINE = 200;
/** A round of one query kind ends after this many queries or this much time. */
const QUERY_MAX = 5000;
const QUERY_BUDGET_MS = 1000;
const ROUNDS = 3;
/** Slow log entries kept while timing (every command is logged then). */
const SLOWLOG_KEEP = QUERY_MAX + 10;

let r;
const score = (i) => (i * 2654435761) % 1_000_003; // scattered, so inserts land all over the tree
const rand = (n) => Math.floor(Math.random() * n);

async function build(key, n) {
  await r.del(key);
  const t0 = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const from = next;
      next = Math.min(n, next + ZADD_MEMBERS);
      const args = [];
      for (let i = from; i < next; i++) args.push(score(i), `member:${i}`);
      await r.zadd(key, ...args);
    }
  };
  await Promise.all(Array.from({ length: ZADD_INFLIGHT }, worker));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const card = await r.zcard(key);
  if (card !== n) throw new Error(`${key}: ZCARD ${card}, expected ${n}`);
  return ms;
}

/**
 * Times `make(p)` (which queues one command on pipeline p): the client's µs per command in the
 * fastest round, pipelined, and the node's own median µs per command from SLOWLOG (the worker
 * times each command; CPU taken by other processes shows less in a median).
 */
async function time(make) {
  let best = Infinity;
  const micros = [];
  for (let round = 0; round < ROUNDS; round++) {
    await r.slowlog('reset');
    let done = 0;
    // pipelines start small and double, so a slow command cannot hold a round for long
    let depth = 10;
    const t0 = process.hrtime.bigint();
    while (done < QUERY_MAX && Number(process.hrtime.bigint() - t0) / 1e6 < QUERY_BUDGET_MS) {
      const p = r.pipeline();
      for (let i = 0; i < depth; i++) make(p);
      for (const [err] of await p.exec()) if (err) throw err;
      done += depth;
      depth = Math.min(QUERY_PIPELINE, depth * 2);
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3 / done);
    for (const e of await r.slowlog('get', SLOWLOG_KEEP)) if (String(e[3][0]).toLowerCase() !== 'slowlog') micros.push(Number(e[2]));
  }
  micros.sort((a, b) => a - b);
  return `${best.toFixed(1)} / ${micros[micros.length >> 1]}`;
}

async function timings(port, sizes) {
  r = new Redis({ port, host: '127.0.0.1', enableAutoPipelining: false });
  const saved = await r.config('get', 'slowlog-*');
  await r.config('set', 'slowlog-log-slower-than', 0, 'slowlog-max-len', SLOWLOG_KEEP);
  const rows = [];
  for (const n of sizes) {
    const key = `zset-rank:${n}`;
    const buildMs = await build(key, n);
    // sanity: the middle member's rank agrees with a range from the middle
    const [mid] = await r.zrange(key, n >> 1, n >> 1);
    if ((await r.zrank(key, mid)) !== n >> 1) throw new Error('ZRANK disagrees with ZRANGE');
    const lo = 1_000_003 >> 2, hi = lo * 3;
    const row = {
      size: n,
      'ZADD µs/member': (buildMs * 1000) / n,
      ZSCORE: await time((p) => p.zscore(key, `member:${rand(n)}`)),
      ZRANK: await time((p) => p.zrank(key, `member:${rand(n)}`)),
      ZREVRANK: await time((p) => p.zrevrank(key, `member:${rand(n)}`)),
      'ZRANGE mid,+9': await time((p) => { const s = (n >> 2) + rand(n >> 1); p.zrange(key, s, s + 9); }),
      'ZREVRANGE mid,+9': await time((p) => { const s = (n >> 2) + rand(n >> 1); p.zrevrange(key, s, s + 9); }),
      'BYSCORE LIMIT mid,10': await time((p) => p.zrangebyscore(key, '-inf', '+inf', 'LIMIT', (n >> 2) + rand(n >> 1), 10)),
      'ZCOUNT ¼..¾': await time((p) => p.zcount(key, lo + rand(1000), hi + rand(1000))),
    };
    row['ZADD µs/member'] = row['ZADD µs/member'].toFixed(1);
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  console.log('query columns: client µs per command, pipelined (best round) / node µs per command (median, SLOWLOG)');
  console.table(rows);
  for (const n of sizes) await r.del(`zset-rank:${n}`);
  await r.config('set', ...saved);
  r.disconnect();
}

/** Shape and bytes of one zset built locally through types/zset.ts. */
function layout(n) {
  const fs = require('fs');
  const os = require('os');
  const path = require('path');
  const dist = path.join(__dirname, '..', '..', 'dist');
  const { SlotStore } = require(path.join(dist, 'storage/slot-store'));
  const { CountedTree } = require(path.join(dist, 'storage/counted-btree'));
  const z = require(path.join(dist, 'types/zset'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zset-rank-layout-'));
  const store = new SlotStore(dir, 1, 'no');
  try {
    const env = store.env(0, 0, true);
    const key = Buffer.from('z');
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i += ZADD_MEMBERS) {
      env.write(() => {
        const meta = z.getZset(env, key, 0) || z.newZsetMeta(env);
        for (let j = i; j < Math.min(n, i + ZADD_MEMBERS); j++) z.zput(env, meta, Buffer.from(`member:${j}`), score(j));
        z.zsave(env, key, meta, 0);
      });
    }
    const insertUs = Number(process.hrtime.bigint() - t0) / 1e3 / n;
    const meta = z.getZset(env, key, 0);
    const shape = new CountedTree(env.dbs.zsets, Buffer.concat([meta.id, Buffer.of(2)])).verify();
    const bytes = [0, 0, 0];
    for (const { key: k, value } of env.dbs.zsets.getRange({ start: meta.id })) {
      if (!k.subarray(0, 8).equals(meta.id)) break;
      bytes[k[8]] += k.length + value.length;
    }
    const perMember = (b) => (b / n).toFixed(1);
    const st = env.dbs.zsets.getStats();
    console.log(JSON.stringify({
      members: n,
      'zput µs (no network)': insertUs.toFixed(1),
      tree: shape,
      'bytes/member': { member: perMember(bytes[0]), index: perMember(bytes[1]), tree: perMember(bytes[2]) },
      'zsets pages': { leaf: st.treeLeafPageCount, branch: st.treeBranchPageCount, overflow: st.overflowPages, pageSize: st.pageSize },
    }));
  } finally {
    store.closeAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const [a1, a2] = process.argv.slice(2);
if (a1 === 'layout') layout(Number(a2 || 1_000_000));
else {
  timings(Number(a1 || 9221), (a2 || '10000,100000,1000000').split(',').map(Number)).catch((e) => {
    console.error(e);
    r.disconnect();
    process.exit(1);
  });
}
