// common/glob.ts: globMatch with Redis stringmatchlen semantics.
const { test } = require('uvu');
const assert = require('uvu/assert');
const { globMatch } = require('../../dist/common/glob');

const m = (pat, str, nocase = false) => globMatch(Buffer.from(pat, 'latin1'), Buffer.from(str, 'latin1'), nocase);

function yes(pat, ...strs) {
  for (const s of strs) assert.ok(m(pat, s), `'${pat}' should match '${s}'`);
}
function no(pat, ...strs) {
  for (const s of strs) assert.not.ok(m(pat, s), `'${pat}' should not match '${s}'`);
}

test('literals', () => {
  yes('hello', 'hello');
  no('hello', 'hell', 'helloo', 'Hello', 'hallo', '');
});

test('* matches any run, including empty', () => {
  yes('*', 'x', 'anything at all', '*');
  yes('h*llo', 'hllo', 'hello', 'heeeeello', 'h*llo');
  no('h*llo', 'hlo', 'hella', 'ahllo');
  yes('*llo', 'llo', 'hello');
  yes('he*', 'he', 'hello');
  no('he*', 'h', 'xhe');
  yes('a*b*c', 'abc', 'aXbYc', 'abbbc', 'acbc');
  no('a*b*c', 'acb', 'ab', 'abcx');
  yes('**a**', 'a', 'bab');
  yes('a*', 'a');
  yes('a**', 'a');
  yes('*a', 'a', 'bba');
  no('*a', 'ab');
});

test('? matches exactly one byte', () => {
  yes('h?llo', 'hello', 'hallo', 'h?llo', 'h llo');
  no('h?llo', 'hllo', 'heello');
  yes('???', 'abc');
  no('???', 'ab', 'abcd');
  yes('?*', 'a', 'ab');
});

test('[abc] sets', () => {
  yes('h[ae]llo', 'hello', 'hallo');
  no('h[ae]llo', 'hillo', 'hllo', 'haello');
  yes('[abc]', 'a', 'b', 'c');
  no('[abc]', 'd', 'ab', '');
});

test('[^a] negated sets', () => {
  yes('h[^e]llo', 'hallo', 'hbllo', 'h-llo');
  no('h[^e]llo', 'hello', 'hllo');
  yes('[^abc]', 'd', 'z');
  no('[^abc]', 'a', 'c');
});

test('[a-z] ranges, reversed ranges too', () => {
  yes('h[a-b]llo', 'hallo', 'hbllo');
  no('h[a-b]llo', 'hcllo', 'hello');
  yes('[a-z][0-9]', 'a0', 'z9', 'm5');
  no('[a-z][0-9]', 'A0', 'a-', '0a');
  yes('[z-a]', 'a', 'm', 'z');
  no('[z-a]', 'A');
  yes('[^a-c]x', 'dx');
  no('[^a-c]x', 'bx');
  yes('[a-cx-z]', 'b', 'y');
  no('[a-cx-z]', 'm');
});

test('escapes outside and inside classes', () => {
  yes('h\\*llo', 'h*llo');
  no('h\\*llo', 'hello', 'hllo');
  yes('h\\?llo', 'h?llo');
  no('h\\?llo', 'hello');
  yes('\\[abc\\]', '[abc]');
  no('\\[abc\\]', 'a');
  yes('a\\\\b', 'a\\b');
  yes('[\\]]', ']');
  yes('[\\^a]', '^', 'a');
  yes('[a\\-z]', 'a', '-', 'z');
  no('[a\\-z]', 'm');
  // a trailing backslash is a literal backslash
  yes('a\\', 'a\\');
  no('a\\', 'a');
  // an escaped letter is the letter
  yes('\\a\\b', 'ab');
});

test('unterminated class behaves as if closed at the end', () => {
  yes('[abc', 'a', 'c');
  no('[abc', 'd');
  yes('x[a', 'xa');
});

test('nocase', () => {
  yes('hello', 'hello');
  assert.ok(m('HeLLo', 'hello', true));
  assert.not.ok(m('HeLLo', 'hello', false));
  assert.ok(m('H*O', 'hello', true));
  assert.ok(m('h?LLO', 'HELLO', true));
  assert.ok(m('[A-Z]x', 'qX', true));
  assert.not.ok(m('[A-Z]x', 'qX', false));
  assert.ok(m('[a-z]', 'Q', true));
  assert.ok(m('[ABC]', 'b', true));
  assert.not.ok(m('[ABC]', 'b', false));
  assert.ok(m('[^ABC]', 'd', true));
  assert.not.ok(m('[^ABC]', 'b', true));
  assert.not.ok(m('hello', 'world', true));
});

test('bytes, not characters', () => {
  const pat = Buffer.from([0x61, 0x3f, 0x62]); // a?b
  assert.ok(globMatch(pat, Buffer.from([0x61, 0xff, 0x62])));
  assert.ok(globMatch(pat, Buffer.from([0x61, 0x00, 0x62])));
  // 'é' is two bytes in UTF-8: one ? does not cover it
  assert.not.ok(globMatch(Buffer.from('a?b'), Buffer.from('aéb')));
  assert.ok(globMatch(Buffer.from('a??b'), Buffer.from('aéb')));
  assert.ok(globMatch(Buffer.from('[\x00-\x10]'), Buffer.from([5])));
});

test('keys-like patterns', () => {
  yes('user:*:name', 'user:1:name', 'user::name', 'user:a:b:name');
  no('user:*:name', 'user:1:email', 'users:1:name');
  yes('*:[0-9][0-9]', 'session:42');
  no('*:[0-9][0-9]', 'session:4x');
});

test('pathological a*a*...*b against a run of a finishes and does not match', () => {
  const pat = 'a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b';
  assert.is(m(pat, 'a'.repeat(50)), false);
  assert.is(m(pat, 'a'.repeat(50) + 'b'), true);
  assert.is(m('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c', 'a'.repeat(200)), false);
});

test.run();
