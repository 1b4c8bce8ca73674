// Bitmaps: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD over string values. Bit 0 is the most
// significant bit of byte 0, as in Redis. Offsets reach proto-max-bulk-len bytes (no 2^21-bit
// cap as Pika had).
import { CommandError, ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from '../common/errors';
import { STRING_MAX_BYTES } from '../common/limits';
import { NOTIFY_STRING } from '../common/notify';
import { ReplyWriter } from '../protocol/reply';
import { KeyType, lookup, remove } from '../storage/keyspace';
import { getString, getStringWithExpiry, putString } from '../types/string';
import { bigIntArg, lower, parseInt64 } from './args';
import { countLookup, storedTo } from './keyspace-events';
import { CommandSpec, WorkerContext } from './types';

const ERR_BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const ERR_BIT_VALUE = 'ERR bit is not an integer or out of range';
/** The byte holding bit `i`; offsets reach 2^32 + 63, past what `>>` handles. */
const byteOf = (i: number) => Math.floor(i / 8);

/** A bit offset below proto-max-bulk-len bytes; with `unitBits`, "#n" means n × unitBits (BITFIELD). */
function bitOffset(arg: Buffer, unitBits = 0): number {
  const units = unitBits > 0 && arg[0] === 0x23; // '#'
  let n = parseInt64(units ? arg.subarray(1) : arg);
  // Redis multiplies in a signed 64-bit integer: a huge #n wraps (and then fails the range check).
  if (n !== undefined && units) n = BigInt.asIntN(64, n * BigInt(unitBits));
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
    const byte = byteOf(offset);
    const value = cur && cur.value.length > byte ? Buffer.from(cur.value) : Buffer.concat([cur?.value ?? Buffer.alloc(0), Buffer.alloc(byte + 1 - (cur?.value.length ?? 0))]);
    const mask = 0x80 >> (offset & 7);
    const old = value[byte] & mask ? 1 : 0;
    out.int(old);
    // as Redis, a string that is neither new, longer nor different is left alone, unreported
    if (cur && cur.value.length > byte && old === Number(bitText)) return;
    if (bitText === '1') value[byte] |= mask;
    else value[byte] &= ~mask;
    putString(env, args[1], value, cur ? cur.expireAt : 0);
    ctx.notify(NOTIFY_STRING, 'setbit', args[1]);
  });
}

function getbit(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const offset = bitOffset(args[2]);
  const v = getString(ctx.env(args[1], false), args[1], ctx.now);
  const byte = byteOf(offset);
  out.int(v && byte < v.length && v[byte] & (0x80 >> (offset & 7)) ? 1 : 0);
}

const POPCOUNT = new Uint8Array(256).map((_, i) => {
  let c = 0;
  for (let x = i; x; x >>= 1) c += x & 1;
  return c;
});

/** A BITCOUNT/BITPOS index: a signed 64-bit integer, held as a double clamped to ±2^53 (beyond any string). */
function indexArg(arg: Buffer): number {
  const n = parseInt64(arg);
  if (n === undefined) throw new CommandError(ERR_NOT_INTEGER);
  return Number(n < -(2n ** 53n) ? -(2n ** 53n) : n > 2n ** 53n ? 2n ** 53n : n);
}

/** Redis's start/end normalisation for BITCOUNT/BITPOS: negative from the end, clamped; null when empty. */
function range(start: number, end: number, unitLen: number): [number, number] | null {
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

const bitAt = (v: Buffer, i: number) => (v[byteOf(i)] >> (7 - (i & 7))) & 1;

// BITCOUNT and BITPOS check their arguments in Redis 7.0's order: the key first (a missing key
// answers before any range is read), then start, the unit, end.
function bitcount(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const v = getString(ctx.env(args[1], false), args[1], ctx.now);
  if (!v) return out.int(0);
  if (args.length === 2) {
    let n = 0;
    for (const b of v) n += POPCOUNT[b];
    return out.int(n);
  }
  if (args.length !== 4 && args.length !== 5) throw new CommandError(ERR_SYNTAX);
  const start = indexArg(args[2]);
  const end = indexArg(args[3]);
  if (start < 0 && end < 0 && start > end) return out.int(0);
  const unit = unitOf(args[4]);
  const r = range(start, end, unit === 'bit' ? v.length * 8 : v.length);
  if (!r) return out.int(0);
  let n = 0;
  if (unit === 'byte') for (let i = r[0]; i <= r[1]; i++) n += POPCOUNT[v[i]];
  else for (let i = r[0]; i <= r[1]; i++) n += bitAt(v, i);
  out.int(n);
}

function bitpos(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const bit = parseInt64(args[2]);
  if (bit === undefined) throw new CommandError(ERR_NOT_INTEGER);
  if (bit !== 0n && bit !== 1n) throw new CommandError('ERR The bit argument must be 1 or 0.');
  const want = Number(bit);
  const v = getString(ctx.env(args[1], false), args[1], ctx.now);
  if (!v) return out.int(want ? -1 : 0);
  if (args.length > 6) throw new CommandError(ERR_SYNTAX);
  const start = args.length >= 4 ? indexArg(args[3]) : 0;
  const unit = unitOf(args[5]);
  const endGiven = args.length >= 5;
  const totalUnits = unit === 'bit' ? v.length * 8 : v.length;
  const r = range(start, endGiven ? indexArg(args[4]) : totalUnits - 1, totalUnits);
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
    countLookup(ctx, k, rec !== null);
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
  const existed = len === 0 && remove(dstEnv, args[2], ctx.now);
  if (len > 0) dstEnv.write(() => putString(dstEnv, args[2], result, 0));
  storedTo(ctx, NOTIFY_STRING, 'set', args[2], len, existed);
  out.int(len);
}

// ---- BITFIELD: integers of 1..64 bits at any bit offset, bit 0 the high bit of byte 0 ----

const ERR_BITFIELD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const U64 = (x: bigint) => BigInt.asUintN(64, x);
const I64 = (x: bigint) => BigInt.asIntN(64, x);

type Overflow = 'wrap' | 'sat' | 'fail';
interface FieldOp {
  op: 'get' | 'set' | 'incrby';
  signed: boolean;
  bits: number;
  offset: number;
  /** SET's value or INCRBY's increment. */
  arg: bigint;
  overflow: Overflow;
}

function fieldType(arg: Buffer): { signed: boolean; bits: number } {
  const sign = arg[0];
  if (sign !== 0x69 && sign !== 0x75) throw new CommandError(ERR_BITFIELD_TYPE); // 'i' | 'u'
  const signed = sign === 0x69;
  const bits = parseInt64(arg.subarray(1));
  // u64 is refused: its values could not be answered as a signed 64-bit integer.
  if (bits === undefined || bits < 1n || bits > (signed ? 64n : 63n)) throw new CommandError(ERR_BITFIELD_TYPE);
  return { signed, bits: Number(bits) };
}

/** Reads `bits` bits at `offset` as an unsigned integer; bytes past the value read as 0. */
function getField(v: Buffer | undefined, offset: number, bits: number): bigint {
  let n = 0n;
  for (let i = offset; i < offset + bits; i++) n = (n << 1n) | BigInt(v && byteOf(i) < v.length ? bitAt(v, i) : 0);
  return n;
}

/** Writes the low `bits` bits of `value`; `v` already reaches the last bit. */
function setField(v: Buffer, offset: number, bits: number, value: bigint): void {
  for (let j = 0; j < bits; j++) {
    const i = offset + j;
    const mask = 0x80 >> (i & 7);
    if ((value >> BigInt(bits - 1 - j)) & 1n) v[byteOf(i)] |= mask;
    else v[byteOf(i)] &= ~mask;
  }
}

const asSigned = (u: bigint, bits: number) => BigInt.asIntN(bits, u);

/**
 * Redis's overflow check of value + incr in a field of `bits` bits (incr 0 for SET), with its
 * 64-bit wrap-arounds: the result, or null for FAIL. The comparisons reproduce Redis's C integer
 * arithmetic exactly, quirks included (e.g. SAT on SET i8 of -2^63 answers 127, as Redis does).
 */
function applyOverflow(signed: boolean, bits: number, value: bigint, incr: bigint, overflow: Overflow): bigint | null {
  let over = 0;
  let limitMax: bigint;
  let limitMin: bigint;
  if (signed) {
    const max = bits === 64 ? 2n ** 63n - 1n : (1n << BigInt(bits - 1)) - 1n;
    const min = -max - 1n;
    const maxIncr = I64(max - value);
    const minIncr = I64(min - value);
    if (value > max || (bits !== 64 && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr)) over = 1;
    else if (value < min || (bits !== 64 && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr)) over = -1;
    limitMax = max;
    limitMin = min;
  } else {
    const max = (1n << BigInt(bits)) - 1n;
    const maxIncr = I64(max - value);
    const minIncr = I64(-value);
    if (value > max || (incr > 0n && incr > maxIncr)) over = 1;
    else if (incr < 0n && incr < minIncr) over = -1;
    limitMax = max;
    limitMin = 0n;
  }
  const sum = U64(value + incr);
  if (over === 0) return signed ? I64(sum) : sum;
  if (overflow === 'fail') return null;
  if (overflow === 'sat') return over > 0 ? limitMax : limitMin;
  const low = BigInt.asUintN(bits, sum);
  return signed ? asSigned(low, bits) : low;
}

function parseBitfield(args: Buffer[]): FieldOp[] {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  for (let j = 2; j < args.length; j++) {
    const remaining = args.length - j - 1;
    const sub = lower(args[j]);
    if (sub === 'overflow' && remaining >= 1) {
      const kind = lower(args[++j]);
      if (kind !== 'wrap' && kind !== 'sat' && kind !== 'fail') throw new CommandError('ERR Invalid OVERFLOW type specified');
      overflow = kind;
      continue;
    }
    if (!((sub === 'get' && remaining >= 2) || ((sub === 'set' || sub === 'incrby') && remaining >= 3))) throw new CommandError(ERR_SYNTAX);
    const { signed, bits } = fieldType(args[j + 1]);
    const offset = bitOffset(args[j + 2], bits);
    const arg = sub === 'get' ? 0n : bigIntArg(args[j + 3]);
    ops.push({ op: sub, signed, bits, offset, arg, overflow });
    j += sub === 'get' ? 2 : 3;
  }
  return ops;
}

function bitfieldWith(readonlyCommand: boolean) {
  return (ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void => {
    const ops = parseBitfield(args);
    const writes = ops.some((o) => o.op !== 'get');
    if (!writes) {
      const v = getString(ctx.env(args[1], false), args[1], ctx.now);
      out.arrayHeader(ops.length);
      for (const o of ops) {
        const u = getField(v, o.offset, o.bits);
        out.int(o.signed ? asSigned(u, o.bits) : u);
      }
      return;
    }
    if (readonlyCommand) throw new CommandError('ERR BITFIELD_RO only supports the GET subcommand');
    let lastBit = 0;
    for (const o of ops) if (o.op !== 'get') lastBit = Math.max(lastBit, o.offset + o.bits - 1);
    const env = ctx.env(args[1], true)!;
    env.write(() => {
      const cur = getStringWithExpiry(env, args[1], ctx.now);
      const needed = byteOf(lastBit) + 1;
      // As Redis, the key is created or zero-padded up to the last bit written even if every write fails.
      const grown = !cur || cur.value.length < needed;
      const v = !grown ? Buffer.from(cur.value) : Buffer.concat([cur?.value ?? Buffer.alloc(0), Buffer.alloc(needed - (cur?.value.length ?? 0))]);
      let changed = grown;
      /** Writes that changed the string (or any write to a new or grown one), as Redis counts changes. */
      let writes = 0;
      out.arrayHeader(ops.length);
      for (const o of ops) {
        const oldU = getField(v, o.offset, o.bits);
        const old = o.signed ? asSigned(oldU, o.bits) : oldU;
        if (o.op === 'get') {
          out.int(old);
          continue;
        }
        const next = o.op === 'incrby'
          ? applyOverflow(o.signed, o.bits, old, o.arg, o.overflow)
          : applyOverflow(o.signed, o.bits, o.signed ? o.arg : U64(o.arg), 0n, o.overflow);
        if (next === null) {
          out.nullBulk();
          continue;
        }
        out.int(o.op === 'incrby' ? next : old);
        setField(v, o.offset, o.bits, U64(next));
        if (grown || next !== old) {
          writes++;
          changed = true;
        }
      }
      if (changed) putString(env, args[1], v, cur ? cur.expireAt : 0);
      if (writes) ctx.notify(NOTIFY_STRING, 'setbit', args[1]);
    });
  };
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
  B('bitfield', -2, ['write', 'denyoom'], [1, 1, 1], bitfieldWith(false), 'Perform arbitrary bitfield integer operations on strings', { since: '3.2.0' }),
  B('bitfield_ro', -2, ['readonly', 'fast'], [1, 1, 1], bitfieldWith(true), 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD', { since: '6.0.0' }),
];
