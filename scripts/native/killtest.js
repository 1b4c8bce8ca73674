// usage: node killtest.js <wm|nowm> <N> <killAfterMs|done>
const { open } = require('lmdb'); const fs = require('fs'); const { spawn } = require('child_process');
const [wm, NS, when] = process.argv.slice(2);
if (process.env.CHILD) {
  const root = open({ path: process.env.CHILD, maxDbs: 8, noSync: true, useWritemap: wm === 'wm' });
  const db = root.openDB('kv', { encoding: 'binary', keyEncoding: 'binary' });
  const val = Buffer.alloc(100, 1); let k = 0;
  for (let t = 0; k < +NS; t++) { root.transactionSync(() => { for (let i = 0; i < 100; i++, k++) { const key = Buffer.alloc(8); key.writeBigUInt64BE(BigInt(k)); db.putSync(key, val); } }); fs.writeSync(1, `c ${k}\n`); }
  fs.writeSync(1, 'done\n'); for (;;) {} // never env.sync(), never close
} else {
  const dir = `/tmp/pika-native/db-kill-${process.pid}`; fs.rmSync(dir, { recursive: true, force: true });
  const ch = spawn(process.execPath, [__filename, wm, NS, when], { env: { ...process.env, CHILD: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
  let last = 0, buf = '';
  const kill = () => { ch.kill('SIGKILL'); };
  ch.stdout.on('data', (d) => { buf += d; const lines = buf.split('\n'); buf = lines.pop(); for (const l of lines) { if (l.startsWith('c ')) last = +l.slice(2); if (l === 'done' && when === 'done') kill(); } });
  if (when !== 'done') setTimeout(kill, +when);
  ch.on('exit', (code, sig) => {
    const root = open({ path: dir, maxDbs: 8, noSync: true, useWritemap: wm === 'wm' });
    const n = root.openDB('kv', { encoding: 'binary', keyEncoding: 'binary' }).getCount();
    console.log(`${wm} N=${NS} kill=${when}: child exit sig=${sig}; last commit reported by child=${last}; keys after reopen=${n}; ${n >= last ? 'no committed data lost' : 'LOST ' + (last - n)}`);
    root.close(); fs.rmSync(dir, { recursive: true, force: true });
  });
}
