// Set storage on top of types/collection.ts: members in the `sets` sub-database with an empty
// value; the meta's type-specific byte is Redis 7.0's encoding ('intset' while every member is
// an integer and there are at most 512, then 'hashtable' for good, as Redis never converts back).
//
// A large set picks random members (SPOP, SRANDMEMBER) through a rank tree in `setranks`
// (storage/counted-btree.ts over the member keys, under the collection id): rank r is the r-th
// member record in key order, found in O(log n) reads instead of a walk to offset r. The first
// random pick from a set above SET_READ_ALL_MAX builds the tree (one pass over its members), so
// sets nobody picks from pay nothing; from then on every add and removal keeps it exact, until
// the set shrinks to SET_RANK_TREE_DROP_MAX and the tree goes (lower than the build threshold,
// so a set hovering around it is not rebuilt on every pick). Whether a set has a tree is its
// root record's presence, not a meta flag: the tree is local layout, like the collection id,
// so building one (even from SRANDMEMBER, which is not logged) changes nothing copies, replicas
// or digests see.
import { SET_RANK_TREE_BUILD_BATCH, SET_RANK_TREE_DROP_MAX, SET_READ_ALL_MAX } from '../common/limits';
import type { CountedTree } from '../storage/counted-btree';
import { KeyType, remove } from '../storage/keyspace';
import { dropCollection } from '../storage/reclaim';
import { SlotEnv } from '../storage/slot-store';
import {
  allocateId, decodeMember, decodeMeta, encodeMemberValue, getCollection, Meta, memberKey, members, memberValue, prefixRange, putCollection, registerCollection,
} from './collection';

const DB = 'sets' as const;
const RANKS = 'setranks' as const;
/** Member keys per tree node record, at least (for reclaim's estimate of a dropped tree). */
const TREE_KEYS_PER_RECORD = 16;
const treeRecords = (count: number) => Math.ceil(count / TREE_KEYS_PER_RECORD);
registerCollection(KeyType.Set, DB, 1, {
  db: RANKS,
  minCount: SET_RANK_TREE_DROP_MAX,
  records: treeRecords,
  exists: (env, id) => env.tree(RANKS, id).exists(),
});

const ENC_INTSET = 0;
const ENC_HASHTABLE = 1;
/** Redis's set-max-intset-entries default. */
export const INTSET_MAX_ENTRIES = 512;
const EMPTY = Buffer.alloc(0);

export type SetMeta = Meta & { expireAt: number };

/** As Redis's string2ll: an optional '-', no leading zeros, no '-0', within 64 bits. */
export function isIntMember(m: Buffer): boolean {
  const n = m.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (m[0] === 0x2d) {
    if (n === 1) return false;
    i = 1;
  }
  if (m[i] === 0x30) return n === 1; // "0" only; "-0", "01" are not integers
  for (; i < n; i++) if (m[i] < 0x30 || m[i] > 0x39) return false;
  if (n - (m[0] === 0x2d ? 1 : 0) < 19) return true;
  const v = BigInt(m.toString('latin1'));
  return v >= -(2n ** 63n) && v < 2n ** 63n;
}

/** The live set at `key`, undefined when absent; throws WRONGTYPE for another type. */
export function getSet(env: SlotEnv | null, key: Buffer, now: number): SetMeta | undefined {
  return getCollection(env, key, KeyType.Set, now);
}

/** A fresh, empty set meta (not stored yet). Inside env.write. */
export function newSetMeta(env: SlotEnv): SetMeta {
  return { id: allocateId(env, DB), count: 0, extra: Buffer.of(ENC_INTSET), expireAt: 0 };
}

export function setHas(env: SlotEnv, meta: SetMeta, member: Buffer): boolean {
  return memberValue(env, DB, meta.id, member) !== undefined;
}

/** Every member, in storage order. */
export function setMembers(env: SlotEnv, meta: SetMeta): Buffer[] {
  const out: Buffer[] = [];
  for (const { member } of members(env, DB, meta.id)) out.push(member);
  return out;
}

/** Adds members to `meta` (updating count and encoding); returns how many were new. Inside env.write; call setSave after. */
export function setAddMembers(env: SlotEnv, meta: SetMeta, items: Buffer[]): number {
  const tree = treeOf(env, meta);
  let added = 0;
  for (const m of items) {
    const k = memberKey(meta.id, m);
    if (env.dbs[DB].getBinaryFast(k) !== undefined) continue;
    env.dbs[DB].putSync(k, encodeMemberValue(m, EMPTY));
    tree?.insert(k.subarray(meta.id.length));
    added++;
    meta.count++;
    if (meta.extra[0] === ENC_INTSET && (!isIntMember(m) || meta.count > INTSET_MAX_ENTRIES)) meta.extra = Buffer.of(ENC_HASHTABLE);
  }
  return added;
}

/** Removes members from `meta`; returns how many were there. Inside env.write; call setSave after. */
export function setRemoveMembers(env: SlotEnv, meta: SetMeta, items: Buffer[]): number {
  const tree = treeOf(env, meta);
  let removed = 0;
  for (const m of items) {
    const k = memberKey(meta.id, m);
    if (env.dbs[DB].getBinaryFast(k) === undefined) continue;
    env.dbs[DB].removeSync(k);
    tree?.remove(k.subarray(meta.id.length));
    removed++;
    meta.count--;
  }
  // a tree exists only above SET_RANK_TREE_DROP_MAX, so drops of smaller sets never look for one
  if (tree && meta.count <= SET_RANK_TREE_DROP_MAX) dropCollection(env, RANKS, meta.id, treeRecords(SET_RANK_TREE_DROP_MAX));
  return removed;
}

/** The set's rank tree when it has one (only sets above SET_RANK_TREE_DROP_MAX can). */
function treeOf(env: SlotEnv, meta: SetMeta): CountedTree | undefined {
  if (meta.count <= SET_RANK_TREE_DROP_MAX) return undefined;
  const tree = env.tree(RANKS, meta.id);
  return tree.exists() ? tree : undefined;
}

/**
 * The rank tree of a set above SET_READ_ALL_MAX, built from its member keys when it has none
 * yet: in a write transaction of its own unless one is open (SRANDMEMBER is a read).
 */
function ensureTree(env: SlotEnv, meta: SetMeta): CountedTree {
  const tree = env.tree(RANKS, meta.id);
  if (!tree.exists()) env.write(() => tree.build(memberKeyTails(env, meta.id)));
  return tree;
}

/**
 * The set's member keys without the collection id, in order, read SET_RANK_TREE_BUILD_BATCH at
 * a time: no cursor stays open across the tree's writes, and no array holds them all.
 */
function* memberKeyTails(env: SlotEnv, id: Buffer): Generator<Buffer> {
  const { end } = prefixRange(id);
  let after: Buffer | null = null;
  for (;;) {
    const batch: Buffer[] = [];
    const range = after ? { start: after, end, exclusiveStart: true } : { start: id, end };
    for (const k of env.dbs[DB].getKeys({ ...range, limit: SET_RANK_TREE_BUILD_BATCH }) as Iterable<Buffer>) batch.push(Buffer.from(k));
    for (const k of batch) yield k.subarray(id.length);
    if (batch.length < SET_RANK_TREE_BUILD_BATCH) return;
    after = batch[batch.length - 1];
  }
}

/** Writes the set's meta back; an empty set deletes the key. Inside env.write. */
export function setSave(env: SlotEnv, key: Buffer, meta: SetMeta, now: number): void {
  putCollection(env, key, KeyType.Set, meta, meta.expireAt, now);
}

/**
 * Replaces whatever `key` holds with a new set of `items` (distinct), without expiry, as
 * SINTERSTORE and friends do; no items deletes the key. Inside env.write. Returns the count.
 */
export function setReplace(env: SlotEnv, key: Buffer, items: Buffer[], now: number): number {
  remove(env, key, now); // also drops the members of a set (live or expired) stored there
  if (items.length === 0) return 0;
  const meta = newSetMeta(env);
  setAddMembers(env, meta, items);
  setSave(env, key, meta, now);
  return meta.count;
}

/** The member at `offset` in storage order, through the set's rank tree. */
function memberAt(env: SlotEnv, meta: SetMeta, offset: number, tree: CountedTree): Buffer {
  return memberOfTail(env, meta, tree.select(offset), offset).member;
}

/** The member whose key (after the collection id) the tree gave for rank `offset`, and that record's key. */
function memberOfTail(env: SlotEnv, meta: SetMeta, tail: Buffer | undefined, offset: number): { member: Buffer; key: Buffer } {
  // a member longer than MEMBER_DIRECT_MAX is keyed by its digest: the record holds it whole
  const key = tail && Buffer.concat([meta.id, tail]);
  const raw = key && env.dbs[DB].getBinaryFast(key);
  if (!key || !raw) throw new Error(`set rank tree has no member at ${offset} of ${meta.count}`);
  return { member: decodeMember(key, raw).member, key };
}

/**
 * Removes `count` members (fewer than the set has) chosen uniformly and returns them in random
 * order, as SPOP with a count does. Inside env.write; call setSave after.
 */
export function setPopRandom(env: SlotEnv, meta: SetMeta, count: number): Buffer[] {
  if (meta.count <= SET_READ_ALL_MAX || count * 4 >= meta.count) {
    const picked = setRandomMembers(env, meta, count, true);
    setRemoveMembers(env, meta, picked);
    return picked;
  }
  const tree = ensureTree(env, meta);
  const out: Buffer[] = [];
  // each pick is uniform over the members still there, so together they are a uniform sample
  for (let i = 0; i < count; i++) {
    const offset = randomIndex(meta.count);
    const { member, key } = memberOfTail(env, meta, tree.removeAt(offset), offset);
    env.dbs[DB].removeSync(key);
    meta.count--;
    out.push(member);
  }
  // count * 4 < the size: what is left stays above SET_RANK_TREE_DROP_MAX, so the tree stays
  return out;
}

const randomIndex = (n: number) => Math.floor(Math.random() * n);

/**
 * `count` members chosen uniformly: distinct when `unique` (at most the set's size, in random
 * order), else independently, repeats allowed. Picks from a set above SET_READ_ALL_MAX build
 * its rank tree if it has none.
 */
export function setRandomMembers(env: SlotEnv, meta: SetMeta, count: number, unique: boolean): Buffer[] {
  const size = meta.count;
  if (size === 0 || count <= 0) return [];
  if (unique && count >= size) return shuffle(setMembers(env, meta));
  const readAll = size <= SET_READ_ALL_MAX || (unique ? count * 4 >= size : count >= size);
  if (readAll) {
    const all = setMembers(env, meta);
    if (!unique) {
      const out: Buffer[] = new Array(count);
      for (let i = 0; i < count; i++) out[i] = all[randomIndex(all.length)];
      return out;
    }
    // partial Fisher-Yates: the first `count` slots end up a uniform sample in random order
    for (let i = 0; i < count; i++) {
      const j = i + randomIndex(all.length - i);
      [all[i], all[j]] = [all[j], all[i]];
    }
    return all.slice(0, count);
  }
  const tree = ensureTree(env, meta);
  const out: Buffer[] = [];
  if (!unique) {
    for (let i = 0; i < count; i++) out.push(memberAt(env, meta, randomIndex(size), tree));
    return out;
  }
  const picked = new Set<number>();
  while (picked.size < count) picked.add(randomIndex(size));
  for (const off of picked) out.push(memberAt(env, meta, off, tree));
  return out;
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomIndex(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Up to `limit` members after the member key `after` (exclusive; null from the start), in
 * storage order; `next` is the last member key visited, or null when the set was exhausted.
 */
export function setScan(env: SlotEnv, meta: SetMeta, after: Buffer | null, limit: number): { items: Buffer[]; next: Buffer | null } {
  const { end } = prefixRange(meta.id);
  const items: Buffer[] = [];
  let last: Buffer | null = null;
  const range = env.dbs[DB].getRange(
    after ? { start: Buffer.concat([meta.id, after]), end, exclusiveStart: true, limit: limit + 1 } : { start: meta.id, end, limit: limit + 1 },
  );
  for (const { key, value } of range as Iterable<{ key: Buffer; value: Uint8Array }>) {
    if (items.length === limit) return { items, next: last };
    items.push(decodeMember(key, value).member);
    last = Buffer.from(key.subarray(meta.id.length));
  }
  return { items, next: null };
}

/** OBJECT ENCODING of a set from its meta payload. */
export function setEncoding(payload: Buffer): string {
  return decodeMeta(payload).extra[0] === ENC_INTSET ? 'intset' : 'hashtable';
}
