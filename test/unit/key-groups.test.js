// dispatch/key-groups.ts: a multi-key command cut into parts per slot or worker.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { groupKeys, wholeKeyGroups } = require('../../dist/dispatch/key-groups');
const { COMMANDS } = require('../../dist/commands/table');

const argv = (...a) => a.map((s) => Buffer.from(s));
const text = (part) => ({ args: part.args.map(String), positions: part.positions });

test('MSET: each key keeps its value, in key order within a part, with its ordinal', () => {
  const groups = groupKeys(COMMANDS.get('mset'), argv('MSET', 'a1', 'v1', 'b1', 'v2', 'a2', 'v3'), (k) => String(k)[0]);
  assert.equal([...groups.keys()], ['a', 'b']);
  assert.equal(text(groups.get('a')), { args: ['MSET', 'a1', 'v1', 'a2', 'v3'], positions: [0, 2] });
  assert.equal(text(groups.get('b')), { args: ['MSET', 'b1', 'v2'], positions: [1] });
});

test('MGET: one argument per key; the positions say where each value goes', () => {
  const groups = groupKeys(COMMANDS.get('mget'), argv('MGET', 'x', 'y', 'z'), (k) => (String(k) === 'y' ? 1 : 0));
  assert.equal(text(groups.get(0)), { args: ['MGET', 'x', 'z'], positions: [0, 2] });
  assert.equal(text(groups.get(1)), { args: ['MGET', 'y'], positions: [1] });
});

test('a key without its value: no parts, so the whole command answers its arity error', () => {
  const mset = COMMANDS.get('mset');
  assert.is(wholeKeyGroups(mset, argv('MSET', 'k1', 'v1', 'k2')), false);
  assert.is(groupKeys(mset, argv('MSET', 'k1', 'v1', 'k2'), () => 0), null);
  assert.ok(wholeKeyGroups(COMMANDS.get('del'), argv('DEL', 'a', 'b', 'c')));
});

test.run();
