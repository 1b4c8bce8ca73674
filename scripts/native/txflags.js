const { open } = require('lmdb');
const fs = require('fs'); fs.rmSync('/tmp/pika-native/db-txflags', { recursive: true, force: true });
const envs = []; for (let i = 0; i < 128; i++) { const r = open({ path: '/tmp/pika-native/db-txflags/' + i, maxDbs: 12, noSync: true, useWritemap: true, mapSize: 64 << 20 }); envs.push({ r, d: r.openDB('keys', { encoding: 'binary', keyEncoding: 'binary' }) }); }
const val = Buffer.alloc(100);
for (const flags of [undefined, 2, 0]) {
  const N = 50000; let t = performance.now();
  for (let i = 0; i < N; i++) { const e = envs[i % 128]; e.r.transactionSync(() => e.d.putSync(Buffer.from('k' + i), val), flags); }
  console.log('flags', flags, 'us/commit', ((performance.now() - t) * 1000 / N).toFixed(1));
}
let t = performance.now(); const N = 50000;
for (let i = 0; i < N; i++) { const e = envs[i % 128]; e.d.putSync(Buffer.from('k' + i), val); }
console.log('putSync (own txn) us', ((performance.now() - t) * 1000 / N).toFixed(1));
