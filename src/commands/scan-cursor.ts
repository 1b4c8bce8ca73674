// What SCAN, HSCAN, SSCAN and ZSCAN share: Redis's cursor and option parsing, the reply, and
// the positions of collection scans a worker has handed out.
import { globMatch } from '../common/glob';
import { CommandError, ERR_NOT_INTEGER, ERR_SYNTAX } from '../common/errors';
import { ReplyWriter } from '../protocol/reply';
import { lower, parseInt64 } from './args';

const UINT64_SPAN = 2n ** 64n;
/** Collection scan positions a worker remembers; the oldest are forgotten first. */
const SCAN_POSITIONS_MAX = 100_000;

/** Redis's parseScanCursorOrReply: strtoul over the whole text (sign allowed, '' is 0), 64 bits. */
export function parseScanCursor(b: Buffer): bigint {
  const text = b.toString('latin1');
  if (text === '') return 0n;
  const m = /^([+-]?)(\d+)$/.exec(text);
  const n = m ? BigInt(m[2]) : UINT64_SPAN;
  if (n >= UINT64_SPAN) throw new CommandError('ERR invalid cursor');
  return m![1] === '-' ? (UINT64_SPAN - n) % UINT64_SPAN : n;
}

export interface ScanOptions {
  count: number;
  /** null when absent or '*', which matches everything. */
  match: Buffer | null;
  /** SCAN's TYPE filter, lowercased; null when absent. */
  type: Buffer | null;
}

/** COUNT, MATCH (and for SCAN, TYPE) from `args[from..]`, with Redis's errors. */
export function parseScanOptions(args: Buffer[], from: number, allowType = false): ScanOptions {
  const o: ScanOptions = { count: 10, match: null, type: null };
  for (let i = from; i < args.length; i++) {
    const opt = lower(args[i]);
    if (i + 1 >= args.length) throw new CommandError(ERR_SYNTAX);
    if (opt === 'count') {
      const n = parseInt64(args[++i]);
      if (n === undefined) throw new CommandError(ERR_NOT_INTEGER);
      if (n < 1n) throw new CommandError(ERR_SYNTAX);
      o.count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
    } else if (opt === 'match') {
      const m = args[++i];
      o.match = m.length === 1 && m[0] === 0x2a ? null : m;
    } else if (opt === 'type' && allowType) o.type = Buffer.from(lower(args[++i]));
    else throw new CommandError(ERR_SYNTAX);
  }
  return o;
}

export const matches = (o: ScanOptions, member: Buffer) => o.match === null || globMatch(o.match, member);

export function scanReply(out: ReplyWriter, cursor: bigint | number, items: Buffer[]): void {
  out.arrayHeader(2);
  out.bulk(String(cursor));
  out.bulkArray(items);
}

/**
 * Where each collection scan in progress stopped: cursor → [key, last member key returned].
 * A key's members always live on its worker, so a worker-local map is enough.
 */
export class ScanPositions {
  private positions = new Map<bigint, [Buffer, Buffer]>();
  private next = 1n;

  /**
   * Where a scan of `key` resumes: null for cursor 0 (the start), the member key it stopped
   * after, or undefined for a cursor this worker never issued for `key` — which finds nothing,
   * as a random cursor does in Redis.
   */
  resumeAt(cursor: bigint, key: Buffer): Buffer | null | undefined {
    if (cursor === 0n) return null;
    const pos = this.positions.get(cursor);
    return pos && pos[0].equals(key) ? pos[1] : undefined;
  }

  /** Remembers where a scan of `key` stopped; returns the cursor to hand out. */
  remember(key: Buffer, after: Buffer): bigint {
    const cursor = this.next++;
    this.positions.set(cursor, [Buffer.from(key), after]);
    if (this.positions.size > SCAN_POSITIONS_MAX) this.positions.delete(this.positions.keys().next().value!);
    return cursor;
  }
}
