// Geo indexes as Redis 7.0 keeps them (geohash.c, geohash_helper.c, geo.c): a sorted set whose
// scores are 52-bit geohashes, latitude bits in the even positions and longitude bits in the odd
// ones, over the Web-Mercator latitude range. A radius or box search scans the score ranges of
// the centre geohash box and its eight neighbours, at a precision chosen so that they cover the
// shape, and keeps the points inside it. Arithmetic follows Redis's order of operations so that
// coordinates and distances come out bit for bit as Redis computes them.
import { asin, cos, sin } from '../common/libm';
import { SlotEnv } from '../storage/slot-store';
import { ZMeta, zrankWindow, zscore, zscoreRanks } from './zset';

/** 26 bits per coordinate: 52-bit scores, exact in a double. */
export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
/** Earth's quadratic mean radius for WGS-84, as Redis uses it. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180;
const TWO32 = 2 ** 32;

interface Range {
  min: number;
  max: number;
}
const LONG_RANGE: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const LAT_RANGE: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
/** Standard geohash ranges, which GEOHASH's strings use. */
const STD_LAT_RANGE: Range = { min: -90, max: 90 };

/** A geohash cell kept as its two coordinates' fixed-point values (uint32) and its precision. */
export interface Cell {
  lat: number;
  lon: number;
  step: number;
}

interface Area {
  lat: Range;
  lon: Range;
}

// ---- bit interleaving, on 32-bit halves since JS bit operators are 32-bit ----

/** The low 16 bits of x spread into the even bits of a 32-bit value. */
function spread(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

/** The even bits of a 32-bit value gathered into 16 bits. */
function squash(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

/** interleave64: lat in the even bits, lon in the odd bits, as a double (rounded past 2^53 as C's cast). */
function interleave(lat: number, lon: number): number {
  const lo = (spread(lat) | (spread(lon) << 1)) >>> 0;
  const hi = (spread(lat >>> 16) | (spread(lon >>> 16) << 1)) >>> 0;
  return hi * TWO32 + lo;
}

/** The 64-bit value of C's (uint64_t) cast of a score, as two 32-bit halves. */
function scoreHalves(score: number): [number, number] {
  if (score >= 0 && score < 2 ** 53) {
    const t = Math.trunc(score);
    const hi = Math.floor(t / TWO32);
    return [hi, t - hi * TWO32];
  }
  // outside what geo writes; mirror x86-64's conversion: out-of-range values give 0 or 2^63
  let u: bigint;
  if (score > -(2 ** 63) && score < 2 ** 63) u = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  else if (score >= 2 ** 63 && score < 2 ** 64) u = BigInt(score);
  else u = score <= -(2 ** 63) ? 1n << 63n : 0n;
  return [Number(u >> 32n), Number(u & 0xffffffffn)];
}

/** The 26-bit-step cell a stored score stands for (decodeGeohash's deinterleave). */
function cellOfScore(score: number): Cell {
  const [hi, lo] = scoreHalves(score);
  const lat = (squash(lo) | (squash(hi) << 16)) >>> 0;
  const lon = (squash(lo >>> 1) | (squash(hi >>> 1) << 16)) >>> 0;
  return { lat, lon, step: GEO_STEP_MAX };
}

// ---- encoding and decoding ----

/** geohashEncode; the caller has checked the coordinates. */
function encode(lon: number, lat: number, step: number, latRange = LAT_RANGE): Cell {
  const latOffset = ((lat - latRange.min) / (latRange.max - latRange.min)) * 2 ** step;
  const lonOffset = ((lon - LONG_RANGE.min) / (LONG_RANGE.max - LONG_RANGE.min)) * 2 ** step;
  return { lat: latOffset >>> 0, lon: lonOffset >>> 0, step };
}

/** geohashAlign52Bits of a cell's bits (plus `add`, for the exclusive end of its score range). */
function align52(c: Cell, add = 0): number {
  return (interleave(c.lat, c.lon) + add) * 2 ** (52 - c.step * 2);
}

function decode(c: Cell): Area {
  const latScale = LAT_RANGE.max - LAT_RANGE.min;
  const lonScale = LONG_RANGE.max - LONG_RANGE.min;
  const cells = 2 ** c.step;
  return {
    lat: { min: LAT_RANGE.min + (c.lat / cells) * latScale, max: LAT_RANGE.min + ((c.lat + 1) / cells) * latScale },
    lon: { min: LONG_RANGE.min + (c.lon / cells) * lonScale, max: LONG_RANGE.min + ((c.lon + 1) / cells) * lonScale },
  };
}

/** A cell's centre, clamped to the valid ranges. */
function centre(a: Area): [number, number] {
  const lon = Math.min(GEO_LONG_MAX, Math.max(GEO_LONG_MIN, (a.lon.min + a.lon.max) / 2));
  const lat = Math.min(GEO_LAT_MAX, Math.max(GEO_LAT_MIN, (a.lat.min + a.lat.max) / 2));
  return [lon, lat];
}

export const validLonLat = (lon: number, lat: number) => lon >= GEO_LONG_MIN && lon <= GEO_LONG_MAX && lat >= GEO_LAT_MIN && lat <= GEO_LAT_MAX;

/** The score GEOADD stores for a (valid) position. */
export function geoScore(lon: number, lat: number): number {
  return align52(encode(lon, lat, GEO_STEP_MAX));
}

/** [lon, lat] of a stored score: the centre of its 52-bit cell. */
export function decodeScore(score: number): [number, number] {
  return centre(decode(cellOfScore(score)));
}

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11-character standard geohash of a stored score (the last character is always '0'). */
export function geohashString(score: number): string {
  const [lon, lat] = decodeScore(score);
  const bits = align52(encode(lon, lat, GEO_STEP_MAX, STD_LAT_RANGE));
  let s = '';
  for (let i = 0; i < 10; i++) s += GEO_ALPHABET[Math.floor(bits / 2 ** (52 - (i + 1) * 5)) % 32];
  return s + GEO_ALPHABET[0];
}

// ---- distances ----

const degRad = (d: number) => d * D_R;
const radDeg = (r: number) => r / D_R;

function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1));
}

type Trig = { sin: (x: number) => number; cos: (x: number) => number; asin: (x: number) => number };
/** Correctly rounded, as glibc computes Redis's distances. */
const EXACT: Trig = { sin, cos, asin };
/** V8's, within an ulp or two of EXACT: a cheap first test of whether a point is near the shape. */
const FAST: Trig = Math;
/** Relative margin within which FAST cannot decide a comparison. */
const FAST_MARGIN = 1e-9;

function haversine(m: Trig, lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = m.sin((lon2r - lon1r) / 2);
  // same longitude: the formula reduces to the latitude difference
  if (v === 0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = m.sin((lat2r - lat1r) / 2);
  const a = u * u + m.cos(lat1r) * m.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * m.asin(Math.sqrt(a));
}

/** Haversine great-circle distance in meters. */
export function geoDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  return haversine(EXACT, lon1, lat1, lon2, lat2);
}

/** The distance when it is within `limit`, else -1; FAST rules out the points clearly beyond. */
function distanceWithin(lon1: number, lat1: number, lon2: number, lat2: number, limit: number): number {
  if (haversine(FAST, lon1, lat1, lon2, lat2) > limit * (1 + FAST_MARGIN)) return -1;
  const d = geoDistance(lon1, lat1, lon2, lat2);
  return d <= limit ? d : -1;
}

// ---- search ----

/** A search area: a circle (radius) or an axis-aligned box (width, height), in `conversion` units. */
export interface GeoShape {
  lon: number;
  lat: number;
  box: boolean;
  radius: number;
  width: number;
  height: number;
  /** Meters per unit of radius/width/height. */
  conversion: number;
}

export interface GeoPoint {
  member: Buffer;
  score: number;
  lon: number;
  lat: number;
  /** Meters from the shape's centre. */
  dist: number;
}

function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return GEO_STEP_MAX;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2; // so the range falls inside the 3x3 boxes in most cases
  // meridians converge towards the poles: wider boxes there
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  return Math.min(GEO_STEP_MAX, Math.max(1, step));
}

/** [minLon, minLat, maxLon, maxLat] around the shape (geohashBoundingBox). */
function boundingBox(s: GeoShape): [number, number, number, number] {
  const height = s.conversion * (s.box ? s.height / 2 : s.radius);
  const width = s.conversion * (s.box ? s.width / 2 : s.radius);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(s.lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(s.lat - latDelta)));
  // the box is widest on the side nearer the equator
  const south = s.lat < 0;
  const lonDelta = south ? lonDeltaBottom : lonDeltaTop;
  return [s.lon - lonDelta, s.lat - latDelta, s.lon + lonDelta, s.lat + latDelta];
}

/** The cell moved by dx, dy cells; the moved coordinate wraps within the step (geohash_move_x/y). */
function moved(c: Cell, dx: number, dy: number): Cell {
  const n = 2 ** c.step;
  const lon = dx === 0 ? c.lon : (((c.lon + dx) % n) + n) % n;
  const lat = dy === 0 ? c.lat : (((c.lat + dy) % n) + n) % n;
  return { lat, lon, step: c.step };
}

/** The centre cell, then N S E W NE NW SE SW as Redis scans them; null for boxes left out. */
function searchCells(s: GeoShape): (Cell | null)[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  const radiusMeters = s.conversion * (s.box ? Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2)) : s.radius);
  let steps = estimateSteps(radiusMeters, s.lat);
  let cell = encode(s.lon, s.lat, steps);
  // near a box edge the estimate can fall short: the neighbours must reach past the shape
  const north = decode(moved(cell, 0, 1));
  const south = decode(moved(cell, 0, -1));
  const east = decode(moved(cell, 1, 0));
  const west = decode(moved(cell, -1, 0));
  if (steps > 1 && (north.lat.max < maxLat || south.lat.min > minLat || east.lon.max < maxLon || west.lon.min > minLon)) {
    steps--;
    cell = encode(s.lon, s.lat, steps);
  }
  const area = decode(cell);
  const cells: (Cell | null)[] = [
    cell, moved(cell, 0, 1), moved(cell, 0, -1), moved(cell, 1, 0), moved(cell, -1, 0),
    moved(cell, 1, 1), moved(cell, -1, 1), moved(cell, 1, -1), moved(cell, -1, -1),
  ];
  const N = 1, S = 2, E = 3, W = 4, NE = 5, NW = 6, SE = 7, SW = 8;
  // leave out the neighbours on a side the centre cell already covers past the shape
  if (steps >= 2) {
    const drop = (...idx: number[]) => idx.forEach((i) => (cells[i] = null));
    if (area.lat.min < minLat) drop(S, SW, SE);
    if (area.lat.max > maxLat) drop(N, NE, NW);
    if (area.lon.min < minLon) drop(W, SW, NW);
    if (area.lon.max > maxLon) drop(E, SE, NE);
  }
  return cells;
}

/** Whether a stored point lies in the shape; fills its coordinates and distance. */
function withinShape(s: GeoShape, p: GeoPoint): boolean {
  [p.lon, p.lat] = decodeScore(p.score);
  if (!s.box) {
    p.dist = distanceWithin(s.lon, s.lat, p.lon, p.lat, s.radius * s.conversion);
    return p.dist >= 0;
  }
  // the cheaper latitude test first
  if (latDistance(p.lat, s.lat) > (s.height * s.conversion) / 2) return false;
  if (distanceWithin(p.lon, p.lat, s.lon, p.lat, (s.width * s.conversion) / 2) < 0) return false;
  p.dist = geoDistance(s.lon, s.lat, p.lon, p.lat);
  return true;
}

const sameCell = (a: Cell, b: Cell) => a.lat === b.lat && a.lon === b.lon && a.step === b.step;

/**
 * Points of the zset inside the shape, in scan order (boxes as Redis visits them, each by
 * score); with `limit` > 0 (COUNT ... ANY) the scan stops once that many were found.
 */
export function geoSearch(env: SlotEnv, meta: ZMeta, s: GeoShape, limit: number): GeoPoint[] {
  const found: GeoPoint[] = [];
  const cells = searchCells(s);
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (!c) continue;
    // huge radii make adjacent neighbours the same box: scan it once
    if (last !== 0 && sameCell(c, cells[last]!)) continue;
    if (limit > 0 && found.length >= limit) break;
    const range = { min: align52(c), max: align52(c, 1), minex: false, maxex: true };
    const [lo, hi] = zscoreRanks(env, meta, range);
    for (const it of zrankWindow(env, meta, lo, hi, false, 0, -1)) {
      const p: GeoPoint = { member: it.member, score: it.score, lon: 0, lat: 0, dist: 0 };
      if (withinShape(s, p)) found.push(p);
      if (limit > 0 && found.length >= limit) break;
    }
    last = i;
  }
  return found;
}

/** [lon, lat] of a member, or undefined when it is not in the set. */
export function memberPosition(env: SlotEnv, meta: ZMeta, member: Buffer): [number, number] | undefined {
  const score = zscore(env, meta, member);
  return score === undefined ? undefined : decodeScore(score);
}
