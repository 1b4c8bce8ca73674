// protocol/parser.ts: RESP2 request framing (multibulk, inline, pipelining, split chunks, limits).
const { test } = require('uvu');
const assert = require('uvu/assert');
const { RequestParser, ProtocolError, splitInline } = require('../../dist/protocol/parser');

const MB = 1024 * 1024;

function mk(maxBulkLen = 512 * MB) {
  return new RequestParser({ maxBulkLen });
}

/** Feeds every chunk, returns the commands as arrays of latin1 strings. */
function parse(chunks, parser = mk()) {
  const out = [];
  for (const c of chunks) parser.feed(typeof c === 'string' ? Buffer.from(c, 'latin1') : c, (args) => out.push(args.map((a) => a.toString('latin1'))));
  return out;
}

function resp(...args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return s;
}

function throwsProto(fn, message) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected a ProtocolError '${message}'`);
  assert.instance(err, ProtocolError);
  assert.is(err.message, message);
}

test('multibulk: a single command', () => {
  assert.equal(parse([resp('SET', 'key', 'value')]), [['SET', 'key', 'value']]);
});

test('multibulk: empty and binary arguments', () => {
  const bin = Buffer.from([0, 13, 10, 255, 42, 36]);
  const chunk = Buffer.concat([Buffer.from('*3\r\n$0\r\n\r\n$6\r\n'), bin, Buffer.from('\r\n$1\r\nx\r\n')]);
  const got = [];
  mk().feed(chunk, (args) => got.push(args.map((a) => Buffer.from(a))));
  assert.is(got.length, 1);
  assert.is(got[0].length, 3);
  assert.is(got[0][0].length, 0);
  assert.ok(got[0][1].equals(bin));
  assert.is(got[0][2].toString(), 'x');
});

test('multibulk: *0 and *-1 are skipped without a command', () => {
  assert.equal(parse(['*0\r\n' + resp('PING') + '*-1\r\n' + resp('ECHO', 'a')]), [['PING'], ['ECHO', 'a']]);
  const p = mk();
  assert.equal(parse(['*0\r\n'], p), []);
  assert.is(p.pendingBytes(), 0);
});

test('inline: plain words, tabs and CRLF or LF endings', () => {
  assert.equal(parse(['PING\r\n', 'set  a\tb\n', 'get a\r\n']), [['PING'], ['set', 'a', 'b'], ['get', 'a']]);
});

test('inline: empty lines produce no command', () => {
  assert.equal(parse(['\r\n\n   \r\nPING\r\n']), [['PING']]);
});

test('inline: double quotes with spaces and escapes', () => {
  assert.equal(parse(['set "a b" "c\\"d"\r\n']), [['set', 'a b', 'c"d']]);
  assert.equal(parse(['echo "\\x41\\x7a\\n\\r\\t\\b\\a\\\\"\r\n']), [['echo', 'Az\n\r\t\b\x07\\']]);
  // \x with non-hex digits is just an escaped 'x'
  assert.equal(parse(['echo "\\xZZ"\r\n']), [['echo', 'xZZ']]);
  assert.equal(parse(['echo ""\r\n']), [['echo', '']]);
});

test('inline: single quotes keep backslashes except for \\\'', () => {
  assert.equal(parse(["set 'it\\'s' 'a\\nb' 'x y'\r\n"]), [['set', "it's", 'a\\nb', 'x y']]);
});

test('inline: a quote inside a word opens a quoted part', () => {
  assert.equal(parse(['set ab"c d"\r\n']), [['set', 'abc d']]);
});

test('inline: unbalanced quotes are a protocol error', () => {
  const msg = 'Protocol error: unbalanced quotes in request';
  throwsProto(() => parse(['set "abc\r\n']), msg);
  throwsProto(() => parse(["set 'abc\r\n"]), msg);
  // a closing quote must be followed by a space or the end
  throwsProto(() => parse(['set "abc"def\r\n']), msg);
  throwsProto(() => parse(["set 'abc'def\r\n"]), msg);
  throwsProto(() => splitInline(Buffer.from('"trailing backslash\\')), msg);
});

test('splitInline: exported splitter matches sdssplitargs', () => {
  assert.equal(splitInline(Buffer.from('  a  "b c"  \'d\'  ')).map(String), ['a', 'b c', 'd']);
  assert.equal(splitInline(Buffer.from('   ')), []);
  // isspace() skips blanks and may follow a closing quote, but only space, tab, CR and LF end a word
  assert.equal(splitInline(Buffer.from('\x0b\x0cECHO a\x0bb\x0c')).map(String), ['ECHO', 'a\x0bb\x0c']);
  assert.equal(splitInline(Buffer.from('"a"\x0b"b"')).map(String), ['a', 'b']);
});

test('pipelining: many commands of both kinds in one chunk, in order', () => {
  let chunk = '';
  const want = [];
  for (let i = 0; i < 1000; i++) {
    if (i % 3 === 0) {
      chunk += `INCR k${i}\r\n`;
      want.push(['INCR', `k${i}`]);
    } else {
      chunk += resp('SET', `k${i}`, 'v'.repeat(i % 50));
      want.push(['SET', `k${i}`, 'v'.repeat(i % 50)]);
    }
  }
  const p = mk();
  assert.equal(parse([chunk], p), want);
  assert.is(p.pendingBytes(), 0);
});

test('split chunks: every byte boundary and byte-by-byte feeding give the same commands', () => {
  const stream = resp('SET', 'key', 'hello world') + 'GET "key"\r\n' + '*0\r\n' + resp('DEL', '', 'x') + resp('PING');
  const want = [['SET', 'key', 'hello world'], ['GET', 'key'], ['DEL', '', 'x'], ['PING']];
  assert.equal(parse([stream]), want);
  for (let cut = 0; cut <= stream.length; cut++) {
    assert.equal(parse([stream.slice(0, cut), stream.slice(cut)]), want, `cut at ${cut}`);
  }
  for (let a = 1; a < stream.length; a += 3) {
    for (let b = a; b < stream.length; b += 5) {
      assert.equal(parse([stream.slice(0, a), stream.slice(a, b), stream.slice(b)]), want, `cuts at ${a},${b}`);
    }
  }
  const p = mk();
  const got = [];
  for (let i = 0; i < stream.length; i++) {
    p.feed(Buffer.from(stream[i], 'latin1'), (args) => got.push(args.map(String)));
    assert.ok(p.pendingBytes() <= i + 1);
  }
  assert.equal(got, want);
  assert.is(p.pendingBytes(), 0);
});

test('split chunks: arguments stay intact after later chunks arrive', () => {
  // Arguments are views into the chunks; a command delivered from a concatenated buffer must
  // not be altered when the parser keeps going.
  const p = mk();
  const got = [];
  const stream = resp('SET', 'aaaa', 'bbbb') + resp('SET', 'cccc', 'dddd');
  for (let i = 0; i < stream.length; i += 7) p.feed(Buffer.from(stream.slice(i, i + 7)), (args) => got.push(args));
  assert.equal(got.map((a) => a.map(String)), [['SET', 'aaaa', 'bbbb'], ['SET', 'cccc', 'dddd']]);
});

test('big bulk (> 32 KB) across many chunks', () => {
  const size = 200 * 1024 + 3;
  const value = Buffer.alloc(size);
  for (let i = 0; i < size; i++) value[i] = (i * 31 + 7) & 0xff;
  const stream = Buffer.concat([Buffer.from(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${size}\r\n`), value, Buffer.from('\r\n'), Buffer.from(resp('GET', 'k'))]);
  for (const step of [1000, 4096, 65536, 7, stream.length - 10]) {
    const p = mk();
    const got = [];
    const headerLen = stream.length - size - 2 - resp('GET', 'k').length;
    let sawPending = false;
    let prev = 0;
    for (let i = 0; i < stream.length; i += step) {
      p.feed(stream.subarray(i, i + step), (args) => got.push(args.map((a) => Buffer.from(a))));
      const received = i + step;
      if (got.length === 0 && received > headerLen) {
        // the value's bytes received so far are pending (framed headers may or may not count)
        const pend = p.pendingBytes();
        assert.ok(pend >= received - headerLen && pend <= received, `pendingBytes ${pend} after ${received} bytes`);
        assert.ok(pend > prev);
        prev = pend;
        sawPending = true;
      }
    }
    if (step < size) assert.ok(sawPending);
    assert.is(got.length, 2, `step ${step}`);
    assert.is(got[0][0].toString(), 'SET');
    assert.is(got[0][1].toString(), 'k');
    assert.ok(got[0][2].equals(value), `value intact with step ${step}`);
    assert.equal(got[1].map(String), ['GET', 'k']);
    assert.is(p.pendingBytes(), 0);
  }
});

test('big bulk followed by the next command in the same chunk', () => {
  const size = 40 * 1024;
  const value = Buffer.alloc(size, 'z');
  const head = Buffer.from(`*2\r\n$4\r\nECHO\r\n$${size}\r\n`);
  const p = mk();
  const got = [];
  p.feed(Buffer.concat([head, value.subarray(0, 100)]), (a) => got.push(a.map(String)));
  assert.is(got.length, 0);
  p.feed(Buffer.concat([value.subarray(100), Buffer.from('\r\n' + resp('PING') + 'PING\r\n')]), (a) => got.push(a.map(String)));
  assert.is(got.length, 3);
  assert.is(got[0][1].length, size);
  assert.equal(got[1], ['PING']);
  assert.equal(got[2], ['PING']);
});

test('the two bytes after a bulk are skipped unread, as Redis does', () => {
  assert.equal(parse(['*1\r\n$4\r\nPINGXY']), [['PING']]);
  // a short length leaves the rest of the word to be read as an inline command
  assert.equal(parse(['*1\r\n$3\r\nPING\r\nPING\r\n']), [['PIN'], ['PING']]);
  const size = 40 * 1024;
  const got = parse([`*1\r\n$${size}\r\n`, Buffer.alloc(size, 'a'), 'XY', 'PING\r\n']);
  assert.is(got.length, 2);
  assert.is(got[0][0].length, size);
  assert.equal(got[1], ['PING']);
});

test('footprint: the query buffer plus a fixed cost per argument framed so far', () => {
  const p = mk();
  p.feed(Buffer.from('*2147483647\r\n' + '$0\r\n\r\n'.repeat(1000)), () => assert.unreachable('no command'));
  assert.is(p.pendingBytes(), 0);
  assert.is(p.footprint(), 1000 * 128);
});

test('pendingBytes counts received, not yet framed bytes', () => {
  const p = mk();
  assert.is(p.pendingBytes(), 0);
  parse(['*2\r\n$4\r\nECHO\r\n$5\r\nhel'], p);
  assert.ok(p.pendingBytes() > 0);
  const q = mk();
  parse(['PIN'], q);
  assert.is(q.pendingBytes(), 3);
  const got = parse(['G\r\nECHO x'], q);
  assert.equal(got, [['PING']]);
  assert.is(q.pendingBytes(), 6);
});

test('invalid multibulk length', () => {
  const msg = 'Protocol error: invalid multibulk length';
  throwsProto(() => parse(['*abc\r\n']), msg);
  throwsProto(() => parse(['*\r\n']), msg);
  throwsProto(() => parse(['*1x\r\n']), msg);
  throwsProto(() => parse([`*${2 ** 31}\r\n`]), msg);
  assert.equal(parse([`*${2 ** 31 - 1}\r\n`]), [], 'INT_MAX arguments may follow, as in Redis 7.0');
  throwsProto(() => parse(['*99999999999999999999\r\n']), msg);
});

test('invalid bulk length', () => {
  const msg = 'Protocol error: invalid bulk length';
  throwsProto(() => parse(['*1\r\n$abc\r\n']), msg);
  throwsProto(() => parse(['*1\r\n$-1\r\n']), msg);
  throwsProto(() => parse(['*1\r\n$\r\n']), msg);
  throwsProto(() => parse(['*1\r\n$99999999999999999999\r\n']), msg);
});

test('lengths are parsed like Redis string2ll: no leading zeros, no sign, no -0', () => {
  throwsProto(() => parse(['*01\r\n$4\r\nPING\r\n']), 'Protocol error: invalid multibulk length');
  throwsProto(() => parse(['*+1\r\n']), 'Protocol error: invalid multibulk length');
  throwsProto(() => parse(['*1\r\n$04\r\nPING\r\n']), 'Protocol error: invalid bulk length');
  throwsProto(() => parse(['*1\r\n$+4\r\nPING\r\n']), 'Protocol error: invalid bulk length');
  throwsProto(() => parse(['*1\r\n$-0\r\n\r\n']), 'Protocol error: invalid bulk length');
  // a lone 0 is fine
  assert.equal(parse(['*1\r\n$0\r\n\r\n']), [['']]);
});

test('a bulk length above maxBulkLen is refused before its data arrives', () => {
  const msg = 'Protocol error: invalid bulk length';
  const p = mk(1 * MB);
  // just the header; no payload at all
  throwsProto(() => parse([`*2\r\n$3\r\nSET\r\n$${MB + 1}\r\n`], p), msg);
  // exactly maxBulkLen is accepted (waits for data)
  const q = mk(1 * MB);
  assert.equal(parse([`*1\r\n$${MB}\r\n`], q), []);
});

test("expected '$' is checked once the header's line is in, as Redis does", () => {
  assert.equal(parse(['*1\r\nx3']), []);
  throwsProto(() => parse(['*1\r\nx3', '\r\n']), "Protocol error: expected '$', got 'x'");
});

test("expected '$', got 'x'", () => {
  throwsProto(() => parse(['*1\r\nx3\r\nfoo\r\n']), "Protocol error: expected '$', got 'x'");
  throwsProto(() => parse(['*2\r\n$3\r\nfoo\r\n:1\r\n']), "Protocol error: expected '$', got ':'");
});

test('too big inline request', () => {
  const msg = 'Protocol error: too big inline request';
  throwsProto(() => parse(['a'.repeat(65 * 1024)]), msg);
  // also when the oversized request arrives in pieces
  const p = mk();
  throwsProto(() => {
    for (let i = 0; i < 80; i++) parse(['b'.repeat(1024)], p);
  }, msg);
  // a long line that does end in the chunk is still refused
  throwsProto(() => parse(['c'.repeat(70 * 1024) + '\r\n']), msg);
  // just under the limit is fine
  assert.equal(parse(['x ' + 'd'.repeat(60 * 1024) + '\r\n']).map((a) => a[1].length), [60 * 1024]);
});

test('too big multibulk count / bulk count string', () => {
  throwsProto(() => parse(['*' + '1'.repeat(70 * 1024)]), 'Protocol error: too big mbulk count string');
  throwsProto(() => parse(['*1\r\n$' + '1'.repeat(70 * 1024)]), 'Protocol error: too big bulk count string');
});


test('suspend: later chunks are kept unframed and counted; resume hands them back in order', () => {
  const p = mk();
  const out = [];
  const onCommand = (args) => {
    out.push(args.map((a) => a.toString('latin1')));
    if (out.length === 1) p.suspend(); // as main does for a parked client over its hold limit
  };
  const first = resp('BLPOP', 'k', '0') + resp('PING') + resp('ECHO', 'a');
  p.feed(Buffer.from(first, 'latin1'), onCommand);
  assert.equal(out, [['BLPOP', 'k', '0']]);
  p.feed(Buffer.from(resp('ECHO', 'b') + '*2\r\n$4\r\nEC', 'latin1'), onCommand);
  p.feed(Buffer.from('HO\r\n$1\r\nc\r\n', 'latin1'), onCommand);
  assert.equal(out.length, 1, 'nothing framed while suspended');
  assert.ok(p.suspendedNow());
  const rest = resp('PING') + resp('ECHO', 'a') + resp('ECHO', 'b') + resp('ECHO', 'c');
  assert.is(p.pendingBytes(), rest.length);
  p.feed(p.resume(), onCommand);
  assert.not.ok(p.suspendedNow());
  assert.equal(out.slice(1), [['PING'], ['ECHO', 'a'], ['ECHO', 'b'], ['ECHO', 'c']]);
  assert.is(p.pendingBytes(), 0);
});

test.run();
