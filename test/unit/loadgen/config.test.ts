import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_UPSTREAM_TIMEOUT_MS } from '../../../balancer/config.ts';
import {
  ConfigError,
  parseLoadConfig,
  readLoadConfig,
  resolveLoadConfig,
} from '../../../loadgen/config.ts';
import { expectedJourneyMs, sizeVus } from '../../../loadgen/vus-sizing.ts';
import type { LoadConfig } from '../../../loadgen/types.ts';

const GOOD: LoadConfig = {
  url: 'http://127.0.0.1:8080',
  strategy: 'redis:cas',
  journey: 'shop',
  model: 'open',
  rate: 20,
  vus: 50,
  durationMs: 10_000,
  steps: 10,
  thinkMs: 100,
  parallelWrites: 5,
  timeoutMs: 2000,
  seed: 42,
};

function refusal(input: unknown): string {
  try {
    parseLoadConfig(input);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return error.message;
  }
  assert.fail('the config was accepted');
}

describe('loadgen config', () => {
  it('accepts a full config as it is', () => {
    assert.deepEqual(parseLoadConfig(GOOD), GOOD);
    const closed = { ...GOOD, model: 'closed', rate: 0, journey: 'concurrency' };
    assert.deepEqual(parseLoadConfig(closed), closed);
    assert.equal(
      parseLoadConfig({ ...GOOD, url: 'http://localhost:1/' }).url,
      'http://localhost:1/',
    );
    assert.equal(parseLoadConfig({ ...GOOD, url: 'http://[::1]:9' }).url, 'http://[::1]:9');
  });

  const BAD: [string, Partial<Record<keyof LoadConfig | 'extra', unknown>>, RegExp][] = [
    [
      'a url off loopback',
      { url: 'http://example.com' },
      /"url" must be a plain http origin on loopback/,
    ],
    ['https', { url: 'https://127.0.0.1:1' }, /"url" .*loopback/],
    ['a url with a path', { url: 'http://127.0.0.1:1/api' }, /"url" .*without a path/],
    ['a url that is no url', { url: 'not a url' }, /"url"/],
    [
      'zero users',
      { vus: 0 },
      /"vus" must be a whole number from 1 to 10000; set the number of concurrent users \(got 0\)/,
    ],
    ['fractional steps', { steps: 2.5 }, /"steps" must be a whole number/],
    [
      'a string for a number',
      { durationMs: '10s' },
      /"durationMs" must be a whole number .*got "10s"/,
    ],
    [
      'an unknown journey',
      { journey: 'browse' },
      /"journey" must be "shop", "concurrency" or "request"/,
    ],
    ['an unknown model', { model: 'ramp' }, /"model" must be "open" or "closed"/],
    ['rate 0 in the open model', { rate: 0 }, /"rate" must be more than 0 for the open model/],
    ['a negative timeout', { timeoutMs: -1 }, /"timeoutMs" must be a whole number from 1/],
    [
      'a closed model without vus',
      { model: 'closed', vus: undefined },
      /"vus" is required for the closed model/,
    ],
    [
      'a refresh retry without its window',
      { refreshRetry: { retries: 3 } },
      /"refreshRetry.windowMs"/,
    ],
    ['a seed beyond 32 bits', { seed: 2 ** 32 }, /"seed"/],
    ['an unknown field', { extra: 1 }, /unknown field "extra": remove it/],
  ];
  for (const [what, change, message] of BAD) {
    it(`refuses ${what}, naming the field and the fix`, () => {
      assert.match(refusal({ ...GOOD, ...change }), message);
    });
  }

  it('works out what is left out: a timeout above the balancer, vus by Little, refresh retries', () => {
    const { vus, timeoutMs, ...rest } = GOOD;
    assert.deepEqual([vus, timeoutMs], [50, 2000]);
    const resolved = resolveLoadConfig(parseLoadConfig(rest));
    assert.equal(resolved.balancerUpstreamTimeoutMs, DEFAULT_UPSTREAM_TIMEOUT_MS);
    assert.equal(resolved.timeoutMs, DEFAULT_UPSTREAM_TIMEOUT_MS + 5000);
    assert.ok(resolved.timeoutMs > resolved.balancerUpstreamTimeoutMs);
    // shop: 12 requests of 50 ms and 11 thinks of 100 ms = 1700 ms; 20/s × 1.7 s × 2 = 68.
    assert.equal(expectedJourneyMs({ ...resolved, journey: 'shop' }), 1700);
    assert.deepEqual([resolved.vus, resolved.vusSource], [68, 'sized']);
    assert.deepEqual(resolved.refreshRetry, { retries: 3, windowMs: 2000 });
    const given = resolveLoadConfig({ ...GOOD, balancerUpstreamTimeoutMs: 3000 });
    assert.deepEqual([given.vus, given.vusSource, given.timeoutMs], [50, 'configured', 2000]);
    assert.equal(resolveLoadConfig({ ...rest, balancerUpstreamTimeoutMs: 3000 }).timeoutMs, 8000);
  });

  it('sizes vus from the journey: one request for the request journey, rounds for concurrency', () => {
    const shape = { steps: 4, thinkMs: 20, expectedRequestMs: 50 };
    assert.equal(expectedJourneyMs({ ...shape, journey: 'request' }), 50);
    assert.equal(expectedJourneyMs({ ...shape, journey: 'concurrency' }), 14 * 50 + 5 * 20);
    assert.equal(sizeVus(150, 1700), 510, 'the issue: 150 journeys/s of 1.7 s');
    assert.equal(sizeVus(1, 50), 10, 'never below 10');
  });

  it('refuses a missing field, saying it is missing', () => {
    const rest: Partial<LoadConfig> = { ...GOOD };
    delete rest.seed;
    assert.match(refusal(rest), /"seed" must be a whole number .*\(it is missing\)/);
  });

  it('refuses what is not an object', () => {
    assert.match(refusal([1]), /must be a JSON object/);
    assert.match(refusal(null), /must be a JSON object/);
  });

  it('reads a file, and says when it is not JSON or cannot be read', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'loadgen-config-'));
    try {
      const good = path.join(dir, 'good.json');
      await writeFile(good, JSON.stringify(GOOD));
      assert.deepEqual(await readLoadConfig(good), GOOD);
      const bad = path.join(dir, 'bad.json');
      await writeFile(bad, '{"url": ');
      await assert.rejects(readLoadConfig(bad), /bad\.json is not JSON/);
      await assert.rejects(readLoadConfig(path.join(dir, 'none.json')), /cannot read .*none\.json/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
