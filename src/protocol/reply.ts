// Reply encoding into one growable buffer, so a batch of replies costs few allocations.
// A writer speaks the protocol of the connection it answers (`resp`, 2 or 3): handlers say
// what a reply is (a map, a set, a double, a null) and the writer picks RESP2's or RESP3's form.
import { formatLongDoubleHuman, longDoubleOfDouble } from '../common/long-double';
const CRLF = '\r\n';
const INITIAL_BYTES = 64 * 1024;
/** Largest buffer a writer keeps across resets. */
const KEEP_BYTES_MAX = 4 * 1024 * 1024;
const SHARED_INTS = 10_000;

const intCache: Buffer[] = [];
for (let i = 0; i < SHARED_INTS; i++) intCache.push(Buffer.from(`:${i}\r\n`));

export const OK = Buffer.from('+OK\r\n');
export const PONG = Buffer.from('+PONG\r\n');
export const NULL_BULK = Buffer.from('$-1\r\n');
export const NULL_ARRAY = Buffer.from('*-1\r\n');
export const EMPTY_ARRAY = Buffer.from('*0\r\n');
export const QUEUED = Buffer.from('+QUEUED\r\n');
/** RESP3's one null, for every kind of absent reply. */
export const NULL3 = Buffer.from('_\r\n');

export type Protocol = 2 | 3;

/** `latin1`: the message carries raw bytes, one per character (a protocol error quoting the input). */
export function errorReply(msg: string, encoding: 'utf8' | 'latin1' = 'utf8'): Buffer {
  // as addReplyError: each CR or LF becomes a space, so the reply stays one line
  return Buffer.from(`-${msg.replace(/[\r\n]/g, ' ')}${CRLF}`, encoding);
}
export function intReply(n: number | bigint): Buffer {
  return typeof n === 'number' && n >= 0 && n < SHARED_INTS && Number.isInteger(n) ? intCache[n] : Buffer.from(`:${n}${CRLF}`);
}
export function bulkReply(v: Buffer | string | null): Buffer {
  if (v === null) return NULL_BULK;
  const b = typeof v === 'string' ? Buffer.from(v) : v;
  const head = `$${b.length}${CRLF}`;
  const out = Buffer.allocUnsafe(Buffer.byteLength(head) + b.length + 2);
  let o = out.write(head, 'latin1');
  o += b.copy(out, o);
  out.write(CRLF, o, 'latin1');
  return out;
}
const PAIR3 = Buffer.from('*2\r\n');
const TRUE3 = Buffer.from('#t\r\n');
const FALSE3 = Buffer.from('#f\r\n');

export function simpleReply(s: string): Buffer {
  return Buffer.from(`+${s}${CRLF}`);
}

const decimalDigits = (n: number) => (n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : String(n).length);

/** Bytes of an `n`-byte bulk string: $, the length, CRLF, the bytes, CRLF. */
export const bulkBytes = (n: number) => 5 + decimalDigits(n) + n;

/**
 * Writes bytes [from, to) of `src` as a bulk string at `at` of `dst` (room checked by the
 * caller, bulkBytes); returns the offset past it. The length goes digit by digit: LRANGE writes
 * one per element, and a template string plus its encoding cost more than a short element's copy.
 */
export function writeBulkAt(dst: Uint8Array, at: number, src: Uint8Array, from: number, to: number): number {
  const n = to - from;
  dst[at++] = 36; // $
  let d = at + decimalDigits(n);
  at = d;
  let v = n;
  do {
    dst[--d] = 48 + (v % 10);
    v = Math.floor(v / 10);
  } while (v > 0);
  dst[at++] = 13;
  dst[at++] = 10;
  dst.set(src.subarray(from, to), at);
  at += n;
  dst[at++] = 13;
  dst[at++] = 10;
  return at;
}

/** Accumulates replies; `take()` hands out the bytes written since the last take. */
export class ReplyWriter {
  private buf = Buffer.allocUnsafe(INITIAL_BYTES);
  private start = 0;
  private end = 0;

  /** `resp`: the protocol of the connection being answered; a worker's writer changes it per command. */
  constructor(public resp: Protocol = 2) {}

  private reserve(n: number): void {
    if (this.end + n <= this.buf.length) return;
    const used = this.end - this.start;
    const next = Buffer.allocUnsafe(Math.max(INITIAL_BYTES, (used + n) * 2));
    this.buf.copy(next, 0, this.start, this.end);
    this.buf = next;
    this.start = 0;
    this.end = used;
  }

  private ascii(s: string): void {
    this.reserve(s.length);
    this.end += this.buf.write(s, this.end, 'latin1');
  }

  raw(b: Buffer): void {
    this.reserve(b.length);
    this.end += b.copy(this.buf, this.end);
  }
  ok(): void {
    this.raw(OK);
  }
  simple(s: string): void {
    this.ascii(`+${s}${CRLF}`);
  }
  error(msg: string): void {
    const b = errorReply(msg);
    this.raw(b);
  }
  int(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && n < SHARED_INTS && Number.isInteger(n)) this.raw(intCache[n]);
    else this.ascii(`:${n}${CRLF}`);
  }
  bulk(v: Buffer | string | null): void {
    if (v === null) return this.nullBulk();
    if (typeof v === 'string') v = Buffer.from(v);
    this.bulkFrom(v, 0, v.length);
  }
  /** A bulk string of bytes [from, to) of `src`, copied now (src may be a storage engine's shared buffer). */
  bulkFrom(src: Uint8Array, from: number, to: number): void {
    this.reserve(bulkBytes(to - from));
    this.end = writeBulkAt(this.buf, this.end, src, from, to);
  }
  nullBulk(): void {
    this.raw(this.resp === 3 ? NULL3 : NULL_BULK);
  }
  nullArray(): void {
    this.raw(this.resp === 3 ? NULL3 : NULL_ARRAY);
  }
  arrayHeader(n: number): void {
    this.ascii(`*${n}${CRLF}`);
  }
  /** A map of `n` key/value pairs; RESP2 flattens it into an array of 2n. */
  mapHeader(n: number): void {
    this.ascii(this.resp === 3 ? `%${n}${CRLF}` : `*${n * 2}${CRLF}`);
  }
  /** An unordered collection of distinct items (SMEMBERS...); an array in RESP2. */
  setHeader(n: number): void {
    this.ascii(this.resp === 3 ? `~${n}${CRLF}` : `*${n}${CRLF}`);
  }
  /** Out-of-band data (Pub/Sub messages); an array in RESP2. */
  pushHeader(n: number): void {
    this.ascii(this.resp === 3 ? `>${n}${CRLF}` : `*${n}${CRLF}`);
  }
  /**
   * A member with its score, as WITHSCORES replies carry them: RESP3 nests each pair in an
   * array of two, RESP2 writes them flat.
   */
  pairHeader(): void {
    if (this.resp === 3) this.raw(PAIR3);
  }
  /** An array of `n` member/score pairs: 2n flat items in RESP2, n pairs in RESP3. */
  pairsHeader(n: number): void {
    this.arrayHeader(this.resp === 3 ? n : n * 2);
  }
  bool(b: boolean): void {
    if (this.resp === 3) this.raw(b ? TRUE3 : FALSE3);
    else this.int(b ? 1 : 0);
  }
  /** Human-readable text (INFO, CLIENT LIST): RESP3's verbatim string, a bulk in RESP2. */
  verbatim(text: string): void {
    if (this.resp === 2) return this.bulk(text);
    const body = Buffer.from(`txt:${text}`);
    this.ascii(`=${body.length}${CRLF}`);
    this.raw(body);
    this.ascii(CRLF);
  }
  bulkArray(items: (Buffer | string | null)[]): void {
    this.arrayHeader(items.length);
    for (const it of items) this.bulk(it);
  }
  /** Distinct members (SMEMBERS, SINTER ...): a RESP3 set. */
  bulkSet(items: (Buffer | string)[]): void {
    this.setHeader(items.length);
    for (const it of items) this.bulk(it);
  }
  /** Redis formats doubles with %.17g, trimmed to the shortest exact form. */
  double(d: number): void {
    if (this.resp === 3) this.ascii(`,${formatDouble(d)}${CRLF}`);
    else this.bulk(formatDouble(d));
  }
  /** Redis's addReplyHumanLongDouble (GEOPOS coordinates): %.17Lf with trailing zeros removed. */
  humanDouble(d: number): void {
    const text = Number.isFinite(d) ? formatLongDoubleHuman(longDoubleOfDouble(d)) : formatDouble(d);
    if (this.resp === 3) this.ascii(`,${text}${CRLF}`);
    else this.bulk(text);
  }

  size(): number {
    return this.end - this.start;
  }
  /** Drops what was written after `size` bytes (a failed command's partial reply). */
  truncate(size: number): void {
    this.end = this.start + size;
  }
  /** Everything written and not taken, as a view valid until the next write. */
  view(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }
  /** The bytes written since the previous take, as a view valid until the next write. */
  takeView(): Buffer {
    const out = this.buf.subarray(this.start, this.end);
    this.start = this.end;
    if (this.start === this.end && this.end > this.buf.length / 2) this.start = this.end = 0;
    return out;
  }
  take(): Buffer {
    return Buffer.from(this.takeView());
  }
  reset(): void {
    this.start = this.end = 0;
    // a batch of big replies grew the buffer: do not keep that much for the small ones after
    if (this.buf.length > KEEP_BYTES_MAX) this.buf = Buffer.allocUnsafe(INITIAL_BYTES);
  }
}

/** C's %.17g, which Redis 7.0 uses for double replies (ZSCORE, INCRBYFLOAT of hashes...). */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const [mantissa, expText] = d.toExponential(16).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 17) {
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = d.toFixed(16 - exp);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}
