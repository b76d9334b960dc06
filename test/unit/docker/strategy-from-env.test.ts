import assert from 'node:assert/strict';
import { strategyConfigFromEnv } from '../../../docker/node/strategy-from-env.ts';
import { parseStrategyConfig } from '../../../nodes/strategies/config.ts';

// What a node container starts on, checked with the node's own parser: the
// compose file's variables must always give a configuration the node accepts.
describe('docker/node: the strategy a container starts on', () => {
  const stores = {
    LAB_REDIS_URL: 'redis://127.0.0.1:16381',
    LAB_HZ_OWN_MEMBER: '127.0.0.1:15711',
    LAB_HZ_MEMBERS: '127.0.0.1:15701,127.0.0.1:15702',
    LAB_HZ_CLUSTER_NAME: 'session-lab',
    LAB_COOKIE_SECRET: '_tGfKfAGNzcwpFg71U7b332-DWiDCN_Uy72twRP1a2E',
  };
  const parsed = (strategy: string | undefined) =>
    parseStrategyConfig(strategyConfigFromEnv({ ...stores, LAB_STRATEGY: strategy }));

  it('starts on sticky when LAB_STRATEGY is unset or empty', () => {
    assert.deepEqual(parsed(undefined), { name: 'sticky' });
    assert.deepEqual(parsed(''), { name: 'sticky' });
  });

  it('reaches Redis through the node link, with the mode of the variant', () => {
    assert.deepEqual(parsed('redis'), {
      name: 'redis',
      // Said, not assumed: the compose Redis has no ACL users yet.
      redis: { url: 'redis://127.0.0.1:16381', mode: 'cas', allowNoPassword: true },
    });
    assert.equal((parsed('redis:lww') as { redis: { mode: string } }).redis.mode, 'lww');
  });

  it('gives the replicated variant its own member, the partitioned one every member', () => {
    const replicated = parsed('clustered') as { hazelcast: { members: string[] } };
    assert.deepEqual(replicated.hazelcast.members, ['127.0.0.1:15711']);
    const partitioned = parsed('clustered:partitioned') as { hazelcast: { members: string[] } };
    assert.deepEqual(partitioned.hazelcast.members, ['127.0.0.1:15701', '127.0.0.1:15702']);
  });

  it('seals cookies with the configured key', () => {
    assert.equal(parsed('cookie').name, 'cookie');
  });

  it('names the missing variable, and refuses a strategy it cannot start on', () => {
    assert.throws(
      () => strategyConfigFromEnv({ LAB_STRATEGY: 'redis' }),
      /LAB_REDIS_URL is required for the redis strategy/,
    );
    assert.throws(() => strategyConfigFromEnv({ LAB_STRATEGY: 'jwt' }), /switch live/);
    assert.throws(() => strategyConfigFromEnv({ LAB_STRATEGY: 'memcached' }), /is not one of/);
  });
});
