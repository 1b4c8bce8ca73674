const { open } = require('lmdb'); const fs = require('fs');
const dir = '/tmp/pika-native/db-maxkey'; fs.rmSync(dir, { recursive: true, force: true });
const root = open({ path: dir, maxDbs: 8, noSync: true, useWritemap: true });
const db = root.openDB('kv', { encoding: 'binary', keyEncoding: 'binary' });
console.log('env.getMaxKeySize()=', root.env.getMaxKeySize());
for (const n of [511, 512, 1977, 1978, 1979, 4000]) {
  const k = Buffer.alloc(n, 0x61);
  try { root.transactionSync(() => db.putSync(k, Buffer.from('v'))); const g = db.get(k); console.log(`key ${n}B: put ok, get=${g && g.toString()}`); }
  catch (e) { console.log(`key ${n}B: put ERROR code=${e.code} message=${JSON.stringify(e.message)}`); }
  try { const g = db.get(k); console.log(`   get ${n}B -> ${g === undefined ? 'undefined' : g.toString()}`); } catch (e) { console.log(`   get ${n}B ERROR ${JSON.stringify(e.message)}`); }
}
// does a failed put inside a multi-put txn abort the others?
try { root.transactionSync(() => { db.putSync(Buffer.from('before'), Buffer.from('1')); db.putSync(Buffer.alloc(1979, 0x62), Buffer.from('v')); db.putSync(Buffer.from('after'), Buffer.from('1')); }); } catch (e) { console.log('txn with oversized key threw:', JSON.stringify(e.message)); }
console.log('before=', db.get(Buffer.from('before')), 'after=', db.get(Buffer.from('after')));
root.close(); fs.rmSync(dir, { recursive: true, force: true });
