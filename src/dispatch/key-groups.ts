// How a multi-key command (DEL, EXISTS, MGET, MSET...) is cut into parts, one per slot or per
// worker: each key with its keyStep arguments (MSET's value), in key order within a part.
import type { CommandSpec } from '../commands/types';

export interface KeyGroup {
  /** The command name, then the part's keys with their arguments. */
  args: Buffer[];
  /** Ordinal of each of the part's keys among the command's keys (where MGET puts its values). */
  positions: number[];
}

/** Whether every key has its keyStep arguments (MSET k1 v1 k2 does not: an arity error, as Redis answers). */
export function wholeKeyGroups(spec: CommandSpec, args: Buffer[]): boolean {
  return (args.length - spec.firstKey) % spec.keyStep === 0;
}

/**
 * The command's keys grouped by `groupOf(key)`. Null when a key lacks its arguments: such a
 * command runs whole, so its arity error comes before any part is written.
 */
export function groupKeys<G>(spec: CommandSpec, args: Buffer[], groupOf: (key: Buffer) => G): Map<G, KeyGroup> | null {
  if (!wholeKeyGroups(spec, args)) return null;
  const groups = new Map<G, KeyGroup>();
  for (let i = spec.firstKey, k = 0; i < args.length; i += spec.keyStep, k++) {
    const g = groupOf(args[i]);
    let part = groups.get(g);
    if (!part) groups.set(g, (part = { args: [args[0]], positions: [] }));
    for (let j = 0; j < spec.keyStep; j++) part.args.push(args[i + j]);
    part.positions.push(k);
  }
  return groups;
}
