// Who may do what: requirepass (admin), userpass and userblacklist (Pika's user), clients
// without any password configured, and Redis's protected mode.
'use strict';

const assert = require('assert');
const fs = require('fs');
const { suite } = require('uvu');
const { TARGET, useNode, client, rejects, parseInfo, RawConn, plain, sleep, rawRequest, encode } = require('./helpers');

const pikaOnly = TARGET === 'pika';
const NOPERM_CMD = (c) => `NOPERM this user has no permissions to run the '${c}' command`;
const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';
const NOAUTH = 'NOAUTH Authentication required.';

/** What pika sends a client refused by protected mode; run with PIKA_TEST_TARGET=redis, the
 * same test checks that Redis 7.0 sends exactly this text. */
const { DENIED_PROTECTED: DENIED } = require('../../dist/dispatch/access');

// ---------------------------------------------------------------------------------------------
const users = suite('access: requirepass, userpass and userblacklist');
const hu = useNode(users, {
  config: 'requirepass : admin-pw\nuserpass : user-pw\nuserblacklist : keys, FLUSHDB,config|help\n',
  clientOptions: { password: 'admin-pw' },
});

users('the user password opens data commands minus the blacklist and admin commands', async () => {
  const u = client(hu.node.port, { password: 'user-pw' });
  assert.strictEqual(await u.set('k', 'v'), 'OK');
  assert.strictEqual(await u.get('k'), 'v');
  assert.strictEqual(await u.select(3), 'OK');
  assert.strictEqual(await u.dbsize(), 0);
  await rejects(u.keys('*'), NOPERM_CMD('keys'));
  await rejects(u.flushdb(), NOPERM_CMD('flushdb'));
  await rejects(u.config('HELP'), NOPERM_CMD('config|help'));
  await rejects(u.config('GET', 'port'), NOPERM_CMD('config|get'));
  await rejects(u.flushall(), NOPERM_CMD('flushall'));
  await rejects(u.call('pkcluster', 'info', 'table'), NOPERM_CMD('pkcluster|info'));
  await rejects(u.call('client', 'kill', 'id', '999999'), NOPERM_CMD('client|kill'));
  await rejects(u.call('slowlog', 'get'), NOPERM_CMD('slowlog|get'));
  await rejects(u.call('shutdown'), NOPERM_CMD('shutdown'));
  assert.strictEqual(await u.client('SETNAME', 'user-conn'), 'OK');
  assert.strictEqual(await u.exists('k'), 0, 'still in table 3 after the refusals');
  // the admin password opens everything
  const a = hu.redis;
  assert.ok((await a.keys('*')).includes('k'));
  assert.deepStrictEqual(await a.config('GET', 'userpass'), ['userpass', 'user-pw']);
});

users('a table password is not opened by the user password, but by the admin one', async () => {
  const a = hu.redis;
  assert.strictEqual(await a.call('pkcluster', 'tablepass', '5', 'five'), 'OK');
  const u = client(hu.node.port, { password: 'user-pw' });
  await rejects(u.select(5), 'NOPERM this user has no permissions to access table 5');
  await rejects(u.move('k', '5'), 'NOPERM this user has no permissions to access table 5');
  await rejects(a.call('pkcluster', 'tablepass', '6', 'user-pw'), /^ERR this password is already in use/);
  await rejects(a.config('SET', 'userpass', 'five'), "ERR CONFIG SET failed (possibly related to argument 'userpass') - a table already uses this password");
  await rejects(a.config('SET', 'requirepass', 'five'), "ERR CONFIG SET failed (possibly related to argument 'requirepass') - a table already uses this password");
  await a.select(5);
  assert.strictEqual(await a.set('in-five', '5'), 'OK');
  await a.select(0);
  const t = client(hu.node.port, { password: 'five' });
  assert.strictEqual(await t.get('in-five'), '5');
  // blacklisted for table clients too
  await rejects(t.keys('*'), NOPERM_CMD('keys'));
});

users('before AUTH only AUTH, HELLO and QUIT run; failed AUTH is counted and logged', async () => {
  const before = Number(parseInfo(await hu.redis.info('stats')).acl_access_denied_auth);
  const c = await RawConn.open(hu.node.port);
  try {
    assert.strictEqual(plain(await c.call('GET', 'k')), `-${NOAUTH}`);
    assert.strictEqual(plain(await c.call('PING')), `-${NOAUTH}`);
    assert.strictEqual(plain(await c.call('SHUTDOWN')), `-${NOAUTH}`);
    assert.strictEqual(plain(await c.call('AUTH', 'nope')), `-${WRONGPASS}`);
    assert.strictEqual(plain(await c.call('AUTH', 'alice', 'user-pw')), `-${WRONGPASS}`);
    assert.strictEqual(plain(await c.call('GET', 'k')), `-${NOAUTH}`);
    assert.strictEqual(plain(await c.call('AUTH', 'default', 'user-pw')), 'OK');
    assert.strictEqual(plain(await c.call('GET', 'k')), 'v');
  } finally {
    c.close();
  }
  const stats = parseInfo(await hu.redis.info('stats'));
  assert.strictEqual(Number(stats.acl_access_denied_auth), before + 2);
  assert.ok(Number(stats.acl_access_denied_cmd) > 0);
  assert.match(hu.node.output(), /failed AUTH from 127\.0\.0\.1:\d+ \(wrong password\)/);
  assert.match(hu.node.output(), /failed AUTH from 127\.0\.0\.1:\d+ \(user "alice"\)/);
});

users('RESET leaves the connection as a new one: not authenticated, table 0, RESP2, no name, MULTI, subscriptions or MONITOR', async () => {
  const c = await RawConn.open(hu.node.port);
  const call = async (...args) => plain(await c.call(...args));
  try {
    assert.strictEqual(await call('RESET'), 'RESET', 'allowed before AUTH');
    assert.strictEqual(await call('AUTH', 'admin-pw'), 'OK');
    for (const args of [['CLIENT', 'SETNAME', 'before'], ['SELECT', '3'], ['SET', 'reset:k', 'in-3'], ['MULTI']]) assert.strictEqual(await call(...args), 'OK');
    assert.strictEqual(await call('SET', 'reset:a', '1'), 'QUEUED');
    assert.strictEqual(await call('RESET'), 'RESET', 'runs at once inside MULTI');
    assert.strictEqual(await call('GET', 'reset:k'), `-${NOAUTH}`);
    assert.strictEqual(await call('AUTH', 'admin-pw'), 'OK');
    assert.strictEqual(await call('CLIENT', 'GETNAME'), null);
    assert.strictEqual(await call('GET', 'reset:k'), null, 'back in table 0');
    assert.strictEqual(await call('EXEC'), '-ERR EXEC without MULTI');
    assert.deepStrictEqual(await call('SUBSCRIBE', 'reset:ch'), ['subscribe', 'reset:ch', 1]);
    assert.strictEqual(await call('RESET'), 'RESET', 'allowed while subscribed');
    assert.strictEqual(await call('AUTH', 'admin-pw'), 'OK');
    assert.strictEqual(await call('PING'), 'PONG', 'no longer subscribed');
    assert.deepStrictEqual(await hu.redis.pubsub('NUMSUB', 'reset:ch'), ['reset:ch', 0]);
    assert.strictEqual(await call('MONITOR'), 'OK');
    assert.strictEqual(await call('RESET'), 'RESET');
    assert.strictEqual(await call('AUTH', 'admin-pw'), 'OK');
    await hu.redis.set('reset:seen', '1');
    await c.write('HELLO 3\r\n'); // a RESP3 map, past which this reader skips
    await c.waitFor(() => c.text().endsWith('modules\r\n*0\r\n'), 10_000, 'HELLO 3');
    c.pos = c.bytes().length;
    assert.strictEqual(await call('RESET'), 'RESET');
    assert.strictEqual(await call('AUTH', 'admin-pw'), 'OK');
    assert.strictEqual(c.text().includes('reset:seen'), false, 'no MONITOR line after RESET');
    // a CLIENT REPLY SKIP before RESET silences RESET's own reply, as in Redis
    await c.write('CLIENT REPLY SKIP\r\nRESET\r\nAUTH admin-pw\r\n');
    assert.strictEqual(plain(await c.reply()), 'OK');
    const info = await call('CLIENT', 'INFO');
    assert.match(info, / flags=N /);
    assert.match(info, / db=0 /);
    assert.match(info, / resp=2\n$/);
  } finally {
    c.close();
  }
  assert.strictEqual(await hu.redis.select(3), 'OK');
  assert.strictEqual(await hu.redis.exists('reset:a'), 0, 'the queued SET never ran');
  await hu.redis.del('reset:k');
  assert.strictEqual(await hu.redis.select(0), 'OK');
});

users('before AUTH a client may send at most 10 arguments of at most 16384 bytes, as in Redis', async () => {
  const big = await rawRequest(hu.node.port, encode(['AUTH', 'x'.repeat(16385)]), { until: () => false, ms: 10_000 });
  assert.strictEqual(big.text, '-ERR Protocol error: unauthenticated bulk length\r\n');
  assert.strictEqual(big.closed, true);
  const many = await rawRequest(hu.node.port, encode(['AUTH', ...Array(10).fill('a')]), { until: () => false, ms: 10_000 });
  assert.strictEqual(many.text, '-ERR Protocol error: unauthenticated multibulk length\r\n');
  assert.strictEqual(many.closed, true);
  // once authenticated, the usual bounds
  const c = await RawConn.open(hu.node.port);
  try {
    assert.strictEqual(plain(await c.call('AUTH', 'user-pw')), 'OK');
    assert.strictEqual(plain(await c.call('ECHO', 'y'.repeat(20000))).length, 20000);
    assert.strictEqual(plain(await c.call('MSET', ...Array(12).fill('k'))), 'OK');
  } finally {
    c.close();
  }
});

users('CONFIG SET changes the user password and blacklist live; CONFIG REWRITE keeps them', async () => {
  const a = hu.redis;
  assert.strictEqual(await a.config('SET', 'userblacklist', ''), 'OK');
  assert.strictEqual(await a.config('SET', 'userpass', 'user-pw-2'), 'OK');
  assert.strictEqual(await a.config('SET', 'protected-mode', 'no'), 'OK');
  const u = client(hu.node.port, { password: 'user-pw-2' });
  assert.ok(Array.isArray(await u.keys('*')), 'KEYS allowed once off the blacklist');
  const old = await RawConn.open(hu.node.port);
  assert.strictEqual(plain(await old.call('AUTH', 'user-pw')), `-${WRONGPASS}`);
  old.close();
  await rejects(a.config('SET', 'protected-mode', 'maybe'), /^ERR CONFIG SET failed \(possibly related to argument 'protected-mode'\)/);
  assert.strictEqual(await a.config('REWRITE'), 'OK');
  const lines = fs.readFileSync(hu.node.configFile, 'utf8').split('\n');
  for (const l of ['userpass : user-pw-2', 'userblacklist : ', 'protected-mode : no', 'requirepass : admin-pw']) {
    assert.ok(lines.includes(l), `${JSON.stringify(l)} in\n${lines.join('\n')}`);
  }
  await hu.node.restart();
  const again = client(hu.node.port, { password: 'admin-pw' });
  assert.deepStrictEqual(await again.config('GET', 'userpass'), ['userpass', 'user-pw-2']);
  assert.deepStrictEqual(await again.config('GET', 'protected-mode'), ['protected-mode', 'no']);
});

// ---------------------------------------------------------------------------------------------
const open = suite('access: no password configured');
const ho = useNode(open);

open('every client is an admin; AUTH says no password is configured', async () => {
  const c = await RawConn.open(ho.node.port);
  try {
    assert.strictEqual(plain(await c.call('AUTH', 'x')), '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
    assert.strictEqual(plain(await c.call('AUTH', 'default', 'anything')), 'OK');
    assert.deepStrictEqual(plain(await c.call('CONFIG', 'GET', 'maxclients')), ['maxclients', '10000']);
    assert.strictEqual(plain(await c.call('SET', 'k', 'v')), 'OK');
  } finally {
    c.close();
  }
});

// ---------------------------------------------------------------------------------------------
const prot = suite('access: protected mode');
const hpm = useNode(prot);

/** A client whose source address is 127.0.0.2: loopback, but not what Redis counts as local. */
const fromOther = (port) => RawConn.open(port, { localAddress: '127.0.0.2' });

prot('with no password, a client not from 127.0.0.1 or ::1 gets DENIED and is closed', async () => {
  const before = Number(parseInfo(await hpm.redis.info('stats')).rejected_connections);
  const c = await fromOther(hpm.node.port);
  await c.write('PING\r\n');
  await c.waitClose();
  assert.strictEqual(c.text(), DENIED);
  assert.strictEqual(await hpm.redis.ping(), 'PONG', 'a client from 127.0.0.1 is served');
  assert.strictEqual(Number(parseInfo(await hpm.redis.info('stats')).rejected_connections), before + 1);
});

prot('a password, or protected-mode no, lets it in', async () => {
  const r = hpm.redis;
  assert.strictEqual(await r.config('SET', 'requirepass', 'pw'), 'OK');
  try {
    const c = await fromOther(hpm.node.port);
    assert.strictEqual(plain(await c.call('PING')), `-${NOAUTH}`);
    assert.strictEqual(plain(await c.call('AUTH', 'pw')), 'OK');
    assert.strictEqual(plain(await c.call('PING')), 'PONG');
    assert.strictEqual(plain(await c.call('CONFIG', 'SET', 'requirepass', '')), 'OK');
    c.close();
    const d = await fromOther(hpm.node.port);
    await d.write('PING\r\n');
    await d.waitClose();
    assert.ok(d.text().startsWith('-DENIED'), 'protected again without the password');
    assert.strictEqual(await r.config('SET', 'protected-mode', 'no'), 'OK');
    const e = await fromOther(hpm.node.port);
    assert.strictEqual(plain(await e.call('PING')), 'PONG');
    e.close();
  } finally {
    // the ioredis client authenticated before requirepass was cleared, or never needed to
    await r.config('SET', 'protected-mode', 'yes').catch(() => {});
    await sleep(0);
  }
});

if (pikaOnly) {
  users.run();
  open.run();
}
prot.run();
