#!/usr/bin/env node
// A follower that keeps nothing: it opens a replication link to a leader (PKSYNC), follows
// every slot of table 0 from the empty log, and acknowledges each E frame's entries as soon as
// they arrive, without applying them. scripts/bench-replication.sh runs it beside a real
// follower to separate what replication costs the leader itself from what a follower's replay
// takes from the same CPUs when both nodes share one machine.
//
//   node scripts/null-follower.js <leader port> <slots>     (runs until killed)
'use strict';

const net = require('net');
const { frame, frameParser } = require('../dist/replication/protocol');
const { entryOffset } = require('../dist/storage/binlog');
// the command table first: it loads the command families in the order they need
require('../dist/commands/table');
const { REPL_PROTOCOL_VERSION } = require('../dist/commands/binlog-family');

const [port, slots] = process.argv.slice(2).map(Number);
if (!Number.isInteger(port) || !Number.isInteger(slots) || slots < 1) {
  process.stderr.write('usage: node scripts/null-follower.js <leader port> <slots>\n');
  process.exit(2);
}
const HEARTBEAT_MS = 1000;

const parser = frameParser();
const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(frame(['PKSYNC', REPL_PROTOCOL_VERSION])));
socket.setNoDelay(true);
let preamble = true;
socket.on('data', (chunk) => {
  // PKSYNC's answer is the H frame; anything before it is an error line
  if (preamble && chunk[0] !== 0x2a) throw new Error(`leader refused the link: ${chunk.toString().trim()}`);
  preamble = false;
  parser.feed(chunk, onFrame);
});
socket.on('close', () => process.exit(0));
setInterval(() => socket.write(frame(['P'])), HEARTBEAT_MS);

function onFrame(args) {
  const kind = args[0].toString();
  if (kind === 'H') {
    for (let slot = 0; slot < slots; slot++) socket.write(frame(['S', 0, slot, 0, 0, 0, 0]));
  } else if (kind === 'E') {
    // E <table> (<slot> <n> <entry>×n)...: acknowledge each slot's last entry
    const ack = ['A', args[1].toString()];
    for (let i = 2; i < args.length; ) {
      const n = Number(args[i + 1]);
      ack.push(args[i].toString(), entryOffset(args[i + 1 + n]).index);
      i += 2 + n;
    }
    socket.write(frame(ack));
  } else if (kind === 'F' || kind === 'X') {
    throw new Error(`leader sent ${kind} ${args.slice(1, 4).join(' ')}: this follower only streams from an empty log`);
  }
}
