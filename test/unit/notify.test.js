// common/notify.ts: keyspace event class letters, as Redis 7.0's notify.c reads and shows them.
const { test } = require('uvu');
const assert = require('uvu/assert');
const N = require('../../dist/common/notify');

test('each letter sets its class; A is every class but m, K, E and n', () => {
  assert.is(N.parseNotifyFlags('g'), N.NOTIFY_GENERIC);
  assert.is(N.parseNotifyFlags('$lshz'), N.NOTIFY_STRING | N.NOTIFY_LIST | N.NOTIFY_SET | N.NOTIFY_HASH | N.NOTIFY_ZSET);
  assert.is(N.parseNotifyFlags('A') & N.NOTIFY_KEY_MISS, 0);
  assert.is(N.parseNotifyFlags('A') & N.NOTIFY_NEW, 0);
  assert.is(N.parseNotifyFlags('A') & (N.NOTIFY_KEYSPACE | N.NOTIFY_KEYEVENT), 0);
  assert.is(N.parseNotifyFlags(''), 0);
  assert.is(N.parseNotifyFlags('KEx?'), -1);
  assert.is(N.parseNotifyFlags('k'), -1);
});

test('flags read back in Redis\'s order: classes (or A), then K, E, m', () => {
  // as Redis: with every class of A on, n is not shown
  for (const [given, shown] of [['EKg', 'gKE'], ['mEKA', 'AKEm'], ['ndtexzhs$g', 'g$shzxetdn'], ['ndtexzhsl$g', 'A'], ['Kn', 'nK']]) {
    assert.is(N.formatNotifyFlags(N.parseNotifyFlags(given)), shown, given);
  }
});

test('no events at all unless keyspace or keyevent channels are on', () => {
  assert.is(N.effectiveNotifyFlags(N.parseNotifyFlags('A')), 0);
  assert.is(N.effectiveNotifyFlags(N.parseNotifyFlags('Kg')), N.parseNotifyFlags('Kg'));
  assert.is(N.effectiveNotifyFlags(N.parseNotifyFlags('Ex')), N.parseNotifyFlags('Ex'));
});

test.run();
