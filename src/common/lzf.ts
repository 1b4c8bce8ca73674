// LZF decompression (liblzf's format), for strings Redis compressed in RDB and DUMP payloads.
// Control byte c < 32: c + 1 literal bytes follow. Otherwise a back reference: length c >> 5
// (7 means one more length byte follows) + 2, distance ((c & 31) << 8) + next byte + 1.

/** `input` expanded to exactly `outLen` bytes, or null when the data does not describe that. */
export function lzfDecompress(input: Uint8Array, outLen: number): Buffer | null {
  const out = Buffer.allocUnsafe(outLen);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (ip + len > input.length || op + len > outLen) return null;
      out.set(input.subarray(ip, ip + len), op);
      ip += len;
      op += len;
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      if (ip >= input.length) return null;
      len += input[ip++];
    }
    if (ip >= input.length) return null;
    let ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1;
    len += 2;
    if (ref < 0 || op + len > outLen) return null;
    // byte by byte: a reference may overlap what it is producing
    while (len-- > 0) out[op++] = out[ref++];
  }
  return op === outLen ? out : null;
}
