const { Worker } = require('worker_threads');
const w = new Worker('const e=Date.now()+2000;while(Date.now()<e);', { eval: true });
const c0 = process.cpuUsage(), t0 = Date.now(); const s0 = require('fs').readFileSync('/proc/stat','utf8').split('\n')[0];
const e = Date.now() + 2000; while (Date.now() < e);
w.on('exit', () => { const cu = process.cpuUsage(c0); const s1 = require('fs').readFileSync('/proc/stat','utf8').split('\n')[0];
  const st = (s) => +s.split(/\s+/)[8]; console.log(`two busy threads: process CPU=${((cu.user + cu.system) / 1e3 / (Date.now() - t0) * 100).toFixed(0)}% steal ticks=${st(s1) - st(s0)}`); });
