// common/long-double.ts: x87 80-bit long double parsing, addition and ld2string(LD_STR_HUMAN),
// as Redis's INCRBYFLOAT computes them on x86-64. Expected texts were taken from redis-server
// 7.0.15 and from glibc strtold/printf("%.17Lf").
const { test } = require('uvu');
const assert = require('uvu/assert');
const { parseLongDouble, addLongDouble, formatLongDoubleHuman, formatDoubleFixed, longDoubleOfDouble } = require('../../dist/common/long-double');

/** What Redis answers to SET k <a>; INCRBYFLOAT k <b>, or the error kind. */
function incrbyfloat(a, b) {
  const x = parseLongDouble(a);
  const y = parseLongDouble(b);
  if (!x || !y) return 'not a valid float';
  if ('inf' in x || 'inf' in y) return 'NaN or Infinity';
  const sum = addLongDouble(x, y);
  return sum ? formatLongDoubleHuman(sum) : 'NaN or Infinity';
}

test('small decimals come out as typed', () => {
  assert.is(incrbyfloat('0.2', '0.1'), '0.3');
  assert.is(incrbyfloat('1.1', '2.2'), '3.3');
  assert.is(incrbyfloat('10.50', '0.1'), '10.6');
  assert.is(incrbyfloat('10.6', '-5'), '5.6');
  assert.is(incrbyfloat('5.0e3', '2.0e2'), '5200');
  assert.is(incrbyfloat('0', '1.5'), '1.5');
  assert.is(incrbyfloat('1', '-1.1'), '-0.1');
  assert.is(incrbyfloat('17179869184', '1.5'), '17179869185.5');
  assert.is(incrbyfloat('17179869184', '17179869184'), '34359738368');
});

test('long double precision shows where Redis shows it', () => {
  assert.is(incrbyfloat('0', '1000.1'), '1000.09999999999999998');
  assert.is(incrbyfloat('0', '12345.6789'), '12345.67889999999999961');
  assert.is(incrbyfloat('0', '1e30'), '1000000000000000000024696061952');
  assert.is(incrbyfloat('0', '1e-20'), '0');
  assert.is(incrbyfloat('0', '1e-4940'), '0', 'a subnormal is accepted and prints as 0');
  assert.ok(incrbyfloat('0', '1e400').startsWith('10000000000000000000281880683947586514586453433629'));
});

test('printf rounds the 17th decimal half to even', () => {
  assert.is(incrbyfloat('0', '0x1p-18'), '0.00000381469726562');
  assert.is(incrbyfloat('0', '0x3p-18'), '0.00001144409179688');
  assert.is(incrbyfloat('0', '0x1p-20'), '0.00000095367431641');
  assert.is(incrbyfloat('0', '0x1.8p-57'), '0.00000000000000001');
});

test('no negative zero', () => {
  assert.is(incrbyfloat(String(1 / 41), String(-1 / 41)), '0');
  assert.is(incrbyfloat('-0.0', '0'), '0');
  assert.is(incrbyfloat('0', '-1e-30'), '0');
});

test('strtold syntax as string2ld accepts it', () => {
  assert.is(incrbyfloat('0', '0x10'), '16');
  assert.is(incrbyfloat('0', '+1.5'), '1.5');
  assert.is(incrbyfloat('0', '.5'), '0.5');
  assert.is(incrbyfloat('0', '5.'), '5');
  assert.is(incrbyfloat('0', '0e999999999999999999999'), '0');
  for (const bad of ['', ' 1', '1 ', ' 11 ', 'abc', '.', '1e', '0x', '+-1', 'nan', '1\u00002', '1e-5000', '1e5000', '0x1p99999', '1'.repeat(5120)]) {
    assert.is(incrbyfloat('0', bad), 'not a valid float', JSON.stringify(bad.slice(0, 20)));
  }
});

test('infinities and overflow', () => {
  assert.is(incrbyfloat('0', 'inf'), 'NaN or Infinity');
  assert.is(incrbyfloat('0', '+inf'), 'NaN or Infinity');
  assert.is(incrbyfloat('-Infinity', '1'), 'NaN or Infinity');
  assert.is(incrbyfloat('1.1e4932', '1.1e4932'), 'NaN or Infinity');
  assert.ok(/^1797693134862315699959/.test(incrbyfloat('0', '1.7976931348623157e308')));
});

test('doubles in printf("%.6f") and as human long doubles (GEOPOS, geo errors)', () => {
  // ties on the exact binary value go to even, where toFixed would round up
  assert.is(formatDoubleFixed(200.0078125, 6), '200.007812');
  assert.is((200.0078125).toFixed(6), '200.007813');
  assert.is(formatDoubleFixed(-73.9454966, 6), '-73.945497');
  assert.is(formatDoubleFixed(-0.0000001, 6), '-0.000000');
  assert.is(formatDoubleFixed(1e300, 6).length, 301 + 7);
  assert.is(formatDoubleFixed(Infinity, 6), 'inf');
  assert.is(formatDoubleFixed(-Infinity, 6), '-inf');
  assert.is(formatLongDoubleHuman(longDoubleOfDouble(13.361389338970184)), '13.36138933897018433');
  assert.is(formatLongDoubleHuman(longDoubleOfDouble(1.000003814697265625)), '1.00000381469726562');
  assert.is(formatLongDoubleHuman(longDoubleOfDouble(-0)), '0');
  assert.is(formatLongDoubleHuman(longDoubleOfDouble(5e-324)), '0');
});

test.run();
