// Consistent mode on main: the replies that wait for followers' acknowledgements. A marked
// reply, once it arrived and reached the front of its connection, is held (and the replies after
// it, keeping their order) until replication/consensus.ts says k followers have what it waits
// on; past CONSENSUS_WAIT_MS it becomes an error instead.
import { CONSENSUS_CHECK_MS, CONSENSUS_HELD_MAX, CONSENSUS_WAIT_MS } from '../common/limits';
import { errorReply } from '../protocol/reply';
import type { Consensus, Scope } from '../replication/consensus';
import type { Client, Pending } from './client';

/** A write whose acknowledgements did not come in time: like a Raft client's, its outcome is unknown. */
const ERR_WRITE_TIMEOUT = errorReply(`ERR Consensus timeout: not acknowledged by consensus-level followers within ${CONSENSUS_WAIT_MS} ms; the write may still apply`);
/** A read of slots holding writes not yet acknowledged: answering could show what a promoted follower lacks. */
const ERR_READ_TIMEOUT = errorReply(`ERR Consensus timeout: the keys read have writes not acknowledged by consensus-level followers within ${CONSENSUS_WAIT_MS} ms`);

export class ConsensusHolds {
  /** Clients whose front reply is held, and the clock that looks at them again. */
  private held = new Set<Client>();
  private timer: NodeJS.Timeout | null = null;
  /** Marked replies not yet released (in flight or held). */
  private count = 0;

  constructor(
    private consensus: Consensus,
    private level: () => number,
    /** The client may send replies now. */
    private wake: (client: Client) => void,
    private timedOut: () => void,
  ) {}

  /** This reply waits on `scope` once it arrives. */
  mark(p: Pending, scope: Scope, write: boolean): void {
    p.consensus = { scope, write, wait: null, deadline: 0 };
    this.count++;
  }

  /** Whether main stops reading clients until held replies go (CONSENSUS_HELD_MAX). */
  full(): boolean {
    return this.count >= CONSENSUS_HELD_MAX;
  }

  /**
   * `p`'s reply arrived: what it waits on is fixed now. Fixed later, when it reaches the front
   * of its connection behind held replies, it would also wait on writes other clients made
   * meanwhile, and each pipelined reply could cost one more round trip to the followers.
   */
  arrived(p: Pending, now = Date.now()): void {
    const c = p.consensus;
    if (c === undefined || c.deadline !== 0) return;
    c.wait = this.consensus.waitFor(c.scope);
    c.deadline = now + CONSENSUS_WAIT_MS;
  }

  /** Whether `p`, at the front of `client` with its reply, is still held (a timeout replaces its reply). */
  holds(client: Client, p: Pending): boolean {
    const c = p.consensus;
    if (c === undefined) return false;
    const now = Date.now();
    this.arrived(p, now);
    if (this.level() === 0 || c.wait === null || this.consensus.satisfied(c.wait)) return this.settle(p);
    if (now >= c.deadline) {
      p.reply = c.write ? ERR_WRITE_TIMEOUT : ERR_READ_TIMEOUT;
      this.timedOut();
      return this.settle(p);
    }
    this.held.add(client);
    this.timer ??= setInterval(() => this.recheck(), CONSENSUS_CHECK_MS);
    return true;
  }

  private settle(p: Pending): false {
    p.consensus = undefined;
    this.count--;
    return false;
  }

  /** Acknowledgements came, or the clock moved: held clients look again. */
  recheck(): void {
    if (this.held.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    for (const client of this.held) this.wake(client);
    this.held.clear();
  }

  /** A closed client's marked replies will never be sent. */
  forget(client: Client): void {
    for (let i = 0; i < client.pending.length; i++) {
      const p = client.pending.peekAt(i)!;
      if (p.consensus !== undefined) this.settle(p);
    }
    this.held.delete(client);
  }
}
