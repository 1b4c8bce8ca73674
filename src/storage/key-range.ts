// Key ranges of LMDB records that share a prefix (a collection id, a tree's prefix).

/** The key range of every record starting with `prefix` (a collection id, or id + more). */
export function prefixRange(prefix: Buffer): { start: Buffer; end: Buffer } {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] === 0xff) end[i] = 0;
    else {
      end[i]++;
      return { start: prefix, end };
    }
  }
  return { start: prefix, end: Buffer.alloc(prefix.length + 1, 0xff) };
}
