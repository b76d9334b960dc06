import {
  probeRedis,
  redisKeyCount,
  type RedisPersistence,
  requireRedisUsers,
  type RedisUsers,
} from '../../services/redis-server.ts';
import type { ServiceEntry } from '../../topology/state.ts';
import type { ChaosTarget } from '../action.ts';

type RedisEntry = ServiceEntry & { persistence: RedisPersistence; users?: RedisUsers };

/**
 * The redis-server the lab started. A (re)start reuses its recorded spec: the
 * same port, folder and config, so an AOF written before is replayed. What
 * survives is measured (DBSIZE before the loss and after the start), not assumed.
 */
export function redisTarget(entry: RedisEntry): ChaosTarget {
  const port = Number(new URL(entry.address).port);
  // The lab's probe user: PING, INFO and DBSIZE are all these looks need.
  // Asked for when used: a kill needs no password.
  const asProbe = () => requireRedisUsers(entry).probe;
  return {
    kind: 'store',
    id: entry.id,
    entry,
    stopGraceMs: 5000,
    readyTimeoutMs: 10_000,
    async isReady(_context, pid) {
      // The pid tells our server from another one that took the port meanwhile.
      const probe = await probeRedis(port, asProbe());
      return probe.reply === '+PONG' && probe.pid === pid;
    },
    async lossNote(_context, graceful) {
      const keys = await redisKeyCount(port, asProbe()).catch(() => undefined);
      const held = keys === undefined ? 'what it holds' : `its ${keys} key(s)`;
      switch (entry.persistence) {
        case 'none':
          return `persistence none: ${held} are lost (sessions end; clients log in again)`;
        case 'aof-everysec':
          return graceful
            ? `aof-everysec, fsynced on SIGTERM: ${held} survive a restart`
            : `aof-everysec: ${held} survive a restart, minus writes of about the last second`;
        case 'aof-always':
          return `aof-always: ${held} survive a restart`;
      }
    },
    whenGone() {
      // Nodes answer 503 while it is down; nothing else has to notice.
      return Promise.resolve(undefined);
    },
    async whenBack() {
      const keys = await redisKeyCount(port, asProbe());
      const survived = entry.persistence === 'none' ? 'nothing survives' : 'replayed from its AOF';
      // Under load, logins made since the start count too: say so, or "1 key" reads as a survivor.
      return `same port, folder and config; ${keys} key(s) after start, new logins included (persistence ${entry.persistence}: ${survived})`;
    },
  };
}
