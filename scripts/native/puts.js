// usage: node puts.js <mode: default|nosync|nosync_wm> <nenvs> <batch: 1|50|50r> <seconds>
const { open } = require('lmdb');
const crypto = require('crypto');
const fs = require('fs');
const [mode, nenvsS, batchS, secsS] = process.argv.slice(2);
const nenvs = +nenvsS, secs = +(secsS || 3);
const dir = `/tmp/pika-native/db-puts-${process.pid}`;
fs.rmSync(dir, { recursive: true, force: true });
const opts = mode === 'default' ? {} : mode === 'nosync' ? { noSync: true } : { noSync: true, useWritemap: true };
const envs = [];
for (let i = 0; i < nenvs; i++) {
  const root = open({ path: `${dir}/s${i}`, maxDbs: 8, ...opts });
  const db = root.openDB('kv', { encoding: 'binary', keyEncoding: 'binary' });
  envs.push({ root, db });
}
const val = crypto.randomBytes(100);
let ops = 0, txns = 0;
const t0 = process.hrtime.bigint();
const deadline = t0 + BigInt(secs * 1e9);
while (process.hrtime.bigint() < deadline) {
  for (let r = 0; r < 20; r++) {
    if (batchS === '1') {
      const e = envs[(Math.random() * nenvs) | 0];
      const k = crypto.randomBytes(16);
      e.root.transactionSync(() => { e.db.putSync(k, val); });
      ops++; txns++;
    } else if (batchS === '50') { // 50 puts, one env, one txn
      const e = envs[(Math.random() * nenvs) | 0];
      e.root.transactionSync(() => { for (let j = 0; j < 50; j++) e.db.putSync(crypto.randomBytes(16), val); });
      ops += 50; txns++;
    } else { // '50r': 50 random keys over random envs, grouped: one txn per distinct env
      const groups = new Map();
      for (let j = 0; j < 50; j++) { const i = (Math.random() * nenvs) | 0; (groups.get(i) || groups.set(i, []).get(i)).push(crypto.randomBytes(16)); }
      for (const [i, keys] of groups) { const e = envs[i]; e.root.transactionSync(() => { for (const k of keys) e.db.putSync(k, val); }); txns++; }
      ops += 50;
    }
  }
}
const dt = Number(process.hrtime.bigint() - t0) / 1e9;
for (const e of envs) e.root.close();
fs.rmSync(dir, { recursive: true, force: true });
console.log(`mode=${mode} envs=${nenvs} batch=${batchS} ops=${ops} txns=${txns} secs=${dt.toFixed(2)} ops/s=${Math.round(ops / dt)} txn/s=${Math.round(txns / dt)}`);
