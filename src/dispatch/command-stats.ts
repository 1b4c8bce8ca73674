// INFO commandstats and errorstats: calls, time, rejected and failed calls per command, and
// error replies per error code, as Redis 7.0 counts them.
import { ERROR_CODES_MAX } from '../common/limits';

interface CommandStat {
  calls: number;
  usec: number;
  rejected: number;
  failed: number;
}

export class CommandStats {
  private commands = new Map<string, CommandStat>();
  private errors = new Map<string, number>();

  private stat(name: string): CommandStat {
    let s = this.commands.get(name);
    if (!s) this.commands.set(name, (s = { calls: 0, usec: 0, rejected: 0, failed: 0 }));
    return s;
  }

  /** A command that ran; `reply` is what it answered. */
  ran(name: string, micros: number, reply: Buffer): void {
    const s = this.stat(name);
    s.calls++;
    s.usec += micros;
    if (reply[0] === 0x2d) {
      s.failed++;
      this.error(reply);
    }
  }

  /** A command refused before it ran (unknown, arity, NOAUTH ...); unknown commands count as errors only. */
  rejected(name: string | null, reply: Buffer): void {
    if (name !== null) this.stat(name).rejected++;
    this.error(reply);
  }

  /** Counts an error reply under its code (the first word, as Redis); past ERROR_CODES_MAX codes, only known ones count. */
  private error(reply: Buffer): void {
    let end = 1;
    while (end < reply.length && reply[end] !== 0x20 && reply[end] !== 0x0d) end++;
    const code = reply.toString('latin1', 1, end);
    const n = this.errors.get(code);
    if (n !== undefined) this.errors.set(code, n + 1);
    else if (this.errors.size < ERROR_CODES_MAX) this.errors.set(code, 1);
  }

  commandLines(): [string, string][] {
    return [...this.commands].map(([name, s]) => [
      `cmdstat_${name}`,
      `calls=${s.calls},usec=${s.usec},usec_per_call=${(s.calls ? s.usec / s.calls : 0).toFixed(2)},rejected_calls=${s.rejected},failed_calls=${s.failed}`,
    ]);
  }

  errorLines(): [string, string][] {
    return [...this.errors].map(([code, n]) => [`errorstat_${code}`, `count=${n}`]);
  }

  reset(): void {
    this.commands.clear();
    this.errors.clear();
  }
}
