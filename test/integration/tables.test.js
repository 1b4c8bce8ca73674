// Tables: numbered keyspaces with their own slot count and password; pkcluster addtable,
// deltable, tablepass and info; isolation of two tables' clients; metadata across restarts.
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { suite } = require('uvu');
const { TARGET, useNode, client, closeClients, rejects, parseInfo, RawConn, plain } = require('./helpers');
const { slotOf } = require('../../dist/common/crc32');
const { DEFAULT_SLOT_NUM } = require('../../dist/common/config');

const NOPERM_T = (t) => `NOPERM this user has no permissions to access table ${t}`;
const NOPERM_CMD = (c) => `NOPERM this user has no permissions to run the '${c}' command`;
const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';
const NOAUTH = 'NOAUTH Authentication required.';

/** `pkcluster info ...` text as { 'table_id: 1': { partition_num: '8', ... } } or per slot header. */
function blocks(text) {
  const out = {};
  let current = null;
  for (const line of text.split('\r\n')) {
    if (!line) continue;
    if (!line.startsWith('  ')) out[line] = current = {};
    else {
      const m = /^ {2}([^:]+):\s?(.*)$/.exec(line);
      current[m[1]] = m[2];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
const iso = suite('tables: two tables with their own passwords');
const hi = useNode(iso, { args: ['--requirepass', 'admin-pw'], clientOptions: { password: 'admin-pw' } });

iso('AUTH with a table password binds the connection to that table', async () => {
  assert.strictEqual(await hi.redis.call('pkcluster', 'addtable', '21', '16', 'pw-one'), 'OK');
  assert.strictEqual(await hi.redis.call('pkcluster', 'addtable', '22', '32', 'pw-two'), 'OK');
  const a = client(hi.node.port, { password: 'pw-one' });
  const b = client(hi.node.port, { password: 'pw-two' });
  assert.strictEqual(await a.set('ka', 'va'), 'OK');
  assert.strictEqual(await a.set('shared', 'from-one'), 'OK');
  assert.strictEqual(await b.set('kb', 'vb'), 'OK');
  assert.strictEqual(await b.set('shared', 'from-two'), 'OK');
  assert.strictEqual(await a.get('shared'), 'from-one');
  assert.strictEqual(await b.get('shared'), 'from-two');
  assert.match(await a.client('INFO'), / db=21 /);
  assert.match(await b.client('INFO'), / db=22 /);
  // the admin sees both, table by table
  const admin = client(hi.node.port, { password: 'admin-pw' });
  await admin.select(21);
  assert.deepStrictEqual((await admin.keys('*')).sort(), ['ka', 'shared']);
  await admin.select(22);
  assert.deepStrictEqual((await admin.keys('*')).sort(), ['kb', 'shared']);
  assert.strictEqual(await admin.get('kb'), 'vb');
});

iso('a client of one table can neither read, write, flush, scan nor SELECT the other', async () => {
  const a = client(hi.node.port, { password: 'pw-one' });
  const b = client(hi.node.port, { password: 'pw-two' });
  await a.set('a-key', '1');
  await b.set('b-key', '2');
  await rejects(a.select(22), NOPERM_T(22));
  await rejects(a.select(0), NOPERM_T(0));
  // the refused SELECT changed nothing: still table 21
  assert.strictEqual(await a.get('b-key'), null);
  assert.strictEqual(await a.get('a-key'), '1');
  assert.ok(!(await a.keys('*')).includes('b-key'));
  const [, scanned] = await a.scan('0', 'COUNT', '1000');
  assert.ok(scanned.includes('a-key') && !scanned.includes('b-key'));
  await rejects(a.move('a-key', '22'), NOPERM_T(22));
  await rejects(a.call('copy', 'a-key', 'x', 'DB', '22'), NOPERM_T(22));
  await rejects(a.call('copy', 'a-key', 'x', 'REPLACE', 'DB', '0'), NOPERM_T(0));
  // FLUSHDB empties table 21 alone; FLUSHALL is an admin command
  const sizeTwo = await b.dbsize();
  assert.ok(sizeTwo >= 1);
  assert.strictEqual(await a.flushdb(), 'OK');
  assert.strictEqual(await a.dbsize(), 0);
  assert.strictEqual(await b.dbsize(), sizeTwo);
  assert.strictEqual(await b.get('b-key'), '2');
  await rejects(a.flushall(), NOPERM_CMD('flushall'));
  assert.strictEqual(await b.get('b-key'), '2');
  // INFO keyspace shows the table's own line only
  await a.set('again', '1');
  const ks = await a.info('keyspace');
  assert.match(ks, /^db21:keys=1,/m);
  assert.doesNotMatch(ks, /^db(0|22):/m);
});

iso('admin commands answer NOPERM to a table client; its other commands work', async () => {
  const a = client(hi.node.port, { password: 'pw-one' });
  await rejects(a.config('GET', 'port'), NOPERM_CMD('config|get'));
  await rejects(a.call('pkcluster', 'info', 'table'), NOPERM_CMD('pkcluster|info'));
  await rejects(a.call('pkcluster', 'tablepass', '22', 'mine'), NOPERM_CMD('pkcluster|tablepass'));
  await rejects(a.call('pkcluster', 'deltable', '22'), NOPERM_CMD('pkcluster|deltable'));
  await rejects(a.client('LIST'), NOPERM_CMD('client|list'));
  await rejects(a.client('PAUSE', '10'), NOPERM_CMD('client|pause'));
  await rejects(a.call('monitor'), NOPERM_CMD('monitor'));
  await rejects(a.call('debug', 'sleep', '0'), NOPERM_CMD('debug'));
  await rejects(a.call('shutdown'), NOPERM_CMD('shutdown'));
  assert.strictEqual(await a.client('SETNAME', 'tenant-one'), 'OK');
  assert.strictEqual(await a.client('GETNAME'), 'tenant-one');
  assert.ok(Array.isArray(await a.config('HELP')));
  assert.strictEqual(await a.ping(), 'PONG');
  // table 22 still has its password and its data
  const admin = client(hi.node.port, { password: 'admin-pw' });
  assert.match(await admin.call('pkcluster', 'info', 'table', '22'), /partition_num: 32/);
});

iso('SELECT of another table inside MULTI fails inside EXEC and changes nothing', async () => {
  const c = await RawConn.open(hi.node.port);
  try {
    assert.strictEqual(plain(await c.call('AUTH', 'pw-one')), 'OK');
    await c.call('SET', 'tx-key', 'one');
    assert.strictEqual(plain(await c.call('MULTI')), 'OK');
    assert.strictEqual(plain(await c.call('SELECT', '22')), 'QUEUED');
    assert.strictEqual(plain(await c.call('GET', 'tx-key')), 'QUEUED');
    assert.deepStrictEqual(plain(await c.call('EXEC')), [`-${NOPERM_T(22)}`, 'one']);
    // an admin command queued in MULTI is refused at once and aborts the transaction
    assert.strictEqual(plain(await c.call('MULTI')), 'OK');
    assert.strictEqual(plain(await c.call('FLUSHALL')), `-${NOPERM_CMD('flushall')}`);
    assert.match(plain(await c.call('EXEC')), /^-EXECABORT/);
  } finally {
    c.close();
  }
});

iso('wrong passwords, AUTH default <password>, and unauthenticated clients', async () => {
  const c = await RawConn.open(hi.node.port);
  try {
    assert.strictEqual(plain(await c.call('GET', 'ka')), `-${NOAUTH}`);
    assert.strictEqual(plain(await c.call('SELECT', '21')), `-${NOAUTH}`);
    assert.strictEqual(plain(await c.call('AUTH', 'pw-three')), `-${WRONGPASS}`);
    assert.strictEqual(plain(await c.call('AUTH', 'bob', 'pw-one')), `-${WRONGPASS}`);
    assert.strictEqual(plain(await c.call('AUTH', 'default', 'pw-two')), 'OK');
    assert.strictEqual(plain(await c.call('GET', 'kb')), 'vb');
    // a later AUTH with another table's password moves the connection there
    assert.strictEqual(plain(await c.call('AUTH', 'pw-one')), 'OK');
    assert.strictEqual(plain(await c.call('GET', 'kb')), null);
    assert.strictEqual(plain(await c.call('SELECT', '21')), 'OK');
  } finally {
    c.close();
  }
});

iso('a table password must differ from the others and from requirepass', async () => {
  const admin = client(hi.node.port, { password: 'admin-pw' });
  const dup = /^ERR this password is already in use/;
  await rejects(admin.call('pkcluster', 'tablepass', '21', 'pw-two'), dup);
  await rejects(admin.call('pkcluster', 'tablepass', '21', 'admin-pw'), dup);
  await rejects(admin.call('pkcluster', 'addtable', '23', '4', 'pw-one'), dup);
  assert.strictEqual(await admin.call('pkcluster', 'tablepass', '21', 'pw-one'), 'OK', 'its own password again is fine');
});

// ---------------------------------------------------------------------------------------------
const pk = suite('tables: pkcluster');
const hp = useNode(pk);
const r = () => hp.redis;

pk('addtable, then the table works like a database of its own slot count', async () => {
  assert.strictEqual(await r().call('pkcluster', 'addtable', '20', '8'), 'OK');
  const c = client(hp.node.port, { db: 20 });
  assert.strictEqual(await c.set('k20', 'v'), 'OK');
  await c.set('k20b', 'w');
  assert.strictEqual(await c.dbsize(), 2);
  assert.strictEqual(await r().exists('k20'), 0, 'table 0 does not see it');
  const info = blocks(await r().call('pkcluster', 'info', 'table', '20'));
  assert.strictEqual(info['table_id: 20'].partition_num, '8');
  assert.ok(Number(info['table_id: 20'].total_commands_processed) >= 4);
  assert.strictEqual(info['table_id: 20'].total_write_commands_processed, '2');
  assert.ok(['qps', 'write_qps', 'read_qps'].every((f) => /^\d+$/.test(info['table_id: 20'][f])));
  // per slot: Pika's header, role and keys
  const slots = blocks(await r().call('pkcluster', 'info', 'slot', '20:0-7'));
  assert.strictEqual(Object.keys(slots).length, 8);
  const s = slotOf(Buffer.from('k20'), 8);
  const s2 = slotOf(Buffer.from('k20b'), 8);
  assert.strictEqual(slots[`(db20:${s})`].Role, 'Master');
  assert.strictEqual(Number(slots[`(db20:${s})`].keys), s === s2 ? 2 : 1);
  const total = Object.values(slots).reduce((a, b) => a + Number(b.keys), 0);
  assert.strictEqual(total, 2);
  const some = blocks(await r().call('pkcluster', 'info', 'slot', `db20:${s},${s}`));
  assert.deepStrictEqual(Object.keys(some), [`(db20:${s})`]);
  // the whole node: every table's every slot
  const all = blocks(await r().call('pkcluster', 'info', 'slot'));
  assert.strictEqual(Object.keys(all).length, 16 * DEFAULT_SLOT_NUM + 8);
  const tables = blocks(await r().call('pkcluster', 'info', 'table'));
  assert.strictEqual(Object.keys(tables).length, 17);
  assert.strictEqual(tables['table_id: 3'].partition_num, String(DEFAULT_SLOT_NUM));
});

pk('counters are per table', async () => {
  const c = client(hp.node.port, { db: 7 });
  await c.ping(); // after ioredis's own SELECT and ready check
  const before = blocks(await r().call('pkcluster', 'info', 'table'));
  for (let i = 0; i < 10; i++) await c.set(`w${i}`, 'x');
  for (let i = 0; i < 5; i++) await c.get(`w${i}`);
  const after = blocks(await r().call('pkcluster', 'info', 'table'));
  const delta = (t, f) => Number(after[`table_id: ${t}`][f]) - Number(before[`table_id: ${t}`][f]);
  assert.strictEqual(delta(7, 'total_write_commands_processed'), 10);
  assert.strictEqual(delta(7, 'total_commands_processed'), 15);
  assert.strictEqual(delta(6, 'total_commands_processed'), 0);
});

pk('DBSIZE, FLUSHDB, INFO keyspace, SCAN and KEYS are per table', async () => {
  const t3 = client(hp.node.port, { db: 3 });
  const t4 = client(hp.node.port, { db: 4 });
  for (let i = 0; i < 30; i++) await t3.set(`three:${i}`, 'x');
  for (let i = 0; i < 12; i++) await t4.set(`four:${i}`, 'x', 'EX', 1000);
  assert.strictEqual(await t3.dbsize(), 30);
  assert.strictEqual(await t4.dbsize(), 12);
  assert.strictEqual((await t3.keys('*')).length, 30);
  assert.ok((await t4.keys('*')).every((k) => k.startsWith('four:')));
  const seen = new Set();
  let cursor = '0';
  do {
    const [next, keys] = await t4.scan(cursor, 'COUNT', '5');
    keys.forEach((k) => seen.add(k));
    cursor = next;
  } while (cursor !== '0');
  assert.strictEqual(seen.size, 12);
  assert.ok([...seen].every((k) => k.startsWith('four:')));
  const ks = parseInfo(await r().info('keyspace'));
  assert.strictEqual(ks.db3, 'keys=30,expires=0,avg_ttl=0');
  assert.strictEqual(ks.db4, 'keys=12,expires=12,avg_ttl=0');
  assert.strictEqual(await t3.flushdb(), 'OK');
  assert.strictEqual(await t3.dbsize(), 0);
  assert.strictEqual(await t4.dbsize(), 12);
});

pk('tablepass: a table password keeps other clients out until AUTH', async () => {
  assert.strictEqual(await r().call('pkcluster', 'tablepass', '9', 'nine'), 'OK');
  const c = await RawConn.open(hp.node.port);
  try {
    // no requirepass: the anonymous client keeps table 0 and the tables without a password
    assert.strictEqual(plain(await c.call('SELECT', '9')), `-${NOAUTH}`);
    assert.strictEqual(plain(await c.call('PING')), 'PONG');
    assert.strictEqual(plain(await c.call('AUTH', 'ten')), `-${WRONGPASS}`);
    assert.strictEqual(plain(await c.call('AUTH', 'nine')), 'OK');
    assert.strictEqual(plain(await c.call('SET', 'in-nine', '9')), 'OK');
    assert.strictEqual(plain(await c.call('SELECT', '0')), `-${NOPERM_T(0)}`);
  } finally {
    c.close();
  }
  assert.strictEqual(await r().call('pkcluster', 'tablepass', '9', ''), 'OK');
  const open = client(hp.node.port, { db: 9 });
  assert.strictEqual(await open.get('in-nine'), '9');
});

pk('argument errors', async () => {
  await rejects(r().call('pkcluster', 'addtable', '0', '8'), 'ERR Internal error: table already exist!');
  await rejects(r().call('pkcluster', 'addtable', '4096', '8'), 'ERR table id must be an integer from 0 to 4095');
  await rejects(r().call('pkcluster', 'addtable', 'x', '8'), 'ERR table id must be an integer from 0 to 4095');
  await rejects(r().call('pkcluster', 'addtable', '30', '0'), 'ERR slot_num must be an integer from 1 to 16384');
  await rejects(r().call('pkcluster', 'addtable', '30', '16385'), 'ERR slot_num must be an integer from 1 to 16384');
  await rejects(r().call('pkcluster', 'addtable', '30', '8', 'pw', 'extra'), "ERR unknown subcommand or wrong number of arguments for 'addtable'. Try PKCLUSTER HELP.");
  await rejects(r().call('pkcluster', 'addtable', '30'), "ERR wrong number of arguments for 'pkcluster|addtable' command");
  await rejects(r().call('pkcluster', 'deltable', '99'), 'ERR Internal error: table not found!');
  await rejects(r().call('pkcluster', 'deltable', '0'), 'ERR table 0 is the default table and cannot be deleted');
  await rejects(r().call('pkcluster', 'tablepass', '99', 'x'), 'ERR Internal error: table not found!');
  await rejects(r().call('pkcluster', 'info', 'slot', '0:3-1'), "ERR invalid slot list '3-1': use numbers and ranges such as 0-3,8,9");
  await rejects(r().call('pkcluster', 'info', 'slot', '1-'), "ERR invalid slot list '1-': use numbers and ranges such as 0-3,8,9");
  await rejects(r().call('pkcluster', 'info', 'nodes'), "ERR unknown subcommand or wrong number of arguments for 'info'. Try PKCLUSTER HELP.");
  await rejects(r().call('pkcluster', 'addslots', '0-3'), "ERR unknown subcommand 'addslots'. Try PKCLUSTER HELP.");
  assert.strictEqual(await r().call('pkcluster', 'info', 'table', '99'), '');
  // slots past the table's count are left out, so a wide range stays cheap
  assert.strictEqual(Object.keys(blocks(await r().call('pkcluster', 'info', 'slot', `0:${DEFAULT_SLOT_NUM - 8}-99999999`))).length, 8);
});

if (TARGET === 'pika') {
  iso.run();
  pk.run();
}

// ---------------------------------------------------------------------------------------------
const life = suite('tables: deltable and restarts');
const hl = useNode(life, { args: ['--requirepass', 'adm'], clientOptions: { password: 'adm' } });

life('deltable drops the data; clients still in the table get an error', async () => {
  const admin = hl.redis;
  assert.strictEqual(await admin.call('pkcluster', 'addtable', '40', '4', 'forty'), 'OK');
  const tenant = client(hl.node.port, { password: 'forty' });
  for (let i = 0; i < 50; i++) await tenant.set(`k${i}`, 'v');
  assert.strictEqual(await tenant.dbsize(), 50);
  const dir = path.join(hl.node.dbPath, '40');
  assert.ok(fs.existsSync(dir));
  assert.strictEqual(await admin.call('pkcluster', 'deltable', '40'), 'OK');
  assert.strictEqual(fs.existsSync(dir), false, 'every slot environment of the table is gone');
  await rejects(tenant.get('k1'), 'ERR DB index is out of range');
  await rejects(admin.select(40), 'ERR DB index is out of range');
  assert.doesNotMatch(await admin.call('pkcluster', 'info', 'table'), /table_id: 40/);
  // made again, it is empty, and the old password and the old connection open nothing
  assert.strictEqual(await admin.call('pkcluster', 'addtable', '40', '4', 'forty-again'), 'OK');
  await rejects(tenant.get('k1'), NOPERM_T(40));
  const again = client(hl.node.port, { password: 'forty-again' });
  assert.strictEqual(await again.dbsize(), 0);
  const c = await RawConn.open(hl.node.port);
  assert.strictEqual(plain(await c.call('AUTH', 'forty')), `-${WRONGPASS}`);
  c.close();
});

life('files of a table a crash left behind are cleared by addtable', async () => {
  const stale = path.join(hl.node.dbPath, '41', '0');
  fs.mkdirSync(stale, { recursive: true });
  fs.writeFileSync(path.join(stale, 'data.mdb'), 'left from a deleted table');
  assert.strictEqual(await hl.redis.call('pkcluster', 'addtable', '41', '1'), 'OK');
  assert.strictEqual(fs.existsSync(path.join(stale, 'data.mdb')), false);
  await hl.redis.select(41);
  assert.strictEqual(await hl.redis.dbsize(), 0);
  assert.strictEqual(await hl.redis.set('k', 'v'), 'OK');
  await hl.redis.select(0);
});

life('tables, slot counts, passwords and data survive a restart; databases applies to a new db-path only', async () => {
  const admin = hl.redis;
  await admin.call('pkcluster', 'addtable', '42', '2', 'p42');
  await admin.call('pkcluster', 'deltable', '7');
  const t = client(hl.node.port, { password: 'p42' });
  await t.set('kept', 'yes');
  closeClients();
  hl.node.args.push('--databases', '4', '--default-slot-num', '16');
  await hl.node.restart();
  const admin2 = client(hl.node.port, { password: 'adm' });
  const tables = blocks(await admin2.call('pkcluster', 'info', 'table'));
  const ids = Object.keys(tables).map((k) => Number(k.split(' ')[1]));
  assert.deepStrictEqual(ids, [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 40, 41, 42]);
  assert.strictEqual(tables['table_id: 42'].partition_num, '2');
  assert.strictEqual(tables['table_id: 0'].partition_num, String(DEFAULT_SLOT_NUM));
  const t2 = client(hl.node.port, { password: 'p42' });
  assert.strictEqual(await t2.get('kept'), 'yes');
  await rejects(t2.select(0), NOPERM_T(0));
  await admin2.select(41);
  assert.strictEqual(await admin2.get('k'), 'v');
  await rejects(admin2.select(7), 'ERR DB index is out of range');
});

if (TARGET === 'pika') life.run();
