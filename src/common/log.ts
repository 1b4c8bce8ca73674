import * as fs from 'fs';
import * as path from 'path';

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const MARK: Record<Level, string> = { debug: '.', info: '-', warn: '#', error: '!' };

let minLevel = LEVELS.info;
let sink: (line: string) => void = (line) => process.stderr.write(line);

export function setLogLevel(level: Level): void {
  minLevel = LEVELS[level];
}

/** Log to `<dir>/pika.log` instead of stderr. */
export function logToDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(path.join(dir, 'pika.log'), 'a');
  sink = (line) => fs.writeSync(fd, line);
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
