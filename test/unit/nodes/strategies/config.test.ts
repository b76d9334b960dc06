import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../../../../nodes/config.ts';
import { generateSigningKeys } from '../../../../nodes/strategies/jwt/index.ts';
import {
  loadStrategyConfig,
  parseStrategyConfig,
  StrategyConfigError,
} from '../../../../nodes/strategies/config.ts';

const SECRET = randomBytes(32).toString('base64url');

function problemsOf(input: unknown): string[] {
  try {
    parseStrategyConfig(input);
  } catch (error) {
    assert.ok(error instanceof StrategyConfigError, String(error));
    assert.equal(error.code, 'STRATEGY_CONFIG_INVALID');
    return error.problems;
  }
  return assert.fail(`expected ${JSON.stringify(input)} to be refused`);
}

function configError(env: Record<string, string>): ConfigError {
  try {
    loadStrategyConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  return assert.fail('expected a ConfigError');
}

describe('nodes/strategies/config', () => {
  it('accepts sticky', () => {
    assert.deepEqual(parseStrategyConfig({ name: 'sticky' }), { name: 'sticky' });
  });

  it('accepts redis, mode cas by default', () => {
    assert.deepEqual(
      parseStrategyConfig({ name: 'redis', redis: { url: 'redis://127.0.0.1:6379' } }),
      {
        name: 'redis',
        redis: { url: 'redis://127.0.0.1:6379', mode: 'cas' },
      },
    );
    const lww = parseStrategyConfig({
      name: 'redis',
      redis: { url: 'redis://h:1/2', mode: 'lww' },
    });
    assert.equal(lww.name === 'redis' && lww.redis.mode, 'lww');
  });

  it('takes a user and password in the redis url, and allowNoPassword only when said', () => {
    const url = 'redis://session-lab:pw_-0123456789abcdef@127.0.0.1:6379';
    const withUser = parseStrategyConfig({ name: 'redis', redis: { url } });
    assert.equal(withUser.name === 'redis' && withUser.redis.url, url);
    assert.equal(withUser.name === 'redis' && withUser.redis.allowNoPassword, undefined);
    const open = parseStrategyConfig({
      name: 'redis',
      redis: { url: 'redis://127.0.0.1:6379', allowNoPassword: true },
    });
    assert.equal(open.name === 'redis' && open.redis.allowNoPassword, true);
    assert.deepEqual(
      problemsOf({ name: 'redis', redis: { url: 'redis://h:1', allowNoPassword: 'yes' } }),
      ['redis.allowNoPassword: must be true or false'],
    );
  });

  it('accepts clustered, replicated without a Near Cache by default', () => {
    const body = {
      name: 'clustered',
      hazelcast: { clusterName: 'lab', members: ['127.0.0.1:5701'] },
    };
    assert.deepEqual(parseStrategyConfig(body), {
      name: 'clustered',
      hazelcast: {
        variant: 'replicated',
        clusterName: 'lab',
        members: ['127.0.0.1:5701'],
        nearCache: false,
      },
    });
    const partitioned = parseStrategyConfig({
      name: 'clustered',
      hazelcast: { ...body.hazelcast, variant: 'partitioned', nearCache: true },
    });
    assert.equal(partitioned.name === 'clustered' && partitioned.hazelcast.nearCache, true);
  });

  it('accepts cookie keys and decodes each secret to 32 bytes', () => {
    const other = randomBytes(32);
    const config = parseStrategyConfig({
      name: 'cookie',
      cookie: {
        keys: [
          { id: 'k2', secret: SECRET },
          { id: 'k1', secret: `${other.toString('base64url')}=` },
        ],
      },
    });
    assert.ok(config.name === 'cookie');
    assert.deepEqual(
      config.cookie.keys.map((key) => key.id),
      ['k2', 'k1'],
    );
    assert.deepEqual(config.cookie.keys[0]?.secret, Buffer.from(SECRET, 'base64url'));
    assert.deepEqual(config.cookie.keys[1]?.secret, other);
  });

  it('accepts jwt with its keys and the Redis of its refresh tokens', async () => {
    const keys = await generateSigningKeys('HS256');
    const config = parseStrategyConfig({
      name: 'jwt',
      jwt: { keys },
      redis: { url: 'redis://127.0.0.1:6379' },
    });
    assert.ok(config.name === 'jwt');
    assert.deepEqual(config.redis, { url: 'redis://127.0.0.1:6379' });
    assert.equal(config.jwt.accessTtlSeconds, 60, 'the jwt defaults applied');
    assert.match(
      problemsOf({ name: 'jwt', jwt: { keys } }).join('\n'),
      /^redis: must be an object \{url\}$/m,
    );
    assert.match(
      problemsOf({
        name: 'jwt',
        jwt: { keys, accessTtlSeconds: 0 },
        redis: { url: 'redis://h:1' },
      }).join('\n'),
      /^jwt\.accessTtlSeconds: /m,
    );
  });

  const bad: [string, unknown, RegExp][] = [
    ['a body that is not an object', 'sticky', /^body: must be a JSON object/],
    ['no name', {}, /^name: must be one of sticky, redis, clustered, cookie, jwt$/],
    ['an unknown name', { name: 'memcached' }, /^name: must be one of/],
    ['an unknown field', { name: 'sticky', ttl: 5 }, /^ttl: is not a known field$/],
    ['redis without its part', { name: 'redis' }, /^redis: must be an object/],
    [
      'a redis URL of another scheme',
      { name: 'redis', redis: { url: 'http://h:1' } },
      /^redis\.url: must be a redis:\/\/ URL/,
    ],
    [
      'an unknown redis mode',
      { name: 'redis', redis: { url: 'redis://h:1', mode: 'fast' } },
      /^redis\.mode: must be "cas" or "lww"$/,
    ],
    [
      'an unknown variant',
      { name: 'clustered', hazelcast: { variant: 'mirrored', clusterName: 'c', members: ['h:1'] } },
      /^hazelcast\.variant: must be "replicated" or "partitioned"$/,
    ],
    [
      'no members',
      { name: 'clustered', hazelcast: { clusterName: 'c', members: [] } },
      /^hazelcast\.members: must list a member$/,
    ],
    [
      'a member without a port',
      { name: 'clustered', hazelcast: { clusterName: 'c', members: ['h'] } },
      /^hazelcast\.members\.0: must be "host:port"/,
    ],
    [
      'no cluster name',
      { name: 'clustered', hazelcast: { members: ['h:1'] } },
      /^hazelcast\.clusterName: must be text/,
    ],
    [
      'a Near Cache on the replicated variant',
      { name: 'clustered', hazelcast: { clusterName: 'c', members: ['h:1'], nearCache: true } },
      /^hazelcast\.nearCache: only the partitioned variant/,
    ],
    [
      'no cookie keys',
      { name: 'cookie', cookie: { keys: [] } },
      /^cookie\.keys: must hold at least one key$/,
    ],
    [
      'a short secret',
      { name: 'cookie', cookie: { keys: [{ id: 'k1', secret: SECRET.slice(1) }] } },
      /^cookie\.keys\.0\.secret: must be the base64url of 32 random bytes/,
    ],
    [
      'a key id with a dot',
      { name: 'cookie', cookie: { keys: [{ id: 'k.1', secret: SECRET }] } },
      /^cookie\.keys\.0\.id: must be 1–16 characters/,
    ],
    [
      'two keys with one id',
      {
        name: 'cookie',
        cookie: {
          keys: [
            { id: 'k1', secret: SECRET },
            { id: 'k1', secret: SECRET },
          ],
        },
      },
      /^cookie\.keys: ids must differ$/,
    ],
  ];
  for (const [what, body, expected] of bad) {
    it(`refuses ${what}, naming the field`, () => {
      const problems = problemsOf(body);
      assert.ok(
        problems.some((problem) => expected.test(problem)),
        `${problems.join(' | ')} should match ${String(expected)}`,
      );
    });
  }

  it('never repeats a secret in its message', () => {
    const secret = `${SECRET.slice(0, 40)}!!!`;
    const problems = problemsOf({ name: 'cookie', cookie: { keys: [{ id: 'k1', secret }] } });
    assert.doesNotMatch(problems.join('\n'), new RegExp(SECRET.slice(0, 40)));
  });
  describe('loadStrategyConfig (NODE_STRATEGY_CONFIG)', () => {
    it('defaults to sticky when unset or empty', () => {
      assert.deepEqual(loadStrategyConfig({}), { name: 'sticky' });
      assert.deepEqual(loadStrategyConfig({ NODE_STRATEGY_CONFIG: '' }), { name: 'sticky' });
    });

    it('is read as JSON and checked like the switch body', () => {
      const config = loadStrategyConfig({
        NODE_STRATEGY_CONFIG: '{"name":"redis","redis":{"url":"redis://127.0.0.1:6390"}}',
      });
      assert.deepEqual(config, {
        name: 'redis',
        redis: { url: 'redis://127.0.0.1:6390', mode: 'cas' },
      });
    });

    it('refuses text that is not JSON', () => {
      const error = configError({ NODE_STRATEGY_CONFIG: '{name: sticky}' });
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, [error.message.replace('invalid node configuration: ', '')]);
      assert.match(error.message, /NODE_STRATEGY_CONFIG must be JSON \(e\.g\. /);
    });

    it('names the bad field, never a secret', () => {
      const secret = 'not-a-secret-of-32-bytes-but-private';
      const error = configError({
        NODE_STRATEGY_CONFIG: JSON.stringify({
          name: 'cookie',
          cookie: { keys: [{ id: 'k1', secret }] },
        }),
      });
      assert.match(
        error.message,
        /NODE_STRATEGY_CONFIG is invalid: cookie\.keys\.0\.secret: must be the base64url/,
      );
      assert.doesNotMatch(error.message, new RegExp(secret));
    });
  });
});
