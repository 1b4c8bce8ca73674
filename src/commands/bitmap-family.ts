// Bitmaps: SETBIT GETBIT BITCOUNT BITPOS BITOP over string values. Bit 0 is the most
// significant bit of byte 0, as in Redis. Offsets reach proto-max-bulk-len bytes (no 2^21-bit
// cap as Pika had).
import { CommandError, ERR_SYNTAX, ERR_WRONGTYPE } from '../common/errors';
import { STRING_MAX_BYTES } from '../common/limits';
import { ReplyWriter } from '../protocol/reply';
import { KeyType, lookup, remove } from '../storage/keyspace';
import { getString, getStringWithExpiry, putString } from '../types/string';
import { lower, parseInt64 } from './args';
import { CommandSpec, WorkerContext } from './types';

const ERR_BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const ERR_BIT_VALUE = 'ERR bit is not an integer or out of range';

function bitOffset(arg: Buffer): number {
  const n = parseInt64(arg);
  if (n === undefined || n < 0n || n >> 3n >= BigInt(STRING_MAX_BYTES)) throw new CommandError(ERR_BIT_OFFSET);
  return Number(n);
}

function setbit(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const offset = bitOffset(args[2]);
  const bitText = args[3].toString('latin1');
  if (bitText !== '0' && bitText !== '1') throw new CommandError(ERR_BIT_VALUE);
  const env = ctx.env(args[1], true)!;
  env.write(() => {
    const cur = getStringWithExpiry(env, args[1], ctx.now);
    const byte = offset >> 3;
    const value = cur && cur.value.length > byte ? Buffer.from(cur.value) : Buffer.concat([cur?.value ?? Buffer.alloc(0), Buffer.alloc(byte + 1 - (cur?.value.length ?? 0))]);
    const mask = 0x80 >> (offset & 7);
    const old = value[byte] & mask ? 1 : 0;
    if (bitText === '1') value[byte] |= mask;
    else value[byte] &= ~mask;
    putString(env, args[1], value, cur ? cur.expireAt : 0);
    out.int(old);
  });
}

function getbit(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const offset = bitOffset(args[2]);
  const v = getString(ctx.env(args[1], false), args[1], ctx.now);
  const byte = offset >> 3;
  out.int(v && byte < v.length && v[byte] & (0x80 >> (offset & 7)) ? 1 : 0);
}

const POPCOUNT = new Uint8Array(256).map((_, i) => {
  let c = 0;
  for (let x = i; x; x >>= 1) c += x & 1;
  return c;
});

/** Redis's start/end normalisation for BITCOUNT/BITPOS: negative from the end, clamped. */
function range(startArg: Buffer, endArg: Buffer | undefined, unitLen: number): [number, number] | null {
  const s = parseInt64(startArg);
  const e = endArg ? parseInt64(endArg) : BigInt(unitLen - 1);
  if (s === undefined || e === undefined) throw new CommandError('ERR value is not an integer or out of range');
  let start = Number(s < -(2n ** 53n) ? -(2n ** 53n) : s > 2n ** 53n ? 2n ** 53n : s);
  let end = Number(e < -(2n ** 53n) ? -(2n ** 53n) : e > 2n ** 53n ? 2n ** 53n : e);
  if (start < 0 && end < 0 && start > end) return null;
  if (start < 0) start = unitLen + start;
  if (end < 0) end = unitLen + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= unitLen) end = unitLen - 1;
  return start > end ? null : [start, end];
}

function unitOf(arg: Buffer | undefined): 'byte' | 'bit' {
  if (!arg) return 'byte';
  const u = lower(arg);
  if (u !== 'byte' && u !== 'bit') throw new CommandError(ERR_SYNTAX);
  return u;
}

const bitAt = (v: Buffer, i: number) => (v[i >> 3] >> (7 - (i & 7))) & 1;

function bitcount(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  if (args.length === 3 || args.length > 5) throw new CommandError(ERR_SYNTAX);
  const unit = unitOf(args[4]);
  const v = getString(ctx.env(args[1], false), args[1], ctx.now) ?? Buffer.alloc(0);
  if (args.length === 2) {
    let n = 0;
    for (const b of v) n += POPCOUNT[b];
    return out.int(n);
  }
  const r = range(args[2], args[3], unit === 'bit' ? v.length * 8 : v.length);
  if (!r) return out.int(0);
  let n = 0;
  if (unit === 'byte') for (let i = r[0]; i <= r[1]; i++) n += POPCOUNT[v[i]];
  else for (let i = r[0]; i <= r[1]; i++) n += bitAt(v, i);
  out.int(n);
}

function bitpos(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  if (args.length > 6) throw new CommandError(ERR_SYNTAX);
  const bitText = args[2].toString('latin1');
  if (bitText !== '0' && bitText !== '1') throw new CommandError('ERR The bit argument must be 1 or 0.');
  const want = Number(bitText);
  const unit = unitOf(args[5]);
  const v = getString(ctx.env(args[1], false), args[1], ctx.now);
  if (!v) return out.int(want ? -1 : 0);
  const endGiven = args.length >= 5;
  const totalUnits = unit === 'bit' ? v.length * 8 : v.length;
  const r = args.length >= 4 ? range(args[3], args[4], totalUnits) : [0, totalUnits - 1] as [number, number];
  if (!r) return out.int(-1);
  const [firstBit, lastBit] = unit === 'bit' ? r : [r[0] * 8, r[1] * 8 + 7];
  for (let i = firstBit; i <= lastBit; i++) if (bitAt(v, i) === want) return out.int(i);
  // Looking for 0 without an explicit end: the string is treated as padded with zeros.
  out.int(want === 0 && !endGiven ? lastBit + 1 : -1);
}

function bitop(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const op = lower(args[1]);
  if (!['and', 'or', 'xor', 'not'].includes(op)) throw new CommandError(ERR_SYNTAX);
  const sources = args.slice(3);
  if (op === 'not' && sources.length !== 1) throw new CommandError('ERR BITOP NOT must be called with a single source key.');
  const values = sources.map((k) => {
    const rec = lookup(ctx.env(k, false), k, ctx.now);
    if (rec && rec.type !== KeyType.String) throw new CommandError(ERR_WRONGTYPE);
    return rec ? rec.payload : Buffer.alloc(0);
  });
  const len = Math.max(0, ...values.map((v) => v.length));
  const result = Buffer.alloc(len);
  for (let i = 0; i < len; i++) {
    let acc = values[0][i] ?? 0;
    if (op === 'not') acc = ~acc & 0xff;
    for (let j = 1; j < values.length; j++) {
      const b = values[j][i] ?? 0;
      acc = op === 'and' ? acc & b : op === 'or' ? acc | b : acc ^ b;
    }
    result[i] = acc;
  }
  const dstEnv = ctx.env(args[2], true)!;
  if (len === 0) remove(dstEnv, args[2], ctx.now);
  else dstEnv.write(() => putString(dstEnv, args[2], result, 0));
  out.int(len);
}

const B = (name: string, arity: number, flags: CommandSpec['flags'], keys: [number, number, number], worker: CommandSpec['worker'], summary: string, extra: Partial<CommandSpec> = {}): CommandSpec => ({
  name, arity, flags, firstKey: keys[0], lastKey: keys[1], keyStep: keys[2], group: 'bitmap', summary, since: '2.2.0', worker, ...extra,
});

export const BITMAP_COMMANDS: CommandSpec[] = [
  B('setbit', 4, ['write', 'denyoom'], [1, 1, 1], setbit, 'Sets or clears the bit at offset in the string value stored at key'),
  B('getbit', 3, ['readonly', 'fast'], [1, 1, 1], getbit, 'Returns the bit value at offset in the string value stored at key'),
  B('bitcount', -2, ['readonly'], [1, 1, 1], bitcount, 'Count set bits in a string'),
  B('bitpos', -3, ['readonly'], [1, 1, 1], bitpos, 'Find first bit set or clear in a string'),
  B('bitop', -4, ['write', 'denyoom'], [2, -1, 1], bitop, 'Perform bitwise operations between strings', { spread: 'exclusive' }),
];
