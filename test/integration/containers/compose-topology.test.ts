// docker-compose.yml end to end on the lab's engine: `compose up --wait`,
// logins through the balancer, a node killed with `docker kill`, and what
// users see: sticky loses exactly the killed node's sessions, redis none.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { balancerAdmin, type BalancerNodeView } from '../../../lab/admin-client.ts';
import { CookieClient } from '../../../lab/cookie-client.ts';
import { docker } from '../../../lab/engine/docker/cli.ts';
import {
  composeDown,
  composeUp,
  containerName,
  planProject,
  type ComposeProject,
} from '../../../lab/engine/docker/compose-project.ts';
import { waitFor } from '../../../lab/wait.ts';
import { engineUnavailable, startEngine, type TestEngine } from './engine.ts';

const unavailable = engineUnavailable();
const CLIENTS = 24;
const KILLED = 'node-2';

describe('docker-compose.yml end to end on the lab engine', function () {
  this.timeout(120000);
  let engine: TestEngine;
  let project: ComposeProject;

  before(async function () {
    if (unavailable) {
      // Said, and counted as pending in the summary: never a silent pass.
      process.stdout.write(`      (not run: no container engine here: ${unavailable})\n`);
      this.skip();
    }
    this.timeout(20 * 60000);
    engine = await startEngine({ hazelcast: false });
    project = await planProject({
      name: `lab-e2e-${randomBytes(3).toString('hex')}`,
      strategy: 'sticky',
      hazelcast: false,
    });
    const started = performance.now();
    await composeUp(engine.daemon, project);
    const upSeconds = Math.round((performance.now() - started) / 100) / 10;
    process.stdout.write(
      `      (images ready in ${engine.imagesSeconds} s, compose up --wait in ${upSeconds} s)\n`,
    );
  });

  after(async function () {
    if (!engine) return;
    this.timeout(120000);
    try {
      if (project) await composeDown(engine.daemon, project);
      const left = await docker(engine.daemon, ['ps', '--all', '--quiet']);
      assert.equal(left, '', 'compose down leaves no container');
    } finally {
      await engine.close();
    }
  });

  const balancerUrl = () => `http://127.0.0.1:${project.ports.balancer}`;
  const adminUrl = () => `http://127.0.0.1:${project.ports.admin}`;

  async function loginAll(): Promise<{ client: CookieClient; node: string }[]> {
    return Promise.all(
      Array.from({ length: CLIENTS }, async (_, index) => {
        const client = new CookieClient(balancerUrl());
        const login = await client.request('POST', '/login', {
          json: { user: `user${index}`, password: 'secret' },
        });
        assert.equal(login.status, 200, `login of user${index}`);
        return { client, node: login.servedBy };
      }),
    );
  }

  /** Kills the node's container and waits until the balancer has ejected it. */
  async function killNode(id: string): Promise<void> {
    await docker(engine.daemon, ['kill', containerName(project, id)]);
    await waitFor(
      async () => {
        const nodes = await balancerAdmin<BalancerNodeView[]>(
          adminUrl(),
          project.adminToken,
          'GET',
          '/nodes',
        );
        return nodes.find((node) => node.id === id)?.state === 'down';
      },
      { timeoutMs: 20000, what: `the balancer to mark ${id} down`, intervalMs: 200 },
    );
  }

  /** Status of GET /me for each client after the kill. */
  function meStatuses(users: { client: CookieClient }[]): Promise<number[]> {
    return Promise.all(
      users.map(async ({ client }) => (await client.request('GET', '/me')).status),
    );
  }

  it('starts every container on the host network, none on a bridge', async () => {
    const ids = (await docker(engine.daemon, ['ps', '--quiet'])).split('\n');
    assert.ok(ids.length >= 6, `the topology's containers run (${ids.length})`);
    const modes = await docker(engine.daemon, [
      'inspect',
      '--format',
      '{{.Name}} {{.HostConfig.NetworkMode}}',
      ...ids,
    ]);
    for (const line of modes.split('\n')) assert.match(line, / host$/, line);
    const drivers = await docker(engine.daemon, ['network', 'ls', '--format', '{{.Driver}}']);
    assert.deepEqual(drivers.split('\n').sort(), ['host', 'null'], 'no bridge network exists');
  });

  it('sticky: a killed node takes exactly its own sessions with it', async () => {
    const users = await loginAll();
    const onKilled = users.filter((user) => user.node === KILLED).length;
    assert.ok(onKilled > 0 && onKilled < CLIENTS, `logins spread over the nodes (${onKilled})`);
    await killNode(KILLED);
    const statuses = await meStatuses(users);
    users.forEach((user, index) => {
      const expected = user.node === KILLED ? 401 : 200;
      assert.equal(statuses[index], expected, `a user of ${user.node}: GET /me`);
    });
    await docker(engine.daemon, ['start', containerName(project, KILLED)]);
  });

  it('redis (LAB_STRATEGY=redis, containers recreated by compose): a killed node loses no session', async () => {
    project.strategy = 'redis';
    await composeUp(engine.daemon, project);
    const users = await loginAll();
    assert.ok(
      users.some((user) => user.node === KILLED),
      `some logins on ${KILLED}`,
    );
    await killNode(KILLED);
    const statuses = await meStatuses(users);
    assert.deepEqual(
      statuses,
      users.map(() => 200),
      'every session survives in Redis',
    );
  });
});
