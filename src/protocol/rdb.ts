// The DUMP / RESTORE payload: one value in Redis's RDB object format, then the RDB version
// (u16 LE) and a CRC-64 of everything before it (u64 LE), as Redis 7.0 (RDB version 10) writes
// it. DUMP writes the plain forms (string, list, set, zset with binary scores, hash); RESTORE
// also reads the compact ones Redis itself dumps: ziplists, listpacks, intsets, quicklists, and
// LZF-compressed strings. Every length is checked against the bytes left, so a crafted payload
// fails with "Bad data format" and never allocates more than it carries (LZF: a bounded ratio).
import { crc64 } from '../common/crc64';
import { readUInt64BE, writeUInt64BE } from '../common/int64';
import { lzfDecompress } from '../common/lzf';

export type RdbValue =
  | { kind: 'string'; value: Buffer }
  | { kind: 'list'; items: Buffer[] }
  | { kind: 'set'; items: Buffer[] }
  | { kind: 'zset'; items: { member: Buffer; score: number }[] }
  | { kind: 'hash'; pairs: [Buffer, Buffer][] };

/** The RDB version Redis 7.0 writes; a payload of a later one is refused. */
export const RDB_VERSION = 10;
const FOOTER_BYTES = 10;

const T_STRING = 0, T_LIST = 1, T_SET = 2, T_ZSET = 3, T_HASH = 4, T_ZSET_2 = 5;
const T_LIST_ZIPLIST = 10, T_SET_INTSET = 11, T_ZSET_ZIPLIST = 12, T_HASH_ZIPLIST = 13, T_LIST_QUICKLIST = 14;
const T_HASH_LISTPACK = 16, T_ZSET_LISTPACK = 17, T_LIST_QUICKLIST_2 = 18;
const QUICKLIST_NODE_PLAIN = 1, QUICKLIST_NODE_PACKED = 2;
const ENC_INT8 = 0, ENC_INT16 = 1, ENC_INT32 = 2, ENC_LZF = 3;
/** liblzf expands at most 264 bytes out of a 3-byte back reference: anything claiming more is not LZF. */
const LZF_MAX_RATIO = 90;

export class RdbFormatError extends Error {}

const bad = (why: string): never => {
  throw new RdbFormatError(why);
};

// ---------------------------------------------------------------------------------------------
// Writing

class Writer {
  private parts: Buffer[] = [];
  byte(b: number): void {
    this.parts.push(Buffer.of(b));
  }
  len(n: number): void {
    if (n < 1 << 6) return this.byte(n);
    if (n < 1 << 14) return void this.parts.push(Buffer.of(0x40 | (n >> 8), n & 0xff));
    const wide = n >= 2 ** 32;
    const b = Buffer.allocUnsafe(wide ? 9 : 5);
    b[0] = wide ? 0x81 : 0x80;
    if (wide) writeUInt64BE(b, n, 1);
    else b.writeUInt32BE(n, 1);
    this.parts.push(b);
  }
  /** A string, as an integer encoding when Redis would choose one (rdbTryIntegerEncoding). */
  str(s: Buffer): void {
    const n = s.length <= 11 ? integerText(s) : null;
    if (n !== null && n >= -(2 ** 31) && n < 2 ** 31) {
      const size = n >= -128 && n < 128 ? 1 : n >= -32768 && n < 32768 ? 2 : 4;
      const b = Buffer.allocUnsafe(1 + size);
      b[0] = 0xc0 | (size === 1 ? ENC_INT8 : size === 2 ? ENC_INT16 : ENC_INT32);
      b.writeIntLE(n, 1, size);
      return void this.parts.push(b);
    }
    this.len(s.length);
    this.parts.push(s);
  }
  double(d: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(d, 0);
    this.parts.push(b);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** The integer a string spells exactly as Redis would print it back ("12", not "012" or "+1"), or null. */
function integerText(s: Buffer): number | null {
  const t = s.toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

/** DUMP's payload for a value. */
export function encodeDump(v: RdbValue): Buffer {
  const w = new Writer();
  switch (v.kind) {
    case 'string':
      w.byte(T_STRING);
      w.str(v.value);
      break;
    case 'list':
    case 'set':
      w.byte(v.kind === 'list' ? T_LIST : T_SET);
      w.len(v.items.length);
      for (const it of v.items) w.str(it);
      break;
    case 'zset':
      w.byte(T_ZSET_2);
      w.len(v.items.length);
      for (const it of v.items) {
        w.str(it.member);
        w.double(it.score);
      }
      break;
    case 'hash':
      w.byte(T_HASH);
      w.len(v.pairs.length);
      for (const [f, val] of v.pairs) {
        w.str(f);
        w.str(val);
      }
      break;
  }
  const body = w.done();
  const out = Buffer.allocUnsafe(body.length + FOOTER_BYTES);
  body.copy(out, 0);
  out.writeUInt16LE(RDB_VERSION, body.length);
  const crc = crc64(out.subarray(0, body.length + 2));
  out.writeUInt32LE(crc.lo, body.length + 2);
  out.writeUInt32LE(crc.hi, body.length + 6);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Whether the footer names a version this build reads and the checksum matches (verifyDumpPayload). */
export function verifyDump(p: Buffer): boolean {
  if (p.length < FOOTER_BYTES) return false;
  if (p.readUInt16LE(p.length - FOOTER_BYTES) > RDB_VERSION) return false;
  const crc = crc64(p.subarray(0, p.length - 8));
  return crc.lo === p.readUInt32LE(p.length - 8) && crc.hi === p.readUInt32LE(p.length - 4);
}

class Reader {
  pos = 0;
  constructor(private b: Buffer, private end: number) {}
  left(): number {
    return this.end - this.pos;
  }
  take(n: number): Buffer {
    if (n < 0 || n > this.left()) bad('truncated');
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  byte(): number {
    return this.take(1)[0];
  }
  /** A length, or an encoded-string marker as -1 - encoding. */
  lenOrEnc(): number {
    const b = this.byte();
    switch (b >> 6) {
      case 0:
        return b & 0x3f;
      case 1:
        return ((b & 0x3f) << 8) | this.byte();
      case 3:
        return -1 - (b & 0x3f);
    }
    if (b === 0x80) return this.take(4).readUInt32BE(0);
    if (b === 0x81) {
      const n = readUInt64BE(this.take(8), 0);
      return n > Number.MAX_SAFE_INTEGER ? bad('length') : n;
    }
    return bad('length');
  }
  len(): number {
    const n = this.lenOrEnc();
    return n < 0 ? bad('length') : n;
  }
  /** A count of things that each take at least one byte: never more than the bytes left. */
  count(): number {
    const n = this.len();
    return n > this.left() ? bad('count') : n;
  }
  str(): Buffer {
    const n = this.lenOrEnc();
    if (n >= 0) return Buffer.from(this.take(n));
    switch (-1 - n) {
      case ENC_INT8:
        return Buffer.from(String(this.take(1).readInt8(0)));
      case ENC_INT16:
        return Buffer.from(String(this.take(2).readInt16LE(0)));
      case ENC_INT32:
        return Buffer.from(String(this.take(4).readInt32LE(0)));
      case ENC_LZF: {
        const clen = this.len();
        const ulen = this.len();
        if (ulen > clen * LZF_MAX_RATIO + 64) bad('lzf length');
        return lzfDecompress(this.take(clen), ulen) ?? bad('lzf data');
      }
    }
    return bad('string encoding');
  }
  /** A score as RDB_TYPE_ZSET writes it: a length byte (253 NaN, 254 +inf, 255 -inf) and text. */
  textDouble(): number {
    const n = this.byte();
    if (n === 255) return -Infinity;
    if (n === 254) return Infinity;
    if (n === 253) return bad('NaN score');
    const d = Number(this.take(n).toString('latin1'));
    return Number.isNaN(d) ? bad('score') : d;
  }
  binaryDouble(): number {
    const d = this.take(8).readDoubleLE(0);
    return Number.isNaN(d) ? bad('NaN score') : d;
  }
}

/** The entries of a listpack blob, as strings (integers spelled out). */
function listpackEntries(blob: Buffer): Buffer[] {
  if (blob.length < 7 || blob.readUInt32LE(0) !== blob.length || blob[blob.length - 1] !== 0xff) bad('listpack header');
  const out: Buffer[] = [];
  let p = 6;
  const need = (n: number) => (p + n > blob.length - 1 ? bad('listpack entry') : undefined);
  while (p < blob.length - 1) {
    const b = blob[p];
    let size: number;
    if (b < 0x80) {
      out.push(Buffer.from(String(b)));
      size = 1;
    } else if (b >> 6 === 2) {
      const n = b & 0x3f;
      need(1 + n);
      out.push(Buffer.from(blob.subarray(p + 1, p + 1 + n)));
      size = 1 + n;
    } else if (b >> 5 === 6) {
      need(2);
      let v = ((b & 0x1f) << 8) | blob[p + 1];
      if (v >= 1 << 12) v -= 1 << 13;
      out.push(Buffer.from(String(v)));
      size = 2;
    } else if (b >> 4 === 14) {
      need(2);
      const n = ((b & 0x0f) << 8) | blob[p + 1];
      need(2 + n);
      out.push(Buffer.from(blob.subarray(p + 2, p + 2 + n)));
      size = 2 + n;
    } else if (b === 0xf0) {
      need(5);
      const n = blob.readUInt32LE(p + 1);
      need(5 + n);
      out.push(Buffer.from(blob.subarray(p + 5, p + 5 + n)));
      size = 5 + n;
    } else if (b >= 0xf1 && b <= 0xf4) {
      const bytes = [2, 3, 4, 8][b - 0xf1];
      need(1 + bytes);
      const v = bytes === 8 ? blob.readBigInt64LE(p + 1) : blob.readIntLE(p + 1, bytes);
      out.push(Buffer.from(String(v)));
      size = 1 + bytes;
    } else return bad('listpack encoding');
    // each entry ends with its own length, in 1 to 5 bytes
    const back = size < 128 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
    p += size + back;
  }
  if (p !== blob.length - 1) bad('listpack end');
  return out;
}

/** The entries of a ziplist blob, as strings (integers spelled out). */
function ziplistEntries(blob: Buffer): Buffer[] {
  if (blob.length < 11 || blob.readUInt32LE(0) !== blob.length || blob[blob.length - 1] !== 0xff) bad('ziplist header');
  const out: Buffer[] = [];
  let p = 10;
  const need = (n: number) => (p + n > blob.length - 1 ? bad('ziplist entry') : undefined);
  while (p < blob.length - 1) {
    need(1);
    p += blob[p] < 254 ? 1 : 5; // the previous entry's length
    need(1);
    const b = blob[p];
    if (b >> 6 === 0 || b >> 6 === 1 || b === 0x80) {
      const head = b >> 6 === 0 ? 1 : b >> 6 === 1 ? 2 : 5;
      need(head);
      const n = head === 1 ? b & 0x3f : head === 2 ? ((b & 0x3f) << 8) | blob[p + 1] : blob.readUInt32BE(p + 1);
      need(head + n);
      out.push(Buffer.from(blob.subarray(p + head, p + head + n)));
      p += head + n;
      continue;
    }
    let v: number | bigint;
    let bytes: number;
    if (b === 0xc0) [v, bytes] = [0, 2];
    else if (b === 0xd0) [v, bytes] = [0, 4];
    else if (b === 0xe0) [v, bytes] = [0, 8];
    else if (b === 0xf0) [v, bytes] = [0, 3];
    else if (b === 0xfe) [v, bytes] = [0, 1];
    else if (b >= 0xf1 && b <= 0xfd) [v, bytes] = [(b & 0x0f) - 1, 0];
    else return bad('ziplist encoding');
    need(1 + bytes);
    if (bytes === 8) v = blob.readBigInt64LE(p + 1);
    else if (bytes > 0) v = blob.readIntLE(p + 1, bytes);
    out.push(Buffer.from(String(v)));
    p += 1 + bytes;
  }
  return out;
}

/** The members of an intset blob. */
function intsetMembers(blob: Buffer): Buffer[] {
  if (blob.length < 8) bad('intset header');
  const width = blob.readUInt32LE(0);
  const n = blob.readUInt32LE(4);
  if ((width !== 2 && width !== 4 && width !== 8) || blob.length !== 8 + width * n) bad('intset size');
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const at = 8 + i * width;
    out.push(Buffer.from(String(width === 8 ? blob.readBigInt64LE(at) : blob.readIntLE(at, width))));
  }
  return out;
}

function pairs(entries: Buffer[]): [Buffer, Buffer][] {
  if (entries.length % 2 !== 0) bad('odd pair count');
  const out: [Buffer, Buffer][] = [];
  for (let i = 0; i < entries.length; i += 2) out.push([entries[i], entries[i + 1]]);
  return out;
}

function scoreOf(text: Buffer): number {
  const d = Number(text.toString('latin1'));
  return Number.isNaN(d) ? bad('score') : d;
}

/** Sets, hashes and sorted sets may not name a member twice (Redis refuses such a payload too). */
function unique<T>(items: T[], key: (t: T) => Buffer): T[] {
  const seen = new Set<string>();
  for (const it of items) {
    const k = key(it).toString('latin1');
    if (seen.has(k)) bad('duplicate member');
    seen.add(k);
  }
  if (items.length === 0) bad('empty collection');
  return items;
}

/** The value in a payload that verifyDump accepted; throws RdbFormatError. */
export function decodeDump(p: Buffer): RdbValue {
  const r = new Reader(p, p.length - FOOTER_BYTES);
  const type = r.byte();
  const v = readObject(r, type);
  if (r.left() !== 0) bad('trailing bytes');
  return v;
}

function readObject(r: Reader, type: number): RdbValue {
  switch (type) {
    case T_STRING:
      return { kind: 'string', value: r.str() };
    case T_LIST:
    case T_SET: {
      const n = r.count();
      const items: Buffer[] = [];
      for (let i = 0; i < n; i++) items.push(r.str());
      if (type === T_LIST) return { kind: 'list', items: items.length > 0 ? items : bad('empty list') };
      return { kind: 'set', items: unique(items, (m) => m) };
    }
    case T_ZSET:
    case T_ZSET_2: {
      const n = r.count();
      const items: { member: Buffer; score: number }[] = [];
      for (let i = 0; i < n; i++) {
        const member = r.str();
        items.push({ member, score: type === T_ZSET ? r.textDouble() : r.binaryDouble() });
      }
      return { kind: 'zset', items: unique(items, (z) => z.member) };
    }
    case T_HASH: {
      const n = r.count();
      const out: [Buffer, Buffer][] = [];
      for (let i = 0; i < n; i++) out.push([r.str(), r.str()]);
      return { kind: 'hash', pairs: unique(out, ([f]) => f) };
    }
    case T_LIST_ZIPLIST:
      return { kind: 'list', items: nonEmpty(ziplistEntries(r.str())) };
    case T_SET_INTSET:
      return { kind: 'set', items: unique(intsetMembers(r.str()), (m) => m) };
    case T_ZSET_ZIPLIST:
    case T_ZSET_LISTPACK: {
      const blob = r.str();
      const entries = type === T_ZSET_ZIPLIST ? ziplistEntries(blob) : listpackEntries(blob);
      const items = pairs(entries).map(([member, score]) => ({ member, score: scoreOf(score) }));
      return { kind: 'zset', items: unique(items, (z) => z.member) };
    }
    case T_HASH_ZIPLIST:
    case T_HASH_LISTPACK: {
      const blob = r.str();
      return { kind: 'hash', pairs: unique(pairs(type === T_HASH_ZIPLIST ? ziplistEntries(blob) : listpackEntries(blob)), ([f]) => f) };
    }
    case T_LIST_QUICKLIST:
    case T_LIST_QUICKLIST_2: {
      const nodes = r.count();
      const items: Buffer[] = [];
      for (let i = 0; i < nodes; i++) {
        const container = type === T_LIST_QUICKLIST ? QUICKLIST_NODE_PACKED : r.len();
        const blob = r.str();
        if (container === QUICKLIST_NODE_PLAIN) items.push(blob);
        else if (container === QUICKLIST_NODE_PACKED) items.push(...(type === T_LIST_QUICKLIST ? ziplistEntries(blob) : listpackEntries(blob)));
        else bad('quicklist container');
      }
      return { kind: 'list', items: nonEmpty(items) };
    }
  }
  return bad(`object type ${type}`);
}

function nonEmpty(items: Buffer[]): Buffer[] {
  return items.length > 0 ? items : bad('empty list');
}
