// protocol/reply.ts ReplyWriter and helpers, round-tripped through protocol/reply-reader.ts.
const { test } = require('uvu');
const assert = require('uvu/assert');
const reply = require('../../dist/protocol/reply');
const { ReplyWriter, formatDouble, bulkReply, intReply, errorReply, simpleReply, OK, NULL_BULK, NULL_ARRAY, EMPTY_ARRAY } = reply;
const { decodeReply, readReply, RespError } = require('../../dist/protocol/reply-reader');

/** Decodes every reply in `buf`. */
function decodeAll(buf) {
  const out = [];
  let pos = 0;
  while (pos < buf.length) {
    const [v, next] = readReply(buf, pos);
    out.push(v);
    pos = next;
  }
  assert.is(pos, buf.length, 'replies end exactly at the buffer end');
  return out;
}

/** Buffers → strings so deep equality is readable. */
function plain(v) {
  if (Buffer.isBuffer(v)) return { bulk: v.toString('latin1') };
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof RespError) return { error: v.message };
  return v;
}

test('bulk: string, buffer, empty, binary and null', () => {
  const w = new ReplyWriter();
  w.bulk('hello');
  w.bulk(Buffer.from([0, 13, 10, 255]));
  w.bulk('');
  w.bulk(null);
  w.nullBulk();
  w.bulk('héllo'); // UTF-8: length in bytes
  const bytes = w.take();
  assert.is(bytes.toString('latin1', 0, 11), '$5\r\nhello\r\n');
  assert.ok(bytes.includes(Buffer.from('$6\r\nh\xc3\xa9llo\r\n', 'latin1')));
  assert.equal(plain(decodeAll(bytes)), [{ bulk: 'hello' }, { bulk: '\x00\r\n\xff' }, { bulk: '' }, null, null, { bulk: 'h\xc3\xa9llo' }]);
});

test('bulkFrom copies a byte range of a shared buffer, which may change right after', () => {
  const w = new ReplyWriter();
  const shared = new Uint8Array(Buffer.from('\x00abc\r\nd'));
  w.bulkFrom(shared, 1, 6);
  shared.fill(0);
  w.bulkFrom(shared, 2, 2);
  const big = new Uint8Array(70000).fill(120);
  w.bulkFrom(big, 0, big.length);
  assert.equal(plain(decodeAll(w.take())), [{ bulk: 'abc\r\n' }, { bulk: '' }, { bulk: 'x'.repeat(70000) }]);
});

test('int: small cached, large, negative and bigint', () => {
  const w = new ReplyWriter();
  const values = [0, 1, 9999, 10000, -1, -123456, 2 ** 53 - 1, -(2 ** 53) + 1];
  for (const v of values) w.int(v);
  w.int(9223372036854775807n);
  w.int(-9223372036854775808n);
  w.int(5n);
  const bytes = w.take();
  assert.ok(bytes.toString().startsWith(':0\r\n:1\r\n:9999\r\n:10000\r\n:-1\r\n'));
  assert.equal(decodeAll(bytes), [...values, 9223372036854775807n, -9223372036854775808n, 5]);
});

test('simple, ok, error, raw', () => {
  const w = new ReplyWriter();
  w.ok();
  w.simple('PONG');
  w.error('ERR something\r\nbad');
  w.raw(Buffer.from('+RAW\r\n'));
  const bytes = w.take();
  // each CR and LF becomes a space, as Redis's addReplyError maps them
  assert.is(bytes.toString(), '+OK\r\n+PONG\r\n-ERR something  bad\r\n+RAW\r\n');
  assert.equal(plain(decodeAll(bytes)), ['OK', 'PONG', { error: 'ERR something  bad' }, 'RAW']);
});

test('arrays: bulkArray, headers, nesting, null and empty arrays', () => {
  const w = new ReplyWriter();
  w.bulkArray(['a', null, Buffer.from('bc'), '']);
  w.arrayHeader(3);
  w.int(1);
  w.arrayHeader(2);
  w.bulk('x');
  w.simple('y');
  w.nullArray();
  w.arrayHeader(0);
  w.bulkArray([]);
  const bytes = w.take();
  assert.is(bytes.toString('latin1', 0, 4), '*4\r\n');
  assert.equal(plain(decodeAll(bytes)), [[{ bulk: 'a' }, null, { bulk: 'bc' }, { bulk: '' }], [1, [{ bulk: 'x' }, 'y'], null], [], []]);
});

test('double writes a bulk with formatDouble text', () => {
  const w = new ReplyWriter();
  w.double(1.5);
  w.double(Infinity);
  assert.equal(plain(decodeAll(w.take())), [{ bulk: '1.5' }, { bulk: 'inf' }]);
});

test('size and truncate drop a partial reply', () => {
  const w = new ReplyWriter();
  w.bulk('first');
  const mark = w.size();
  assert.is(mark, '$5\r\nfirst\r\n'.length);
  w.arrayHeader(3);
  w.bulk('partial');
  w.truncate(mark);
  assert.is(w.size(), mark);
  w.error('ERR failed');
  assert.equal(plain(decodeAll(w.take())), [{ bulk: 'first' }, { error: 'ERR failed' }]);
  // truncate after a take counts from the new start
  w.int(1);
  w.int(2);
  w.truncate(4);
  assert.is(w.view().toString(), ':1\r\n');
  w.truncate(0);
  assert.is(w.size(), 0);
});

test('take hands out bytes since the last take, as an independent copy', () => {
  const w = new ReplyWriter();
  w.simple('A');
  const a = w.take();
  assert.is(a.toString(), '+A\r\n');
  assert.is(w.size(), 0);
  assert.is(w.take().length, 0);
  w.simple('B');
  w.simple('C');
  const b = w.take();
  assert.is(b.toString(), '+B\r\n+C\r\n');
  // writing more does not alter what was taken
  for (let i = 0; i < 100; i++) w.bulk('x'.repeat(1000));
  assert.is(a.toString(), '+A\r\n');
  assert.is(b.toString(), '+B\r\n+C\r\n');
});

test('view and takeView', () => {
  const w = new ReplyWriter();
  w.int(42);
  assert.is(w.view().toString(), ':42\r\n');
  assert.is(w.view().toString(), ':42\r\n', 'view does not consume');
  w.int(7);
  const v = w.takeView();
  assert.is(v.toString(), ':42\r\n:7\r\n');
  assert.is(w.size(), 0);
  assert.is(w.view().length, 0);
  w.reset();
  w.simple('Z');
  w.reset();
  assert.is(w.size(), 0);
});

test('growth: replies larger than the initial buffer, across takes', () => {
  const w = new ReplyWriter();
  const big = Buffer.alloc(300 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  w.simple('before');
  w.bulk(big);
  w.int(-5);
  const out = decodeAll(w.take());
  assert.is(out[0], 'before');
  assert.ok(Buffer.isBuffer(out[1]) && out[1].equals(big));
  assert.is(out[2], -5);
  // many small replies after partial takes
  const expect = [];
  let got = [];
  for (let i = 0; i < 20000; i++) {
    w.bulk(`value-${i}`);
    expect.push(`value-${i}`);
    if (i % 777 === 0) got = got.concat(decodeAll(w.take()).map(String));
  }
  got = got.concat(decodeAll(w.take()).map(String));
  assert.equal(got, expect);
});

test('standalone helpers', () => {
  assert.is(bulkReply('abc').toString(), '$3\r\nabc\r\n');
  assert.is(bulkReply(Buffer.from('')).toString(), '$0\r\n\r\n');
  assert.is(bulkReply(null), NULL_BULK);
  assert.is(bulkReply('é').toString('latin1'), '$2\r\n\xc3\xa9\r\n');
  assert.is(intReply(5).toString(), ':5\r\n');
  assert.is(intReply(-5).toString(), ':-5\r\n');
  assert.is(intReply(123456789012).toString(), ':123456789012\r\n');
  assert.is(intReply(2n ** 63n - 1n).toString(), ':9223372036854775807\r\n');
  assert.is(errorReply('ERR a\nb').toString(), '-ERR a b\r\n');
  assert.is(simpleReply('QUEUED').toString(), '+QUEUED\r\n');
  assert.is(OK.toString(), '+OK\r\n');
  assert.is(NULL_ARRAY.toString(), '*-1\r\n');
  assert.is(EMPTY_ARRAY.toString(), '*0\r\n');
  assert.is(decodeReply(EMPTY_ARRAY).length, 0);
});

test('decodeReply: the first reply of a buffer', () => {
  assert.is(decodeReply(Buffer.from(':12\r\n:13\r\n')), 12);
  assert.is(decodeReply(Buffer.from('$-1\r\n')), null);
  assert.is(decodeReply(Buffer.from('*-1\r\n')), null);
  assert.throws(() => decodeReply(Buffer.from('?x\r\n')), /unexpected reply type/);
  assert.throws(() => decodeReply(Buffer.from(':12')), /truncated/);
});

test('formatDouble: %.17g like Redis 7.0 for integers, fractions and specials', () => {
  assert.is(formatDouble(0), '0');
  assert.is(formatDouble(-0), '-0');
  assert.is(formatDouble(3), '3');
  assert.is(formatDouble(-42), '-42');
  assert.is(formatDouble(1.5), '1.5');
  assert.is(formatDouble(-2.25), '-2.25');
  assert.is(formatDouble(0.1), '0.10000000000000001');
  assert.is(formatDouble(0.1 + 0.2), '0.30000000000000004');
  assert.is(formatDouble(3.0000000000000004), '3.0000000000000004');
  assert.is(formatDouble(1 / 3), '0.33333333333333331');
  assert.is(formatDouble(Infinity), 'inf');
  assert.is(formatDouble(-Infinity), '-inf');
  assert.is(formatDouble(NaN), 'nan');
  assert.is(formatDouble(12345.678), '12345.678');
});

test('formatDouble: exponent form has a sign and at least two digits', () => {
  assert.is(formatDouble(1e21), '1e+21');
  assert.is(formatDouble(-1.5e300), '-1.5000000000000001e+300');
  assert.is(formatDouble(1.7976931348623157e308), '1.7976931348623157e+308');
  assert.is(formatDouble(5e-324), '4.9406564584124654e-324');
  assert.is(formatDouble(1.5e-100), '1.5e-100');
});

test('formatDouble: %.17g switches to exponent form from 1e17 on', () => {
  // printf("%.17g") (and Redis 7.2's fpconv_dtoa) print exponent form once the decimal
  // exponent reaches 17; plain digits would claim precision a double does not have.
  assert.is(formatDouble(1e17), '1e+17');
  assert.is(formatDouble(2.5e18), '2.5e+18');
  assert.is(formatDouble(-1e20), '-1e+20');
  for (const d of [1e17, 2.5e18, -1e20, 1e21, 123.25]) assert.is(Number(formatDouble(d)), d);
});

test.run();
