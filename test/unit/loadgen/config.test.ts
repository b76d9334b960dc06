import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, parseLoadConfig, readLoadConfig } from '../../../loadgen/config.ts';
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
    ['an unknown journey', { journey: 'browse' }, /"journey" must be "shop" or "concurrency"/],
    ['an unknown model', { model: 'ramp' }, /"model" must be "open" or "closed"/],
    ['rate 0 in the open model', { rate: 0 }, /"rate" must be more than 0 for the open model/],
    ['a negative timeout', { timeoutMs: -1 }, /"timeoutMs" must be a whole number from 1/],
    ['a seed beyond 32 bits', { seed: 2 ** 32 }, /"seed"/],
    ['an unknown field', { extra: 1 }, /unknown field "extra": remove it/],
  ];
  for (const [what, change, message] of BAD) {
    it(`refuses ${what}, naming the field and the fix`, () => {
      assert.match(refusal({ ...GOOD, ...change }), message);
    });
  }

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
