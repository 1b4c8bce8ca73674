// usage: node fill.js <dir> <wm|nowm> <valueBytes> <perTxn>
const { open } = require('lmdb'); const fs = require('fs');
const [dir, wm, vbS, ptS] = process.argv.slice(2);
const root = open({ path: dir, maxDbs: 8, noSync: true, useWritemap: wm === 'wm' });
const db = root.openDB('kv', { encoding: 'binary', keyEncoding: 'binary' });
const val = Buffer.alloc(+vbS, 7); let k = 0, committed = 0;
try {
  for (;;) {
    root.transactionSync(() => { for (let i = 0; i < +ptS; i++, k++) { const key = Buffer.alloc(8); key.writeBigUInt64BE(BigInt(k)); db.putSync(key, val); } });
    committed = k;
  }
} catch (e) { console.log('ERROR code=', e.code, 'message=', JSON.stringify(e.message)); }
console.log('committed keys=', committed, 'count=', db.getCount(), 'mapSize=', root.getStats().mapSize, 'file=', fs.statSync(dir + '/data.mdb').size);
try { root.transactionSync(() => db.putSync(Buffer.from('small'), Buffer.from('x'))); console.log('small put after error: ok'); } catch (e) { console.log('small put after error: ERROR', e.code, e.message); }
try { root.env.sync(); console.log('env.sync ok'); } catch (e) { console.log('env.sync ERROR', e.code, e.message); }
root.close();
