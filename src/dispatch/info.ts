// INFO's text: which sections a request names, Redis's layout, and the counters main gathers
// from every worker for it.
import { decodeReply } from '../protocol/reply-reader';

/** Sends an internal command to every worker for `table`; resolves with their raw replies. */
export type EveryWorker = (table: number, args: Buffer[]) => Promise<Buffer[]>;

/** As Redis 7.0's INFO [section ...]: sections come in the order added; unknown names add nothing. */
export class InfoText {
  private lines: string[] = [];
  private all: boolean;
  private byDefault: boolean;

  constructor(private readonly sections: string[]) {
    this.all = sections.some((s) => s === 'all' || s === 'everything');
    this.byDefault = sections.length === 0 || sections.includes('default');
  }

  /** Whether the section is asked for: the default sections are all but commandstats, as Redis. */
  want(section: string): boolean {
    return this.all || this.sections.includes(section) || (this.byDefault && section !== 'commandstats');
  }

  add(title: string, fields: [string, string | number][]): void {
    if (!this.want(title.toLowerCase())) return;
    if (this.lines.length) this.lines.push('');
    this.lines.push(`# ${title}`);
    for (const [k, v] of fields) this.lines.push(`${k}:${v}`);
  }

  text(): string {
    return this.lines.length ? this.lines.join('\r\n') + '\r\n' : '';
  }
}

/** The integer arrays every worker answers to an internal command. */
async function fromEveryWorker(call: EveryWorker, table: number, command: string): Promise<number[][]> {
  return (await call(table, [Buffer.from(command)])).map((p) => decodeReply(p) as number[]);
}

export async function workerStats(call: EveryWorker): Promise<{ hits: number; misses: number; expired: number; open: number }> {
  const sum = { hits: 0, misses: 0, expired: 0, open: 0 };
  for (const [hits, misses, expired, open] of await fromEveryWorker(call, 0, '__workerstats')) {
    sum.hits += hits;
    sum.misses += misses;
    sum.expired += expired;
    sum.open += open;
  }
  return sum;
}

/**
 * Background reclaim of dropped collections over every worker: what it has left and has done;
 * a slot two workers list (see __reclaimstats) is counted once.
 */
export async function reclaimStats(call: EveryWorker) {
  const sum = { paused: 0, collections: 0, records: 0, pendingCollections: 0, pendingRecords: 0 };
  const pending = new Map<number, [number, number]>();
  for (const [paused, collections, records, ...slots] of await fromEveryWorker(call, 0, '__reclaimstats')) {
    sum.paused |= paused;
    sum.collections += collections;
    sum.records += records;
    for (let i = 0; i + 2 < slots.length; i += 3) pending.set(slots[i], [slots[i + 1], slots[i + 2]]);
  }
  for (const [c, r] of pending.values()) {
    sum.pendingCollections += c;
    sum.pendingRecords += r;
  }
  return sum;
}

/** INFO keyspace's line of one table, or null when it holds no keys. */
export async function keyspaceLine(call: EveryWorker, table: number): Promise<[string, string] | null> {
  let keys = 0, expires = 0;
  for (const [k, e] of await fromEveryWorker(call, table, '__keyspace')) {
    keys += k;
    expires += e;
  }
  return keys > 0 ? [`db${table}`, `keys=${keys},expires=${expires},avg_ttl=0`] : null;
}
