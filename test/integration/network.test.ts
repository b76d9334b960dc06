import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { network } from '../../lab/commands/network.ts';
import { CookieClient } from '../../lab/topology/cookie-client.ts';
import { LabError } from '../../lab/errors.ts';
import { makeFault } from '../../lab/network/faults/index.ts';
import { resolveTarget } from '../../lab/network/links.ts';
import { runFault } from '../../lab/network/run-fault.ts';
import { ToxiproxyClient } from '../../lab/network/toxiproxy-client.ts';
import { processState, signalService } from '../../lab/process/supervisor.ts';
import { readState, writeState, type LabState } from '../../lab/topology/state.ts';
import { parseStrategyChoice } from '../../lab/strategy/choice.ts';
import { switchStrategy } from '../../lab/strategy/switch.ts';
import { waitFor } from '../../lab/process/wait.ts';
import { useTopology } from './harness.ts';

interface Timed {
  status: number;
  code: string | undefined;
  message: string | undefined;
  ms: number;
}

/** One request straight to a node (not through the balancer), timed. */
async function timed(client: CookieClient, path: string): Promise<Timed> {
  const started = performance.now();
  const response = await client.request('GET', path);
  const error = (response.body as { error?: { code?: string; message?: string } }).error;
  return {
    status: response.status,
    code: error?.code,
    message: error?.message,
    ms: performance.now() - started,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('network faults between nodes and Redis, through real toxiproxy-server links', function () {
  this.timeout(60000);
  const topology = useTopology(2);
  let state: LabState;
  let toxiproxy: ToxiproxyClient;
  /** One user's session, sent straight to node-1 and node-2 (redis: any node serves it). */
  let clients: CookieClient[];
  const stopped: number[] = [];

  before(async () => {
    state = topology.state;
    const outcome = await switchStrategy(topology.stateDir, state, parseStrategyChoice('redis'), {
      detached: false,
    });
    assert.deepEqual(outcome.notes, [], 'toxiproxy-server is installed (npx lab setup)');
    // The CLI commands read the state from disk, as after `lab up`.
    await writeState(topology.stateDir, state);
    toxiproxy = new ToxiproxyClient(state.services!.toxiproxy!.address);
    const login = new CookieClient(state.balancer.url);
    const answer = await login.request('POST', '/login', {
      json: { user: 'netuser', password: 'secret' },
    });
    assert.equal(answer.status, 200);
    assert.equal(
      (await login.request('POST', '/cart/items', { json: { sku: 'a', qty: 1 } })).status,
      200,
    );
    clients = state.nodes.map((node) => {
      const client = new CookieClient(node.url);
      for (const [name, value] of login.cookies) client.cookies.set(name, value);
      return client;
    });
  });

  after(async () => {
    // The harness stopped the topology and its services: nothing of ours may be left.
    for (const pid of [state?.services?.toxiproxy?.pid, state?.services?.redis?.pid]) {
      if (pid) stopped.push(pid);
    }
    assert.deepEqual(
      await Promise.all(stopped.map(processState)),
      stopped.map(() => 'dead'),
    );
  });

  afterEach(async () => {
    // Every test leaves the links clean; a failed one must not poison the next.
    const proxies = Object.values(await toxiproxy.proxies());
    const dirty = proxies.filter((proxy) => !proxy.enabled || proxy.toxics.length > 0);
    await toxiproxy.reset();
    assert.deepEqual(
      dirty.map((proxy) => proxy.name),
      [],
      'a fault was left behind',
    );
  });

  it('puts each node behind its own link to Redis, and its requests go through it', async () => {
    const redis = new URL(state.services!.redis!.address).host;
    const links = state.services!.toxiproxy!.links;
    assert.deepEqual(
      links.map((link) => [link.name, link.upstream]),
      [
        ['node-1->redis', redis],
        ['node-2->redis', redis],
      ],
    );
    const proxies = await toxiproxy.proxies();
    for (const [index, link] of links.entries()) {
      assert.equal(proxies[link.name]?.listen, link.listen);
      assert.equal(proxies[link.name]?.upstream, redis);
      const file = state.nodes[index]!.spec.env.NODE_STRATEGY_CONFIG_FILE!;
      const config = JSON.parse(await readFile(file, 'utf8')) as { redis: { url: string } };
      // The node logs in through the link: the url carries the Redis user and password.
      assert.equal(new URL(config.redis.url).host, link.listen);
      assert.equal(new URL(config.redis.url).username, 'session-lab');
    }
    // A link taken down cuts exactly its node off: the path really runs through it.
    await toxiproxy.setEnabled('node-1->redis', false);
    const [one, two] = [await timed(clients[0]!, '/cart'), await timed(clients[1]!, '/cart')];
    await toxiproxy.setEnabled('node-1->redis', true);
    assert.deepEqual([one.status, two.status], [503, 200]);
  });

  it('down on redis: 503 fast with a JSON code and /readyz says why; recovers without a restart', async () => {
    const pids = state.nodes.map((node) => node.pid);
    const during: Timed[] = [];
    const ready: Timed[] = [];
    let measured!: Promise<void>;
    const outcome = await runFault(
      topology.stateDir,
      toxiproxy,
      {
        fault: makeFault('down', {}),
        target: 'redis',
        links: resolveTarget(state.services!.toxiproxy!.links, 'redis'),
        durationMs: 2500,
      },
      {
        onStarted: () => {
          measured = (async () => {
            for (const client of clients) {
              during.push(await timed(client, '/cart'), await timed(client, '/cart'));
              ready.push(await timed(client, '/readyz'));
            }
          })();
        },
      },
    );
    await measured;
    assert.equal(outcome.endedBy, 'time');
    for (const answer of during) {
      assert.equal(answer.status, 503);
      assert.equal(answer.code, 'STORE_UNAVAILABLE');
      assert.ok(answer.ms < 1000, `answered in ${Math.round(answer.ms)} ms`);
    }
    state.services!.toxiproxy!.links.forEach((link, index) => {
      assert.equal(ready[index]!.status, 503);
      assert.equal(ready[index]!.code, 'NOT_READY');
      assert.match(ready[index]!.message!, new RegExp(`STORE_UNAVAILABLE.*${link.listen}`));
    });
    // Redis kept the session: once the links are back, both nodes serve it again.
    for (const client of clients) {
      await waitFor(async () => (await timed(client, '/cart')).status === 200, {
        timeoutMs: 5000,
        what: `${client.baseUrl} to serve the cart again`,
      });
      assert.equal(((await client.request('GET', '/cart')).body as { version: number }).version, 1);
    }
    assert.deepEqual(
      state.nodes.map((node) => node.pid),
      pids,
      'no node was restarted',
    );
  });

  it('latency 300 ms on node-1’s link slows node-1 only, without errors', async () => {
    const controller = new AbortController();
    const times: number[][] = [[], []];
    const statuses: number[] = [];
    const run = runFault(
      topology.stateDir,
      toxiproxy,
      {
        fault: makeFault('latency', { ms: 300 }),
        target: 'node-1',
        links: resolveTarget(state.services!.toxiproxy!.links, 'node-1'),
        durationMs: 30000,
      },
      {
        signal: controller.signal,
        onStarted: () => {
          void (async () => {
            try {
              for (let round = 0; round < 5; round += 1) {
                for (const [index, client] of clients.entries()) {
                  const answer = await timed(client, '/cart');
                  statuses.push(answer.status);
                  times[index]!.push(answer.ms);
                }
              }
            } finally {
              controller.abort(); // ends the fault early: the interrupt path
            }
          })();
        },
      },
    );
    const outcome = await run;
    assert.equal(outcome.endedBy, 'interrupt');
    assert.deepEqual(new Set(statuses), new Set([200]));
    const ratio = median(times[0]!) / median(times[1]!);
    assert.ok(ratio > 5, `node-1 / node-2 median latency ratio ${ratio.toFixed(1)}`);
  });

  it('a black hole (timeout) on redis: 503 fast, never a hang; recovers after', async () => {
    const during: Timed[] = [];
    let measured!: Promise<void>;
    await runFault(
      topology.stateDir,
      toxiproxy,
      {
        fault: makeFault('timeout', {}),
        target: 'redis',
        links: resolveTarget(state.services!.toxiproxy!.links, 'redis'),
        durationMs: 2500,
      },
      {
        onStarted: () => {
          measured = (async () => {
            for (let round = 0; round < 2; round += 1) {
              for (const client of clients) during.push(await timed(client, '/cart'));
            }
          })();
        },
      },
    );
    await measured;
    for (const answer of during) {
      assert.equal(answer.status, 503);
      assert.equal(answer.code, 'STORE_UNAVAILABLE');
      assert.ok(answer.ms < 1000, `answered in ${Math.round(answer.ms)} ms`);
    }
    for (const client of clients) {
      await waitFor(async () => (await timed(client, '/cart')).status === 200, {
        timeoutMs: 10000,
        what: `${client.baseUrl} to serve the cart again`,
      });
    }
  });

  it('lab net: a fault on one node by name, status, and clear after a run that left faults', async () => {
    const lines: string[] = [];
    const print = (line: string) => lines.push(line);
    let duringNet: Timed[] = [];
    const net = network(topology.stateDir, ['down', 'node-2', '--for', '1500ms'], print);
    await waitFor(async () => (await toxiproxy.proxies())['node-2->redis']?.enabled === false, {
      timeoutMs: 5000,
      what: 'node-2->redis to go down',
    });
    duringNet = [await timed(clients[0]!, '/cart'), await timed(clients[1]!, '/cart')];
    await net;
    assert.deepEqual(
      duringNet.map((answer) => answer.status),
      [200, 503],
    );
    assert.match(lines[0]!, /^net down on node-2->redis for 1\.5 s$/);
    assert.match(lines[1]!, /^net down ended after 1\.\d s; removed from every link$/);

    // As if a `lab net` had been killed (SIGKILL) mid-fault: clear is the way back.
    await makeFault('latency', { ms: 50 }).apply(toxiproxy, 'node-1->redis');
    await makeFault('down', {}).apply(toxiproxy, 'node-2->redis');
    lines.length = 0;
    await network(topology.stateDir, ['status'], print);
    assert.match(lines[1]!, /^node-1->redis .* up {2}in use {2}faults: lab-latency \(latency/);
    assert.match(lines[2]!, /^node-2->redis .* DOWN {2}in use$/);
    lines.length = 0;
    await network(topology.stateDir, ['clear'], print);
    assert.deepEqual(lines, ['net clear: removed 1 toxic(s), brought 1 link(s) up']);
    const proxies = Object.values(await toxiproxy.proxies());
    assert.deepEqual(
      proxies
        .map((proxy) => [proxy.name, proxy.enabled, proxy.toxics.length])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        ['node-1->redis', true, 0],
        ['node-2->redis', true, 0],
      ],
    );
    for (const client of clients) {
      await waitFor(async () => (await timed(client, '/cart')).status === 200, {
        timeoutMs: 5000,
        what: `${client.baseUrl} to serve the cart again`,
      });
    }
  });

  it('a dead toxiproxy-server cuts its nodes off; lab net clear brings it back on the same ports', async () => {
    const entry = state.services!.toxiproxy!;
    const before = await toxiproxy.proxies();
    await signalService(entry.pid, entry.spec, 'SIGKILL');
    await waitFor(async () => (await processState(entry.pid)) === 'dead', {
      timeoutMs: 5000,
      what: 'toxiproxy-server to die',
    });
    stopped.push(entry.pid);
    assert.equal((await timed(clients[0]!, '/cart')).status, 503);
    await assert.rejects(
      network(topology.stateDir, ['status'], () => {}),
      (error: unknown) => error instanceof LabError && error.code === 'TOXIPROXY_DOWN',
    );
    const lines: string[] = [];
    await network(topology.stateDir, ['clear'], (line) => lines.push(line));
    assert.match(lines[0]!, /toxiproxy-server was dead and runs again/);
    // The restart is recorded for the commands (and `lab down`) that come after.
    state.services!.toxiproxy = (await readState(topology.stateDir))!.services!.toxiproxy!;
    const after = await toxiproxy.proxies();
    assert.deepEqual(
      Object.values(after)
        .map((proxy) => [proxy.name, proxy.listen])
        .sort(),
      Object.values(before)
        .map((proxy) => [proxy.name, proxy.listen])
        .sort(),
    );
    for (const client of clients) {
      await waitFor(async () => (await timed(client, '/cart')).status === 200, {
        timeoutMs: 5000,
        what: `${client.baseUrl} to serve the cart again`,
      });
    }
  });
});
