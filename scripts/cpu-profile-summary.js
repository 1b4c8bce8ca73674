#!/usr/bin/env node
// Where a thread's time went: the functions with the most self time in `--cpu-prof` profiles
// (scripts/bench.sh with CPU_PROFILE=DIR writes one per thread: main and each worker).
//
//   node scripts/cpu-profile-summary.js [--top 15] FILE.cpuprofile...
//
// For each profile: its wall time, the idle share (the event loop's idle, and a worker's sleep
// in Atomics.wait), and the top functions by self time with their share of the busy time.
// V8's profiler samples wall time, so a function that waits in a syscall (a socket write, an
// Atomics.notify that hands the core to the woken thread) counts for as long as it waits.
'use strict';

const fs = require('fs');

function summarize(file, top) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfByNode = new Map();
  profile.samples.forEach((id, i) => selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map();
  let total = 0;
  for (const [id, micros] of selfByNode) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const where = url ? ` ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'}${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    total += micros;
  }
  // a worker blocks in Atomics.wait inside its doorbell's sleep, not in the event loop: idle too
  const waiting = (name) => name === '(idle)' || /^sleep dispatch\/ring\.js:/.test(name);
  let idle = 0;
  for (const [name, micros] of byFunction) if (waiting(name)) idle += micros;
  const busy = total - idle;
  const lines = [`${file}: ${(total / 1e3).toFixed(0)} ms sampled, ${(idle / 1e3).toFixed(0)} ms idle, ${(busy / 1e3).toFixed(0)} ms busy`];
  const ranked = [...byFunction].filter(([name]) => !waiting(name)).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, micros] of ranked) lines.push(`${(micros / 1e3).toFixed(1).padStart(9)} ms ${((100 * micros) / busy).toFixed(1).padStart(5)}%  ${name}`);
  return lines.join('\n');
}

const args = process.argv.slice(2);
let top = 15;
if (args[0] === '--top') {
  top = Number(args[1]);
  args.splice(0, 2);
}
if (args.length === 0 || !Number.isInteger(top) || top < 1) {
  process.stderr.write('usage: node scripts/cpu-profile-summary.js [--top N] FILE.cpuprofile...\n');
  process.exit(2);
}
console.log(args.map((f) => summarize(f, top)).join('\n\n'));
