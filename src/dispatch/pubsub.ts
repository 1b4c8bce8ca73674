// Channels and patterns live on the main thread: PUBLISH reaches every subscriber of this node
// at once, in publish order, with no worker hop. A subscriber holding more unsent messages than
// its output buffer limit allows (client-output-buffer-limit pubsub) is disconnected.
import { globMatch } from '../common/glob';
import { Protocol, ReplyWriter } from '../protocol/reply';

export interface Subscriber {
  readonly id: number;
  /** The connection's protocol: RESP3 receives messages as pushes. */
  resp(): Protocol;
  channels: Set<string>;
  patterns: Set<string>;
  /** Queues bytes behind the subscriber's earlier replies. */
  deliver(bytes: Buffer): void;
  /** Why the subscriber must be cut off if `extra` more bytes were queued for it, or null. */
  overLimit(extra: number): string | null;
  drop(reason: string): void;
}

/** A published message encoded once per protocol: RESP3's push differs from RESP2's array in its first byte. */
class Message {
  private push: Buffer | null = null;
  constructor(private readonly array: Buffer) {}
  in(resp: Protocol): Buffer {
    if (resp === 2) return this.array;
    if (!this.push) {
      this.push = Buffer.from(this.array);
      this.push[0] = 0x3e; // '>'
    }
    return this.push;
  }
}

const key = (b: Buffer) => b.toString('latin1');
const bytes = (s: string) => Buffer.from(s, 'latin1');

export class PubSub {
  private channels = new Map<string, Set<Subscriber>>();
  private patterns = new Map<string, Set<Subscriber>>();

  /** SUBSCRIBE and PSUBSCRIBE: one confirmation per name, with the running count. */
  subscribe(s: Subscriber, names: Buffer[], pattern: boolean): Buffer {
    const out = new ReplyWriter(s.resp());
    const own = pattern ? s.patterns : s.channels;
    const all = pattern ? this.patterns : this.channels;
    for (const n of names) {
      const k = key(n);
      if (!own.has(k)) {
        own.add(k);
        let set = all.get(k);
        if (!set) all.set(k, (set = new Set()));
        set.add(s);
      }
      out.pushHeader(3);
      out.bulk(pattern ? 'psubscribe' : 'subscribe');
      out.bulk(n);
      out.int(s.channels.size + s.patterns.size);
    }
    return out.take();
  }

  /** UNSUBSCRIBE and PUNSUBSCRIBE; no names means all of them. */
  unsubscribe(s: Subscriber, names: Buffer[], pattern: boolean): Buffer {
    const out = new ReplyWriter(s.resp());
    const own = pattern ? s.patterns : s.channels;
    const kind = pattern ? 'punsubscribe' : 'unsubscribe';
    const targets = names.length ? names.map(key) : [...own];
    if (targets.length === 0) {
      out.pushHeader(3);
      out.bulk(kind);
      out.nullBulk();
      out.int(s.channels.size + s.patterns.size);
      return out.take();
    }
    for (const k of targets) {
      this.forget(s, k, pattern);
      out.pushHeader(3);
      out.bulk(kind);
      out.bulk(bytes(k));
      out.int(s.channels.size + s.patterns.size);
    }
    return out.take();
  }

  private forget(s: Subscriber, k: string, pattern: boolean): void {
    const own = pattern ? s.patterns : s.channels;
    const all = pattern ? this.patterns : this.channels;
    own.delete(k);
    const set = all.get(k);
    if (!set) return;
    set.delete(s);
    if (set.size === 0) all.delete(k);
  }

  /** A closed connection leaves every channel and pattern. */
  leave(s: Subscriber): void {
    for (const k of [...s.channels]) this.forget(s, k, false);
    for (const k of [...s.patterns]) this.forget(s, k, true);
  }

  /** Delivers to channel and pattern subscribers; returns how many received it. */
  publish(channel: Buffer, message: Buffer): number {
    let n = 0;
    const direct = this.channels.get(key(channel));
    if (direct) {
      const w = new ReplyWriter();
      w.arrayHeader(3);
      w.bulk('message');
      w.bulk(channel);
      w.bulk(message);
      const msg = new Message(w.take());
      for (const s of direct) n += this.send(s, msg);
    }
    for (const [p, subs] of this.patterns) {
      if (!globMatch(bytes(p), channel)) continue;
      const w = new ReplyWriter();
      w.arrayHeader(4);
      w.bulk('pmessage');
      w.bulk(bytes(p));
      w.bulk(channel);
      w.bulk(message);
      const msg = new Message(w.take());
      for (const s of subs) n += this.send(s, msg);
    }
    return n;
  }

  private send(s: Subscriber, message: Message): number {
    const msg = message.in(s.resp());
    const why = s.overLimit(msg.length);
    if (why !== null) {
      s.drop(why);
      this.leave(s);
      return 0;
    }
    s.deliver(msg);
    return 1;
  }

  channelsMatching(pattern: Buffer | null): Buffer[] {
    return [...this.channels.keys()].filter((c) => !pattern || globMatch(pattern, bytes(c))).map(bytes);
  }

  numsub(channel: Buffer): number {
    return this.channels.get(key(channel))?.size ?? 0;
  }

  numpat(): number {
    return this.patterns.size;
  }
}
