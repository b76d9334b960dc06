import assert from 'node:assert/strict';
import { k6Arguments } from '../../../lab/run/k6-process.ts';
import { executorFor, k6Options } from '../../../k6/lib/options.ts';
import { DEFAULTS, readSettings, SettingsError } from '../../../k6/lib/settings.ts';
import { labConfig } from '../lab/run/k6-helpers.ts';
import { resolveLoadConfig } from '../../../loadgen/config.ts';

const noFile = (path: string): string => {
  throw new Error(`no file ${path}`);
};

/** The -e NAME=value pairs of a k6 command line, as the script's __ENV. */
function envOf(args: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  args.forEach((arg, i) => {
    if (arg !== '-e') return;
    const pair = args[i + 1]!;
    const eq = pair.indexOf('=');
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  });
  return env;
}

describe('k6/lib settings and options', () => {
  it('without environment: the documented defaults, an open model at 20 journeys/s', () => {
    const settings = readSettings({}, noFile);
    assert.equal(settings.baseUrl, DEFAULTS.baseUrl);
    assert.equal(settings.rate, 20);
    assert.deepEqual(executorFor(settings), {
      executor: 'constant-arrival-rate',
      rate: 20,
      timeUnit: '1s',
      duration: '20s',
      preAllocatedVUs: 200,
      maxVUs: 200,
      gracefulStop: '6000ms',
    });
  });

  it('environment over the scenario file over the defaults', () => {
    const scenario = JSON.stringify({
      topology: { nodes: 2 },
      load: { model: 'closed', rate: 5, vus: 7, durationS: 30, steps: 3 },
      thresholds: { staleReads: 0, p99Ms: 900 },
    });
    const settings = readSettings(
      { LAB_SCENARIO: '/s.json', STEPS: '4', LAB_THRESHOLDS: '{"p99Ms":250}' },
      (path) => (path === '/s.json' ? scenario : noFile(path)),
    );
    assert.equal(settings.model, 'closed');
    assert.equal(settings.vus, 7);
    assert.equal(settings.steps, 4);
    assert.equal(settings.duration, '30000ms');
    assert.equal(settings.nodes, 2);
    assert.deepEqual(settings.thresholds, { staleReads: 0, p99Ms: 250 });
    assert.deepEqual(executorFor(settings), {
      executor: 'constant-vus',
      vus: 7,
      duration: '30000ms',
      gracefulStop: '6000ms',
    });
    assert.deepEqual(k6Options(settings, 'shop').thresholds.lab_stale_reads, ['count<=0']);
  });

  it('ramping follows STAGES; a fractional rate is spread over 100 s', () => {
    const ramping = readSettings({ MODEL: 'ramping', STAGES: '10s:5, 30s:40,5s:0' }, noFile);
    assert.deepEqual(executorFor(ramping), {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      stages: [
        { duration: '10s', target: 5 },
        { duration: '30s', target: 40 },
        { duration: '5s', target: 0 },
      ],
      preAllocatedVUs: 200,
      maxVUs: 200,
      gracefulStop: '6000ms',
    });
    const slow = executorFor(readSettings({ RATE: '0.5' }, noFile));
    assert.equal(slow.executor === 'constant-arrival-rate' && slow.rate, 50);
    assert.equal(slow.executor === 'constant-arrival-rate' && slow.timeUnit, '100s');
  });

  it('a bad variable stops the script with its name and what to write', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ RATE: 'fast' }, /^RATE: must be a number/],
      [{ VUS: '2.5' }, /^VUS: must be a whole number/],
      [{ MODEL: 'poisson' }, /^MODEL: must be open, ramping or closed/],
      [{ MODEL: 'ramping' }, /^STAGES: MODEL=ramping needs stages/],
      [{ STAGES: '10s-5' }, /^STAGES: "10s-5" is not duration:target/],
      [{ DURATION: 'ten' }, /^DURATION: must be seconds or a k6 duration/],
      [{ LAB_THRESHOLDS: '{"p95Ms":1}' }, /^LAB_THRESHOLDS: unknown threshold p95Ms/],
      [{ LAB_SCENARIO: '/missing.json' }, /^LAB_SCENARIO: \/missing.json is not a readable/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => readSettings(env, noFile),
        (error: Error) => error instanceof SettingsError && message.test(error.message),
        JSON.stringify(env),
      );
    }
  });

  it('what lab run passes k6 is what the script then runs with', () => {
    const config = labConfig({
      url: 'http://127.0.0.1:41234',
      journey: 'concurrency',
      model: 'closed',
      vus: 12,
      durationMs: 7500,
      steps: 4,
      thinkMs: 0,
      parallelWrites: 3,
      timeoutMs: 2500,
      seed: 9,
      refreshRetry: { retries: 1, windowMs: 500 },
    });
    const args = k6Arguments(
      config,
      { k6Path: '/usr/bin/k6', thresholds: { lostUpdates: 0 }, nodes: 4 },
      {
        summary: '/run/load/s.k6-summary.json',
        exported: '/run/load/s.k6-export.json',
        points: '/run/load/s.k6-points.ndjson',
      },
    );
    assert.deepEqual(args.slice(0, 6), [
      'run',
      '--quiet',
      '--summary-export',
      '/run/load/s.k6-export.json',
      '--out',
      'json=/run/load/s.k6-points.ndjson',
    ]);
    assert.match(args.at(-1)!, /\/k6\/concurrency\.ts$/);
    const settings = readSettings(envOf(args), noFile);
    assert.deepEqual(settings, {
      baseUrl: 'http://127.0.0.1:41234',
      model: 'closed',
      rate: 20,
      stages: [],
      vus: 12,
      duration: '7500ms',
      steps: 4,
      thinkMs: 0,
      parallelWrites: 3,
      timeoutMs: 2500,
      seed: 9,
      refreshRetry: { retries: 1, windowMs: 500 },
      nodes: 4,
      thresholds: { lostUpdates: 0 },
      summaryFile: '/run/load/s.k6-summary.json',
    });
  });

  it('what the config leaves out, k6 gets as the lab’s generator would resolve it (vus sized, its timeout)', () => {
    const config = labConfig({ vus: undefined, timeoutMs: undefined });
    const files = { summary: '/s', exported: '/e', points: '/p' };
    const env = envOf(k6Arguments(config, { k6Path: 'k6', thresholds: {}, nodes: 3 }, files));
    const resolved = resolveLoadConfig(config);
    assert.equal(env.VUS, String(resolved.vus));
    assert.equal(env.TIMEOUT_MS, String(resolved.timeoutMs));
    assert.equal(env.REFRESH_RETRIES, String(resolved.refreshRetry.retries));
  });
});
