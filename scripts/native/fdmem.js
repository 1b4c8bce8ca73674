// usage: node fdmem.js <nenvs>
const { open } = require('lmdb'); const fs = require('fs');
const N = +process.argv[2]; const dir = `/tmp/pika-native/db-fd-${process.pid}`; fs.rmSync(dir, { recursive: true, force: true });
const fds = () => fs.readdirSync('/proc/self/fd').length;
const mem = () => { const s = fs.readFileSync('/proc/self/status', 'utf8'); const g = (k) => +s.match(new RegExp(k + ':\\s+(\\d+)'))[1]; return { rss: g('VmRSS'), vsz: g('VmSize'), maps: fs.readFileSync('/proc/self/maps', 'utf8').split('\n').length - 1 }; };
const show = (label, b) => { const m = mem(); const f = fds(); const mu = process.memoryUsage(); console.log(`  heapUsed=${(mu.heapUsed/1048576).toFixed(1)}MB external=${(mu.external/1048576).toFixed(1)}MB arrayBuffers=${(mu.arrayBuffers/1048576).toFixed(1)}MB`); console.log(`${label}: fds=${f} (+${f - b.f}, ${((f - b.f) / N).toFixed(2)}/env) RSS=${(m.rss / 1024).toFixed(1)}MB (+${((m.rss - b.rss) / N).toFixed(0)}KB/env) VmSize +${((m.vsz - b.vsz) / N).toFixed(0)}KB/env maps=${m.maps} (+${((m.maps - b.maps) / N).toFixed(1)}/env)`); };
global.gc && gc();
const m0 = mem(); const base = { f: fds(), rss: m0.rss, vsz: m0.vsz, maps: m0.maps };
console.log(`baseline: fds=${base.f} RSS=${(base.rss / 1024).toFixed(1)}MB`);
const envs = []; let t = process.hrtime.bigint();
for (let i = 0; i < N; i++) { const root = open({ path: `${dir}/s${i}`, maxDbs: 8, noSync: true, useWritemap: true }); const dbs = []; for (let d = 0; d < 6; d++) dbs.push(root.openDB('d' + d, { encoding: 'binary', keyEncoding: 'binary' })); envs.push({ root, dbs }); }
console.log(`open ${N} new envs x 6 sub-dbs: ${(Number(process.hrtime.bigint() - t) / 1e6 / N).toFixed(2)} ms/env`);
global.gc && gc(); show(`after open ${N}`, base);
for (const e of envs) e.root.transactionSync(() => { for (const db of e.dbs) db.putSync(Buffer.from('k'), Buffer.alloc(100)); });
global.gc && gc(); show('after 1 put per sub-db', base);
for (const e of envs) for (const db of e.dbs) db.get(Buffer.from('k'));
global.gc && gc(); show('after 1 get per sub-db', base);
t = process.hrtime.bigint(); for (const e of envs) e.root.close();
console.log(`close ${N} envs: ${(Number(process.hrtime.bigint() - t) / 1e6 / N).toFixed(2)} ms/env`);
global.gc && gc(); show('after close all', base);
t = process.hrtime.bigint();
for (let i = 0; i < N; i++) { const root = open({ path: `${dir}/s${i}`, maxDbs: 8, noSync: true, useWritemap: true }); for (let d = 0; d < 6; d++) root.openDB('d' + d, { encoding: 'binary', keyEncoding: 'binary' }); envs[i].root = root; }
console.log(`reopen ${N} existing envs x 6 sub-dbs: ${(Number(process.hrtime.bigint() - t) / 1e6 / N).toFixed(2)} ms/env`);
t = process.hrtime.bigint(); for (const e of envs) e.root.close();
console.log(`close again: ${(Number(process.hrtime.bigint() - t) / 1e6 / N).toFixed(2)} ms/env`);
fs.rmSync(dir, { recursive: true, force: true });
