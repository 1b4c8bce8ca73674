// Connection and server commands: PING ECHO SELECT QUIT HELLO AUTH INFO CONFIG COMMAND
// CLIENT TIME SLOWLOG DEBUG SHUTDOWN, unknown commands and maxclients.
'use strict';

const assert = require('assert');
const fs = require('fs');
const { suite } = require('uvu');
const { TARGET, useNode, client, rejects, sleep, parseInfo, redisCli, RawConn, rawRequest, plain, alive, startNode, stopAll, closeClients, ERRORS } = require('./helpers');
const { arity, NOT_INT } = ERRORS;

const pikaOnly = TARGET === 'pika';

// ---------------------------------------------------------------------------------------------
const test = suite('server');
const h = useNode(test);
const r = () => h.redis;

test('PING ECHO', async () => {
  assert.strictEqual(await r().ping(), 'PONG');
  assert.strictEqual(await r().ping('hello'), 'hello');
  await rejects(r().call('ping', 'a', 'b'), arity('ping'));
  assert.strictEqual(await r().echo('hi there'), 'hi there');
  const bin = Buffer.from([0, 13, 10, 255]);
  assert.ok((await r().echoBuffer(bin)).equals(bin));
  await rejects(r().call('echo'), arity('echo'));
  await rejects(r().call('echo', 'a', 'b'), arity('echo'));
  assert.strictEqual(redisCli(h.node.port, 'PING'), 'PONG');
  assert.strictEqual(redisCli(h.node.port, 'ECHO', 'from cli'), 'from cli');
  const raw = await rawRequest(h.node.port, 'PING\r\n');
  assert.strictEqual(raw.text, '+PONG\r\n');
});

test('SELECT', async () => {
  const c = client(h.node.port);
  try {
    assert.strictEqual(await c.select(15), 'OK');
    await rejects(c.select(16), 'ERR DB index is out of range');
    await rejects(c.select(-1), 'ERR DB index is out of range');
    await rejects(c.call('select', 'abc'), NOT_INT);
    await rejects(c.call('select'), arity('select'));
    await c.set('in15', 'x');
    assert.strictEqual(await c.dbsize(), 1);
    assert.strictEqual(await r().get('in15'), null);
    await c.del('in15');
  } finally {
    c.disconnect();
  }
});

test('QUIT answers OK and closes the connection', async () => {
  const c = await RawConn.open(h.node.port);
  await c.write('QUIT\r\n');
  await c.waitClose();
  assert.strictEqual(c.text(), '+OK\r\n');
});

test('QUIT: commands pipelined after it are not executed', async () => {
  await r().del('q');
  const c = await RawConn.open(h.node.port);
  await c.write('SET q 1\r\nQUIT\r\nSET q 2\r\n');
  await c.waitClose();
  assert.strictEqual(c.text(), '+OK\r\n+OK\r\n');
  assert.strictEqual(await r().get('q'), '1');
});

test('HELLO', async () => {
  const c = client(h.node.port);
  try {
    const id = await c.client('ID');
    const reply = await c.call('hello', '2');
    const map = {};
    for (let i = 0; i < reply.length; i += 2) map[reply[i]] = reply[i + 1];
    assert.strictEqual(map.server, 'redis');
    assert.match(map.version, /^7\.\d+\.\d+$/);
    assert.strictEqual(map.proto, 2);
    assert.strictEqual(map.id, id);
    assert.strictEqual(map.mode, 'standalone');
    assert.strictEqual(map.role, 'master');
    assert.deepStrictEqual(map.modules, []);
    const bare = await c.call('hello');
    assert.strictEqual(bare[bare.indexOf('proto') + 1], 2);
    await c.call('hello', '2', 'SETNAME', 'hello-name');
    assert.strictEqual(await c.client('GETNAME'), 'hello-name');
    await rejects(c.call('hello', '4'), 'NOPROTO unsupported protocol version');
    await rejects(c.call('hello', 'abc'), 'ERR Protocol version is not an integer or out of range');
    assert.strictEqual(await c.ping(), 'PONG', 'still RESP2 after the failed HELLOs');
  } finally {
    c.disconnect();
  }
});

test('AUTH without a password configured', async () => {
  await rejects(
    r().call('auth', 'foo'),
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  );
});

test('INFO sections', async () => {
  const all = await r().info();
  for (const section of ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Keyspace']) assert.match(all, new RegExp(`^# ${section}\\r?$`, 'm'), section);

  const server = parseInfo(await r().info('server'));
  assert.match(server.redis_version, /^7\./);
  assert.strictEqual(Number(server.process_id), h.node.pid);
  assert.strictEqual(Number(server.tcp_port), h.node.port);
  assert.match(server.uptime_in_seconds, /^\d+$/);
  assert.strictEqual((await r().info('server')).includes('# Clients'), false, 'INFO server shows one section');

  const clients = parseInfo(await r().info('clients'));
  assert.ok(Number(clients.connected_clients) >= 1);

  const memory = parseInfo(await r().info('memory'));
  assert.ok(Number(memory.used_memory) > 0);

  const persistence = parseInfo(await r().info('persistence'));
  assert.strictEqual(persistence.loading, '0');

  await r().set('info:hit', 'v');
  const before = parseInfo(await r().info('stats'));
  for (const f of ['total_commands_processed', 'keyspace_hits', 'keyspace_misses', 'total_connections_received']) assert.match(before[f], /^\d+$/, f);
  for (let i = 0; i < 3; i++) await r().get('info:hit');
  for (let i = 0; i < 2; i++) await r().get('info:miss');
  const after = parseInfo(await r().info('stats'));
  assert.ok(Number(after.keyspace_hits) - Number(before.keyspace_hits) >= 3, 'keyspace_hits grows');
  assert.ok(Number(after.keyspace_misses) - Number(before.keyspace_misses) >= 2, 'keyspace_misses grows');
  assert.ok(Number(after.total_commands_processed) - Number(before.total_commands_processed) >= 5, 'total_commands_processed grows');

  assert.match(await r().info('keyspace'), /^db0:keys=\d+,expires=\d+/m);
  assert.ok((await r().info('all')).includes('# Stats'));
  await r().del('info:hit');
});

test('INFO with several sections (Redis 7.0)', async () => {
  const text = await r().call('info', 'server', 'clients');
  assert.match(text, /^# Server\r?$/m);
  assert.match(text, /^# Clients\r?$/m);
  assert.doesNotMatch(text, /^# Memory\r?$/m);
  assert.strictEqual(await r().call('info', 'nosuchsection'), '');
});

test('INFO rdb_changes_since_last_save counts writes that changed data; SAVE starts it again', async () => {
  const changes = async () => Number(parseInfo(await r().info('persistence')).rdb_changes_since_last_save);
  await r().save();
  assert.strictEqual(await changes(), 0);
  await r().set('dirty:k', 'v');
  await r().setbit('dirty:b', 0, 1);
  assert.strictEqual(await changes(), 2);
  // nothing changed: an unset bit cleared, a missing key deleted, a bit set again
  await r().setbit('dirty:b', 1, 0);
  await r().del('dirty:missing');
  await r().setbit('dirty:b', 0, 1);
  assert.strictEqual(await changes(), 2);
  await r().incr('dirty:n');
  assert.strictEqual(await changes(), 3);
  await r().save();
  assert.strictEqual(await changes(), 0);
});

if (pikaOnly) {
  test('INFO pika', async () => {
    const text = await r().info('pika');
    assert.match(text, /^# Pika\r?$/m);
    const pika = parseInfo(text);
    assert.strictEqual(pika.workers, '2');
    assert.match(pika.slots_open, /^\d+$/);
    assert.match(pika.queue_depth, /^w0=\d+,w1=\d+$/);
    // every command a worker ran was in a batch: 200 pipelined GETs add batches and commands
    const counts = (p, field) => p[field].split(',').map((kv) => Number(kv.split('=')[1]));
    const batches = counts(pika, 'worker_batches');
    const pipe = r().pipeline();
    for (let i = 0; i < 200; i++) pipe.get(`batch:${i}`);
    await pipe.exec();
    const after = parseInfo(await r().info('pika'));
    const more = counts(after, 'worker_batches').map((n, i) => n - batches[i]);
    assert.ok(more.every((n) => n >= 1), `batches ${more}`);
    assert.ok(counts(after, 'worker_commands_per_batch').every((n) => n >= 1));
    assert.match(after.worker_sleeps, /^w0=\d+,w1=\d+$/);
  });
}

test('CONFIG GET SET RESETSTAT', async () => {
  assert.deepStrictEqual(await r().config('GET', 'timeout'), ['timeout', '0']);
  const pairs = await r().config('GET', 'slowlog-*');
  const got = {};
  for (let i = 0; i < pairs.length; i += 2) got[pairs[i]] = pairs[i + 1];
  assert.strictEqual(got['slowlog-log-slower-than'], '10000');
  assert.strictEqual(got['slowlog-max-len'], '128');
  assert.deepStrictEqual(await r().config('GET', 'no-such-option'), []);
  const two = await r().call('config', 'get', 'timeout', 'maxclients');
  assert.strictEqual(two.length, 4);

  assert.strictEqual(await r().config('SET', 'timeout', '77'), 'OK');
  assert.deepStrictEqual(await r().config('GET', 'timeout'), ['timeout', '77']);
  assert.strictEqual(await r().call('config', 'set', 'timeout', '0', 'slowlog-max-len', '64'), 'OK');
  assert.deepStrictEqual(await r().config('GET', 'slowlog-max-len'), ['slowlog-max-len', '64']);
  await r().config('SET', 'slowlog-max-len', '128');
  await rejects(r().config('SET', 'timeout', 'abc'), /^ERR CONFIG SET failed \(possibly related to argument 'timeout'\) - /);
  await rejects(r().config('SET', 'no-such-option', '1'), "ERR Unknown option or number of arguments for CONFIG SET - 'no-such-option'");
  assert.deepStrictEqual(await r().config('GET', 'timeout'), ['timeout', '0']);
  await rejects(r().config('REWRITE'), 'ERR The server is running without a config file');

  for (let i = 0; i < 20; i++) await r().ping();
  assert.ok(Number(parseInfo(await r().info('stats')).total_commands_processed) >= 20);
  assert.strictEqual(await r().config('RESETSTAT'), 'OK');
  const stats = parseInfo(await r().info('stats'));
  assert.ok(Number(stats.total_commands_processed) <= 3, `total_commands_processed ${stats.total_commands_processed} after RESETSTAT`);
  assert.strictEqual(stats.keyspace_misses, '0');
  assert.strictEqual(stats.keyspace_hits, '0');
  assert.strictEqual(stats.expired_keys, '0');
});

test('COMMAND COUNT INFO DOCS GETKEYS', async () => {
  const count = await r().command('COUNT');
  assert.ok(Number.isInteger(count) && count > 20, `COMMAND COUNT ${count}`);
  const everything = await r().command();
  assert.strictEqual(everything.length, count);
  const [get] = await r().command('INFO', 'get');
  assert.deepStrictEqual(get.slice(0, 2), ['get', 2]);
  assert.ok(get[2].includes('readonly') && get[2].includes('fast'), `flags ${get[2]}`);
  assert.deepStrictEqual(get.slice(3, 6), [1, 1, 1]);
  const [mset] = await r().command('INFO', 'MSET');
  assert.deepStrictEqual(mset.slice(0, 2), ['mset', -3]);
  assert.deepStrictEqual(mset.slice(3, 6), [1, -1, 2]);
  assert.deepStrictEqual(await r().command('INFO', 'no-such-command'), [null]);

  const docs = await r().command('DOCS', 'get');
  assert.strictEqual(docs[0], 'get');
  const fields = docs[1];
  assert.strictEqual(fields[fields.indexOf('summary') + 1], 'Get the value of a key');
  assert.strictEqual(fields[fields.indexOf('group') + 1], 'string');

  assert.deepStrictEqual(await r().command('GETKEYS', 'SET', 'k', 'v'), ['k']);
  assert.deepStrictEqual(await r().command('GETKEYS', 'MSET', 'a', '1', 'b', '2'), ['a', 'b']);
  assert.deepStrictEqual(await r().command('GETKEYS', 'RENAME', 'x', 'y'), ['x', 'y']);
  await rejects(r().command('GETKEYS', 'PING', 'x'), 'ERR The command has no key arguments');
  await rejects(r().command('GETKEYS', 'nosuch', 'a'), 'ERR Invalid command specified');
  await rejects(r().command('GETKEYS', 'GET', 'a', 'b'), 'ERR Invalid number of arguments specified for command');
});

test('CLIENT SETNAME GETNAME ID INFO LIST', async () => {
  const c = client(h.node.port);
  try {
    assert.strictEqual(await c.client('GETNAME'), null);
    assert.strictEqual(await c.client('SETNAME', 'conn-a'), 'OK');
    assert.strictEqual(await c.client('GETNAME'), 'conn-a');
    await rejects(c.client('SETNAME', 'a b'), 'ERR Client names cannot contain spaces, newlines or special characters.');
    await rejects(c.client('SETNAME', 'a\nb'), 'ERR Client names cannot contain spaces, newlines or special characters.');
    assert.strictEqual(await c.client('GETNAME'), 'conn-a');
    const id = await c.client('ID');
    assert.ok(Number.isInteger(id) && id > 0);
    assert.notStrictEqual(await r().client('ID'), id);

    const info = await c.client('INFO');
    assert.match(info, new RegExp(`^id=${id} addr=127\\.0\\.0\\.1:\\d+ .*\\bname=conn-a\\b.*\\bdb=0\\b`));
    assert.ok(info.endsWith('\n'));

    const list = await r().client('LIST');
    const lines = list.split('\n').filter(Boolean);
    assert.ok(lines.length >= 2);
    const mine = lines.filter((l) => l.startsWith(`id=${id} `));
    assert.strictEqual(mine.length, 1);
    assert.match(mine[0], /\bname=conn-a\b/);
    const byId = (await r().client('LIST', 'ID', String(id))).split('\n').filter(Boolean);
    assert.strictEqual(byId.length, 1);
    assert.ok(byId[0].startsWith(`id=${id} `));

    await c.client('SETNAME', '');
    assert.strictEqual(await c.client('GETNAME'), null, 'an empty name clears it');
  } finally {
    c.disconnect();
  }
});

test('CLIENT KILL', async () => {
  const victim = await RawConn.open(h.node.port);
  assert.strictEqual(plain(await victim.call('CLIENT', 'SETNAME', 'victim1')), 'OK');
  const id = (await victim.call('CLIENT', 'ID'));
  assert.strictEqual(await r().client('KILL', 'ID', String(id)), 1);
  await victim.waitClose();
  assert.strictEqual(await r().client('KILL', 'ID', String(id)), 0);

  const victim2 = await RawConn.open(h.node.port);
  await victim2.call('CLIENT', 'SETNAME', 'victim2');
  const line = (await r().client('LIST')).split('\n').find((l) => /\bname=victim2\b/.test(l));
  assert.ok(line, 'victim2 listed');
  const addr = /\baddr=(\S+)/.exec(line)[1];
  assert.strictEqual(await r().client('KILL', addr), 'OK');
  await victim2.waitClose();
  await rejects(r().client('KILL', '1.2.3.4:5'), 'ERR No such client');
  assert.strictEqual(await r().ping(), 'PONG');
});

test('TIME', async () => {
  const [sec, usec] = await r().time();
  assert.match(sec, /^\d+$/);
  assert.match(usec, /^\d+$/);
  assert.ok(Number(usec) < 1e6);
  assert.ok(Math.abs(Number(sec) - Date.now() / 1000) < 60, `TIME ${sec} vs local clock`);
  await rejects(r().call('time', 'x'), arity('time'));
});

test('SLOWLOG', async () => {
  await r().config('SET', 'slowlog-log-slower-than', '0');
  try {
    await r().slowlog('RESET');
    await r().set('slowkey', 'slowvalue');
    await r().set('slowlong', 'x'.repeat(200));
    await r().del(...Array.from({ length: 40 }, (_, i) => `many:${i}`));
    const entries = await r().slowlog('GET', '100');
    assert.ok(entries.length >= 3, `${entries.length} entries`);
    assert.ok((await r().slowlog('LEN')) >= 3);
    const ids = entries.map((e) => e[0]);
    assert.deepStrictEqual([...ids].sort((a, b) => b - a), ids, 'newest first');
    const set = entries.find((e) => e[3][1] === 'slowkey');
    assert.ok(set, 'SET slowkey logged');
    const [id, time, micros, args, addr, name] = set;
    assert.ok(Number.isInteger(id) && id >= 0);
    assert.ok(Math.abs(time - Date.now() / 1000) < 60);
    assert.ok(Number.isInteger(micros) && micros >= 0);
    assert.deepStrictEqual(args.map((a) => a.toLowerCase()), ['set', 'slowkey', 'slowvalue']);
    assert.match(addr, /^127\.0\.0\.1:\d+$/);
    assert.strictEqual(name, '');
    const long = entries.find((e) => e[3][1] === 'slowlong');
    assert.strictEqual(long[3][2], `${'x'.repeat(128)}... (72 more bytes)`);
    const many = entries.find((e) => e[3][1] === 'many:0');
    assert.strictEqual(many[3].length, 32);
    assert.strictEqual(many[3][31], '... (10 more arguments)');
    assert.strictEqual((await r().slowlog('GET', '1')).length, 1);
  } finally {
    await r().config('SET', 'slowlog-log-slower-than', '1000000');
  }
  assert.strictEqual(await r().slowlog('RESET'), 'OK');
  assert.strictEqual(await r().slowlog('LEN'), 0);
  assert.deepStrictEqual(await r().slowlog('GET'), []);
  await r().config('SET', 'slowlog-log-slower-than', '10000');
});

test('DEBUG LOG', async () => {
  assert.strictEqual(await r().call('debug', 'log', 'hello from the tests'), 'OK');
});

test('unknown command', async () => {
  await rejects(r().call('foo', 'a'), "ERR unknown command 'foo', with args beginning with: 'a' ");
  await rejects(r().call('foo'), "ERR unknown command 'foo', with args beginning with: ");
  await rejects(r().call('foo', 'a', 'b c'), "ERR unknown command 'foo', with args beginning with: 'a' 'b c' ");
  const raw = await rawRequest(h.node.port, 'foo a\r\n');
  assert.strictEqual(raw.text, "-ERR unknown command 'foo', with args beginning with: 'a' \r\n");
  assert.strictEqual(await r().ping(), 'PONG');
});

test('unknown command: the arguments shown stop after 128 characters', async () => {
  const args = Array.from({ length: 30 }, () => 'abcdefghij');
  await rejects(r().call('foo', ...args), `ERR unknown command 'foo', with args beginning with: ${"'abcdefghij' ".repeat(10)}`);
  // one long argument is cut to the room left
  await rejects(r().call('foo', 'a'.repeat(200)), `ERR unknown command 'foo', with args beginning with: '${'a'.repeat(128)}' `);
  await rejects(r().call('foo', 'abc', 'x'.repeat(200)), `ERR unknown command 'foo', with args beginning with: 'abc' '${'x'.repeat(122)}' `);
  // newlines become spaces, one for one
  await rejects(r().call('foo', 'a\r\nb'), "ERR unknown command 'foo', with args beginning with: 'a  b' ");
});

test('container commands answer Redis 7.0 subcommand errors', async () => {
  await rejects(r().call('config', 'foo'), "ERR unknown subcommand 'foo'. Try CONFIG HELP.");
  await rejects(r().call('config', 'get'), "ERR wrong number of arguments for 'config|get' command");
  await rejects(r().call('config', 'set', 'timeout'), "ERR wrong number of arguments for 'config|set' command");
  await rejects(r().call('client', 'foo'), "ERR unknown subcommand 'foo'. Try CLIENT HELP.");
  await rejects(r().call('client', 'getname', 'x'), "ERR wrong number of arguments for 'client|getname' command");
  await rejects(r().call('slowlog', 'foo'), "ERR unknown subcommand 'foo'. Try SLOWLOG HELP.");
  await rejects(r().call('command', 'foo'), "ERR unknown subcommand 'foo'. Try COMMAND HELP.");
  await rejects(r().call('command', 'getkeys', 'get'), "ERR wrong number of arguments for 'command|getkeys' command");
  await rejects(r().call('command', 'count', 'x'), "ERR wrong number of arguments for 'command|count' command");
  await rejects(r().call('object', 'help', 'x'), "ERR wrong number of arguments for 'object|help' command");
  await rejects(r().call('function', 'foo'), "ERR unknown subcommand 'foo'. Try FUNCTION HELP.");
  await rejects(r().call('config'), arity('config'));
  // DEBUG is no container in Redis 7.0: it keeps the older text
  await rejects(r().call('debug', 'foo'), "ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.");
  // arguments of a known subcommand that its handler refuses
  await rejects(r().call('slowlog', 'get', '1', '2'), "ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.");
  // HELP answers status lines, as Redis's addReplyHelp
  const help = await r().call('object', 'help');
  assert.strictEqual(help[0], 'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  assert.deepStrictEqual(help.slice(-2), ['HELP', '    Prints this help.']);
  assert.strictEqual((await r().call('config', 'help'))[1], 'GET <pattern>');
});

test('argument checks of server commands (Redis 7.0)', async () => {
  await rejects(r().client('KILL', 'ID', '0'), 'ERR client-id should be greater than 0');
  await rejects(r().client('KILL', 'ID', 'abc'), 'ERR client-id should be greater than 0');
  await rejects(r().client('KILL', 'SKIPME', 'maybe', 'ID', '5'), 'ERR syntax error');
  await rejects(r().call('config', 'set', 'timeout', '1', 'timeout', '2'), "ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate parameter");
  await rejects(r().call('config', 'set', 'timeout', '1', 'maxclients'), 'ERR syntax error');
  // all or nothing: a bad value leaves the parameters before it unchanged
  await rejects(r().call('config', 'set', 'timeout', '5', 'maxclients', 'abc'), /^ERR CONFIG SET failed \(possibly related to argument 'maxclients'\)/);
  assert.deepStrictEqual(await r().config('GET', 'timeout'), ['timeout', '0']);
  await rejects(r().call('hello', '2.0'), 'ERR Protocol version is not an integer or out of range');
  await rejects(r().slowlog('GET', '-2'), 'ERR count should be greater than or equal to -1');
  await rejects(r().slowlog('GET', 'abc'), 'ERR count should be greater than or equal to -1');
  assert.ok(Array.isArray(await r().slowlog('GET', '-1')));
  await rejects(r().call('function', 'flush', 'x'), 'ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  await rejects(r().call('function', 'list', 'x'), 'ERR Unknown argument x');
});

test.run();

// ---------------------------------------------------------------------------------------------
const auth = suite('server: AUTH with --requirepass');
const ha = useNode(auth, { args: ['--requirepass', 's3cret'], clientOptions: { password: 's3cret' } });

auth('commands before AUTH answer NOAUTH', async () => {
  const c = await RawConn.open(ha.node.port);
  try {
    await c.write('GET k\r\n');
    assert.strictEqual(plain(await c.reply()), '-NOAUTH Authentication required.');
    assert.strictEqual(plain(await c.call('SET', 'k', 'v')), '-NOAUTH Authentication required.');
    assert.strictEqual(plain(await c.call('PING')), '-NOAUTH Authentication required.');
    assert.strictEqual(plain(await c.call('AUTH', 'wrong')), '-WRONGPASS invalid username-password pair or user is disabled.');
    assert.strictEqual(plain(await c.call('GET', 'k')), '-NOAUTH Authentication required.');
    assert.strictEqual(plain(await c.call('AUTH', 's3cret')), 'OK');
    assert.strictEqual(plain(await c.call('GET', 'k')), null);
    assert.strictEqual(plain(await c.call('PING')), 'PONG');
  } finally {
    c.close();
  }
  assert.ok(c.text().startsWith('-NOAUTH Authentication required.\r\n'));
});

auth('AUTH default <password> and wrong users', async () => {
  const c = await RawConn.open(ha.node.port);
  try {
    assert.strictEqual(plain(await c.call('AUTH', 'bob', 's3cret')), '-WRONGPASS invalid username-password pair or user is disabled.');
    assert.strictEqual(plain(await c.call('AUTH', 'default', 'wrong')), '-WRONGPASS invalid username-password pair or user is disabled.');
    assert.strictEqual(plain(await c.call('AUTH', 'default', 's3cret')), 'OK');
    assert.strictEqual(plain(await c.call('ECHO', 'in')), 'in');
    assert.strictEqual(plain(await c.call('AUTH', 'a', 'b', 'c')), '-ERR syntax error');
  } finally {
    c.close();
  }
});

auth('HELLO AUTH, ioredis password, redis-cli -a', async () => {
  const c = await RawConn.open(ha.node.port);
  try {
    const noauth = plain(await c.call('HELLO', '2'));
    assert.match(noauth, /^-NOAUTH HELLO must be called with the client already authenticated/);
    const hello = plain(await c.call('HELLO', '2', 'AUTH', 'default', 's3cret'));
    assert.ok(Array.isArray(hello) && hello[0] === 'server');
    assert.strictEqual(plain(await c.call('PING')), 'PONG');
  } finally {
    c.close();
  }
  assert.strictEqual(await ha.redis.set('viaioredis', '1'), 'OK');
  assert.strictEqual(redisCli(ha.node.port, '-a', 's3cret', '--no-auth-warning', 'GET', 'viaioredis'), '1');
  assert.match(redisCli(ha.node.port, 'GET', 'viaioredis'), /NOAUTH Authentication required/);
});

auth('CONFIG SET requirepass applies to new connections', async () => {
  const before = await RawConn.open(ha.node.port);
  try {
    assert.strictEqual(plain(await before.call('GET', 'x')), '-NOAUTH Authentication required.');
    await ha.redis.config('SET', 'requirepass', '');
    const c = await RawConn.open(ha.node.port);
    assert.strictEqual(plain(await c.call('PING')), 'PONG');
    c.close();
  } finally {
    await ha.redis.config('SET', 'requirepass', 's3cret');
    before.close();
  }
  const after = await RawConn.open(ha.node.port);
  assert.strictEqual(plain(await after.call('PING')), '-NOAUTH Authentication required.');
  after.close();
});

auth.run();

// ---------------------------------------------------------------------------------------------
if (pikaOnly) {
  const conf = suite('server: CONFIG REWRITE of pika.conf');
  const CONF = [
    '# pika test configuration',
    '# keep this comment: it documents the timeout',
    'timeout : 0',
    '',
    '   # an indented comment',
    'slowlog-max-len : 64',
    '# trailing comment',
    '',
  ].join('\n');
  const hc = useNode(conf, { config: CONF });

  conf('values of the file are in effect', async () => {
    assert.deepStrictEqual(await hc.redis.config('GET', 'slowlog-max-len'), ['slowlog-max-len', '64']);
    assert.deepStrictEqual(await hc.redis.config('GET', 'timeout'), ['timeout', '0']);
    assert.strictEqual(parseInfo(await hc.redis.info('server')).config_file, hc.node.configFile);
  });

  conf('CONFIG SET timeout 77 then REWRITE keeps the comments', async () => {
    assert.strictEqual(await hc.redis.config('SET', 'timeout', '77'), 'OK');
    assert.strictEqual(await hc.redis.config('REWRITE'), 'OK');
    const text = fs.readFileSync(hc.node.configFile, 'utf8');
    const lines = text.split('\n');
    for (const comment of ['# pika test configuration', '# keep this comment: it documents the timeout', '   # an indented comment', '# trailing comment']) {
      assert.ok(lines.includes(comment), `comment ${JSON.stringify(comment)} kept in:\n${text}`);
    }
    assert.ok(lines.includes('timeout : 77'), `timeout : 77 in:\n${text}`);
    assert.ok(!lines.includes('timeout : 0'));
    assert.strictEqual(lines.filter((l) => /^timeout\s*:/.test(l)).length, 1);
    assert.ok(lines.indexOf('timeout : 77') < lines.indexOf('slowlog-max-len : 64'), 'rewritten in place');
  });

  conf('the rewritten file starts the node again', async () => {
    await hc.node.restart();
    const c = client(hc.node.port);
    try {
      assert.deepStrictEqual(await c.config('GET', 'timeout'), ['timeout', '77']);
      assert.deepStrictEqual(await c.config('GET', 'slowlog-max-len'), ['slowlog-max-len', '64']);
    } finally {
      c.disconnect();
    }
  });

  conf.run();
}

// ---------------------------------------------------------------------------------------------
const maxc = suite('server: maxclients');
const hm = { node: null, error: null };
maxc.before(async () => {
  try {
    hm.node = await startNode({ config: 'maxclients : 2\n' });
  } catch (e) {
    hm.error = e;
  }
});
maxc.before.each(() => {
  if (hm.error) throw hm.error;
});
maxc.after(async () => {
  closeClients();
  await stopAll();
});

/** Waits until the node counts exactly `n` connected clients, as seen from `conn`. */
async function waitClients(conn, n) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const list = plain(await conn.call('CLIENT', 'LIST'));
    const count = list.split('\n').filter(Boolean).length;
    if (count === n) return;
    if (Date.now() > deadline) throw new Error(`expected ${n} clients, CLIENT LIST shows ${count}:\n${list}`);
    await sleep(50);
  }
}

maxc('the third client gets an error and is closed', async () => {
  const c1 = await RawConn.open(hm.node.port);
  const conns = [c1];
  try {
    assert.strictEqual(plain(await c1.call('PING')), 'PONG');
    await waitClients(c1, 1); // the start-up probe has gone
    const c2 = await RawConn.open(hm.node.port);
    conns.push(c2);
    assert.strictEqual(plain(await c2.call('PING')), 'PONG');
    const c3 = await RawConn.open(hm.node.port);
    conns.push(c3);
    await c3.write('PING\r\n');
    await c3.waitClose();
    assert.strictEqual(c3.text(), '-ERR max number of clients reached\r\n');
    assert.strictEqual(plain(await c1.call('PING')), 'PONG', 'the others keep working');
    assert.strictEqual(plain(await c2.call('PING')), 'PONG');
    c2.close();
    await waitClients(c1, 1);
    const c4 = await RawConn.open(hm.node.port);
    conns.push(c4);
    assert.strictEqual(plain(await c4.call('PING')), 'PONG', 'a slot freed up');
    const stats = parseInfo(plain(await c1.call('INFO', 'stats')));
    assert.ok(Number(stats.rejected_connections) >= 1, `rejected_connections ${stats.rejected_connections}`);

    // CONFIG SET maxclients takes effect at once
    assert.strictEqual(plain(await c1.call('CONFIG', 'SET', 'maxclients', '3')), 'OK');
    const c5 = await RawConn.open(hm.node.port);
    conns.push(c5);
    assert.strictEqual(plain(await c5.call('PING')), 'PONG', 'third client accepted with maxclients 3');
    const c6 = await RawConn.open(hm.node.port);
    conns.push(c6);
    await c6.write('PING\r\n');
    await c6.waitClose();
    assert.strictEqual(c6.text(), '-ERR max number of clients reached\r\n');
  } finally {
    for (const c of conns) c.close();
  }
});

maxc.run();

// ---------------------------------------------------------------------------------------------
const idle = suite('server: timeout closes idle clients');
const hi = useNode(idle, { config: 'timeout : 1\n' });

idle('an idle client is closed, a busy one is not', async () => {
  const quiet = await RawConn.open(hi.node.port);
  const busy = await RawConn.open(hi.node.port);
  try {
    const started = Date.now();
    while (!quiet.closed && Date.now() - started < 15_000) {
      assert.strictEqual(plain(await busy.call('PING')), 'PONG');
      await sleep(200);
    }
    assert.strictEqual(quiet.closed, true, 'the idle client was closed');
    assert.strictEqual(quiet.text(), '');
    assert.strictEqual(busy.closed, false, 'the busy client stays');
    assert.strictEqual(plain(await busy.call('CONFIG', 'SET', 'timeout', '0')), 'OK');
    const later = await RawConn.open(hi.node.port);
    await sleep(2500);
    assert.strictEqual(later.closed, false, 'timeout 0 closes nobody');
    assert.strictEqual(plain(await later.call('PING')), 'PONG');
    later.close();
  } finally {
    quiet.close();
    busy.close();
  }
});

idle.run();

// ---------------------------------------------------------------------------------------------
const down = suite('server: SHUTDOWN');
const hd = useNode(down);

down('SHUTDOWN stops the process with exit code 0; CONFIG SET loglevel reached the workers', async () => {
  assert.strictEqual(await hd.redis.config('SET', 'loglevel', 'warn'), 'OK');
  await hd.redis.set('k', 'v');
  const pid = hd.node.pid;
  const c = await RawConn.open(hd.node.port);
  await c.write('SHUTDOWN\r\n');
  await c.waitClose(20_000);
  const exit = await hd.node.waitExit();
  assert.deepStrictEqual(exit, { code: 0, signal: null }, hd.node.output());
  assert.strictEqual(alive(pid), false);
  assert.match(c.text(), /^(\+OK\r\n)?$/);
  // a worker says at info level that it closed its slots; at warn it says nothing
  assert.doesNotMatch(hd.node.output(), /:W\d .* closed its slots cleanly/);
});

down.run();
