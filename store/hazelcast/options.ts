import { StoreOptionError } from '../errors.ts';
import type { HazelcastClientOptions } from './client.ts';

/** Options both Hazelcast session stores take; checked in their constructors. */
export interface HazelcastStoreOptions extends HazelcastClientOptions {
  /** A session idle longer than this is gone (sliding: `create`, `set` and `touch` restart it). */
  idleTimeoutMs: number;
  /**
   * Name of the map holding the sessions. Default `sessions`; the lab's member
   * config covers every name starting with `sessions`.
   */
  mapName?: string;
}

export const DEFAULT_MAP_NAME = 'sessions';

/** Never a session id (those are base64url), so a ping cannot hit one. */
export const PING_KEY = '!ping';

export function checkStoreOptions(
  owner: string,
  options: HazelcastStoreOptions,
): { idleTimeoutMs: number; mapName: string } {
  if (typeof options !== 'object' || options === null) {
    throw new StoreOptionError(
      `${owner}: pass an options object with clusterName and idleTimeoutMs`,
    );
  }
  const { idleTimeoutMs } = options;
  if (!Number.isInteger(idleTimeoutMs) || idleTimeoutMs < 1 || idleTimeoutMs > 2 ** 31) {
    throw new StoreOptionError(
      `${owner}: idleTimeoutMs must be an integer from 1 to ${2 ** 31}, got ${String(idleTimeoutMs)}`,
    );
  }
  const mapName = options.mapName ?? DEFAULT_MAP_NAME;
  if (typeof mapName !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(mapName)) {
    throw new StoreOptionError(`${owner}: mapName must be 1-64 characters [A-Za-z0-9_.-]`);
  }
  return { idleTimeoutMs, mapName };
}
