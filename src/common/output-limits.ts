// Redis's client-output-buffer-limit: `<class> <hard> <soft> <soft seconds>` groups. A client
// whose unsent replies pass `hard`, or stay above `soft` for `softSeconds`, is disconnected.
import { MB } from './limits';
import { parseSize } from './size';

export type ClientClass = 'normal' | 'replica' | 'pubsub';
export interface OutputLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}
export type OutputLimits = Record<ClientClass, OutputLimit>;

/** Redis's defaults: normal clients unlimited (main stops reading them instead), replicas 256mb, subscribers 32mb. */
const DEFAULT_LIMITS: OutputLimits = {
  normal: { hard: 0, soft: 0, softSeconds: 0 },
  replica: { hard: 256 * MB, soft: 64 * MB, softSeconds: 60 },
  pubsub: { hard: 32 * MB, soft: 8 * MB, softSeconds: 60 },
};

const CLASS_NAMES: Record<string, ClientClass> = { normal: 'normal', replica: 'replica', slave: 'replica', pubsub: 'pubsub' };

/** Parses the setting over `base` (classes not named keep their limits); throws Error with Redis's reason. */
export function parseOutputLimits(text: string, base?: OutputLimits): OutputLimits {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length % 4 !== 0) throw new Error('Wrong number of arguments in buffer limit configuration.');
  // classes are replaced whole, never changed in place: a shallow copy keeps `base` intact
  const out: OutputLimits = { ...(base ?? DEFAULT_LIMITS) };
  for (let i = 0; i < words.length; i += 4) {
    const cls = CLASS_NAMES[words[i].toLowerCase()];
    if (!cls) throw new Error('Invalid client class specified in buffer limit configuration.');
    const hard = parseSize(words[i + 1]);
    const soft = parseSize(words[i + 2]);
    const secs = /^\d+$/.test(words[i + 3]) ? Number(words[i + 3]) : undefined;
    if (hard === undefined || soft === undefined || secs === undefined || hard < 0 || soft < 0)
      throw new Error('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    out[cls] = { hard, soft, softSeconds: secs };
  }
  return out;
}

/** The canonical text, as Redis's CONFIG GET shows it (bytes, and `slave` for replicas). */
export function formatOutputLimits(l: OutputLimits): string {
  const shown = { normal: 'normal', replica: 'slave', pubsub: 'pubsub' } as const;
  return (['normal', 'replica', 'pubsub'] as const).map((c) => `${shown[c]} ${l[c].hard} ${l[c].soft} ${l[c].softSeconds}`).join(' ');
}


export const DEFAULT_OUTPUT_LIMITS_TEXT = formatOutputLimits(DEFAULT_LIMITS);

/** Tracks one client against its class's limit; `check` says why it must go, or null. */
export class OutputLimitTracker {
  private softSince = 0;

  check(limit: OutputLimit, backlog: number, now: number): string | null {
    if (limit.hard > 0 && backlog >= limit.hard) return `hard limit ${limit.hard}`;
    if (limit.soft > 0 && backlog >= limit.soft) {
      if (this.softSince === 0) this.softSince = now;
      else if (now - this.softSince >= limit.softSeconds * 1000) return `soft limit ${limit.soft} for ${limit.softSeconds} s`;
    } else this.softSince = 0;
    return null;
  }
}
