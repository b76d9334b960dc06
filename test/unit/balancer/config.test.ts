import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadBalancerConfig, parseBalancerConfig } from '../../../balancer/config.ts';

const valid = {
  admin: { token: 'a'.repeat(16) },
  sticky: { secret: 's'.repeat(32) },
  nodes: [
    { id: 'node-1', url: 'http://127.0.0.1:9001' },
    { id: 'node-2', url: 'http://127.0.0.1:9002' },
  ],
};

/** The issues a config produces; fails if it is accepted. */
function issuesOf(input: unknown): string[] {
  try {
    parseBalancerConfig(input);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return [...err.issues];
  }
  assert.fail('config was accepted');
}

function assertIssue(input: unknown, field: string, words: RegExp): void {
  const issues = issuesOf(input);
  assert.ok(
    issues.some((i) => i.startsWith(`${field}:`) && words.test(i)),
    `no issue for ${field} matching ${String(words)} in ${JSON.stringify(issues)}`,
  );
}

describe('balancer config', () => {
  it('fills every default of the documented schema', () => {
    const config = parseBalancerConfig(valid);
    assert.deepEqual(config.listen, { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(config.admin, { host: '127.0.0.1', port: 8081, token: 'a'.repeat(16) });
    assert.equal(config.policy, 'round-robin');
    assert.deepEqual(config.sticky, {
      cookieName: 'SLB',
      secret: 's'.repeat(32),
      fallback: 'round-robin',
    });
    assert.deepEqual(config.health, {
      path: '/healthz',
      intervalMs: 1000,
      timeoutMs: 500,
      fall: 2,
      rise: 2,
      slowStartMs: 5000,
      errorLimit: 5,
      errorWindowMs: 10000,
    });
    assert.deepEqual(config.limits, {
      maxHeaderBytes: 16384,
      headersTimeoutMs: 10000,
      requestTimeoutMs: 30000,
      connectTimeoutMs: 2000,
      upstreamTimeoutMs: 10000,
      maxBodyBytes: 1048576,
      retries: 2,
      clientIdleTimeoutMs: 30000,
      maxClientConnections: 15000,
      maxConnectionsPerAddress: 10240,
      maxBufferedBytes: 64 * 1048576,
    });
  });

  it('keeps explicit values', () => {
    const config = parseBalancerConfig({
      ...valid,
      policy: 'sticky',
      sticky: { cookieName: 'AFF', secret: 'x'.repeat(40), fallback: 'least-connections' },
      limits: { retries: 0, maxBodyBytes: 10 },
    });
    assert.equal(config.policy, 'sticky');
    assert.equal(config.sticky.fallback, 'least-connections');
    assert.equal(config.limits.retries, 0);
    assert.equal(config.limits.maxBodyBytes, 10);
    assert.equal(config.limits.upstreamTimeoutMs, 10000);
  });

  it('requires an admin token of at least 16 characters', () => {
    assertIssue({ ...valid, admin: {} }, 'admin.token', /required/);
    assertIssue({ ...valid, admin: { token: 'short' } }, 'admin.token', /at least 16/);
  });

  it('refuses a non-loopback admin host', () => {
    assertIssue({ ...valid, admin: { ...valid.admin, host: '0.0.0.0' } }, 'admin.host', /loopback/);
    assertIssue(
      { ...valid, admin: { ...valid.admin, host: '10.0.0.5' } },
      'admin.host',
      /loopback/,
    );
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) {
      assert.equal(
        parseBalancerConfig({ ...valid, admin: { ...valid.admin, host } }).admin.host,
        host,
      );
    }
  });

  it('requires the sticky secret even when the start policy is not sticky', () => {
    assertIssue({ ...valid, sticky: undefined }, 'sticky', /secret/);
    assertIssue({ ...valid, sticky: { secret: 'too-short' } }, 'sticky.secret', /at least 32/);
  });

  it('requires at least one node, unique ids and plain http node URLs', () => {
    assertIssue({ ...valid, nodes: [] }, 'nodes', /at least one/);
    assertIssue(
      { ...valid, nodes: [valid.nodes[0], { ...valid.nodes[1], id: 'node-1' }] },
      'nodes[1].id',
      /duplicate id "node-1"/,
    );
    assertIssue(
      { ...valid, nodes: [{ id: 'n', url: 'https://x:1' }] },
      'nodes[0].url',
      /http:\/\//,
    );
    assertIssue({ ...valid, nodes: [{ id: 'n', url: 'http://x:1/app' }] }, 'nodes[0].url', /path/);
    assertIssue(
      { ...valid, nodes: [{ id: 'n', url: 'not a url' }] },
      'nodes[0].url',
      /absolute URL/,
    );
    assertIssue(
      { ...valid, nodes: [{ id: 'a b', url: 'http://x:1' }] },
      'nodes[0].id',
      /characters/,
    );
  });

  it('names unknown fields, wrong policy names and bad numbers', () => {
    assertIssue({ ...valid, polcy: 'sticky' }, 'polcy', /unknown field/);
    assertIssue({ ...valid, limits: { retry: 1 } }, 'limits.retry', /unknown field/);
    assertIssue({ ...valid, policy: 'random' }, 'policy', /round-robin, least-connections, sticky/);
    assertIssue({ ...valid, listen: { port: 70000 } }, 'listen.port', /port number/);
    assertIssue({ ...valid, health: { fall: 0 } }, 'health.fall', /at least 1/);
    assertIssue({ ...valid, health: { slowStartMs: -1 } }, 'health.slowStartMs', /at least 0/);
    assert.equal(
      parseBalancerConfig({ ...valid, health: { slowStartMs: 0 } }).health.slowStartMs,
      0,
    );
    assertIssue({ ...valid, limits: { retries: -1 } }, 'limits.retries', /at least 0/);
  });

  it('rejects a header timeout longer than the request timeout', () => {
    assertIssue(
      { ...valid, limits: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 } },
      'limits.headersTimeoutMs',
      /requestTimeoutMs/,
    );
  });

  it('rejects caps that contradict each other, and a zero error limit', () => {
    assertIssue(
      { ...valid, limits: { maxClientConnections: 10, maxConnectionsPerAddress: 20 } },
      'limits.maxConnectionsPerAddress',
      /maxClientConnections/,
    );
    assertIssue(
      { ...valid, limits: { maxBodyBytes: 2048, maxBufferedBytes: 1024 } },
      'limits.maxBufferedBytes',
      /maxBodyBytes/,
    );
    assertIssue({ ...valid, health: { errorLimit: 0 } }, 'health.errorLimit', /at least 1/);
  });

  describe('loadBalancerConfig', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'balancer-config-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reads a JSON file', async () => {
      const path = join(dir, 'good.json');
      await writeFile(path, JSON.stringify(valid));
      assert.equal((await loadBalancerConfig(path)).nodes.length, 2);
    });

    it('names the file when it is missing or not JSON', async () => {
      await assert.rejects(loadBalancerConfig(join(dir, 'missing.json')), (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /missing\.json.*ENOENT/);
        return true;
      });
      const path = join(dir, 'bad.json');
      await writeFile(path, '{"admin": ');
      await assert.rejects(loadBalancerConfig(path), /bad\.json.*not valid JSON/);
    });
  });
});
