// Strings: the value is the payload of the key's directory record.
import { CommandError, ERR_WRONGTYPE } from '../common/errors';
import { KeyType, lookup, lookupString, store } from '../storage/keyspace';
import { SlotEnv } from '../storage/slot-store';

/** The live string at `key`, undefined when absent; throws WRONGTYPE for another type. */
export function getString(env: SlotEnv | null, key: Buffer, now: number): Buffer | undefined {
  const v = lookupString(env, key, now);
  if (v === null) throw new CommandError(ERR_WRONGTYPE);
  return v;
}

/** The live string and its expiry; throws WRONGTYPE for another type. */
export function getStringWithExpiry(env: SlotEnv | null, key: Buffer, now: number): { value: Buffer; expireAt: number } | undefined {
  const rec = lookup(env, key, now);
  if (!rec) return undefined;
  if (rec.type !== KeyType.String) throw new CommandError(ERR_WRONGTYPE);
  return { value: rec.payload, expireAt: rec.expireAt };
}

/** Stores a string, replacing any key of any type. Must run inside env.write. */
export function putString(env: SlotEnv, key: Buffer, value: Buffer, expireAt: number): void {
  store(env, key, KeyType.String, expireAt, value);
}
