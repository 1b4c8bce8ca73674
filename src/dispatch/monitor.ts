// MONITOR: every command this node accepts, as one status line per command, to each monitoring
// client (Redis's replicationFeedMonitors). Admin commands are not shown, and the passwords
// the command table marks (redactedArgs) are redacted, as in Redis 7.0.
import { MONITOR_BACKLOG_MAX_BYTES } from '../common/limits';
import { isAdminCall } from '../commands/container';
import { CommandSpec } from '../commands/types';

/** What the feed needs of a monitoring connection. */
export interface Monitor {
  readonly id: number;
  deliver(line: Buffer): void;
  backlog(): number;
  drop(why: string): void;
}

export class MonitorFeed {
  private monitors = new Set<Monitor>();

  get active(): boolean {
    return this.monitors.size > 0;
  }
  add(m: Monitor): void {
    this.monitors.add(m);
  }
  remove(m: Monitor): void {
    this.monitors.delete(m);
  }

  /** Feeds one accepted command; `from` is the client issuing it (`lua`/`unix` forms do not exist here). */
  feed(spec: CommandSpec, args: Buffer[], table: number, from: string): void {
    if (isAdminCall(spec, args)) return;
    const micros = Math.round((performance.timeOrigin + performance.now()) * 1000);
    let line = `+${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')} [${table} ${from}]`;
    const hidden = spec.redactedArgs?.(args) ?? [];
    args.forEach((a, i) => (line += ' ' + (hidden.includes(i) ? '"(redacted)"' : repr(a))));
    const bytes = Buffer.from(line + '\r\n', 'latin1');
    for (const m of this.monitors) {
      if (m.backlog() + bytes.length > MONITOR_BACKLOG_MAX_BYTES) {
        this.monitors.delete(m);
        m.drop(`over ${MONITOR_BACKLOG_MAX_BYTES} bytes of unsent MONITOR output`);
      } else m.deliver(bytes);
    }
  }
}

/** Redis's sdscatrepr: a quoted string with C escapes and \xHH for other non-printables. */
export function repr(b: Buffer): string {
  let s = '"';
  for (const c of b) {
    if (c === 0x22 || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x09) s += '\\t';
    else if (c === 0x07) s += '\\a';
    else if (c === 0x08) s += '\\b';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\x' + c.toString(16).padStart(2, '0');
  }
  return s + '"';
}
