// Consistent mode (`consensus-level : k`): which binlog entries of the slots this node leads at
// least k followers have acknowledged. A reply waits until the slots it touched are acknowledged
// so up to the index they had when it arrived (the worker reports a batch's appends before its
// replies, so a write's own entry is always included): a client never hears OK for a write, nor
// reads one, that a promoted follower could lack.
//
// What it tracks is bounded by the slots: per led slot its last index not yet acknowledged by k
// followers, and the highest index that was.
import { SLOTS_PER_TABLE_MAX } from '../common/limits';

/** Slot ids (table * SLOTS_PER_TABLE_MAX + slot) and the index each must reach. */
export type Wait = readonly (readonly [number, number])[];

/** The slots a reply waits on: some slot ids and every slot of some tables (keyless commands), or every slot. */
export type Scope = { ids?: number[]; tables?: number[] } | 'all';

export interface ConsensusLinks {
  /** Highest index each follower streaming this slot acknowledged, one number per follower. */
  acks(id: number): number[];
}

export class Consensus {
  /** Slots whose last index is not yet acknowledged by k followers → that index. */
  private uncommitted = new Map<number, number>();
  /** Per slot, the highest index ever acknowledged by k followers (a watermark: links may go later). */
  private committed = new Map<number, number>();

  constructor(private links: ConsensusLinks, private level: () => number) {}

  /** A worker committed the led slot's log up to `index`. */
  appended(id: number, index: number): void {
    if (this.level() === 0) return;
    this.uncommitted.set(id, index);
  }

  /** The slot changes role: what it owed or reached as a leader no longer counts (its log may be truncated). */
  forget(id: number): void {
    this.uncommitted.delete(id);
    this.committed.delete(id);
  }

  /** Index of the slot that at least k followers have now; -1 when fewer than k follow it. */
  private replicated(id: number): number {
    const k = this.level();
    const acks = this.links.acks(id);
    if (k === 0 || acks.length < k) return -1;
    acks.sort((a, b) => b - a);
    return acks[k - 1];
  }

  /**
   * A follower acknowledged entries of this slot: moves its watermark; says whether it moved, so
   * held replies look again. Under steady writes a slot's last index runs ahead of every ack, so
   * waiting for it to catch up would hold replies the watermark already covers.
   */
  acked(id: number): boolean {
    const index = this.uncommitted.get(id);
    if (index === undefined) return false;
    const got = this.replicated(id);
    if (got <= (this.committed.get(id) ?? -1)) return false;
    this.committed.set(id, got);
    if (got >= index) this.uncommitted.delete(id);
    return true;
  }

  /** What a reply arriving now must wait for in `scope`; null when nothing there is pending. */
  waitFor(scope: Scope): Wait | null {
    if (this.uncommitted.size === 0) return null;
    const out: [number, number][] = [];
    if (scope === 'all') out.push(...this.uncommitted);
    else {
      const tables = scope.tables ?? [];
      const whole = (id: number) => tables.includes(Math.floor(id / SLOTS_PER_TABLE_MAX));
      if (tables.length > 0) for (const pair of this.uncommitted) if (whole(pair[0])) out.push(pair);
      for (const id of scope.ids ?? []) {
        const index = this.uncommitted.get(id);
        if (index !== undefined && !whole(id)) out.push([id, index]);
      }
    }
    return out.length > 0 ? out : null;
  }

  /** Whether k followers acknowledged every slot of the wait up to its index. */
  satisfied(wait: Wait): boolean {
    for (const [id, index] of wait) if ((this.committed.get(id) ?? -1) < index) return false;
    return true;
  }

  /** Consistent mode turned off: nothing waits any more. */
  reset(): void {
    this.uncommitted.clear();
  }
}
