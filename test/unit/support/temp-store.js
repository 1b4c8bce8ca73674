// What the storage unit tests share: a SlotStore in a fresh temporary directory per test, and a
// seeded PRNG so a failure replays. (`uvu test/unit -i support` keeps this file out of the run.)
const fs = require('fs');
const os = require('os');
const path = require('path');
const { SlotStore } = require('../../../dist/storage/slot-store');

/** Before each test of `test` (a uvu suite), opens a SlotStore under a new temporary directory and hands it to `opened`; closes and removes it after. */
function useTempStore(test, prefix, opened) {
  let dir;
  let store;
  test.before.each(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    store = new SlotStore(dir, 4, 'no');
    opened(store);
  });
  test.after.each(() => {
    store.closeAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

/** A deterministic PRNG (an LCG) returning numbers in [0, 1). */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

module.exports = { useTempStore, rng };
