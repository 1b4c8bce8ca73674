// Keyspace event classes, as Redis 7.0's notify.c: the letters of `notify-keyspace-events`, the
// bits command handlers report events under, and the text forms CONFIG reads and shows.
export const NOTIFY_KEYSPACE = 1 << 0; // K
export const NOTIFY_KEYEVENT = 1 << 1; // E
export const NOTIFY_GENERIC = 1 << 2; // g
export const NOTIFY_STRING = 1 << 3; // $
export const NOTIFY_LIST = 1 << 4; // l
export const NOTIFY_SET = 1 << 5; // s
export const NOTIFY_HASH = 1 << 6; // h
export const NOTIFY_ZSET = 1 << 7; // z
export const NOTIFY_EXPIRED = 1 << 8; // x
export const NOTIFY_EVICTED = 1 << 9; // e
export const NOTIFY_STREAM = 1 << 10; // t
/** m: key misses; not part of A, as in Redis. */
export const NOTIFY_KEY_MISS = 1 << 11;
export const NOTIFY_MODULE = 1 << 13; // d
export const NOTIFY_NEW = 1 << 14; // n
/** No class: a change no event reports (Redis's signalModifiedKey alone, as PFCOUNT's cached count); WATCH still sees it. */
export const NOTIFY_NONE = 0;
export const NOTIFY_ALL =
  NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE;
/**
 * Classes whose events do not mean a command changed the key (Redis calls signalModifiedKey
 * with every other event): expiry and misses are seen, not made; `new` always comes with the
 * creating command's own event. WATCH is driven by the other events.
 */
export const NOTIFY_NOT_MODIFYING = NOTIFY_EXPIRED | NOTIFY_KEY_MISS | NOTIFY_NEW | NOTIFY_EVICTED;

const LETTERS: [string, number][] = [
  ['A', NOTIFY_ALL], ['g', NOTIFY_GENERIC], ['$', NOTIFY_STRING], ['l', NOTIFY_LIST], ['s', NOTIFY_SET], ['h', NOTIFY_HASH],
  ['z', NOTIFY_ZSET], ['x', NOTIFY_EXPIRED], ['e', NOTIFY_EVICTED], ['K', NOTIFY_KEYSPACE], ['E', NOTIFY_KEYEVENT], ['t', NOTIFY_STREAM],
  ['m', NOTIFY_KEY_MISS], ['d', NOTIFY_MODULE], ['n', NOTIFY_NEW],
];
const BY_LETTER = new Map(LETTERS);
/** Class letters in the order Redis's keyspaceEventsFlagsToString writes them. */
const SHOWN = 'g$lshzxetdn';

export const ERR_NOTIFY_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/** The flags of a class string, or -1 when it holds a character that names no class. */
export function parseNotifyFlags(classes: string): number {
  let flags = 0;
  for (const c of classes) {
    const f = BY_LETTER.get(c);
    if (f === undefined) return -1;
    flags |= f;
  }
  return flags;
}

/** The canonical class string of `flags`, as CONFIG GET shows it ("KA" reads back as "AK"). */
export function formatNotifyFlags(flags: number): string {
  let s = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) s = 'A';
  else for (const c of SHOWN) if (flags & BY_LETTER.get(c)!) s += c;
  if (flags & NOTIFY_KEYSPACE) s += 'K';
  if (flags & NOTIFY_KEYEVENT) s += 'E';
  if (flags & NOTIFY_KEY_MISS) s += 'm';
  return s;
}

/** The classes that produce events: none unless keyspace (K) or keyevent (E) channels are on. */
export function effectiveNotifyFlags(flags: number): number {
  return flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT) ? flags : 0;
}
