// `binlog-retention`: how much of each slot's binlog is kept.
import { parseSize } from './size';

export type Retention = { kind: 'entries' | 'bytes' | 'age'; amount: number };

const AGE_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A plain number keeps that many entries per slot (0: keep everything); a size (`256mb`) keeps
 * the newest entries within that many bytes of log pages; an age (`7d`, `12h`, `30m`, `90s`)
 * keeps entries younger than that. Undefined for anything else.
 */
export function parseRetention(text: string): Retention | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) return { kind: 'entries', amount: Number(t) };
  const age = /^(\d+)([smhd])$/.exec(t);
  if (age) return { kind: 'age', amount: Number(age[1]) * AGE_UNITS[age[2]] };
  const bytes = /^\d+(b|kb?|mb?|gb?)$/.test(t) ? parseSize(t) : undefined;
  return bytes === undefined ? undefined : { kind: 'bytes', amount: bytes };
}
