// What Redis 7.0 checks before a command runs (server.c commandCheckExistence and
// commandCheckArity), with its exact texts, and the HELP reply of container commands.
import { arityError } from '../common/errors';
import { errorReply, ReplyWriter } from '../protocol/reply';
import { lower } from './args';
import { CommandSpec } from './types';

/** Longest argument text an error shows, as Redis's '%.128s'. */
const SHOWN_MAX = 128;

/** `b` as C's printf('%.*s') prints it: cut at a NUL byte and at `max` bytes. */
function cString(b: Buffer, max: number): Buffer {
  const nul = b.indexOf(0);
  return b.subarray(0, Math.min(max, nul < 0 ? b.length : nul));
}

/** An error reply built from bytes, with CR and LF turned into spaces (Redis's sdsmapchars). */
function byteErrorReply(parts: Buffer[]): Buffer {
  const msg = Buffer.concat([Buffer.from('-'), ...parts, Buffer.from('\r\n')]);
  for (let i = 1; i < msg.length - 2; i++) if (msg[i] === 0x0d || msg[i] === 0x0a) msg[i] = 0x20;
  return msg;
}

const upper = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/[a-z]+/g, (s) => s.toUpperCase()), 'latin1');

/** "unknown command": the arguments shown stop once their text reaches 128 bytes. */
function unknownCommand(args: Buffer[]): Buffer {
  const shown: Buffer[] = [];
  let len = 0;
  for (let i = 1; i < args.length && len < SHOWN_MAX; i++) {
    const piece = cString(args[i], SHOWN_MAX - len);
    shown.push(Buffer.from("'"), piece, Buffer.from("' "));
    len += piece.length + 3;
  }
  return byteErrorReply([
    Buffer.from("ERR unknown command '"), cString(args[0], SHOWN_MAX), Buffer.from("', with args beginning with: "), ...shown,
  ]);
}

function unknownSubcommand(args: Buffer[]): Buffer {
  return byteErrorReply([
    Buffer.from("ERR unknown subcommand '"), cString(args[1], SHOWN_MAX), Buffer.from("'. Try "), upper(cString(args[0], Infinity)), Buffer.from(' HELP.'),
  ]);
}

const arityWrong = (n: number, arity: number) => (arity > 0 && n !== arity) || n < -arity;

/**
 * The error reply Redis gives before running `args`, or null when it may run: unknown (or
 * internal) command, unknown subcommand of a container command, wrong number of arguments
 * (of the subcommand, named 'container|sub', when there is one).
 */
export function checkCommand(spec: CommandSpec | undefined, args: Buffer[]): Buffer | null {
  if (!spec || spec.flags.includes('internal')) return unknownCommand(args);
  if (spec.subcommands && args.length > 1) {
    const sub = args[1].toString('latin1').toLowerCase();
    const arity = Object.hasOwn(spec.subcommands, sub) ? spec.subcommands[sub] : undefined;
    if (arity === undefined) return unknownSubcommand(args);
    return arityWrong(args.length, arity) ? errorReply(arityError(`${spec.name}|${sub}`)) : null;
  }
  return arityWrong(args.length, spec.arity) ? errorReply(arityError(spec.name)) : null;
}

/** Redis's addReplyHelp: status lines under a header naming the command, then HELP. */
export function helpReply(command: Buffer, lines: string[]): Buffer {
  const out = new ReplyWriter();
  out.arrayHeader(lines.length + 3);
  out.simple(`${command.toString('latin1').toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) out.simple(l);
  out.simple('HELP');
  out.simple('    Prints this help.');
  return out.take();
}

/** Redis's addReplySubcommandSyntaxError, for argument errors a container's handler finds itself. */
export function subcommandSyntaxError(args: Buffer[]): string {
  return `ERR unknown subcommand or wrong number of arguments for '${cString(args[1], SHOWN_MAX).toString()}'. Try ${args[0].toString().toUpperCase()} HELP.`;
}

/** The subcommand named by `args`, lowercase, for a container command; null for any other. */
export function subcommandOf(spec: CommandSpec, args: Buffer[]): string | null {
  return spec.subcommands && args.length > 1 ? lower(args[1]) : null;
}

/** Whether this call is an admin one: its subcommand's flag for a container, the command's otherwise. */
export function isAdminCall(spec: CommandSpec, args: Buffer[]): boolean {
  const sub = subcommandOf(spec, args);
  return spec.adminSubcommands ? sub !== null && spec.adminSubcommands.includes(sub) : spec.flags.includes('admin');
}
