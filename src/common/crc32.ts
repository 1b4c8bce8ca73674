// CRC32 (IEEE 802.3, reflected 0xEDB88320), as Pika uses to place keys on slots.
const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = -1;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Slot of a key: CRC32 of the key, or of its non-empty `{hash tag}`, modulo the slot count. */
export function slotOf(key: Uint8Array, slotCount: number): number {
  let start = 0;
  let end = key.length;
  const open = key.indexOf(OPEN_BRACE);
  if (open >= 0) {
    const close = key.indexOf(CLOSE_BRACE, open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  return crc32(key, start, end) % slotCount;
}
