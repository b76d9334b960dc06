import assert from 'node:assert/strict';
import { CookieClient } from '../../lab/topology/cookie-client.ts';
import { processState, signalService } from '../../lab/process/supervisor.ts';
import { ALL_STRATEGIES, parseStrategyChoice } from '../../lab/strategy/choice.ts';
import { switchStrategy } from '../../lab/strategy/switch.ts';
import { startNode } from '../../lab/topology/topology.ts';
import { waitFor } from '../../lab/process/wait.ts';
import { useTopology, waitNodeState } from './harness.ts';

/** One simulated user; `jwt` users carry their access token instead of a cookie. */
class User {
  readonly client: CookieClient;
  readonly name: string;
  accessToken: string | undefined;
  refreshToken: string | undefined;
  home = '';

  constructor(baseUrl: string, name: string) {
    this.client = new CookieClient(baseUrl);
    this.name = name;
  }

  request(method: string, path: string, json?: unknown) {
    const headers: Record<string, string> = this.accessToken
      ? { authorization: `Bearer ${this.accessToken}` }
      : {};
    return this.client.request(method, path, { json, headers });
  }

  async login(): Promise<void> {
    const response = await this.request('POST', '/login', { user: this.name, password: 'secret' });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const body = response.body as { accessToken?: string; refreshToken?: string };
    this.accessToken = body.accessToken;
    this.refreshToken = body.refreshToken;
    this.home = response.servedBy;
  }
}

describe('every strategy end to end through the balancer, switched live', function () {
  this.timeout(240000);
  const topology = useTopology(3);

  for (const name of ALL_STRATEGIES) {
    const choice = parseStrategyChoice(name);
    it(`${name}: cart writes across nodes are read back; a node kill loses ${
      choice.name === 'sticky' ? "exactly the killed node's sessions" : 'no session'
    }; logout ends the session`, async () => {
      const { state, stateDir } = topology;
      await switchStrategy(stateDir, state, choice, { detached: false });
      const users = Array.from(
        { length: 6 },
        (_, index) => new User(state.balancer.url, `u${index}`),
      );
      for (const user of users) await user.login();

      const servedBy = new Set<string>();
      for (const user of users) {
        for (let write = 1; write <= 3; write += 1) {
          const response = await user.request('POST', '/cart/items', { sku: `s${write}`, qty: 1 });
          assert.equal(response.status, 200, JSON.stringify(response.body));
          assert.equal((response.body as { version: number }).version, write);
          servedBy.add(response.servedBy);
          const read = await user.request('GET', '/cart');
          assert.equal((read.body as { version: number }).version, write, 'read-your-writes');
          servedBy.add(read.servedBy);
        }
      }
      assert.equal(
        servedBy.size,
        choice.name === 'sticky' ? new Set(users.map((u) => u.home)).size : 3,
      );

      const victim = state.nodes[1]!;
      await signalService(victim.pid, victim.spec, 'SIGKILL');
      await waitFor(async () => (await processState(victim.pid)) === 'dead', {
        timeoutMs: 5000,
        what: 'the killed node to die',
      });
      const lost: string[] = [];
      for (const user of users) {
        const response = await user.request('GET', '/cart');
        if (response.status === 401) lost.push(user.name);
        else {
          assert.equal(response.status, 200, JSON.stringify(response.body));
          assert.equal((response.body as { version: number }).version, 3);
        }
      }
      const expectedLost =
        choice.name === 'sticky'
          ? users.filter((u) => u.home === victim.id).map((u) => u.name)
          : [];
      assert.deepEqual(lost, expectedLost);

      victim.pid = await startNode(victim.spec, victim.url, false);
      await waitNodeState(state, victim.id, 'up');

      const leaver = users.find((user) => !lost.includes(user.name))!;
      assert.equal((await leaver.request('POST', '/logout')).status, 204);
      if (choice.name === 'jwt') {
        // The access token stays valid until it expires (claim C10); the refresh family is revoked.
        const refresh = await leaver.request('POST', '/auth/refresh', {
          refreshToken: leaver.refreshToken,
        });
        assert.equal(refresh.status, 401);
      } else {
        assert.equal((await leaver.request('GET', '/me')).status, 401);
      }
    });
  }
});
