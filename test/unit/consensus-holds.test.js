// dispatch/consensus-holds.ts: when a held reply in consistent mode may go.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { Consensus } = require('../../dist/replication/consensus');
const { ConsensusHolds } = require('../../dist/dispatch/consensus-holds');

function make() {
  const acks = new Map();
  const consensus = new Consensus({ acks: (id) => [...(acks.get(id) ?? [])] }, () => 1);
  const woken = [];
  const holds = new ConsensusHolds(consensus, () => 1, (c) => woken.push(c), () => {});
  return { consensus, holds, acks, woken };
}

const pending = () => ({ reply: Buffer.from('+OK\r\n'), args: [], name: 'set', startedAt: 0, micros: 0 });

test('pipelined replies wait on the index their slot had when they arrived, not when they reach the front', () => {
  const { consensus, holds, acks } = make();
  const client = {};
  const [first, second] = [pending(), pending()];
  holds.mark(first, { ids: [5] }, true);
  holds.mark(second, { ids: [5] }, true);
  consensus.appended(5, 10);
  holds.arrived(first);
  holds.arrived(second);
  consensus.appended(5, 11); // another client's write to the slot
  assert.ok(holds.holds(client, first), 'nothing acknowledged yet');
  acks.set(5, [10]);
  consensus.acked(5);
  assert.is(holds.holds(client, first), false);
  assert.is(holds.holds(client, second), false, 'it arrived before entry 11: 10 is enough');
});

test('a reply reaching the front without arriving first waits on the slot as it is then', () => {
  const { consensus, holds, acks } = make();
  const p = pending();
  holds.mark(p, { ids: [5] }, true);
  consensus.appended(5, 10);
  consensus.appended(5, 11);
  acks.set(5, [10]);
  consensus.acked(5);
  assert.ok(holds.holds({}, p), 'it waits for 11');
  acks.set(5, [11]);
  consensus.acked(5);
  holds.recheck();
  assert.is(holds.holds({}, p), false);
});

test.run();
