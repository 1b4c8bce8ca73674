#!/usr/bin/env node
// The floor a Node.js server stands on: one thread, net sockets, RESP framing, GET and SET on
// a Map, no worker, no disk. scripts/bench.sh runs redis-benchmark against it beside pika and
// redis-server, so each run shows how much of the distance to Redis is Node's own (event
// loop, streams, one write per reply batch) and how much is pika's (rings, workers, LMDB).
// It answers GET and SET; any other command gets +OK (CONFIG GET an empty array, for
// redis-benchmark's start-up probe). Not a server to use: nothing is bounded or checked.
//
//   node scripts/node-floor.js PORT
'use strict';
const net = require('net');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node scripts/node-floor.js PORT');
  process.exit(2);
}

const OK = Buffer.from('+OK\r\n');
const NIL = Buffer.from('$-1\r\n');
const EMPTY_ARRAY = Buffer.from('*0\r\n');
const CRLF = Buffer.from('\r\n');
const store = new Map();

/** Parses the decimal digits of buf[from, to). */
function digits(buf, from, to) {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (buf[i] - 48);
  return n;
}

/** Frames the complete commands at the start of `buf`; returns the offset of the first incomplete one. */
function frame(buf, onCommand) {
  let pos = 0;
  for (;;) {
    if (pos >= buf.length || buf[pos] !== 42 /* * */) return pos;
    const headEnd = buf.indexOf(13, pos);
    if (headEnd < 0) return pos;
    const argc = digits(buf, pos + 1, headEnd);
    const args = new Array(argc);
    let p = headEnd + 2;
    for (let i = 0; i < argc; i++) {
      const lenEnd = buf.indexOf(13, p);
      if (lenEnd < 0) return pos;
      const len = digits(buf, p + 1, lenEnd);
      const start = lenEnd + 2;
      if (start + len + 2 > buf.length) return pos;
      args[i] = buf.subarray(start, start + len);
      p = start + len + 2;
    }
    pos = p;
    onCommand(args);
  }
}

function execute(args, out) {
  const name = args[0];
  const first = name[0] | 0x20;
  if (first === 0x67 /* g */ && name.length === 3) {
    const value = store.get(args[1].toString('latin1'));
    if (value === undefined) return out.push(NIL);
    out.push(Buffer.from(`$${value.length}\r\n`, 'latin1'), value, CRLF);
  } else if (first === 0x73 /* s */ && name.length === 3) {
    store.set(args[1].toString('latin1'), Buffer.from(args[2]));
    out.push(OK);
  } else if (first === 0x63 /* c */) out.push(EMPTY_ARRAY);
  else out.push(OK);
}

net
  .createServer((socket) => {
    socket.setNoDelay(true);
    let rest = null;
    socket.on('data', (chunk) => {
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      const out = [];
      const used = frame(buf, (args) => execute(args, out));
      rest = used < buf.length ? Buffer.from(buf.subarray(used)) : null;
      if (out.length > 0) socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
    });
    socket.on('error', () => socket.destroy());
  })
  .listen(port, '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
