// Containers here must never sit on a bridge network: a bridge hands out
// private-range addresses, and traffic to them is forbidden on the machines
// this project runs on. This fails the build when docker-compose.yml (any
// profile) asks for anything but the host's network, or drops what makes the
// topology start in order (health checks, depends_on on health, limits).
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { COMPOSE_FILE } from '../../../lab/engine/docker/compose-file.ts';
import { run } from '../../../lab/tools/exec.ts';
import { COMPOSE_PLUGIN } from '../../../lab/tools/compose.ts';

interface ComposeService {
  network_mode?: string;
  networks?: unknown;
  build?: { network?: string };
  image?: string;
  pull_policy?: string;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
  deploy?: { resources?: { limits?: { cpus?: string | number; memory?: string | number } } };
}

interface ComposeConfig {
  networks?: Record<string, unknown>;
  services: Record<string, ComposeService>;
}

describe('docker-compose.yml stays on the host network', () => {
  let config: ComposeConfig;

  before(async function () {
    this.timeout(30000);
    try {
      await access(COMPOSE_PLUGIN);
    } catch {
      assert.fail(
        `Compose is not installed at ${COMPOSE_PLUGIN}: run \`lab setup --require docker-compose\``,
      );
    }
    // Compose itself resolves anchors, merges and profiles: what it would run is checked.
    const result = await run(
      COMPOSE_PLUGIN,
      ['-f', COMPOSE_FILE, '--profile', '*', 'config', '--format', 'json'],
      { timeoutMs: 20000 },
    );
    assert.ok(result.ok, `docker compose config failed: ${result.output}`);
    config = JSON.parse(result.output) as ComposeConfig;
  });

  it('declares the whole topology', () => {
    const expected = ['balancer', 'node-1', 'node-2', 'node-3', 'redis', 'toxiproxy'];
    expected.push('hz-1', 'hz-2', 'hz-3');
    assert.deepEqual(Object.keys(config.services).sort(), expected.sort());
  });

  it('puts every service, and every build, on the host network and declares no network', () => {
    assert.equal(config.networks, undefined, 'no top-level networks');
    for (const [name, service] of Object.entries(config.services)) {
      assert.equal(service.network_mode, 'host', `${name}: network_mode must be host`);
      assert.equal(service.networks, undefined, `${name}: no networks`);
      if (service.build) assert.equal(service.build.network, 'host', `${name}: build on host`);
    }
  });

  it('never pulls: images come from docker/ or the lab engine', () => {
    for (const [name, service] of Object.entries(config.services)) {
      assert.equal(service.pull_policy, 'never', `${name}: pull_policy never`);
      assert.match(service.image ?? '', /^session-lab\//, `${name}: one of the lab's images`);
    }
  });

  it('gives every service a health check and a resource limit, and starts on health', () => {
    for (const [name, service] of Object.entries(config.services)) {
      assert.ok(service.healthcheck?.test?.length, `${name}: health check`);
      const limits = service.deploy?.resources?.limits;
      assert.ok(limits?.cpus && limits.memory, `${name}: cpu and memory limits`);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.equal(condition, 'service_healthy', `${name} waits for ${dependency} to be healthy`);
      }
    }
  });
});
