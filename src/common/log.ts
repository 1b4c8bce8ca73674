import * as fs from 'fs';
import * as path from 'path';
import { isMainThread } from 'worker_threads';

/** Levels in order; a level's index is what crosses to workers (wire.ts LIVE_LOG_LEVEL). */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LOG_LEVELS)[number];
const LEVELS: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const MARK: Record<Level, string> = { debug: '.', info: '-', warn: '#', error: '!' };

let level: Level = 'info';
let minLevel = LEVELS.info;
let logDir = '';
/**
 * A storage worker never yields to its event loop while it runs, so its process.stderr (a
 * stream main drains) would only print at exit: workers write to fd 2 synchronously.
 */
let sink: (line: string) => void = isMainThread ? (line) => process.stderr.write(line) : writeStderr;

function writeStderr(line: string): void {
  try {
    fs.writeSync(2, line);
  } catch {
    /* stderr full or closed: a log line is not worth blocking or failing for */
  }
}

export function setLogLevel(l: Level): void {
  level = l;
  minLevel = LEVELS[l];
}

/** Log to `<dir>/pika.log` instead of stderr. */
export function logToDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(path.join(dir, 'pika.log'), 'a');
  logDir = dir;
  sink = (line) => fs.writeSync(fd, line);
}

/** This thread's level and log directory, for a worker thread to log as main does. */
export function logSettings(): { level: Level; dir: string } {
  return { level, dir: logDir };
}

export function applyLogSettings(s: { level: Level; dir: string }): void {
  setLogLevel(s.level);
  if (s.dir) logToDir(s.dir);
}

function emit(level: Level, role: string, msg: string): void {
  if (LEVELS[level] < minLevel) return;
  sink(`${process.pid}:${role} ${new Date().toISOString()} ${MARK[level]} ${msg}\n`);
}

export function logger(role: string) {
  return {
    debug: (m: string) => emit('debug', role, m),
    info: (m: string) => emit('info', role, m),
    warn: (m: string) => emit('warn', role, m),
    error: (m: string) => emit('error', role, m),
  };
}
