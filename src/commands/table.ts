// The command table: every command declared once. Routing, arity checks, COMMAND output and
// (later) binlogging read it; nothing else switches on command names.
import { BINLOG_COMMANDS } from './binlog-family';
import { BITMAP_COMMANDS } from './bitmap-family';
import { CLUSTER_COMMANDS } from './cluster-family';
import { DUMP_COMMANDS } from './dump-family';
import { GEO_COMMANDS } from './geo-family';
import { HASH_COMMANDS } from './hash-family';
import { HLL_COMMANDS } from './hll-family';
import { KEYS_COMMANDS } from './keys-family';
import { LIST_COMMANDS } from './list-family';
import { MEMORY_COMMANDS } from './memory-family';
import { PUBSUB_COMMANDS } from './pubsub-family';
import { RECLAIM_COMMANDS } from './reclaim-family';
import { SERVER_COMMANDS } from './server-family';
import { SET_COMMANDS } from './set-family';
import { SORT_COMMANDS } from './sort-family';
import { STRING_COMMANDS } from './string-family';
import { TRANSACTION_COMMANDS } from './transaction-family';
import { ZSET_COMMANDS } from './zset-family';
import { CommandSpec } from './types';

function build(): Map<string, CommandSpec> {
  const table = new Map<string, CommandSpec>();
  for (const spec of [...STRING_COMMANDS, ...BITMAP_COMMANDS, ...HLL_COMMANDS, ...HASH_COMMANDS, ...SET_COMMANDS, ...LIST_COMMANDS, ...ZSET_COMMANDS, ...GEO_COMMANDS, ...KEYS_COMMANDS, ...SORT_COMMANDS, ...DUMP_COMMANDS, ...MEMORY_COMMANDS, ...RECLAIM_COMMANDS, ...PUBSUB_COMMANDS, ...SERVER_COMMANDS, ...TRANSACTION_COMMANDS, ...CLUSTER_COMMANDS, ...BINLOG_COMMANDS]) {
    if (table.has(spec.name)) throw new Error(`command ${spec.name} declared twice`);
    if (!spec.worker === !spec.main) throw new Error(`command ${spec.name} needs exactly one of worker/main`);
    table.set(spec.name, spec);
  }
  return table;
}

export const COMMANDS: Map<string, CommandSpec> = build();

/** Commands by index, so a worker request names its command with a number. */
export const COMMAND_LIST: CommandSpec[] = [...COMMANDS.values()];
export const COMMAND_INDEX = new Map<CommandSpec, number>(COMMAND_LIST.map((c, i) => [c, i]));
