// commands/args.ts: numbers read as Redis reads them (string2ll, string2d, zslParseRange's strtod).
const { test } = require('uvu');
const assert = require('uvu/assert');
const { strtod, parseFloatArg, parseRangeFloat, parseInt64 } = require('../../dist/commands/args');

test('strtod: decimal, hex, inf and nan prefixes, with the characters read and glibc ERANGE', () => {
  assert.equal(strtod('1.5e3'), { value: 1500, used: 5, erange: false });
  assert.equal(strtod('  -2x'), { value: -2, used: 4, erange: false });
  assert.equal(strtod('0x1p-2'), { value: 0.25, used: 6, erange: false });
  assert.equal(strtod('0X.8'), { value: 0.5, used: 4, erange: false });
  assert.equal(strtod('0x'), { value: 0, used: 1, erange: false }, 'a bare 0x reads its 0');
  assert.equal(strtod('1e'), { value: 1, used: 1, erange: false }, 'an exponent without digits is not read');
  assert.equal(strtod('-Infinity'), { value: -Infinity, used: 9, erange: false });
  assert.equal(strtod('infinit').used, 3, 'only "inf" of a misspelt infinity');
  assert.ok(Number.isNaN(strtod('nan(12)').value));
  assert.equal(strtod('1e400').erange, true);
  assert.equal(strtod('1e-400'), { value: 0, used: 6, erange: true });
  assert.equal(strtod('0e-400').erange, false, 'a zero is not an underflow');
  assert.equal(strtod('1e-310'), { value: 1e-310, used: 6, erange: true }, 'a subnormal result sets ERANGE, as glibc does');
  assert.equal(strtod('0x1p-1030').erange, true);
  assert.equal(strtod('x').used, 0);
  assert.equal(strtod('').used, 0);
});

test('parseFloatArg is string2d: whole text, no leading space, no NaN, no overflow', () => {
  for (const [text, want] of [['0x10', 16], ['-0x1P-2', -0.25], ['inf', Infinity], ['+infinity', Infinity], ['.5', 0.5], ['5.', 5], ['-0', -0], ['1e-310', 1e-310]]) assert.is(parseFloatArg(text), want, text);
  for (const bad of ['', ' 1', '1 ', '1e400', '1e-400', 'nan', '0x', '1e', '.', '+', '1\0']) assert.is(parseFloatArg(bad), undefined, JSON.stringify(bad));
});

test('parseRangeFloat is zslParseRange: plain strtod up to the first NUL', () => {
  for (const [text, want] of [['', 0], [' 3', 3], ['0x2', 2], ['1e400', Infinity], ['2\0junk', 2], ['-inf', -Infinity]]) assert.is(parseRangeFloat(Buffer.from(text, 'latin1')), want, JSON.stringify(text));
  for (const bad of ['3 ', 'nan', '   ', 'x', '1e']) assert.is(parseRangeFloat(Buffer.from(bad)), undefined, JSON.stringify(bad));
});

test('parseInt64 is string2ll: no sign on zero, no spaces, 64-bit bounds', () => {
  assert.is(parseInt64('9223372036854775807'), 9223372036854775807n);
  assert.is(parseInt64('-9223372036854775808'), -9223372036854775808n);
  for (const bad of ['9223372036854775808', '-0', ' 1', '01', '1.0', '', '+1']) assert.is(parseInt64(bad), undefined, JSON.stringify(bad));
});

test.run();
