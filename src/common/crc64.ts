// CRC-64/Jones as Redis computes it over RDB and DUMP payloads: reflected, polynomial
// 0xad93d23594c935a9, initial value 0, no final xor (crc64("123456789") = 0xe9c6d914c4b8d9ca).
// Kept as two 32-bit halves, so a byte costs a table lookup and a few integer operations.

const POLY_REFLECTED = 0x95ac9329ac4bc9b5n;
const TABLE_LO = new Uint32Array(256);
const TABLE_HI = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = BigInt(i);
  for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY_REFLECTED : c >> 1n;
  TABLE_LO[i] = Number(c & 0xffffffffn);
  TABLE_HI[i] = Number(c >> 32n);
}

/** The CRC of `bytes`, continuing from `crc` (0 to start), as a u64 in two halves. */
export function crc64(bytes: Uint8Array, crc: { lo: number; hi: number } = { lo: 0, hi: 0 }): { lo: number; hi: number } {
  let lo = crc.lo >>> 0;
  let hi = crc.hi >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    const idx = (lo ^ bytes[i]) & 0xff;
    const nlo = ((lo >>> 8) | (hi << 24)) >>> 0;
    lo = (nlo ^ TABLE_LO[idx]) >>> 0;
    hi = ((hi >>> 8) ^ TABLE_HI[idx]) >>> 0;
  }
  return { lo, hi };
}
