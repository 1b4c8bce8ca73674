// common/config.ts: pika.conf parsing, sizes, validation, CONFIG SET rules and CONFIG REWRITE.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { test } = require('uvu');
const assert = require('uvu/assert');
const { Config, ConfigError, parseSize, CONFIG_KEYS, isRedisOnlyKey } = require('../../dist/common/config');

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;

function throwsConfig(fn, re) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected a ConfigError matching ${re}`);
  assert.instance(err, ConfigError);
  assert.match(err.message, re);
  return err;
}

function tmpFile(text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pika-config-test-'));
  const file = path.join(dir, 'pika.conf');
  if (text !== undefined) fs.writeFileSync(file, text);
  return { dir, file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('parseSize: plain numbers and k/kb/m/mb/g/gb suffixes', () => {
  assert.is(parseSize('0'), 0);
  assert.is(parseSize('123'), 123);
  assert.is(parseSize('10b'), 10);
  assert.is(parseSize('1k'), 1000);
  assert.is(parseSize('1kb'), KB);
  assert.is(parseSize('2m'), 2 * 1000 * 1000);
  assert.is(parseSize('512mb'), 512 * MB);
  assert.is(parseSize('3g'), 3 * 1000 ** 3);
  assert.is(parseSize('2gb'), 2 * GB);
  assert.is(parseSize('1GB'), GB);
  assert.is(parseSize('64Mb'), 64 * MB);
  assert.is(parseSize(' 4kb '), 4 * KB);
  assert.is(parseSize('-1'), -1);
});

test('parseSize: rejects malformed sizes', () => {
  for (const s of ['', 'abc', '1tb', '1.5mb', 'mb', '1 mb', '--1', '1kbb', '0x10']) assert.is(parseSize(s), undefined, `'${s}'`);
});

test('defaults without a file', () => {
  const c = new Config();
  assert.is(c.num('port'), 9221);
  assert.is(c.str('bind'), '127.0.0.1');
  assert.is(c.str('loglevel'), 'info');
  assert.is(c.num('proto-max-bulk-len'), 512 * MB);
  assert.is(c.num('client-query-buffer-limit'), GB);
  assert.is(c.num('databases'), 16);
  assert.ok(c.has('port'));
  assert.ok(c.has('PORT'));
  assert.not.ok(c.has('no-such-key'));
  assert.ok(CONFIG_KEYS.includes('maxclients'));
  assert.ok(isRedisOnlyKey('appendonly'));
  assert.not.ok(isRedisOnlyKey('port'));
});

test('parseText: key : value lines, comments, blank lines, spacing, case', () => {
  const text = [
    '# Pika configuration',
    '',
    'port : 6380',
    '   # indented comment',
    'bind:0.0.0.0',
    'LogLevel :   DEBUG  ',
    'proto-max-bulk-len : 64mb',
    'client-query-buffer-limit : 2GB',
    'requirepass : p@ss:word',
    'db-path : /var/lib/pika/db',
    'appendonly : yes',
    'save :',
    '\t',
  ].join('\r\n');
  const c = Config.parseText(text, 'test.conf');
  assert.is(c.num('port'), 6380);
  assert.is(c.str('bind'), '0.0.0.0');
  assert.is(c.str('loglevel'), 'debug');
  assert.is(c.num('proto-max-bulk-len'), 64 * MB);
  assert.is(c.num('client-query-buffer-limit'), 2 * GB);
  assert.is(c.str('requirepass'), 'p@ss:word', 'only the first colon separates');
  assert.is(c.str('db-path'), '/var/lib/pika/db');
  assert.is(c.str('appendonly'), 'yes');
  assert.is(c.str('save'), '');
  // untouched keys keep their defaults
  assert.is(c.num('maxclients'), 10000);
});

test('parseText: unknown key names the file and line number', () => {
  const e = throwsConfig(() => Config.parseText('# c\nport : 1\n\nno-such-option : 5\n', 'my.conf'), /no-such-option/);
  assert.match(e.message, /my\.conf:4/);
  assert.match(e.message, /unknown key/);
});

test('parseText: a line without a colon names its line', () => {
  const e = throwsConfig(() => Config.parseText('port 6379\n', 'x.conf'), /x\.conf:1/);
  assert.match(e.message, /key : value/);
});

test('parseText: bad values name the line and the key', () => {
  throwsConfig(() => Config.parseText('\nport : abc', 'a.conf'), /a\.conf:2: 'port' needs an integer, not 'abc'/);
  throwsConfig(() => Config.parseText('port : 70000', 'a.conf'), /a\.conf:1: 'port' must be between 0 and 65535/);
  throwsConfig(() => Config.parseText('port : -1', 'a.conf'), /a\.conf:1:.*port/);
  throwsConfig(() => Config.parseText('# x\n# y\nproto-max-bulk-len : lots', 'a.conf'), /a\.conf:3: 'proto-max-bulk-len' needs a size/);
  throwsConfig(() => Config.parseText('proto-max-bulk-len : 1kb', 'a.conf'), /a\.conf:1: 'proto-max-bulk-len' must be between/);
  throwsConfig(() => Config.parseText('appendonly : maybe', 'a.conf'), /a\.conf:1: 'appendonly' must be yes or no/);
  throwsConfig(() => Config.parseText('loglevel : loud', 'a.conf'), /a\.conf:1: 'loglevel' must be one of debug, info, warn, error/);
  throwsConfig(() => Config.parseText('sync : sometimes', 'a.conf'), /a\.conf:1: 'sync'/);
  throwsConfig(() => Config.parseText('thread-pool-size : 0', 'a.conf'), /a\.conf:1: 'thread-pool-size' must be between 1 and 64/);
});

test('load: reads a file and remembers it; missing file is a ConfigError', () => {
  const t = tmpFile('port : 7000\n');
  try {
    const c = Config.load(t.file);
    assert.is(c.num('port'), 7000);
    assert.is(c.file, t.file);
    throwsConfig(() => Config.load(path.join(t.dir, 'missing.conf')), /cannot read/);
    fs.writeFileSync(t.file, 'port : 7000\nbogus : 1\n');
    throwsConfig(() => Config.load(t.file), new RegExp(`pika\\.conf:2: unknown key 'bogus'`));
  } finally {
    t.cleanup();
  }
});

test('set: live keys change while running, startup-only keys need startup', () => {
  const c = new Config();
  c.set('maxclients', '50');
  assert.is(c.num('maxclients'), 50);
  c.set('LOGLEVEL', 'Warn');
  assert.is(c.str('loglevel'), 'warn');
  c.set('proto-max-bulk-len', '2mb');
  assert.is(c.num('proto-max-bulk-len'), 2 * MB);
  // read back in bytes, as Redis's CONFIG GET answers sizes
  assert.equal(c.entries().find(([k]) => k === 'proto-max-bulk-len'), ['proto-max-bulk-len', String(2 * MB)]);

  throwsConfig(() => c.set('port', '1234'), /'port' cannot be changed while running/);
  assert.is(c.num('port'), 9221, 'a refused set changes nothing');
  throwsConfig(() => c.set('databases', '4'), /cannot be changed while running/);
  c.set('port', '1234', true);
  assert.is(c.num('port'), 1234);
  c.set('databases', '4', true);
  assert.is(c.num('databases'), 4);
});

test('set: unknown keys and bad values are refused and leave the old value', () => {
  const c = new Config();
  throwsConfig(() => c.set('nope', '1'), /unknown key 'nope'/);
  throwsConfig(() => c.set('nope', '1', true), /unknown key/);
  throwsConfig(() => c.set('maxclients', 'many'), /'maxclients' needs an integer/);
  throwsConfig(() => c.set('maxclients', '0'), /between 1 and/);
  throwsConfig(() => c.set('timeout', '1.5'), /integer/);
  throwsConfig(() => c.set('port', 'abc', true), /integer/);
  assert.is(c.num('maxclients'), 10000);
  assert.is(c.num('port'), 9221);
});

test('notify-keyspace-events: Redis\'s class letters, kept in canonical order; others refused', () => {
  const shown = (c) => c.entries().find(([k]) => k === 'notify-keyspace-events')[1];
  const c = Config.parseText('notify-keyspace-events : Ex$\n', 'pika.conf');
  assert.is(c.str('notify-keyspace-events'), 'Ex$');
  assert.is(shown(c), '$xE');
  c.set('notify-keyspace-events', 'KAn');
  assert.is(shown(c), 'AK');
  assert.is(c.str('notify-keyspace-events'), 'KAn');
  c.set('notify-keyspace-events', '');
  assert.is(shown(c), '');
  throwsConfig(() => c.set('notify-keyspace-events', 'K E'), /^Invalid event class character\. Use 'Ag\$lshzxeKEtmdn'\.$/);
  throwsConfig(() => Config.parseText('\nnotify-keyspace-events : KEw\n', 'pika.conf'), /^pika\.conf:2: Invalid event class/);
  assert.not.ok(isRedisOnlyKey('notify-keyspace-events'));
});

test('entries lists every key once', () => {
  const c = new Config();
  const keys = c.entries().map(([k]) => k);
  assert.equal([...keys].sort(), [...CONFIG_KEYS].sort());
});

test('rewrite: keeps comments and order, updates in place, appends changed keys', () => {
  const original = [
    '# Pika config',
    '# second comment line',
    '',
    'port : 9221',
    '',
    '# logging',
    'loglevel : info',
    'this line has no colon and is kept',
    'mystery-key : stays',
    '  # indented comment',
    'maxclients : 100',
    '',
    '',
  ].join('\n');
  const t = tmpFile(original);
  try {
    // the file has lines Config.load refuses; build the config from its valid part
    const c = Config.parseText('port : 9221\nloglevel : info\nmaxclients : 100\n', t.file);
    c.set('loglevel', 'debug');
    c.set('timeout', '300');
    c.set('requirepass', 'secret');
    c.set('port', '7777', true);
    c.rewrite(t.file);
    const lines = fs.readFileSync(t.file, 'utf8').split('\n');
    assert.equal(lines, [
      '# Pika config',
      '# second comment line',
      '',
      'port : 7777',
      '',
      '# logging',
      'loglevel : debug',
      'this line has no colon and is kept',
      'mystery-key : stays',
      '  # indented comment',
      'maxclients : 100',
      // appended in the schema's order
      'requirepass : secret',
      'timeout : 300',
      '',
    ]);
    // no temp file left behind
    assert.equal(fs.readdirSync(t.dir), ['pika.conf']);
  } finally {
    t.cleanup();
  }
});

test('rewrite: the result loads back to the same values; a second rewrite is stable', () => {
  const t = tmpFile('# top\nport : 9221\nproto-max-bulk-len : 512mb\n');
  try {
    const c = Config.load(t.file);
    c.set('proto-max-bulk-len', '1gb');
    c.set('slowlog-max-len', '5');
    c.set('bind', '0.0.0.0', true);
    c.rewrite(t.file);
    const first = fs.readFileSync(t.file, 'utf8');
    assert.ok(first.startsWith('# top\nport : 9221\nproto-max-bulk-len : 1gb\n'), first);
    const back = Config.load(t.file);
    assert.is(back.num('proto-max-bulk-len'), GB);
    assert.is(back.num('slowlog-max-len'), 5);
    assert.is(back.str('bind'), '0.0.0.0');
    back.rewrite(t.file);
    assert.is(fs.readFileSync(t.file, 'utf8'), first);
  } finally {
    t.cleanup();
  }
});

test('rewrite: creates a missing file with only the changed keys', () => {
  const t = tmpFile();
  try {
    const c = new Config();
    c.set('maxclients', '42');
    c.rewrite(t.file);
    assert.is(fs.readFileSync(t.file, 'utf8'), 'maxclients : 42\n');
  } finally {
    t.cleanup();
  }
});

test.run();
