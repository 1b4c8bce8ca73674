// usage: node atomics.js <mainMode: wait|waitAsync|postMessage> <mainSpin> <workerSpin> <seconds> [gapUs: main busy-works this long between round trips, not timed]
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
if (!isMainThread) {
  const { sab, mode, spin } = workerData;
  if (mode === 'postMessage') { parentPort.on('message', (m) => parentPort.postMessage(m)); return; }
  const a = new Int32Array(sab); let expect = 1, spinHits = 0, sleeps = 0;
  for (;;) {
    let s = 0; while (Atomics.load(a, 0) < expect && s < spin) s++;
    if (Atomics.load(a, 0) < expect) { sleeps++; while (Atomics.load(a, 0) < expect) Atomics.wait(a, 0, expect - 1); } else if (spin) spinHits++;
    Atomics.store(a, 1, expect); Atomics.notify(a, 1); expect++;
    a[2] = spinHits; a[3] = sleeps;
  }
  return;
}
const [mode, mainSpinS, workerSpinS, secsS] = process.argv.slice(2);
const mainSpin = +mainSpinS, workerSpin = +workerSpinS, secs = +secsS, gapNs = BigInt(Math.round(+(process.argv[6] || 0) * 1000));
const busy = () => { if (!gapNs) return; const e = process.hrtime.bigint() + gapNs; while (process.hrtime.bigint() < e); };
const sab = new SharedArrayBuffer(16); const a = new Int32Array(sab);
const w = new Worker(__filename, { workerData: { sab, mode, spin: workerSpin } });
const lat = new Float64Array(5e6); let n = 0, mainSpinHits = 0;
const report = (t0, cpu0) => {
  const dt = Number(process.hrtime.bigint() - t0) / 1e9; const cu = process.cpuUsage(cpu0); const cpuPct = ((cu.user + cu.system) / 1e6 / dt * 100).toFixed(0); const l = Array.from(lat.subarray(0, n)).sort((x, y) => x - y);
  const pct = (p) => (l[Math.min(l.length - 1, Math.floor(l.length * p))] / 1e3).toFixed(1);
  console.log(`main=${mode} mainSpin=${mainSpin} workerSpin=${workerSpin} gap=${gapNs / 1000n}us: ${Math.round(n / dt)} round trips/s, RTT p50=${pct(0.5)}us p99=${pct(0.99)}us max=${(l[l.length - 1] / 1e3).toFixed(0)}us, process CPU=${cpuPct}%` +
    (mode !== 'postMessage' ? `; worker woke by spin ${(a[2] / n * 100).toFixed(0)}%, main saw reply before sleeping ${(mainSpinHits / n * 100).toFixed(0)}%` : ''));
};
w.once('online', async () => {
  const cpu0 = process.cpuUsage(); const t0 = process.hrtime.bigint(), end = t0 + BigInt(secs * 1e9);
  if (mode === 'postMessage') {
    await new Promise((res) => { let t; const ping = () => { t = process.hrtime.bigint(); if (t >= end) return res(); w.postMessage(n); };
      const ping2 = () => { busy(); ping(); };
      w.on('message', () => { lat[n++] = Number(process.hrtime.bigint() - t); ping2(); }); ping(); });
    report(t0, cpu0); return w.terminate();
  }
  for (let i = 1; ; i++) {
    busy(); const t = process.hrtime.bigint(); if (t >= end) break;
    Atomics.store(a, 0, i); Atomics.notify(a, 0);
    let s = 0; while (Atomics.load(a, 1) < i && s < mainSpin) s++;
    if (Atomics.load(a, 1) >= i) { mainSpinHits++; }
    else if (mode === 'wait') { while (Atomics.load(a, 1) < i) Atomics.wait(a, 1, i - 1); }
    else { while (Atomics.load(a, 1) < i) { const r = Atomics.waitAsync(a, 1, i - 1); if (r.async) await r.value; } }
    lat[n++] = Number(process.hrtime.bigint() - t);
  }
  report(t0, cpu0);
  w.terminate();
});
