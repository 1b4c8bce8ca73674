// Geo commands: argument parsing and replies, as Redis 7.0's geo.c answers them. Encoding and
// search live in types/geo.ts. A geo index is a plain sorted set, so GEOADD goes through ZADD
// (as Redis's does) and every zset command works on it. The forms that store their result
// (STORE/STOREDIST, GEOSEARCHSTORE) are 'exclusive' when their keys span workers.
import { CommandError, ERR_NOT_INTEGER, ERR_SYNTAX } from '../common/errors';
import { formatDoubleFixed } from '../common/long-double';
import { NOTIFY_ZSET } from '../common/notify';
import { ReplyWriter } from '../protocol/reply';
import { remove } from '../storage/keyspace';
import { decodeScore, geoDistance, geohashString, GeoPoint, geoScore, geoSearch, GeoShape, memberPosition, validLonLat } from '../types/geo';
import { zscore } from '../types/zset';
import { floatArg, lower, parseInt64 } from './args';
import { countLookup, storedTo } from './keyspace-events';
import { CommandSpec, WorkerContext } from './types';
import { readZ, storeItems, zaddGeneric } from './zset-family';

const ERR_DECODE_MEMBER = 'ERR could not decode requested zset member';

/** Meters per unit (extractUnitOrReply). */
function unitArg(b: Buffer): number {
  switch (lower(b)) {
    case 'm': return 1;
    case 'km': return 1000;
    case 'ft': return 0.3048;
    case 'mi': return 1609.34;
    default: throw new CommandError('ERR unsupported unit provided. please use M, KM, FT, MI');
  }
}

/** Longitude and latitude at args[i], args[i+1], within the indexable range. */
function lonLatArg(args: Buffer[], i: number): [number, number] {
  const lon = floatArg(args[i]);
  const lat = floatArg(args[i + 1]);
  if (!validLonLat(lon, lat)) throw new CommandError(`ERR invalid longitude,latitude pair ${formatDoubleFixed(lon, 6)},${formatDoubleFixed(lat, 6)}`);
  return [lon, lat];
}

/** `radius unit` at args[i] into the shape (a circle). */
function radiusArg(args: Buffer[], i: number, s: GeoShape): void {
  const r = floatArg(args[i], 'ERR need numeric radius');
  if (r < 0) throw new CommandError('ERR radius cannot be negative');
  s.radius = r;
  s.conversion = unitArg(args[i + 1]);
  s.box = false;
}

/** `width height unit` at args[i] into the shape (a box). */
function boxArg(args: Buffer[], i: number, s: GeoShape): void {
  const w = floatArg(args[i], 'ERR need numeric width');
  const h = floatArg(args[i + 1], 'ERR need numeric height');
  if (h < 0 || w < 0) throw new CommandError('ERR height or width cannot be negative');
  s.width = w;
  s.height = h;
  s.conversion = unitArg(args[i + 2]);
  s.box = true;
}

/** fixedpoint_d2string(d, 4): distances with four decimals, rounded half to even as llrint. */
function distanceText(d: number): string {
  const scaled = d * 10000;
  let r = Math.round(scaled);
  if (r - scaled === 0.5 && r % 2 !== 0) r -= 1;
  const digits = String(Math.abs(r)).padStart(5, '0');
  return `${r < 0 ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

// ---- GEOADD GEOPOS GEOHASH GEODIST ----

function geoadd(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  let nx = false, xx = false;
  let i = 2;
  for (; i < args.length; i++) {
    const o = lower(args[i]);
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o !== 'ch') break;
  }
  if ((args.length - i) % 3 !== 0 || (nx && xx)) throw new CommandError(ERR_SYNTAX);
  // ZADD key [options] score member ..., the scores being the positions' geohashes
  const zargs = args.slice(0, i);
  for (let j = i; j < args.length; j += 3) {
    const [lon, lat] = lonLatArg(args, j);
    zargs.push(Buffer.from(String(geoScore(lon, lat))), args[j + 2]);
  }
  zaddGeneric(ctx, zargs, out, false);
}

function geopos(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const z = readZ(ctx, args[1]);
  out.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const score = z ? zscore(z.env, z.meta, args[i]) : undefined;
    if (score === undefined) {
      out.nullArray();
      continue;
    }
    const [lon, lat] = decodeScore(score);
    out.arrayHeader(2);
    out.humanDouble(lon);
    out.humanDouble(lat);
  }
}

function geohash(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  const z = readZ(ctx, args[1]);
  out.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const score = z ? zscore(z.env, z.meta, args[i]) : undefined;
    out.bulk(score === undefined ? null : geohashString(score));
  }
}

function geodist(ctx: WorkerContext, args: Buffer[], out: ReplyWriter): void {
  let toMeters = 1;
  if (args.length === 5) toMeters = unitArg(args[4]);
  else if (args.length > 5) throw new CommandError(ERR_SYNTAX);
  const z = readZ(ctx, args[1]);
  if (!z) return out.nullBulk();
  const s1 = zscore(z.env, z.meta, args[2]);
  const s2 = s1 === undefined ? undefined : zscore(z.env, z.meta, args[3]);
  if (s1 === undefined || s2 === undefined) return out.nullBulk();
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  out.bulk(distanceText(geoDistance(lon1, lat1, lon2, lat2) / toMeters));
}

// ---- GEORADIUS* and GEOSEARCH* (georadiusGeneric) ----

interface Variant {
  /** Index of the source key. */
  src: number;
  /** Centre from `longitude latitude radius unit` (GEORADIUS) or `member radius unit` (BYMEMBER). */
  center?: 'coords' | 'member';
  /** No STORE/STOREDIST (the _RO forms). */
  noStore?: boolean;
  /** GEOSEARCH syntax; `store`: GEOSEARCHSTORE (destination at args[1], STOREDIST flag). */
  search?: boolean;
  store?: boolean;
}

const SORT_NONE = 0, SORT_ASC = 1, SORT_DESC = 2;

function georadiusGeneric(ctx: WorkerContext, args: Buffer[], out: ReplyWriter, v: Variant): void {
  const z = readZ(ctx, args[v.src]);
  countLookup(ctx, args[v.src], z !== undefined);
  const shape: GeoShape = { lon: 0, lat: 0, box: false, radius: 0, width: 0, height: 0, conversion: 1 };
  let base: number;
  let storeKey: Buffer | null = null;
  let storeDist = false;
  if (v.center === 'coords') {
    base = 6;
    [shape.lon, shape.lat] = lonLatArg(args, 2);
    radiusArg(args, 4, shape);
  } else if (v.center === 'member') {
    base = 5;
    // without a source key the options are still parsed, for the right error or empty reply
    if (z) {
      const pos = memberPosition(z.env, z.meta, args[2]);
      if (!pos) throw new CommandError(ERR_DECODE_MEMBER);
      [shape.lon, shape.lat] = pos;
      radiusArg(args, 3, shape);
    }
  } else {
    base = v.store ? 3 : 2;
    if (v.store) storeKey = args[1];
  }

  let withDist = false, withHash = false, withCoord = false;
  let fromMember = false, fromLonLat = false, byRadius = false, byBox = false;
  let sort = SORT_NONE;
  let any = false;
  /** 0: unlimited. */
  let count = 0;
  const remaining = args.length - base;
  for (let i = 0; i < remaining; i++) {
    const at = base + i;
    const o = lower(args[at]);
    if (o === 'withdist') withDist = true;
    else if (o === 'withhash') withHash = true;
    else if (o === 'withcoord') withCoord = true;
    else if (o === 'any') any = true;
    else if (o === 'asc') sort = SORT_ASC;
    else if (o === 'desc') sort = SORT_DESC;
    else if (o === 'count' && i + 1 < remaining) {
      const n = parseInt64(args[at + 1]);
      if (n === undefined) throw new CommandError(ERR_NOT_INTEGER);
      if (n <= 0n) throw new CommandError('ERR COUNT must be > 0');
      count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
      i++;
    } else if ((o === 'store' || o === 'storedist') && i + 1 < remaining && !v.noStore && !v.search) {
      storeKey = args[at + 1];
      storeDist = o === 'storedist';
      i++;
    } else if (o === 'storedist' && v.search && v.store) storeDist = true;
    else if (o === 'frommember' && i + 1 < remaining && v.search && !fromLonLat) {
      if (z) {
        const pos = memberPosition(z.env, z.meta, args[at + 1]);
        if (!pos) throw new CommandError(ERR_DECODE_MEMBER);
        [shape.lon, shape.lat] = pos;
      }
      fromMember = true;
      i++;
    } else if (o === 'fromlonlat' && i + 2 < remaining && v.search && !fromMember) {
      [shape.lon, shape.lat] = lonLatArg(args, at + 1);
      fromLonLat = true;
      i += 2;
    } else if (o === 'byradius' && i + 2 < remaining && v.search && !byBox) {
      radiusArg(args, at + 1, shape);
      byRadius = true;
      i += 2;
    } else if (o === 'bybox' && i + 3 < remaining && v.search && !byRadius) {
      boxArg(args, at + 1, shape);
      byBox = true;
      i += 3;
    } else throw new CommandError(ERR_SYNTAX);
  }

  if (storeKey && (withDist || withHash || withCoord)) {
    throw new CommandError(`ERR ${v.store ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  const name = args[0].toString();
  if (v.search && !(fromMember || fromLonLat)) throw new CommandError(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`);
  if (v.search && !(byRadius || byBox)) throw new CommandError(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`);
  if (any && count === 0) throw new CommandError('ERR the ANY argument requires COUNT argument');

  if (!z) {
    if (!storeKey) return out.arrayHeader(0);
    storedTo(ctx, NOTIFY_ZSET, '', storeKey, 0, remove(ctx.env(storeKey, false), storeKey, ctx.now));
    return out.int(0);
  }
  // the nearest N need sorting; ANY takes the first N found
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;
  const points = geoSearch(z.env, z.meta, shape, any ? count : 0);
  if (points.length === 0 && !storeKey) return out.arrayHeader(0);
  if (sort === SORT_ASC) points.sort((a, b) => a.dist - b.dist);
  else if (sort === SORT_DESC) points.sort((a, b) => b.dist - a.dist);
  const returned = count === 0 || points.length < count ? points.length : count;
  const taken = points.slice(0, returned);
  if (storeKey) {
    const items = taken.map((p) => ({ member: p.member, score: storeDist ? p.dist / shape.conversion : p.score }));
    return storeItems(ctx, v.search ? 'geosearchstore' : 'georadiusstore', storeKey, items, out);
  }
  replyPoints(out, taken, shape.conversion, withDist, withHash, withCoord);
}

function replyPoints(out: ReplyWriter, points: GeoPoint[], conversion: number, withDist: boolean, withHash: boolean, withCoord: boolean): void {
  const extras = Number(withDist) + Number(withHash) + Number(withCoord);
  out.arrayHeader(points.length);
  for (const p of points) {
    if (extras) out.arrayHeader(extras + 1);
    out.bulk(p.member);
    if (withDist) out.bulk(distanceText(p.dist / conversion));
    if (withHash) out.int(Math.trunc(p.score));
    if (withCoord) {
      out.arrayHeader(2);
      out.humanDouble(p.lon);
      out.humanDouble(p.lat);
    }
  }
}

/** The source and, when given, the STORE/STOREDIST destination (Redis's georadiusGetKeys). */
function georadiusKeys(args: Buffer[]): Buffer[] {
  let stored = -1;
  for (let i = 5; i < args.length; i++) {
    const o = lower(args[i]);
    if ((o === 'store' || o === 'storedist') && i + 1 < args.length) stored = ++i;
  }
  return stored > 0 ? [args[1], args[stored]] : [args[1]];
}

const T = (
  name: string, arity: number, flags: CommandSpec['flags'], keys: [number, number, number],
  worker: CommandSpec['worker'], summary: string, since: string, extra: Partial<CommandSpec> = {},
): CommandSpec => ({ name, arity, flags, firstKey: keys[0], lastKey: keys[1], keyStep: keys[2], group: 'geo', summary, since, worker, ...extra });
const ONE: [number, number, number] = [1, 1, 1];
const STORING = { spread: 'exclusive' as const, keys: georadiusKeys };

export const GEO_COMMANDS: CommandSpec[] = [
  T('geoadd', -5, ['write', 'denyoom'], ONE, geoadd, 'Add one or more geospatial items in the geospatial index represented using a sorted set', '3.2.0'),
  T('geopos', -2, ['readonly'], ONE, geopos, 'Returns longitude and latitude of members of a geospatial index', '3.2.0'),
  T('geohash', -2, ['readonly'], ONE, geohash, 'Returns members of a geospatial index as standard geohash strings', '3.2.0'),
  T('geodist', -4, ['readonly'], ONE, geodist, 'Returns the distance between two members of a geospatial index', '3.2.0'),
  T('georadius', -6, ['write', 'denyoom'], ONE, (c, a, o) => georadiusGeneric(c, a, o, { src: 1, center: 'coords' }),
    'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point', '3.2.0', STORING),
  T('georadius_ro', -6, ['readonly'], ONE, (c, a, o) => georadiusGeneric(c, a, o, { src: 1, center: 'coords', noStore: true }),
    'A read-only variant for GEORADIUS', '3.2.10'),
  T('georadiusbymember', -5, ['write', 'denyoom'], ONE, (c, a, o) => georadiusGeneric(c, a, o, { src: 1, center: 'member' }),
    'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member', '3.2.0', STORING),
  T('georadiusbymember_ro', -5, ['readonly'], ONE, (c, a, o) => georadiusGeneric(c, a, o, { src: 1, center: 'member', noStore: true }),
    'A read-only variant for GEORADIUSBYMEMBER', '3.2.10'),
  T('geosearch', -7, ['readonly'], ONE, (c, a, o) => georadiusGeneric(c, a, o, { src: 1, search: true }),
    'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.', '6.2.0'),
  T('geosearchstore', -8, ['write', 'denyoom'], [1, 2, 1], (c, a, o) => georadiusGeneric(c, a, o, { src: 2, search: true, store: true }),
    'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.', '6.2.0',
    { spread: 'exclusive' }),
];
