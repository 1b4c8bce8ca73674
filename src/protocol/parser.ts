// Incremental RESP2 request framing: multibulk and inline commands, any pipelining depth.
// Arguments are views into the received chunks; nothing is decoded beyond framing.
import { FRAMED_ARG_OVERHEAD_BYTES, INLINE_MAX_BYTES, MULTIBULK_MAX_ARGS, UNAUTHENTICATED_BULK_MAX, UNAUTHENTICATED_MULTIBULK_MAX } from '../common/limits';

export class ProtocolError extends Error {}

const CR = 13;
const LF = 10;
/** A pending bulk at least this large gets its own buffer instead of repeated concatenation. */
const BIG_BULK_BYTES = 32 * 1024;

export interface ParserLimits {
  maxBulkLen: number;
}

export class RequestParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private stopped = false;
  /** Arguments still expected in the current multibulk; 0 when between commands. */
  private argsLeft = 0;
  private args: Buffer[] = [];
  /** The bytes of the arguments in `args`. */
  private argsBytes = 0;
  /** A large bulk being filled across chunks. */
  private big: Buffer | null = null;
  private bigFilled = 0;
  /** Chunks received while suspended, not framed yet (see suspend). */
  private suspended: Buffer[] | null = null;
  private suspendedBytes = 0;

  /** `unauthenticated`: whether the client must still AUTH, which bounds what it may send. */
  constructor(private limits: ParserLimits, private unauthenticated: () => boolean = () => false) {}

  /** Bytes received and not yet handed out in a command: the query buffer. */
  pendingBytes(): number {
    return this.buf.length - this.pos + (this.big ? this.bigFilled : 0) + this.suspendedBytes + this.argsBytes;
  }

  /** Arguments framed into the command not complete yet. */
  framedArgs(): number {
    return this.args.length;
  }

  /** The query buffer's memory, checked against client-query-buffer-limit: its bytes and the arguments framed so far. */
  footprint(): number {
    return this.pendingBytes() + this.args.length * FRAMED_ARG_OVERHEAD_BYTES;
  }

  /**
   * Stops handing out commands until the next feed (which may be empty): what was received
   * stays buffered. Main stops a client whose replies pile up, so that a long pipeline from a
   * slow reader is not all executed (and its replies held) at once.
   */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Stops framing until resume(), and keeps what arrives meanwhile as it came. Main suspends a
   * client parked on a blocking command that keeps sending, instead of no longer reading it:
   * a socket that is not read never reports its peer's close, and the parked client would take
   * the next push into a dead connection. pendingBytes() counts these chunks, so the query
   * buffer limit still bounds them.
   */
  suspend(): void {
    this.stopped = true;
    this.suspended ??= [];
  }

  /** Ends a suspend(); returns what came meanwhile, for the caller to feed. */
  resume(): Buffer {
    const chunks = this.suspended ?? [];
    this.suspended = null;
    this.suspendedBytes = 0;
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }

  suspendedNow(): boolean {
    return this.suspended !== null;
  }

  /** Frames every complete command in `chunk`; throws ProtocolError on malformed input. */
  feed(chunk: Buffer, onCommand: (args: Buffer[]) => void): void {
    if (this.suspended) {
      if (chunk.length) {
        this.suspended.push(chunk);
        this.suspendedBytes += chunk.length;
      }
      return;
    }
    this.stopped = false;
    if (this.big) chunk = this.fillBig(chunk);
    if (this.pos < this.buf.length) {
      this.buf = chunk.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : this.buf.subarray(this.pos);
    } else {
      this.buf = chunk;
    }
    this.pos = 0;
    while (!this.stopped && (this.pos < this.buf.length || (this.argsLeft === 0 && this.args.length > 0))) {
      if (this.argsLeft === 0) {
        if (this.args.length > 0) {
          const args = this.args;
          this.args = [];
          this.argsBytes = 0;
          onCommand(args);
          continue;
        }
        if (!(this.buf[this.pos] === 0x2a /* * */ ? this.parseMultibulkHeader() : this.parseInline(onCommand))) break;
        continue;
      }
      if (!this.parseBulk()) break;
    }
    if (this.pos >= this.buf.length) {
      this.buf = Buffer.alloc(0);
      this.pos = 0;
    }
  }

  private fillBig(chunk: Buffer): Buffer {
    const big = this.big!;
    const n = Math.min(chunk.length, big.length - this.bigFilled);
    chunk.copy(big, this.bigFilled, 0, n);
    this.bigFilled += n;
    if (this.bigFilled === big.length) {
      this.pushArg(big.subarray(0, big.length - 2));
      this.big = null;
      this.bigFilled = 0;
    }
    return chunk.subarray(n);
  }

  private lineEnd(limit: number, what: string): number {
    const end = this.buf.indexOf(CR, this.pos);
    if (end < 0 || end + 1 >= this.buf.length) {
      if (this.buf.length - this.pos > limit) throw new ProtocolError(`Protocol error: too big ${what}`);
      return -1;
    }
    if (end - this.pos > limit) throw new ProtocolError(`Protocol error: too big ${what}`);
    return end;
  }

  private parseMultibulkHeader(): boolean {
    const end = this.lineEnd(INLINE_MAX_BYTES, 'mbulk count string');
    if (end < 0) return false;
    const n = parseIntStrict(this.buf, this.pos + 1, end);
    if (n === undefined || n > MULTIBULK_MAX_ARGS) throw new ProtocolError('Protocol error: invalid multibulk length');
    if (n > UNAUTHENTICATED_MULTIBULK_MAX && this.unauthenticated()) throw new ProtocolError('Protocol error: unauthenticated multibulk length');
    this.pos = end + 2;
    this.argsLeft = n > 0 ? n : 0; // *0 and *-1 are empty commands, skipped as Redis does
    return true;
  }

  private parseBulk(): boolean {
    // Redis looks at the header's first byte once its whole line is in
    const end = this.lineEnd(INLINE_MAX_BYTES, 'bulk count string');
    if (end < 0) return false;
    if (this.buf[this.pos] !== 0x24 /* $ */) {
      const got = String.fromCharCode(this.buf[this.pos]); // the raw byte: the reply is latin1
      throw new ProtocolError(`Protocol error: expected '$', got '${got}'`);
    }
    const len = parseIntStrict(this.buf, this.pos + 1, end);
    if (len === undefined || len < 0 || len > this.limits.maxBulkLen) throw new ProtocolError('Protocol error: invalid bulk length');
    if (len > UNAUTHENTICATED_BULK_MAX && this.unauthenticated()) throw new ProtocolError('Protocol error: unauthenticated bulk length');
    const start = end + 2;
    const available = this.buf.length - start;
    if (available < len + 2) {
      if (len >= BIG_BULK_BYTES) {
        this.big = Buffer.allocUnsafe(len + 2);
        this.buf.copy(this.big, 0, start);
        this.bigFilled = available;
        this.pos = this.buf.length;
      }
      return false;
    }
    // the two bytes after a bulk are skipped unread, as Redis does
    this.pushArg(this.buf.subarray(start, start + len));
    this.pos = start + len + 2;
    return true;
  }

  private pushArg(arg: Buffer): void {
    this.args.push(arg);
    this.argsBytes += arg.length;
    this.argsLeft--;
  }

  private parseInline(onCommand: (args: Buffer[]) => void): boolean {
    const nl = this.buf.indexOf(LF, this.pos);
    if (nl < 0) {
      if (this.buf.length - this.pos > INLINE_MAX_BYTES) throw new ProtocolError('Protocol error: too big inline request');
      return false;
    }
    if (nl - this.pos > INLINE_MAX_BYTES) throw new ProtocolError('Protocol error: too big inline request');
    const lineEnd = nl > this.pos && this.buf[nl - 1] === CR ? nl - 1 : nl;
    const args = splitInline(this.buf.subarray(this.pos, lineEnd));
    this.pos = nl + 1;
    if (args.length > 0) onCommand(args);
    return true;
  }
}

function parseIntStrict(buf: Buffer, start: number, end: number): number | undefined {
  if (start >= end || end - start > 18) return undefined;
  let neg = false;
  let i = start;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
    if (i === end) return undefined;
  }
  if (buf[i] === 0x30 && (end - i > 1 || neg)) return undefined; // string2ll: no leading zeros, no -0
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

const HEX = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** Redis's sdssplitargs: spaces separate, "double" quotes with escapes, 'single' quotes. */
export function splitInline(line: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  const n = line.length;
  // isspace() skips blanks and must follow a closing quote; a bare word ends only at these four
  const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
  const endsWord = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
  while (true) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    const cur: number[] = [];
    let inDq = false;
    let inSq = false;
    for (;;) {
      if (inDq) {
        if (i >= n) throw new ProtocolError('Protocol error: unbalanced quotes in request');
        const c = line[i];
        if (c === 92 && i + 3 < n && line[i + 1] === 120 && HEX(line[i + 2]) && HEX(line[i + 3])) {
          cur.push(parseInt(String.fromCharCode(line[i + 2], line[i + 3]), 16));
          i += 3;
        } else if (c === 92 && i + 1 < n) {
          i++;
          const e = line[i];
          cur.push(e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e === 98 ? 8 : e === 97 ? 7 : e);
        } else if (c === 34) {
          if (i + 1 < n && !isSpace(line[i + 1])) throw new ProtocolError('Protocol error: unbalanced quotes in request');
          inDq = false;
          i++;
          break;
        } else cur.push(c);
      } else if (inSq) {
        if (i >= n) throw new ProtocolError('Protocol error: unbalanced quotes in request');
        const c = line[i];
        if (c === 92 && i + 1 < n && line[i + 1] === 39) {
          i++;
          cur.push(39);
        } else if (c === 39) {
          if (i + 1 < n && !isSpace(line[i + 1])) throw new ProtocolError('Protocol error: unbalanced quotes in request');
          inSq = false;
          i++;
          break;
        } else cur.push(c);
      } else {
        if (i >= n) break;
        const c = line[i];
        if (endsWord(c)) break;
        if (c === 34) inDq = true;
        else if (c === 39) inSq = true;
        else cur.push(c);
      }
      i++;
    }
    out.push(Buffer.from(cur));
  }
}
