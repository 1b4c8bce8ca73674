// HyperLogLog values: Redis's own byte format inside a string value, so GET/SETRANGE see
// the same bytes as on Redis. A 16-byte header ("HYLL", encoding byte, 3 unused bytes, the
// cached cardinality as 64-bit little endian whose top bit marks it stale), then 16384
// registers either dense (6 bits each, packed from the low bit up) or sparse (run-length
// opcodes ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy, VAL 1vvvvvxx). The algorithms follow
// Redis 7.0's hyperloglog.c step by step, so an HLL built here has Redis's exact bytes.
import { CommandError } from '../common/errors';

export const HLL_P = 14;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_Q = 64 - HLL_P;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + Math.ceil((HLL_REGISTERS * HLL_BITS) / 8);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const ENCODING_BYTE = 4;
const CARD_OFFSET = 8;
/** The byte holding the cached cardinality's top bit: set when the cache is stale. */
const CARD_STALE_BYTE = 15;

const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
/** A sparse update grows the value by at most 3 bytes (XZERO split into XZERO VAL XZERO). */
const SPARSE_MAX_GROWTH = 3;
/** Seed of Redis's MurmurHash64A for HLL elements. */
const HASH_SEED = 0xadc83b19;
/** 0.5 / ln(2), the estimator's alpha for m → ∞. */
const HLL_ALPHA_INF = 0.721347520444481703680;

export const ERR_HLL_WRONGTYPE = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
export const ERR_HLL_CORRUPT = 'INVALIDOBJ Corrupted HLL object detected';

const isZero = (b: number) => (b & 0xc0) === 0;
const isXZero = (b: number) => (b & 0xc0) === 0x40;
const isVal = (b: number) => (b & 0x80) !== 0;
const zeroLen = (b: number) => (b & 0x3f) + 1;
const xzeroLen = (b0: number, b1: number) => (((b0 & 0x3f) << 8) | b1) + 1;
const valValue = (b: number) => ((b >> 2) & 0x1f) + 1;
const valLen = (b: number) => (b & 0x3) + 1;
const valOp = (value: number, len: number) => 0x80 | ((value - 1) << 2) | (len - 1);

// ---- MurmurHash64A over 32-bit halves (BigInt would be far too slow for PFSELFTEST) ----

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
/** Result of the 64-bit helpers, to avoid allocating pairs in the hot loop. */
let rHi = 0;
let rLo = 0;

const M_LO0 = M_LO & 0xffff;
const M_LO1 = M_LO >>> 16;

/** (hi,lo) × m mod 2^64 into rHi/rLo: lo × m's low half in 16-bit pieces, the rest with imul. */
function mulM(hi: number, lo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const mid = a0 * M_LO1 + a1 * M_LO0; // < 2^33, exact
  const low = a0 * M_LO0 + (mid & 0xffff) * 0x10000; // < 2^33, exact
  rLo = low >>> 0;
  const carry = low > 0xffffffff ? 1 : 0;
  rHi = (a1 * M_LO1 + ((mid / 0x10000) | 0) + carry + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
}

/** Redis's endian-neutral MurmurHash64A of `data[start, end)`, into rHi/rLo. */
function murmur64A(data: Uint8Array, start: number, end: number): void {
  const len = end - start;
  // h = seed ^ (len * m)
  mulM(0, len);
  let hHi = rHi;
  let hLo = (rLo ^ HASH_SEED) >>> 0;
  const blockEnd = start + (len - (len & 7));
  let p = start;
  for (; p < blockEnd; p += 8) {
    let kLo = (data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24)) >>> 0;
    let kHi = (data[p + 4] | (data[p + 5] << 8) | (data[p + 6] << 16) | (data[p + 7] << 24)) >>> 0;
    mulM(kHi, kLo);
    kLo = (rLo ^ (rHi >>> 15)) >>> 0; // k ^= k >> 47
    kHi = rHi;
    mulM(kHi, kLo);
    hHi = (hHi ^ rHi) >>> 0;
    hLo = (hLo ^ rLo) >>> 0;
    mulM(hHi, hLo);
    hHi = rHi;
    hLo = rLo;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) {
      const byte = data[p + i];
      if (i >= 4) hHi = (hHi ^ (byte << (8 * (i - 4)))) >>> 0;
      else hLo = (hLo ^ (byte << (8 * i))) >>> 0;
    }
    mulM(hHi, hLo);
    hHi = rHi;
    hLo = rLo;
  }
  hLo = (hLo ^ (hHi >>> 15)) >>> 0; // h ^= h >> 47
  mulM(hHi, hLo);
  rLo = (rLo ^ (rHi >>> 15)) >>> 0;
}

/** 64-bit hash of `ele` as [high 32 bits, low 32 bits], for tests against Redis's values. */
export function murmurHash64A(ele: Uint8Array): [number, number] {
  murmur64A(ele, 0, ele.length);
  return [rHi, rLo];
}

let patIndex = 0;
/**
 * Redis's hllPatLen: the register `ele` hashes to (left in patIndex) and the length of the
 * 000..1 run that follows the 14 index bits, at most Q+1 = 51.
 */
function patLen(ele: Uint8Array): number {
  murmur64A(ele, 0, ele.length);
  patIndex = rLo & (HLL_REGISTERS - 1);
  const low = rLo >>> HLL_P; // hash bits 14..31
  if (low !== 0) return 31 - Math.clz32(low & -low) + 1;
  if (rHi !== 0) return 32 - HLL_P + (31 - Math.clz32(rHi & -rHi)) + 1;
  return HLL_Q + 1;
}

// ---- dense registers ----

/** Register `i` of the dense array starting at `base`; the byte after the array reads as 0. */
export function denseGet(p: Uint8Array, base: number, i: number): number {
  const bit = i * HLL_BITS;
  const byte = base + (bit >> 3);
  const fb = bit & 7;
  const b1 = byte + 1 < p.length ? p[byte + 1] : 0;
  return ((p[byte] >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

export function denseSet(p: Uint8Array, base: number, i: number, value: number): void {
  const bit = i * HLL_BITS;
  const byte = base + (bit >> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  p[byte] = (p[byte] & ~(HLL_REGISTER_MAX << fb)) | (value << fb);
  if (byte + 1 < p.length) p[byte + 1] = (p[byte + 1] & ~(HLL_REGISTER_MAX >> fb8)) | (value >> fb8);
}

function denseSetIfGreater(p: Uint8Array, base: number, i: number, count: number): 0 | 1 {
  if (count <= denseGet(p, base, i)) return 0;
  denseSet(p, base, i, count);
  return 1;
}

// ---- the estimator: Otmar Ertl, "New cardinality estimation algorithms for HyperLogLog sketches" ----

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let prev: number;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (prev !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let prev: number;
  do {
    x = Math.sqrt(x);
    prev = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (prev !== z);
  return z / 3;
}

/** Cardinality estimate from a histogram of register values (64 cells). */
function estimate(histo: Float64Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  return Math.round((HLL_ALPHA_INF * m * m) / z);
}

/** Cardinality of a union held as one byte per register (multi-key PFCOUNT). */
export function countRegisters(max: Uint8Array): number {
  const histo = new Float64Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[max[i]]++;
  return estimate(histo);
}

// ---- values ----

/** Whether a string value passes Redis's isHLLObjectOrReply checks. */
export function isHll(v: Buffer): boolean {
  if (v.length < HLL_HDR_SIZE) return false;
  if (v[0] !== 0x48 || v[1] !== 0x59 || v[2] !== 0x4c || v[3] !== 0x4c) return false; // "HYLL"
  const enc = v[ENCODING_BYTE];
  if (enc > HLL_SPARSE) return false;
  return enc !== HLL_DENSE || v.length === HLL_DENSE_SIZE;
}

/**
 * An HLL being read or updated. `buf` may be longer than the value (`len` bytes): sparse
 * updates grow in place, and, as after an sds string, the byte at `len` is always 0.
 */
export class Hll {
  private buf: Buffer;
  private len: number;

  private constructor(buf: Buffer, len: number) {
    this.buf = buf;
    this.len = len;
  }

  /** An empty HLL: sparse, one XZERO opcode covering all 16384 registers. */
  static create(): Hll {
    const len = HLL_HDR_SIZE + 2;
    const buf = Buffer.alloc(len + 1 + SPARSE_MAX_GROWTH);
    buf.write('HYLL', 0, 'latin1');
    buf[ENCODING_BYTE] = HLL_SPARSE;
    buf[HLL_HDR_SIZE] = 0x40 | ((SPARSE_XZERO_MAX_LEN - 1) >> 8);
    buf[HLL_HDR_SIZE + 1] = (SPARSE_XZERO_MAX_LEN - 1) & 0xff;
    return new Hll(buf, len);
  }

  /** Wraps a stored value (copied); it must pass isHll, else WRONGTYPE. */
  static from(v: Buffer): Hll {
    if (!isHll(v)) throw new CommandError(ERR_HLL_WRONGTYPE);
    const buf = Buffer.alloc(v.length + 1 + SPARSE_MAX_GROWTH);
    v.copy(buf);
    return new Hll(buf, v.length);
  }

  get encoding(): number {
    return this.buf[ENCODING_BYTE];
  }

  /** The value's bytes (a view, valid until the next update). */
  value(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  cacheValid(): boolean {
    return (this.buf[CARD_STALE_BYTE] & 0x80) === 0;
  }

  cachedCardinality(): bigint {
    return this.buf.readBigUInt64LE(CARD_OFFSET);
  }

  setCachedCardinality(card: number): void {
    this.buf.writeBigUInt64LE(BigInt(card), CARD_OFFSET);
  }

  invalidateCache(): void {
    this.buf[CARD_STALE_BYTE] |= 0x80;
  }

  /** Adds an element: 1 when a register grew, 0 when none did, -1 on a corrupted sparse value. */
  add(ele: Uint8Array, sparseMaxBytes: number): -1 | 0 | 1 {
    const count = patLen(ele);
    return this.set(patIndex, count, sparseMaxBytes);
  }

  /** Raises register `index` to `count` if lower, as hllDenseSet / hllSparseSet. */
  set(index: number, count: number, sparseMaxBytes: number): -1 | 0 | 1 {
    if (this.encoding === HLL_DENSE) return denseSetIfGreater(this.buf, HLL_HDR_SIZE, index, count);
    if (this.encoding === HLL_SPARSE) return this.sparseSet(index, count, sparseMaxBytes);
    return -1;
  }

  /**
   * Walks the sparse opcodes in order: `visit(op, first, run, value)` gets the opcode byte, the
   * first register it covers, how many, and their value (0 for ZERO and XZERO); returning false
   * stops the walk. Answers the register count reached, or -1 when stopped.
   */
  private walkSparse(visit: (op: number, first: number, run: number, value: number) => boolean): number {
    const p = this.buf;
    let idx = 0;
    for (let i = HLL_HDR_SIZE; i < this.len; ) {
      const b = p[i];
      let run: number;
      let value = 0;
      if (isZero(b)) {
        run = zeroLen(b);
        i++;
      } else if (isXZero(b)) {
        run = xzeroLen(b, p[i + 1]);
        i += 2;
      } else {
        run = valLen(b);
        value = valValue(b);
        i++;
      }
      if (!visit(b, idx, run, value)) return -1;
      idx += run;
    }
    return idx;
  }

  /** Converts a sparse value to dense; false (value unchanged) when the sparse form is corrupted. */
  toDense(): boolean {
    if (this.encoding === HLL_DENSE) return true;
    const dense = Buffer.alloc(HLL_DENSE_SIZE + 1);
    this.buf.copy(dense, 0, 0, HLL_HDR_SIZE);
    dense[ENCODING_BYTE] = HLL_DENSE;
    let reached = 0;
    // A VAL running past the last register ends the walk; the registers seen so far must be all.
    const end = this.walkSparse((op, first, run, value) => {
      reached = first;
      if (value === 0) return true;
      if (first + run > HLL_REGISTERS) return false;
      for (let i = first; i < first + run; i++) denseSet(dense, HLL_HDR_SIZE, i, value);
      return true;
    });
    if ((end < 0 ? reached : end) !== HLL_REGISTERS) return false;
    this.buf = dense;
    this.len = HLL_DENSE_SIZE;
    return true;
  }

  /** The estimated cardinality, or -1 when the sparse form does not cover exactly 16384 registers. */
  count(): number {
    const histo = new Float64Array(64);
    if (this.encoding === HLL_DENSE) {
      for (let i = 0; i < HLL_REGISTERS; i++) histo[denseGet(this.buf, HLL_HDR_SIZE, i)]++;
      return estimate(histo);
    }
    const end = this.walkSparse((op, first, run, value) => {
      histo[value] += run;
      return true;
    });
    return end === HLL_REGISTERS ? estimate(histo) : -1;
  }

  /** max[i] = max(max[i], register i); false when the sparse form is corrupted. */
  mergeInto(max: Uint8Array): boolean {
    if (this.encoding === HLL_DENSE) {
      for (let i = 0; i < HLL_REGISTERS; i++) {
        const v = denseGet(this.buf, HLL_HDR_SIZE, i);
        if (v > max[i]) max[i] = v;
      }
      return true;
    }
    const end = this.walkSparse((op, first, run, value) => {
      if (value === 0) return true;
      // A VAL past the last register is corrupt even right after it: Redis's fix for
      // CVE-2025-32023 (in the 7.0.15 builds distributions ship) made this an error.
      if (first + run > HLL_REGISTERS) return false;
      for (let i = first; i < first + run; i++) if (value > max[i]) max[i] = value;
      return true;
    });
    return end === HLL_REGISTERS;
  }

  /** PFDEBUG DECODE's text of the sparse opcodes. */
  decode(): string {
    const parts: string[] = [];
    this.walkSparse((op, first, run, value) => {
      parts.push(isVal(op) ? `v:${value},${run}` : `${isZero(op) ? 'z' : 'Z'}:${run}`);
      return true;
    });
    return parts.join(' ');
  }

  /** Room for `extra` more bytes plus the trailing 0, as sdsMakeRoomFor. */
  private reserve(extra: number): void {
    if (this.len + extra + 1 <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.len + extra + 1));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  /** Moves the end of the value by `delta` bytes (within reserved room), keeping the trailing 0. */
  private resize(delta: number): void {
    this.len += delta;
    this.buf[this.len] = 0;
  }

  /** hllSparseSet: updates in place, splitting the opcode that covers `index`; promotes when needed. */
  private sparseSet(index: number, count: number, sparseMaxBytes: number): -1 | 0 | 1 {
    if (count > SPARSE_VAL_MAX_VALUE) return this.promote(index, count);
    this.reserve(SPARSE_MAX_GROWTH);
    const buf = this.buf;
    let end = this.len;
    // Step 1: find the opcode covering `index`.
    let p = HLL_HDR_SIZE;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const b = buf[p];
      let oplen = 1;
      if (isZero(b)) span = zeroLen(b);
      else if (isVal(b)) span = valLen(b);
      else {
        span = xzeroLen(b, buf[p + 1]);
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;
    const op = buf[p];
    const opIsXZero = isXZero(op);
    const opIsZero = isZero(op);
    let next = opIsXZero ? p + 2 : p + 1;
    if (next >= end) next = -1;
    const runlen = opIsZero ? zeroLen(op) : opIsXZero ? xzeroLen(op, buf[p + 1]) : valLen(op);

    // Step 2: the trivial in-place updates.
    let updated = false;
    if (!opIsZero && !opIsXZero) {
      if (valValue(op) >= count) return 0;
      if (runlen === 1) {
        buf[p] = valOp(count, 1);
        updated = true;
      }
    }
    if (!updated && opIsZero && runlen === 1) {
      buf[p] = valOp(count, 1);
      updated = true;
    }
    if (!updated) {
      // General case: replace the opcode by up to 5 bytes that split it around `index`.
      const seq: number[] = [];
      const last = first + span - 1;
      const zeros = (n: number) => {
        if (n > SPARSE_ZERO_MAX_LEN) seq.push(0x40 | ((n - 1) >> 8), (n - 1) & 0xff);
        else seq.push(n - 1);
      };
      if (opIsZero || opIsXZero) {
        if (index !== first) zeros(index - first);
        seq.push(valOp(count, 1));
        if (index !== last) zeros(last - index);
      } else {
        const cur = valValue(op);
        if (index !== first) seq.push(valOp(cur, index - first));
        seq.push(valOp(count, 1));
        if (index !== last) seq.push(valOp(cur, last - index));
      }
      // Step 3: splice the sequence in.
      const delta = seq.length - (opIsXZero ? 2 : 1);
      if (delta > 0 && this.len + delta > sparseMaxBytes) return this.promote(index, count);
      if (delta !== 0 && next >= 0) buf.copy(buf, next + delta, next, end);
      this.resize(delta);
      for (let i = 0; i < seq.length; i++) buf[p + i] = seq[i];
      end += delta;
    }

    // Step 4: merge adjacent VAL opcodes of equal value, scanning up to 5 opcodes from prev.
    let q = prev >= 0 ? prev : HLL_HDR_SIZE;
    let scan = 5;
    while (q < end && scan-- > 0) {
      const b = buf[q];
      if (isXZero(b)) {
        q += 2;
        continue;
      }
      if (isZero(b)) {
        q++;
        continue;
      }
      if (q + 1 < end && isVal(buf[q + 1])) {
        const v = valValue(b);
        if (v === valValue(buf[q + 1])) {
          const merged = valLen(b) + valLen(buf[q + 1]);
          if (merged <= SPARSE_VAL_MAX_LEN) {
            buf[q + 1] = valOp(v, merged);
            buf.copy(buf, q, q + 1, end);
            this.resize(-1);
            end--;
            continue;
          }
        }
      }
      q++;
    }
    this.invalidateCache();
    return 1;
  }

  private promote(index: number, count: number): -1 | 1 {
    if (!this.toDense()) return -1;
    denseSetIfGreater(this.buf, HLL_HDR_SIZE, index, count);
    return 1;
  }
}
