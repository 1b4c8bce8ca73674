// Decodes RESP replies that workers produced, for the few places main merges partial results.
// RESP3 maps and sets decode as flat arrays, doubles as numbers, every null as null.
export type RespValue = string | number | bigint | Buffer | null | RespError | RespValue[];

export class RespError {
  constructor(readonly message: string) {}
}

/** Reads one complete reply from `buf` at `pos`; returns the value and the next position. */
export function readReply(buf: Buffer, pos = 0): [RespValue, number] {
  const type = buf[pos];
  const eol = buf.indexOf(13, pos);
  if (eol < 0) throw new Error('truncated reply');
  const line = buf.toString('latin1', pos + 1, eol);
  const next = eol + 2;
  switch (type) {
    case 0x2b: // +
      return [line, next];
    case 0x2d: // -
      return [new RespError(line), next];
    case 0x3a: {
      const n = Number(line);
      return [Number.isSafeInteger(n) ? n : BigInt(line), next];
    }
    case 0x5f: // _
      return [null, next];
    case 0x23: // #
      return [line === 't' ? 1 : 0, next];
    case 0x2c: // ,
      return [line === 'inf' ? Infinity : line === '-inf' ? -Infinity : Number(line), next];
    case 0x28: // ( big number
      return [BigInt(line), next];
    case 0x3d: // = verbatim
    case 0x24: {
      const len = Number(line);
      if (len < 0) return [null, next];
      return [buf.subarray(next, next + len), next + len + 2];
    }
    case 0x2a:
    case 0x7e: // ~
    case 0x3e: // >
    case 0x25: { // %
      const n = type === 0x25 ? Number(line) * 2 : Number(line);
      if (n < 0) return [null, next];
      const out: RespValue[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const [v, q] = readReply(buf, p);
        out.push(v);
        p = q;
      }
      return [out, p];
    }
    default:
      throw new Error(`unexpected reply type ${String.fromCharCode(type)}`);
  }
}

export function decodeReply(buf: Buffer): RespValue {
  return readReply(buf, 0)[0];
}
