// MULTI, EXEC, DISCARD, WATCH, UNWATCH: the state lives in dispatch (transaction.ts), which
// ServerContext.transaction reaches for the calling client.
import { CommandSpec } from './types';

const T = (name: string, arity: number, flags: CommandSpec['flags'], keys: [number, number, number], summary: string, since: string, extra: Partial<CommandSpec>): CommandSpec => ({
  name, arity, flags, firstKey: keys[0], lastKey: keys[1], keyStep: keys[2], group: 'transactions', summary, since, ...extra,
});
const NO_KEYS: [number, number, number] = [0, 0, 0];

export const TRANSACTION_COMMANDS: CommandSpec[] = [
  T('multi', 1, ['noscript', 'loading', 'stale', 'fast'], NO_KEYS, 'Mark the start of a transaction block', '1.2.0', {
    main: (ctx) => ctx.transaction.multi(), runsInMulti: true,
  }),
  T('exec', 1, ['noscript', 'loading', 'stale'], NO_KEYS, 'Execute all commands issued after MULTI', '1.2.0', {
    main: (ctx) => ctx.transaction.exec(), runsInMulti: true, abortsTransaction: true, carriesWrites: true,
  }),
  T('discard', 1, ['noscript', 'loading', 'stale', 'fast'], NO_KEYS, 'Discard all commands issued after MULTI', '2.0.0', {
    main: (ctx) => ctx.transaction.discard(), runsInMulti: true,
  }),
  T('watch', -2, ['noscript', 'loading', 'stale', 'fast'], [1, -1, 1], 'Watch the given keys to determine execution of the MULTI/EXEC block', '2.2.0', {
    main: (ctx, args) => ctx.transaction.watch(args.slice(1)), runsInMulti: true,
  }),
  T('unwatch', 1, ['noscript', 'loading', 'stale', 'fast'], NO_KEYS, 'Forget about all watched keys', '2.2.0', {
    main: (ctx) => ctx.transaction.unwatch(),
  }),
];
