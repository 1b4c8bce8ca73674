// Redis's exact error texts, in one place.
export const ERR_WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';
export const ERR_NOT_FLOAT = 'ERR value is not a valid float';
export const ERR_SYNTAX = 'ERR syntax error';
export const ERR_OVERFLOW = 'ERR increment or decrement would overflow';
export const ERR_NAN = 'ERR increment would produce NaN or Infinity';
export const ERR_STRING_TOO_BIG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
export const ERR_NO_SUCH_KEY = 'ERR no such key';
export const ERR_OFFSET = 'ERR offset is out of range';
export const ERR_NOAUTH = 'NOAUTH Authentication required.';
export const ERR_WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';
export const ERR_NOAUTH_HELLO =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';
export const ERR_NO_PASSWORD_SET = 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?';
export const ERR_DB_INDEX = 'ERR DB index is out of range';
export const ERR_DISK_FULL = 'ERR disk almost full: free space under min-free-disk, write refused';

/** Redis 7.0's ACL refusal of a command (name as 'container|sub' for a subcommand). */
export const noPermError = (name: string) => `NOPERM this user has no permissions to run the '${name}' command`;
/** Ours, in the same form: a table this connection may not use. */
export const noTableError = (table: number) => `NOPERM this user has no permissions to access table ${table}`;
export const arityError = (name: string) => `ERR wrong number of arguments for '${name}' command`;
export const expireError = (cmd: string) => `ERR invalid expire time in '${cmd}' command`;

/** Thrown by argument parsers; its message is the error reply. */
export class CommandError extends Error {}
