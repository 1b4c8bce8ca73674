// usage: node syncmodes.js <always|everysec|no> <dirtyEnvsPerBatch> <putsPerEnvPerBatch> <seconds>
const { open } = require('lmdb'); const crypto = require('crypto'); const fs = require('fs');
const [mode, nS, pS, secsS] = process.argv.slice(2); const N = +nS, P = +pS, secs = +secsS;
const dir = `/tmp/pika-native/db-sync-${process.pid}`; fs.rmSync(dir, { recursive: true, force: true });
const envs = [];
for (let i = 0; i < 128; i++) { const root = open({ path: `${dir}/s${i}`, maxDbs: 8, noSync: true, useWritemap: true }); envs.push({ root, db: root.openDB('kv', { encoding: 'binary', keyEncoding: 'binary' }) }); }
const val = crypto.randomBytes(100);
const dirty = new Set(); let ops = 0, batches = 0, syncCalls = 0, syncNs = 0n, maxPassMs = 0, passes = 0;
function syncDirty() { const t = process.hrtime.bigint(); for (const e of dirty) { e.root.env.sync(); syncCalls++; } dirty.clear(); const d = process.hrtime.bigint() - t; syncNs += d; passes++; maxPassMs = Math.max(maxPassMs, Number(d) / 1e6); }
const t0 = process.hrtime.bigint(), end = t0 + BigInt(secs * 1e9); let lastSync = t0; let b = 0;
for (;;) {
  const now = process.hrtime.bigint(); if (now >= end) break;
  for (let j = 0; j < N; j++) { const e = envs[(b * N + j) % 128]; e.root.transactionSync(() => { for (let p = 0; p < P; p++) e.db.putSync(crypto.randomBytes(16), val); }); dirty.add(e); ops += P; }
  b++; batches++;
  if (mode === 'always') syncDirty();
  else if (mode === 'everysec' && now - lastSync >= 1000000000n) { syncDirty(); lastSync = now; }
}
const dt = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`mode=${mode} dirtyEnvs/batch=${N} puts/env=${P} ops/s=${Math.round(ops / dt)} batches/s=${Math.round(batches / dt)} env.sync calls=${syncCalls} mean env.sync=${syncCalls ? (Number(syncNs) / 1e3 / syncCalls).toFixed(0) : '-'}us sync passes=${passes} max pass=${maxPassMs.toFixed(1)}ms time in sync=${(Number(syncNs) / 1e9 / dt * 100).toFixed(0)}%`);
for (const e of envs) e.root.close(); fs.rmSync(dir, { recursive: true, force: true });
