// Consistent mode (`consensus-level : k`): which binlog entries at least k followers have
// acknowledged. A write's reply waits until every entry appended before it was answered is
// acknowledged so (a snapshot of the slots not yet there, taken when its reply arrives), so a
// client never hears OK for a write a promoted follower could lack.
//
// What it tracks is bounded by the slots: one (slot, last index) pair per slot with entries
// not yet acknowledged by k followers, and snapshots that share those pairs.

/** Slots (table * SLOTS_PER_TABLE_MAX + slot) and the index each must reach. */
export type Snapshot = readonly (readonly [number, number])[];

export interface ConsensusLinks {
  /** Highest index each follower streaming this slot acknowledged, one number per follower. */
  acks(id: number): number[];
}

export class Consensus {
  /** Slots whose last index is not yet acknowledged by k followers → that index. */
  private uncommitted = new Map<number, number>();
  /** Per slot, the highest index ever acknowledged by k followers (a watermark: links may go later). */
  private committed = new Map<number, number>();
  /** Shared by every reply captured until `uncommitted` changes. */
  private current: Snapshot | null = null;

  constructor(private links: ConsensusLinks, private level: () => number) {}

  /** A worker committed the slot's log up to `index`. */
  appended(id: number, index: number): void {
    if (this.level() === 0) return;
    this.uncommitted.set(id, index);
    this.current = null;
  }

  /** Index of the slot that at least k followers have now; -1 when fewer than k follow it. */
  private replicated(id: number): number {
    const k = this.level();
    const acks = this.links.acks(id);
    if (k === 0 || acks.length < k) return -1;
    acks.sort((a, b) => b - a);
    return acks[k - 1];
  }

  /** Followers acknowledged entries: moves the watermarks; says whether a pending slot got there. */
  acked(): boolean {
    let any = false;
    for (const [id, index] of this.uncommitted) {
      const got = this.replicated(id);
      if (got > (this.committed.get(id) ?? -1)) this.committed.set(id, got);
      if (got < index) continue;
      this.uncommitted.delete(id);
      any = true;
    }
    if (any) this.current = null;
    return any;
  }

  /** What a reply arriving now must wait for; null when nothing is pending. */
  snapshot(): Snapshot | null {
    if (this.uncommitted.size === 0) return null;
    this.current ??= [...this.uncommitted];
    return this.current;
  }

  /** Whether k followers acknowledged every slot of the snapshot up to its index. */
  satisfied(snap: Snapshot): boolean {
    for (const [id, index] of snap) if ((this.committed.get(id) ?? -1) < index) return false;
    return true;
  }

  /** Consistent mode turned off: nothing waits any more. */
  reset(): void {
    this.uncommitted.clear();
    this.current = null;
  }
}
