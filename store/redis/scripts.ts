import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run atomically by Redis, addressed by its SHA1 once cached. */
export interface LuaScript {
  source: string;
  sha: string;
}

/** A script from its source; the SHA1 is computed once, here. */
export function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** A script's reply and the round trips it took: 1, or 2 when Redis had to be sent the source. */
export interface ScriptReply {
  reply: unknown;
  roundTrips: number;
}

/**
 * EVALSHA, falling back to EVAL (which also caches the script) when the
 * server does not know it yet: after a restart or SCRIPT FLUSH.
 */
export async function runScript(
  redis: Redis,
  script: LuaScript,
  keys: string[],
  args: (string | number)[],
): Promise<ScriptReply> {
  try {
    return { reply: await redis.evalsha(script.sha, keys.length, ...keys, ...args), roundTrips: 1 };
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return { reply: await redis.eval(script.source, keys.length, ...keys, ...args), roundTrips: 2 };
  }
}
