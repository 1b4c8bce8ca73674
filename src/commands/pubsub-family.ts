// Pub/Sub: argument handling and replies; subscriptions live on main (dispatch/pubsub.ts).
import { ReplyWriter, intReply } from '../protocol/reply';
import { helpReply } from './container';
import { lower } from './args';
import { CommandSpec, ServerContext } from './types';

const PUBSUB_HELP = [
  'CHANNELS [<pattern>]', '    Return the currently active channels matching a <pattern> (default: \'*\').',
  'NUMPAT', '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]', '    Return the number of subscribers for the specified channels, excluding', '    pattern subscriptions(default: no channels).',
];

function pubsub(ctx: ServerContext, args: Buffer[]): Buffer {
  const sub = lower(args[1]);
  if (sub === 'help') return helpReply(args[0], PUBSUB_HELP);
  if (sub === 'numpat') return intReply(ctx.pubsub.numpat());
  const out = new ReplyWriter();
  if (sub === 'channels') {
    out.bulkArray(ctx.pubsub.channelsMatching(args[2] ?? null));
    return out.take();
  }
  const channels = args.slice(2);
  out.arrayHeader(channels.length * 2);
  for (const c of channels) {
    out.bulk(c);
    out.int(ctx.pubsub.numsub(c));
  }
  return out.take();
}

const P = (name: string, arity: number, flags: CommandSpec['flags'], summary: string, main: CommandSpec['main'], extra: Partial<CommandSpec> = {}): CommandSpec => ({
  name, arity, flags, firstKey: 0, lastKey: 0, keyStep: 0, group: 'pubsub', summary, since: '2.0.0', main, ...extra,
});

export const PUBSUB_COMMANDS: CommandSpec[] = [
  P('subscribe', -2, ['pubsub', 'noscript', 'loading', 'stale'], 'Listen for messages published to the given channels',
    (ctx, args) => ctx.pubsub.subscribe(args.slice(1), false), { whileSubscribed: true, pushReply: true }),
  P('unsubscribe', -1, ['pubsub', 'noscript', 'loading', 'stale'], 'Stop listening for messages posted to the given channels',
    (ctx, args) => ctx.pubsub.unsubscribe(args.slice(1), false), { whileSubscribed: true, pushReply: true }),
  P('psubscribe', -2, ['pubsub', 'noscript', 'loading', 'stale'], 'Listen for messages published to channels matching the given patterns',
    (ctx, args) => ctx.pubsub.subscribe(args.slice(1), true), { whileSubscribed: true, pushReply: true }),
  P('punsubscribe', -1, ['pubsub', 'noscript', 'loading', 'stale'], 'Stop listening for messages posted to channels matching the given patterns',
    (ctx, args) => ctx.pubsub.unsubscribe(args.slice(1), true), { whileSubscribed: true, pushReply: true }),
  P('publish', 3, ['pubsub', 'loading', 'stale', 'fast'], 'Post a message to a channel', (ctx, args) => intReply(ctx.pubsub.publish(args[1], args[2]))),
  P('pubsub', -2, ['pubsub', 'loading', 'stale', 'random'], 'A container for Pub/Sub commands', pubsub, {
    subcommands: { channels: -2, numpat: 2, numsub: -2, help: 2 },
  }),
];
