// Sizes as Redis writes them in its configuration: a number with an optional unit.
import { GB, KB, MB } from './limits';

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1000, kb: KB, m: 1000 * 1000, mb: MB, g: 1000 ** 3, gb: GB };

/** Redis's memtoll: a number with an optional k/kb/m/mb/g/gb suffix. */
export function parseSize(text: string): number | undefined {
  const m = /^(-?\d+)([a-z]*)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2].toLowerCase()];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}
