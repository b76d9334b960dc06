import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { runChaos, type ChaosContext } from '../../lab/chaos/index.ts';
import { parseStrategyChoice } from '../../lab/strategy/choice.ts';
import { switchStrategy } from '../../lab/strategy/switch.ts';
import { waitFor } from '../../lab/process/wait.ts';
import { useTopology } from './harness.ts';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/** The rows of /proc/net/tcp{,6}: local port, state, unread bytes. */
async function tcpTable() {
  const rows: { local: number; state: string; unread: number }[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const table = await readFile(file, 'utf8').catch(() => '');
    for (const line of table.split('\n').slice(1)) {
      const [, local, , state, queues] = line.trim().split(/\s+/);
      if (!local || !state || !queues) continue;
      // queues: tx_queue:rx_queue in hex; rx_queue is what the owner has not read yet.
      const unread = parseInt(queues.split(':')[1]!, 16);
      rows.push({ local: parseInt(local.split(':').at(-1)!, 16), state, unread });
    }
  }
  return rows;
}

/**
 * Bytes Redis has not read yet on its established connections: while it is
 * paused, commands sent to it. Nodes reach Redis through the lab's network
 * links (a proxy), so the sender is not visible here: the test makes sure
 * nothing else is waiting before its own request.
 */
async function unreadByRedis(redisPort: number): Promise<number> {
  // 01: ESTABLISHED, seen from Redis's side of the connection.
  const rows = await tcpTable();
  return rows
    .filter((row) => row.local === redisPort && row.state === '01')
    .reduce((sum, row) => sum + row.unread, 0);
}

/** One counter sample from a node's /metrics text. */
function sample(text: string, name: string, outcome: string): number {
  const line = text
    .split('\n')
    .find((each) => each.startsWith(`${name}{`) && each.includes(`outcome="${outcome}"`));
  assert.ok(line, `${name}{outcome="${outcome}"} is exported`);
  return Number(line.split(' ').at(-1));
}

// Real processes: the balancer, two nodes, redis-server. The refresh in
// flight is made to be applied by Redis while its node dies before answering,
// which is what a client sees when a node is killed mid-refresh.
describe('jwt under chaos: a node killed during a refresh loses no session', function () {
  this.timeout(60000);
  const topology = useTopology(2);
  const context = (): ChaosContext => ({
    stateDir: topology.stateDir,
    state: topology.state,
    detached: false,
  });
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${topology.state.balancer.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token !== undefined && { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  const get = (path: string, token: string) =>
    fetch(`${topology.state.balancer.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });

  before(async () => {
    const { state, stateDir } = topology;
    await switchStrategy(stateDir, state, parseStrategyChoice('jwt'), { detached: false });
  });

  it('the refresh is applied, its answer lost; a retry with the same token within the grace window continues the session', async () => {
    const { state } = topology;
    const [victim, survivor] = state.nodes as [(typeof state.nodes)[0], (typeof state.nodes)[0]];
    const redisPort = Number(/:(\d+)$/.exec(state.services!.redis!.address)![1]);

    // Only the victim serves this client until it dies.
    await runChaos(context(), 'disable', survivor.id);
    // One rotation first, as on any running system: Redis caches the script,
    // so the refresh below is a single EVALSHA (a fresh Redis would answer
    // NOSCRIPT, and the dead node could not send the script).
    const warm = (await (
      await post('/login', { user: 'warm', password: 'secret' })
    ).json()) as TokenPair;
    assert.equal((await post('/auth/refresh', { refreshToken: warm.refreshToken })).status, 200);
    const loggedIn = await post('/login', { user: 'chaos-refresh', password: 'secret' });
    assert.equal(loggedIn.status, 200);
    const first = (await loggedIn.json()) as TokenPair;
    const added = await post('/cart/items', { sku: 'kept', qty: 1 }, first.accessToken);
    assert.equal(added.status, 200, await added.text());

    let redisPaused = false;
    let lostAnswer: Response | Error;
    try {
      // Redis paused: the victim's rotation command waits in Redis's socket.
      await runChaos(context(), 'pause', 'redis');
      redisPaused = true;
      // Only the client below talks to Redis now: health checks do not reach it.
      assert.equal(await unreadByRedis(redisPort), 0, 'no command waits in Redis yet');
      const inFlight = post('/auth/refresh', { refreshToken: first.refreshToken }).catch(
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
      await waitFor(async () => (await unreadByRedis(redisPort)) > 0, {
        timeoutMs: 5000,
        intervalMs: 5,
        what: 'the refresh command to reach the paused Redis',
      });
      await runChaos(context(), 'enable', survivor.id);
      await runChaos(context(), 'kill', victim.id);
      // Resumed: Redis runs the rotation the dead node sent; nobody reads the answer.
      await runChaos(context(), 'resume', 'redis');
      redisPaused = false;
      lostAnswer = await inFlight;
    } finally {
      if (redisPaused) await runChaos(context(), 'resume', 'redis');
    }
    assert.ok(
      lostAnswer instanceof Error || lostAnswer.status >= 500,
      `the client got no new tokens (${lostAnswer instanceof Error ? lostAnswer.message : lostAnswer.status})`,
    );

    // The client retries with the token it still holds, as a well-written
    // client does: again after a 5xx (the balancer may still try the dead
    // node once on a pooled connection), within a bounded time well inside
    // the 30 s grace window; any other answer ends the retries.
    const retryStarted = performance.now();
    const retried = await waitFor(
      async () => {
        const answer = await post('/auth/refresh', { refreshToken: first.refreshToken });
        if (answer.status < 500) return answer;
        await answer.body?.cancel();
        return false;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'a refresh retry that is not a 5xx' },
    );
    assert.equal(retried.status, 200, await retried.clone().text());
    assert.ok(performance.now() - retryStarted < 30_000, 'the retries stayed inside the window');
    assert.equal(retried.headers.get('x-served-by'), survivor.id);
    const second = (await retried.json()) as TokenPair;

    // The session goes on: identity, the cart written before, the next rotation.
    const me = await get('/me', second.accessToken);
    assert.equal(((await me.json()) as { user: string }).user, 'chaos-refresh');
    const cart = (await (await get('/cart', second.accessToken)).json()) as { version: number };
    assert.equal(cart.version, 1, 'the cart written before the kill is there');
    const next = await post('/auth/refresh', { refreshToken: second.refreshToken });
    assert.equal(next.status, 200, 'the family was not revoked');
    const third = (await next.json()) as TokenPair;

    // The retry was a reuse within the window, answered with the successor
    // Redis had already stored: the rotation before the kill did happen.
    const metrics = await (await fetch(`${survivor.url}/metrics`)).text();
    assert.equal(sample(metrics, 'lab_node_refresh_reuse_total', 'grace'), 1);
    assert.equal(sample(metrics, 'lab_node_refresh_reuse_total', 'detected'), 0);

    // Logout with the refresh token alone (no access token) ends the family.
    const out = await post('/logout', { refreshToken: third.refreshToken });
    assert.equal(out.status, 204);
    const afterLogout = await post('/auth/refresh', { refreshToken: third.refreshToken });
    assert.equal(afterLogout.status, 401);
  });
});
