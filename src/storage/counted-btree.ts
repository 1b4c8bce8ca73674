// A counted B+tree kept as LMDB records, so an ordered collection can answer "how many keys
// sort before k" (rank) and "which key has rank r" (select) in O(height) record reads, where
// height is log base ~fanout of the size, instead of walking up to r index entries.
//
// Records, all under the caller's prefix (so dropping or copying the prefix range takes the
// tree along; nothing in a node names the prefix):
//   [prefix]                 → [u32 next node id]            (allocation counter)
//   [prefix][u32 BE node id] → node; node 0 is always the root
// Leaf:  [u8 0][u16 n] n × ([u16 len][key])                            keys ascending
// Inner: [u8 1][u16 n] n × ([u32 child][u48 count][u16 len][separator]) children in key order
// Every key under child i (i ≥ 1) is ≥ its separator, every key under child i-1 is below it;
// child 0's separator is unused. `count` is the number of keys under the child. Keys compare
// as bytes (Buffer.compare), as LMDB orders its keys, so the tree agrees with an LMDB index.
//
// Costs: rank/select read one node per level; an insert or removal reads one node per level
// and rewrites the same nodes (counts change along the path), plus a sibling and one new or
// freed node per level that splits or merges. Nodes hold at most `fanout` entries and split
// past `nodeBytes` so long keys keep records small; a node below a quarter of both merges
// with, or borrows from, a neighbour. Inside a write transaction the nodes go through its
// TreeCache: each is read and written back once per transaction however many updates touch it.
import { Database } from 'lmdb';
import { prefixRange } from './key-range';
import { TREE_CACHE_MAX_NODES, TREE_CACHE_MAX_TREES, ZSET_TREE_FANOUT, ZSET_TREE_NODE_BYTES } from '../common/limits';

export interface TreeShape {
  /** Most entries in a node. */
  fanout: number;
  /** A node with more than one entry splits past this many bytes. */
  nodeBytes: number;
}
export const DEFAULT_SHAPE: TreeShape = { fanout: ZSET_TREE_FANOUT, nodeBytes: ZSET_TREE_NODE_BYTES };

const LEAF = 0;
const INNER = 1;
const HEADER = 3;
const LEAF_FIXED = 2;
const INNER_FIXED = 12;
const COUNT_BYTES = 6;
const ROOT = 0;
const EMPTY = Buffer.alloc(0);

/** A node's entry when it is taken apart for a split or merge; child/count unused in leaves. */
interface Entry {
  key: Buffer;
  child: number;
  count: number;
}

/** A node over its record bytes (a private copy): entries found by offset, edited in place. */
class Node {
  readonly leaf: boolean;
  readonly n: number;
  private offs: number[];

  constructor(readonly raw: Buffer) {
    this.leaf = raw[0] === LEAF;
    this.n = raw.readUInt16BE(1);
    this.offs = new Array<number>(this.n);
    const fixed = this.leaf ? LEAF_FIXED : INNER_FIXED;
    let o = HEADER;
    for (let i = 0; i < this.n; i++) {
      this.offs[i] = o;
      o += fixed + raw.readUInt16BE(o + fixed - 2);
    }
  }

  private keyStart(i: number): number {
    return this.offs[i] + (this.leaf ? LEAF_FIXED : INNER_FIXED);
  }
  private keyEnd(i: number): number {
    return i + 1 < this.n ? this.offs[i + 1] : this.raw.length;
  }
  key(i: number): Buffer {
    return this.raw.subarray(this.keyStart(i), this.keyEnd(i));
  }
  /** Entry i's key compared with `key`: negative when it sorts first. */
  cmp(i: number, key: Buffer): number {
    return this.raw.compare(key, 0, key.length, this.keyStart(i), this.keyEnd(i));
  }
  child(i: number): number {
    return this.raw.readUInt32BE(this.offs[i]);
  }
  count(i: number): number {
    return this.raw.readUIntBE(this.offs[i] + 4, COUNT_BYTES);
  }
  addCount(i: number, delta: number): void {
    this.raw.writeUIntBE(this.count(i) + delta, this.offs[i] + 4, COUNT_BYTES);
  }
  /** First index whose key is ≥ key (n when none). */
  lowerBound(key: Buffer): number {
    let lo = 0, hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cmp(mid, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** The child whose key range holds `key`: the last i ≥ 1 whose separator is ≤ key, else 0. */
  childFor(key: Buffer): number {
    let lo = 1, hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cmp(mid, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
  /** How many leading entries (i ≥ from) have keys satisfying a monotone `pred`. */
  countPrefix(pred: (k: Buffer) => boolean, from: number): number {
    let lo = from, hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pred(this.key(mid))) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  entries(): Entry[] {
    const out: Entry[] = new Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = { key: this.key(i), child: this.leaf ? 0 : this.child(i), count: this.leaf ? 1 : this.count(i) };
    return out;
  }
  /** The leaf with `key` inserted at `pos`. */
  withKey(pos: number, key: Buffer): Node {
    const at = pos < this.n ? this.offs[pos] : this.raw.length;
    const out = Buffer.allocUnsafe(this.raw.length + LEAF_FIXED + key.length);
    this.raw.copy(out, 0, 0, at);
    out.writeUInt16BE(key.length, at);
    key.copy(out, at + LEAF_FIXED);
    this.raw.copy(out, at + LEAF_FIXED + key.length, at);
    out.writeUInt16BE(this.n + 1, 1);
    return new Node(out);
  }
  /** The leaf without entry `pos`. */
  withoutKey(pos: number): Node {
    const out = Buffer.concat([this.raw.subarray(0, this.offs[pos]), this.raw.subarray(this.keyEnd(pos))]);
    out.writeUInt16BE(this.n - 1, 1);
    return new Node(out);
  }
}

/** The inner nodes from the root down to a leaf, each with the index of the child taken. */
type Path = { id: number; node: Node; idx: number }[];

const entryBytes = (e: Entry, leaf: boolean) => (leaf ? LEAF_FIXED : INNER_FIXED) + e.key.length;
const total = (es: Entry[]) => es.reduce((s, e) => s + e.count, 0);

function* leafEntries(keys: Iterable<Buffer>): Generator<Entry> {
  for (const key of keys) yield { key, child: 0, count: 1 };
}

function encode(leaf: boolean, es: Entry[]): Buffer {
  let size = HEADER;
  for (const e of es) size += entryBytes(e, leaf);
  const out = Buffer.allocUnsafe(size);
  out[0] = leaf ? LEAF : INNER;
  out.writeUInt16BE(es.length, 1);
  let o = HEADER;
  for (const e of es) {
    if (!leaf) {
      out.writeUInt32BE(e.child, o);
      out.writeUIntBE(e.count, o + 4, COUNT_BYTES);
      o += INNER_FIXED - LEAF_FIXED;
    }
    out.writeUInt16BE(e.key.length, o);
    e.key.copy(out, o + LEAF_FIXED);
    o += LEAF_FIXED + e.key.length;
  }
  return out;
}

/** The shortest prefix of `hi` that sorts above `lo` (lo < hi): a separator between two leaves. */
function separator(lo: Buffer, hi: Buffer): Buffer {
  let i = 0;
  while (i < lo.length && lo[i] === hi[i]) i++;
  return Buffer.from(hi.subarray(0, i + 1));
}

function nodeKey(prefix: Buffer, id: number): Buffer {
  const k = Buffer.allocUnsafe(prefix.length + 4);
  prefix.copy(k, 0);
  k.writeUInt32BE(id, prefix.length);
  return k;
}

/**
 * One tree's nodes as the open write transaction read or wrote them, held until it ends: a
 * batch of updates to one collection (ZADD, ZPOPMIN, SPOP...) reads and rewrites its root and
 * upper nodes once per transaction, not once per update. `settle` writes the changed ones.
 */
class TreeNodes {
  /** Node by id; null once dropped. */
  readonly nodes = new Map<number, Node | null>();
  readonly dirty = new Set<number>();
  readonly end: Buffer;

  constructor(readonly db: Database<Buffer, Buffer>, readonly prefix: Buffer) {
    this.end = prefixRange(prefix).end;
  }

  settle(): void {
    for (const id of this.dirty) {
      const node = this.nodes.get(id);
      if (node) this.db.putSync(nodeKey(this.prefix, id), node.raw);
      else this.db.removeSync(nodeKey(this.prefix, id));
    }
    this.nodes.clear();
    this.dirty.clear();
  }

  /** Whether a range read of [lo, hi) (either end open when undefined) could see this tree's records. */
  overlaps(lo: Buffer | undefined, hi: Buffer | undefined): boolean {
    return (hi === undefined || Buffer.compare(this.prefix, hi) < 0) && (lo === undefined || Buffer.compare(lo, this.end) < 0);
  }
}

/**
 * The trees a slot environment's open write transaction touched (SlotEnv owns one). Their
 * changed nodes reach LMDB when the transaction is about to commit, or sooner when a range read
 * could see their records (copies, drops, DUMP) or a bound is passed; an abort discards them.
 */
export class TreeCache {
  private trees = new Map<Database<Buffer, Buffer>, Map<string, TreeNodes>>();
  private count = 0;
  /** While a write transaction is open; outside one, trees read and write LMDB directly. */
  active = false;

  /** The nodes of the tree under `prefix` in `db`; meeting a tree past TREE_CACHE_MAX_TREES settles them all first. */
  of(db: Database<Buffer, Buffer>, prefix: Buffer): TreeNodes {
    const name = prefix.toString('latin1');
    let t = this.trees.get(db)?.get(name);
    if (t) return t;
    if (this.count >= TREE_CACHE_MAX_TREES) this.settle();
    let byPrefix = this.trees.get(db);
    if (!byPrefix) this.trees.set(db, (byPrefix = new Map()));
    byPrefix.set(name, (t = new TreeNodes(db, prefix)));
    this.count++;
    return t;
  }

  /** Writes every changed node and forgets them all (before a commit, and past TREE_CACHE_MAX_TREES). */
  settle(): void {
    for (const byPrefix of this.trees.values()) for (const t of byPrefix.values()) t.settle();
    this.trees.clear();
    this.count = 0;
  }

  /** Settles the trees of `db` whose records a range read with these lmdb-js options could see. */
  settleRange(db: Database<Buffer, Buffer>, options: { start?: Buffer; end?: Buffer; reverse?: boolean } | undefined): void {
    const byPrefix = this.trees.get(db);
    if (!byPrefix) return;
    const lo = options?.reverse ? options.end : options?.start;
    const hi = options?.reverse ? options.start : options?.end;
    for (const t of byPrefix.values()) if (t.overlaps(lo, hi)) t.settle();
  }

  /** Forgets every node unwritten (the transaction aborted, or the sub-database was cleared). */
  discard(db?: Database<Buffer, Buffer>): void {
    if (db) {
      this.count -= this.trees.get(db)?.size ?? 0;
      this.trees.delete(db);
      return;
    }
    this.trees.clear();
    this.count = 0;
  }
}

/** A private copy of a value lmdb-js lent (its shared read buffer reports its own length). */
function copyOf(raw: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(raw.length);
  out.set(new Uint8Array(raw.buffer, raw.byteOffset, raw.length));
  return out;
}

export class CountedTree {
  /** This tree's nodes in the transaction's cache, looked up again by each operation. */
  private held?: TreeNodes;

  /**
   * `cache`: the open write transaction's (SlotEnv.tree gives it); every node read and write
   * goes through it. Without it, each goes to LMDB.
   */
  constructor(
    private db: Database<Buffer, Buffer>,
    private prefix: Buffer,
    private shape: TreeShape = DEFAULT_SHAPE,
    private cache?: TreeCache,
  ) {
    if (shape.fanout < 3) throw new Error('rank tree: fan-out below 3');
  }

  /** Every operation starts here: the cache may have settled this tree since the last one. */
  private begin(): void {
    this.held = this.cache?.active ? this.cache.of(this.db, this.prefix) : undefined;
    if (!this.held) return;
    if (this.held.nodes.size > TREE_CACHE_MAX_NODES) this.held.settle();
  }

  private read(id: number): Node | undefined {
    const cached = this.held?.nodes.get(id);
    if (cached !== undefined) return cached ?? undefined;
    const raw = this.db.getBinaryFast(nodeKey(this.prefix, id));
    const node = raw ? new Node(copyOf(raw)) : undefined;
    if (node && this.held) this.held.nodes.set(id, node);
    return node;
  }
  private mustRead(id: number): Node {
    const node = this.read(id);
    if (!node) throw new Error(`rank tree: node ${id} is missing`);
    return node;
  }
  private put(id: number, node: Node): void {
    if (!this.held) {
      this.db.putSync(nodeKey(this.prefix, id), node.raw);
      return;
    }
    this.held.nodes.set(id, node);
    this.held.dirty.add(id);
  }
  /** Writes a node's record, bypassing the cache (build, after it settled). */
  private write(id: number, raw: Buffer): void {
    this.db.putSync(nodeKey(this.prefix, id), raw);
  }
  private drop(id: number): void {
    if (!this.held) {
      this.db.removeSync(nodeKey(this.prefix, id));
      return;
    }
    this.held.nodes.set(id, null);
    this.held.dirty.add(id);
  }
  /** `n` fresh consecutive node ids; the first one is returned. */
  private allocIds(n: number): number {
    const raw = this.db.getBinaryFast(this.prefix);
    const next = raw ? copyOf(raw).readUInt32BE(0) : ROOT + 1;
    if (n > 0) this.setNextId(next + n);
    return next;
  }
  /** Ids below `next` are taken (build hands them out itself, one node at a time). */
  private setNextId(next: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(next, 0);
    this.db.putSync(this.prefix, b);
  }

  private overflows(node: Node): boolean {
    return node.n > this.shape.fanout || (node.n > 1 && node.raw.length > this.shape.nodeBytes);
  }
  /** Fewest entries a non-root node should keep (bytes allowing). */
  private minFill(): number {
    return Math.max(2, Math.ceil(this.shape.fanout / 4));
  }
  private underflows(node: Node): boolean {
    return node.n < this.minFill() && node.raw.length < this.shape.nodeBytes >> 2;
  }
  private fits(leaf: boolean, es: Entry[]): boolean {
    if (es.length <= 1) return true;
    return es.length <= this.shape.fanout && es.reduce((s, e) => s + entryBytes(e, leaf), HEADER) <= this.shape.nodeBytes;
  }
  /** Where to cut `es` in two: both halves within fanout, bytes as even as possible. */
  private splitPoint(leaf: boolean, es: Entry[]): number {
    const n = es.length;
    // inner halves keep two children when they can, so a child has a neighbour to merge with
    const side = leaf ? 1 : Math.max(1, Math.min(2, n >> 1));
    let lo = Math.max(side, n - this.shape.fanout);
    let hi = Math.min(n - side, this.shape.fanout);
    if (lo > hi) lo = hi = n >> 1;
    const sizes = es.map((e) => entryBytes(e, leaf));
    const all = sizes.reduce((a, b) => a + b, 0);
    let left = 0;
    for (let i = 0; i < lo; i++) left += sizes[i];
    let best = lo, bestDiff = Math.abs(2 * left - all);
    for (let m = lo + 1; m <= hi; m++) {
      left += sizes[m - 1];
      const diff = Math.abs(2 * left - all);
      if (diff < bestDiff) [best, bestDiff] = [m, diff];
    }
    return best;
  }
  /** Cuts `es` in two; the separator is the right half's lower bound for the parent. */
  private halves(leaf: boolean, es: Entry[]): { left: Entry[]; right: Entry[]; sep: Buffer } {
    const m = this.splitPoint(leaf, es);
    const left = es.slice(0, m), right = es.slice(m);
    return { left, right, sep: leaf ? separator(left[m - 1].key, right[0].key) : right[0].key };
  }

  /** The root-to-leaf path towards `key`: each inner node with the child taken, then the leaf. */
  private descend(root: Node, key: Buffer): { path: Path; leafId: number; leaf: Node } {
    const path: Path = [];
    let id = ROOT, node = root;
    while (!node.leaf) {
      const idx = node.childFor(key);
      path.push({ id, node, idx });
      id = node.child(idx);
      node = this.mustRead(id);
    }
    return { path, leafId: id, leaf: node };
  }

  /** Whether the tree has a root: false for a collection that never built one. */
  exists(): boolean {
    this.begin();
    return this.read(ROOT) !== undefined;
  }

  /** Adds `key`; false when it is already there. Inside a write transaction. */
  insert(key: Buffer): boolean {
    this.begin();
    const root = this.read(ROOT);
    if (!root) {
      this.put(ROOT, new Node(encode(true, [{ key, child: 0, count: 1 }])));
      return true;
    }
    const { path, leafId, leaf } = this.descend(root, key);
    const pos = leaf.lowerBound(key);
    if (pos < leaf.n && leaf.cmp(pos, key) === 0) return false;
    for (const p of path) p.node.addCount(p.idx, 1);
    let cur = leaf.withKey(pos, key), curId = leafId, level = path.length;
    while (this.overflows(cur)) {
      const { left, right, sep } = this.halves(cur.leaf, cur.entries());
      if (level === 0) {
        // the root keeps id 0: its halves move to two new nodes under it
        const l = this.allocIds(2);
        this.put(l, new Node(encode(cur.leaf, left)));
        this.put(l + 1, new Node(encode(cur.leaf, right)));
        cur = new Node(encode(false, [{ key: EMPTY, child: l, count: total(left) }, { key: sep, child: l + 1, count: total(right) }]));
        break;
      }
      const r = this.allocIds(1);
      this.put(curId, new Node(encode(cur.leaf, left)));
      this.put(r, new Node(encode(cur.leaf, right)));
      const parent = path[--level];
      const pe = parent.node.entries();
      pe[parent.idx].count = total(left);
      pe.splice(parent.idx + 1, 0, { key: sep, child: r, count: total(right) });
      cur = new Node(encode(false, pe));
      curId = parent.id;
    }
    this.put(curId, cur);
    for (let l = level - 1; l >= 0; l--) this.put(path[l].id, path[l].node);
    return true;
  }

  /**
   * Merges children j and j+1 of a parent (entries `pe`, updated here) when they fit in one
   * node, else shares their entries evenly; `cur` is the underfull one, at index `at`.
   */
  private rebalance(cur: Node, pe: Entry[], j: number, at: number): void {
    const left = j === at ? cur : this.mustRead(pe[j].child);
    const right = j === at ? this.mustRead(pe[j + 1].child) : cur;
    const re = right.entries();
    // the right node's first separator is unused; the parent's bound takes its place
    if (!cur.leaf) re[0].key = pe[j + 1].key;
    const all = left.entries().concat(re);
    if (this.fits(cur.leaf, all)) {
      this.put(pe[j].child, new Node(encode(cur.leaf, all)));
      this.drop(pe[j + 1].child);
      pe[j].count = total(all);
      pe.splice(j + 1, 1);
    } else {
      const h = this.halves(cur.leaf, all);
      this.put(pe[j].child, new Node(encode(cur.leaf, h.left)));
      this.put(pe[j + 1].child, new Node(encode(cur.leaf, h.right)));
      pe[j].count = total(h.left);
      pe[j + 1] = { key: h.sep, child: pe[j + 1].child, count: total(h.right) };
    }
  }

  /** Removes `key`; false when it is not there. Inside a write transaction. */
  remove(key: Buffer): boolean {
    this.begin();
    const root = this.read(ROOT);
    if (!root) return false;
    const { path, leafId, leaf } = this.descend(root, key);
    const pos = leaf.lowerBound(key);
    if (pos >= leaf.n || leaf.cmp(pos, key) !== 0) return false;
    this.removeFrom(path, leafId, leaf, pos);
    return true;
  }

  /**
   * Removes the key of rank `r` (0-based) and returns it, or undefined past the end: select and
   * remove in one descent. Inside a write transaction.
   */
  removeAt(r: number): Buffer | undefined {
    this.begin();
    let node = this.read(ROOT);
    if (!node || r < 0) return undefined;
    const path: Path = [];
    let id = ROOT;
    while (!node.leaf) {
      let i = 0;
      for (; i < node.n - 1 && r >= node.count(i); i++) r -= node.count(i);
      path.push({ id, node, idx: i });
      id = node.child(i);
      node = this.mustRead(id);
    }
    if (r >= node.n) return undefined;
    const key = Buffer.from(node.key(r));
    this.removeFrom(path, id, node, r);
    return key;
  }

  /** Removes entry `pos` of the leaf at the end of `path`, fixing counts and fill up to the root. */
  private removeFrom(path: Path, leafId: number, leaf: Node, pos: number): void {
    for (const p of path) p.node.addCount(p.idx, -1);
    let cur = leaf.withoutKey(pos), curId = leafId, level = path.length;
    while (level > 0 && this.underflows(cur)) {
      const parent = path[--level];
      const pe = parent.node.entries();
      if (cur.n === 0) {
        // an empty node leaves its parent, which may empty in turn
        this.drop(curId);
        pe.splice(parent.idx, 1);
      } else if (pe.length < 2) {
        // an only child has no neighbour to share with; its parent may merge with one instead
        this.put(curId, cur);
      } else {
        this.rebalance(cur, pe, parent.idx > 0 ? parent.idx - 1 : parent.idx, parent.idx);
      }
      cur = new Node(encode(false, pe));
      curId = parent.id;
    }
    if (curId === ROOT && !cur.leaf && cur.n === 0) cur = new Node(encode(true, []));
    // a root left with one child is replaced by that child, so the height shrinks
    while (curId === ROOT && !cur.leaf && cur.n === 1) {
      const only = cur.child(0);
      cur = this.mustRead(only);
      this.drop(only);
    }
    this.put(curId, cur);
    for (let l = level - 1; l >= 0; l--) this.put(path[l].id, path[l].node);
  }

  /**
   * How many keys, from the smallest, satisfy `pred`, which must hold for a prefix of all byte
   * strings in order (true up to some point, false after). rank(k) is this with `< k`.
   */
  countWhile(pred: (k: Buffer) => boolean): number {
    this.begin();
    let node = this.read(ROOT);
    let n = 0;
    while (node && !node.leaf) {
      const i = node.countPrefix(pred, 1) - 1;
      for (let c = 0; c < i; c++) n += node.count(c);
      node = this.mustRead(node.child(i));
    }
    return node ? n + node.countPrefix(pred, 0) : 0;
  }

  /** Number of keys below `key`. */
  rank(key: Buffer): number {
    return this.countWhile((k) => Buffer.compare(k, key) < 0);
  }

  /** The key of rank `r` (0-based), or undefined past the end. */
  select(r: number): Buffer | undefined {
    if (r < 0) return undefined;
    this.begin();
    let node = this.read(ROOT);
    while (node && !node.leaf) {
      let i = 0;
      for (; i < node.n - 1 && r >= node.count(i); i++) r -= node.count(i);
      node = this.mustRead(node.child(i));
    }
    return node && r < node.n ? Buffer.from(node.key(r)) : undefined;
  }

  /**
   * Builds the tree of an empty collection from ascending distinct keys, bottom up. The keys
   * are consumed as they come: only the node being filled, the one before it and the levels
   * above the leaves (a ~48th of the keys) are held, so a million-key build needs no array of
   * every key. Inside a write transaction.
   */
  build(sorted: Iterable<Buffer>): void {
    // a million keys make ~20,000 nodes, written once each: straight to LMDB, not the cache
    this.begin();
    this.held?.settle();
    let leaf = true;
    let level: Iterable<Entry> = leafEntries(sorted);
    for (;;) {
      const parents: Entry[] = [];
      let first: Entry[] | undefined;
      let next = 0;
      let last: Entry[] | undefined;
      for (const c of this.chunks(leaf, level)) {
        if (!first) {
          // the first node is the root when nothing follows it: written once that is known
          first = c;
          continue;
        }
        if (parents.length === 0) {
          next = this.allocIds(0);
          parents.push({ key: EMPTY, child: next, count: total(first) });
          this.write(next++, encode(leaf, first));
          last = first;
        }
        const key = leaf ? separator(last![last!.length - 1].key, c[0].key) : c[0].key;
        parents.push({ key, child: next, count: total(c) });
        this.write(next++, encode(leaf, c));
        last = c;
      }
      if (!first || first.length === 0) return;
      if (parents.length === 0) {
        this.write(ROOT, encode(leaf, first));
        return;
      }
      this.setNextId(next);
      level = parents;
      leaf = false;
    }
  }

  /**
   * `es` cut into consecutive nodes of about three quarters full, so the first inserts do not
   * all split. Each node is yielded once the next one has started; a short last one shares its
   * neighbour's entries instead of staying nearly empty. No entries yield one empty node.
   */
  private *chunks(leaf: boolean, es: Iterable<Entry>): Generator<Entry[]> {
    const maxN = Math.max(1, Math.floor((this.shape.fanout * 3) / 4));
    const maxBytes = Math.floor((this.shape.nodeBytes * 3) / 4);
    let held: Entry[] | undefined;
    let cur: Entry[] = [];
    let bytes = HEADER;
    for (const e of es) {
      const b = entryBytes(e, leaf);
      // inner nodes take two entries at least, so every level is at most half the one below
      if (cur.length >= maxN || (cur.length >= (leaf ? 1 : 2) && bytes + b > maxBytes)) {
        if (held) yield held;
        held = cur;
        cur = [];
        bytes = HEADER;
      }
      cur.push(e);
      bytes += b;
    }
    if (held && cur.length < this.minFill()) {
      const both = held.concat(cur);
      const m = this.splitPoint(leaf, both);
      held = both.slice(0, m);
      cur = both.slice(m);
    }
    if (held) yield held;
    yield cur;
  }

  /**
   * Checks every invariant (order, separators, counts, equal leaf depth, fan-out, no stray
   * records) and returns the tree's size, height and node count; throws on the first violation.
   */
  verify(): { count: number; height: number; nodes: number } {
    this.begin();
    this.held?.settle();
    const root = this.read(ROOT);
    if (!root) return { count: 0, height: 0, nodes: 0 };
    let nodes = 0;
    let leafDepth = -1;
    const fail = (msg: string): never => {
      throw new Error(`rank tree: ${msg}`);
    };
    const walk = (node: Node, depth: number, lo: Buffer | null, hi: Buffer | null, isRoot: boolean): number => {
      nodes++;
      if (node.n > this.shape.fanout) fail(`node of ${node.n} entries`);
      if (!isRoot && node.n === 0) fail('empty non-root node');
      if (node.leaf) {
        if (leafDepth === -1) leafDepth = depth;
        else if (leafDepth !== depth) fail('leaves at different depths');
        for (let i = 0; i < node.n; i++) {
          const k = node.key(i);
          if (i > 0 && Buffer.compare(node.key(i - 1), k) >= 0) fail('leaf keys out of order');
          if ((lo && Buffer.compare(k, lo) < 0) || (hi && Buffer.compare(k, hi) >= 0)) fail('key outside its separators');
        }
        return node.n;
      }
      if (isRoot && node.n < 2) fail('inner root with one child');
      let sum = 0;
      for (let i = 0; i < node.n; i++) {
        const childLo = i === 0 ? lo : node.key(i);
        const childHi = i + 1 < node.n ? node.key(i + 1) : hi;
        if (i > 0 && i + 1 < node.n && Buffer.compare(node.key(i), node.key(i + 1)) >= 0) fail('separators out of order');
        const c = walk(this.mustRead(node.child(i)), depth + 1, childLo, childHi, false);
        if (c !== node.count(i)) fail(`count ${node.count(i)} for a subtree of ${c}`);
        sum += c;
      }
      return sum;
    };
    const count = walk(root, 0, null, null, true);
    const records = this.db.getKeysCount({ start: nodeKey(this.prefix, ROOT), end: Buffer.concat([this.prefix, Buffer.alloc(5, 0xff)]) });
    if (records !== nodes) fail(`${records} node records for ${nodes} reachable nodes`);
    return { count, height: leafDepth + 1, nodes };
  }
}
