// Cost of creating a slot environment (open + its 11 sub-databases) by starting map size,
// with useWritemap as slot-store.ts opens them. 64 fresh environments per size, twice over.
const { open } = require('lmdb');
const fs = require('fs');
const SUB_DBS = ['keys', 'strings', 'hashes', 'lists', 'sets', 'zsets', 'expires', 'garbage', 'setranks', 'binlog', 'replmeta'];
const dir = '/tmp/pika-native/db-envcreate';
for (const mb of [1, 4, 16, 64, 1, 4, 16, 64]) {
  fs.rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  for (let i = 0; i < 64; i++) {
    const root = open({ path: `${dir}/${i}`, maxDbs: 12, noSync: true, useWritemap: true, mapSize: mb << 20, encoding: 'binary', keyEncoding: 'binary' });
    for (const name of SUB_DBS) root.openDB(name, { encoding: 'binary', keyEncoding: 'binary' });
    root.close();
  }
  console.log(`mapSize ${mb} MiB: ${((performance.now() - t0) / 64).toFixed(2)} ms per environment`);
}
fs.rmSync(dir, { recursive: true, force: true });
