// MEMORY USAGE estimates and MEMORY HELP.
'use strict';

const assert = require('assert');
const { suite } = require('uvu');
const { useNode, rejects } = require('./helpers');

const test = suite('memory');
const h = useNode(test);

test('MEMORY USAGE grows with the value and with a collection, nil for a missing key', async () => {
  const r = h.redis;
  await r.set('mem:small', 'x');
  await r.set('mem:big', 'x'.repeat(10000));
  const small = await r.call('MEMORY', 'USAGE', 'mem:small');
  const big = await r.call('MEMORY', 'USAGE', 'mem:big');
  assert.ok(small > 0 && big > small + 9000, `small ${small}, big ${big}`);
  const fields = [];
  for (let i = 0; i < 100; i++) fields.push(`f${i}`, 'v'.repeat(50));
  await r.hset('mem:hash', ...fields);
  const sampled = await r.call('MEMORY', 'USAGE', 'mem:hash');
  const all = await r.call('MEMORY', 'USAGE', 'mem:hash', 'SAMPLES', '0');
  assert.ok(sampled > 100 * 50 && all > 100 * 50, `sampled ${sampled}, all ${all}`);
  assert.strictEqual(await r.call('MEMORY', 'USAGE', 'mem:none'), null);
  await rejects(r.call('MEMORY', 'USAGE', 'mem:small', 'SAMPLES', '-1'), 'ERR syntax error');
  await rejects(r.call('MEMORY', 'NOPE'), "ERR unknown subcommand 'NOPE'. Try MEMORY HELP.");
  const help = await r.call('MEMORY', 'HELP');
  assert.ok(help.some((l) => String(l).startsWith('USAGE <key>')));
});

test.run();
