// Keyspace events on main, as Redis 7.0's notify.c: workers report what commands did to keys
// (wire.ts events, ahead of each reply); here they are published on __keyspace@<db>__:<key>
// and __keyevent@<db>__:<event> to this node's subscribers, and modifications go to WATCH.
import {
  effectiveNotifyFlags, NOTIFY_KEYEVENT, NOTIFY_KEYSPACE, NOTIFY_NOT_MODIFYING, parseNotifyFlags,
} from '../common/notify';
import { PubSub } from './pubsub';
import { Transactions } from './transaction';
import { LIVE_NOTIFY, LIVE_WATCHING, readEvents } from './wire';
import { WorkerPool } from './worker-pool';

export class KeyspaceEvents {
  /** The classes published; 0 while neither K nor E is on. */
  private flags = 0;

  constructor(private pubsub: PubSub, private transactions: Transactions, private pool: () => WorkerPool) {}

  /** `notify-keyspace-events` changed (or was read at start); `classes` is already validated. */
  configure(classes: string): void {
    this.flags = effectiveNotifyFlags(parseNotifyFlags(classes));
    this.tellWorkers();
  }

  /** Workers report modifications only while a key is watched. */
  tellWorkers(): void {
    this.pool().setLive(LIVE_NOTIFY, this.flags);
    this.pool().setLive(LIVE_WATCHING, this.transactions.watching ? 1 : 0);
  }

  /** One command's events from a worker, in the order it caused them. */
  deliver(payload: Buffer): void {
    readEvents(payload, (table, type, event, key) => {
      if (!(type & NOTIFY_NOT_MODIFYING)) this.transactions.modified(table, key);
      if (!(this.flags & type)) return;
      if (this.flags & NOTIFY_KEYSPACE) this.pubsub.publish(Buffer.concat([Buffer.from(`__keyspace@${table}__:`), key]), Buffer.from(event, 'latin1'));
      if (this.flags & NOTIFY_KEYEVENT) this.pubsub.publish(Buffer.from(`__keyevent@${table}__:${event}`, 'latin1'), key);
    });
  }
}
