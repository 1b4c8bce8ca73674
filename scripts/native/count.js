const { open } = require('lmdb');
const root = open({ path: process.argv[2], maxDbs: 8, noSync: true, useWritemap: process.argv[3] === 'wm' });
console.log('reopen count=', root.openDB('kv', { encoding: 'binary', keyEncoding: 'binary' }).getCount());
root.close();
