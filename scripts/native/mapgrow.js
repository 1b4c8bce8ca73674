// usage: node mapgrow.js <wm|nowm> <valueBytes> <totalMB> <txns>
const { open } = require('lmdb');
const crypto = require('crypto'); const fs = require('fs'); const { execSync } = require('child_process');
const [wm, vbS, mbS, txS] = process.argv.slice(2);
const vb = +vbS, total = +mbS * 1e6, ntx = +txS;
const dir = `/tmp/pika-native/db-map-${process.pid}`;
fs.rmSync(dir, { recursive: true, force: true });
const root = open({ path: dir, maxDbs: 8, noSync: true, useWritemap: wm === 'wm' });
const db = root.openDB('kv', { encoding: 'binary', keyEncoding: 'binary' });
const st = () => { const s = root.getStats(); return `mapSize=${s.mapSize} lastPageNumber=${s.lastPageNumber} pageSize=${s.pageSize}`; };
const fsz = () => { const s = fs.statSync(dir + '/data.mdb'); return `file apparent=${s.size} allocated(du)=${s.blocks * 512}`; };
console.log('after open:', st(), fsz());
const n = Math.ceil(total / vb), perTx = Math.ceil(n / ntx);
const val = crypto.randomBytes(vb); let k = 0;
const t0 = Date.now();
try {
  for (let t = 0; t < ntx; t++) {
    root.transactionSync(() => { for (let i = 0; i < perTx && k < n; i++, k++) { const key = Buffer.alloc(8); key.writeBigUInt64BE(BigInt(k)); db.putSync(key, val); } });
  }
} catch (e) { console.log('ERROR', e.code, e.message); }
console.log(`wrote ${k} x ${vb}B = ${(k * vb / 1e6).toFixed(1)} MB payload in ${ntx} txn(s), ${Date.now() - t0} ms`);
console.log('after write:', st(), fsz());
root.env.sync();
console.log('after env.sync:', fsz(), 'count=', db.getCount());
root.close();
const root2 = open({ path: dir, maxDbs: 8, noSync: true, useWritemap: wm === 'wm' });
console.log('reopen:', `mapSize=${root2.getStats().mapSize}`, 'count=', root2.openDB('kv', { encoding: 'binary', keyEncoding: 'binary' }).getCount());
root2.close();
fs.rmSync(dir, { recursive: true, force: true });
