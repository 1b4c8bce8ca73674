// replication/consensus.ts: what a reply waits on in consistent mode, per slot, and when k
// followers' acknowledgements release it.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { Consensus } = require('../../dist/replication/consensus');
const { SLOTS_PER_TABLE_MAX } = require('../../dist/common/limits');

/** A Consensus at level `k` whose followers' acks are set by hand: acks[id] = [index, ...]. */
function make(k) {
  const acks = new Map();
  const state = { k };
  const c = new Consensus({ acks: (id) => [...(acks.get(id) ?? [])] }, () => state.k);
  return { c, acks, state };
}

test('a reply waits only on the slots of its scope that have entries not acknowledged', () => {
  const { c } = make(1);
  const other = 1 * SLOTS_PER_TABLE_MAX + 3; // table 1, slot 3
  c.appended(5, 10);
  c.appended(other, 7);
  assert.equal(c.waitFor({ ids: [5, 6] }), [[5, 10]]);
  assert.is(c.waitFor({ ids: [6] }), null, 'a slot with nothing pending waits on nothing');
  assert.equal(c.waitFor({ tables: [1] }), [[other, 7]], 'a keyless read waits on its table');
  assert.is(c.waitFor({ tables: [2] }), null, 'another table has nothing pending');
  assert.equal(c.waitFor('all'), [[5, 10], [other, 7]]);
});

test('an EXEC\'s scope, slots and whole tables together: each pending slot once', () => {
  const { c } = make(1);
  const t1 = 1 * SLOTS_PER_TABLE_MAX;
  c.appended(5, 10);
  c.appended(t1 + 3, 7);
  c.appended(t1 + 4, 2);
  assert.equal(c.waitFor({ ids: [5, t1 + 3], tables: [1] }), [[t1 + 3, 7], [t1 + 4, 2], [5, 10]]);
  assert.equal(c.waitFor({ ids: [6], tables: [1] }), [[t1 + 3, 7], [t1 + 4, 2]]);
  assert.equal(c.waitFor({ ids: [t1 + 4, 6] }), [[t1 + 4, 2]], 'slots of a table not waited on whole');
  assert.is(c.waitFor({ ids: [], tables: [] }), null);
});

test('k followers must have acknowledged the index; fewer, or a lower index, keep it waiting', () => {
  const { c, acks } = make(2);
  c.appended(5, 10);
  const wait = c.waitFor({ ids: [5] });
  acks.set(5, [10]);
  assert.is(c.acked(5), false, 'one follower of two');
  assert.is(c.satisfied(wait), false);
  acks.set(5, [12, 9]);
  assert.is(c.acked(5), true, 'the watermark moved to 9');
  assert.is(c.satisfied(wait), false, 'the second has only 9');
  acks.set(5, [12, 10]);
  assert.is(c.acked(5), true);
  assert.ok(c.satisfied(wait));
  assert.is(c.acked(5), false, 'the same acks again move nothing');
  assert.is(c.waitFor({ ids: [5] }), null, 'acknowledged: later replies wait on nothing there');
});

test('under steady writes an ack short of the last index still releases the replies it covers', () => {
  const { c, acks } = make(1);
  c.appended(5, 10);
  const early = c.waitFor({ ids: [5] });
  c.appended(5, 20);
  acks.set(5, [10]);
  assert.is(c.acked(5), true, 'the watermark moved: held replies look again');
  assert.ok(c.satisfied(early));
  assert.equal(c.waitFor({ ids: [5] }), [[5, 20]], 'a later reply still waits on the last entry');
});

test('the watermark stays when the followers go; a later entry waits again', () => {
  const { c, acks } = make(1);
  c.appended(5, 10);
  const first = c.waitFor({ ids: [5] });
  acks.set(5, [10]);
  c.acked(5);
  acks.delete(5);
  assert.ok(c.satisfied(first), 'acknowledged once is enough');
  c.appended(5, 11);
  const second = c.waitFor({ ids: [5] });
  assert.is(c.acked(5), false);
  assert.is(c.satisfied(second), false);
});

test('a slot changing role forgets what it owed and reached; asynchronous mode tracks nothing', () => {
  const { c, acks, state } = make(1);
  c.appended(5, 10);
  acks.set(5, [10]);
  c.acked(5);
  c.forget(5);
  c.appended(5, 4); // a leader again, its log truncated meanwhile
  assert.is(c.satisfied(c.waitFor({ ids: [5] })), false, 'the old watermark does not count');
  c.reset();
  assert.is(c.waitFor('all'), null);
  state.k = 0;
  c.appended(6, 1);
  assert.is(c.waitFor('all'), null);
});

test.run();
