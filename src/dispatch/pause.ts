// CLIENT PAUSE / UNPAUSE: while a pause lasts, commands (all of them, or only writes) are held in
// arrival order and run when it ends. A client with a held command has its later commands held
// too, so its replies stay in order, and its socket stops being read, which bounds what is held.
import { CommandSpec } from '../commands/types';
import type { Client } from './client';

export class ClientPause {
  private until = 0;
  private writesOnly = false;
  private timer: NodeJS.Timeout | null = null;
  private held: [Client, Buffer[]][] = [];
  private holding = new Set<Client>();

  constructor(private readonly replay: (client: Client, args: Buffer[]) => void) {}

  /** As Redis's pauseClients: the later end and the stricter mode win over a pause in force. */
  pause(ms: number, writesOnly: boolean): void {
    const now = Date.now();
    const active = now < this.until;
    this.writesOnly = active ? this.writesOnly && writesOnly : writesOnly;
    this.until = Math.max(active ? this.until : 0, now + ms);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.unpause(), this.until - now);
  }

  unpause(): void {
    this.until = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const held = this.held;
    this.held = [];
    const clients = [...this.holding];
    this.holding.clear();
    for (const [client, args] of held) if (!client.closed) this.replay(client, args);
    for (const c of clients) if (!c.closed && !c.paused) c.socket.resume();
  }

  /** Holds the command if the pause applies to it (or its client is already held); true when held. */
  holds(client: Client, spec: CommandSpec | undefined, args: Buffer[]): boolean {
    if (this.until === 0) return false;
    const applies = this.holding.has(client) || !this.writesOnly || (spec !== undefined && spec.flags.includes('write'));
    if (!applies) return false;
    this.held.push([client, args]);
    if (!this.holding.has(client)) {
      this.holding.add(client);
      client.socket.pause();
    }
    return true;
  }

  /** Clients with held commands (INFO's paused clients). */
  count(): number {
    return this.holding.size;
  }
}
