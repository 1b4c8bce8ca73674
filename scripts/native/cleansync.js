const { open } = require('lmdb'); const fs = require('fs');
const dir = '/tmp/pika-native/db-clean'; fs.rmSync(dir, { recursive: true, force: true });
const root = open({ path: dir, maxDbs: 8, noSync: true, useWritemap: process.argv[2] !== 'nowm' });
const db = root.openDB('kv', { encoding: 'binary', keyEncoding: 'binary' });
function bench(label) { root.env.sync(); const n = 2000, t = process.hrtime.bigint(); for (let i = 0; i < n; i++) root.env.sync(); console.log(`${label}: mapSize=${root.getStats().mapSize} clean env.sync() mean=${(Number(process.hrtime.bigint() - t) / 1e3 / n).toFixed(1)}us`);
  const m = 500; let tt = 0n; for (let i = 0; i < m; i++) { root.transactionSync(() => db.putSync(Buffer.from('k' + i), Buffer.alloc(100))); const t1 = process.hrtime.bigint(); root.env.sync(); tt += process.hrtime.bigint() - t1; } console.log(`${label}: env.sync() after 1 small put mean=${(Number(tt) / 1e3 / m).toFixed(0)}us`); }
bench('empty');
const v = Buffer.alloc(1000, 1); for (let t = 0; t < 40; t++) root.transactionSync(() => { for (let i = 0; i < 10000; i++) { const k = Buffer.alloc(8); k.writeUInt32BE(t); k.writeUInt32BE(i, 4); db.putSync(k, v); } });
bench('~400MB data');
root.close(); fs.rmSync(dir, { recursive: true, force: true });
