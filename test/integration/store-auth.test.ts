import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { nodeAdmin } from '../../lab/topology/admin-client.ts';
import { processState, signalService } from '../../lab/process/supervisor.ts';
import { redisInfo, redisKeyCount } from '../../lab/services/redis-server.ts';
import { parseStrategyChoice } from '../../lab/strategy/choice.ts';
import { switchStrategy } from '../../lab/strategy/switch.ts';
import { startNode } from '../../lab/topology/topology.ts';
import { waitFor } from '../../lab/process/wait.ts';
import { CookieClient } from '../../lab/topology/cookie-client.ts';
import { useTopology } from './harness.ts';
import { redisCli } from './redis-cli.ts';

describe('a lab topology on jwt: Redis wants a password, secrets travel by 0600 file', function () {
  this.timeout(120000);
  const topology = useTopology(2);

  before(async () => {
    const { state, stateDir } = topology;
    await switchStrategy(stateDir, state, parseStrategyChoice('jwt'), { detached: false });
  });

  function redisOf() {
    const redis = topology.state.services!.redis!;
    return { port: Number(new URL(redis.address).port), users: redis.users! };
  }

  it('refuses redis-cli without the password; the nodes and the lab probes log in', async () => {
    const { port, users } = redisOf();
    assert.match(await redisCli(port, undefined, 'PING'), /NOAUTH/);
    assert.match(await redisCli(port, undefined, 'KEYS', 'sl:*'), /NOAUTH/);
    assert.equal(await redisCli(port, users.app, 'PING'), 'PONG');

    // The nodes log in: a login through the balancer writes a refresh family.
    const client = new CookieClient(topology.state.balancer.url);
    const login = await client.request('POST', '/login', {
      json: { user: 'alice', password: 'secret' },
    });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    // The lab's probes, as the probe user: the key count and INFO memory.
    assert.ok((await redisKeyCount(port, users.probe)) >= 1, 'the login wrote keys');
    assert.match(await redisInfo(port, 'memory', users.probe), /^used_memory:\d+\r?$/m);
  });

  it('gives no node a secret in its environment or command line', async () => {
    const { users } = redisOf();
    const secrets = topology.state.secrets!;
    const jwtKeys = JSON.stringify(secrets.jwtKeys);
    const privateScalar = /"d":"([^"]+)"/.exec(jwtKeys)?.[1];
    assert.ok(privateScalar, 'the topology signs with an ES256 private key');
    const hidden = [
      users.app.password,
      users.probe.password,
      privateScalar,
      secrets.cookieKeys[0]!.secret,
      topology.state.nodeAdminToken,
    ];
    for (const node of topology.state.nodes) {
      assert.equal(node.spec.env.NODE_STRATEGY_CONFIG, undefined);
      assert.equal(node.spec.env.NODE_ADMIN_TOKEN, undefined);
      const seen = [
        await readFile(`/proc/${node.pid}/environ`, 'utf8'),
        await readFile(`/proc/${node.pid}/cmdline`, 'utf8'),
      ].join('\n');
      for (const secret of hidden) assert.ok(!seen.includes(secret), `${node.id} env/argv`);
      for (const file of [
        node.spec.env.NODE_STRATEGY_CONFIG_FILE!,
        node.spec.env.NODE_ADMIN_TOKEN_FILE!,
      ]) {
        assert.equal((await stat(file)).mode & 0o777, 0o600, `${file} is 0600`);
      }
      const file = node.spec.env.NODE_STRATEGY_CONFIG_FILE!;
      const config = JSON.parse(await readFile(file, 'utf8')) as { redis: { url: string } };
      assert.equal(new URL(config.redis.url).username, 'session-lab');
    }
  });

  it('a node started again reads its strategy and token from those files', async () => {
    const node = topology.state.nodes[1]!;
    await signalService(node.pid, node.spec, 'SIGKILL');
    await waitFor(async () => (await processState(node.pid)) === 'dead', {
      timeoutMs: 5000,
      what: `${node.id} to die`,
    });
    node.pid = await startNode(node.spec, node.url, false);
    const status = await nodeAdmin(
      node.url,
      topology.state.nodeAdminToken,
      'GET',
      '/admin/status',
      {
        timeoutMs: 5000,
      },
    );
    assert.equal(status.status, 200);
    assert.equal((status.body as { strategy: string }).strategy, 'jwt');
  });
});
