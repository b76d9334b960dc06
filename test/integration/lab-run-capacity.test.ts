// `lab run` with a capacity search through both balancers, as a user runs
// it: tiny steps (3 of 2 s) on real nodes, Redis and HAProxy, then the
// summary's capacity block and both reports checked for what they must show.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../lab/paths.ts';
import type { RunSummary } from '../../report/summary-schema.ts';

const execFileAsync = promisify(execFile);
const LAB = path.join(ROOT, 'bin', 'lab.js');
const LABELS = ['sticky', 'sticky @haproxy', 'redis:cas', 'redis:cas @haproxy'];

describe('lab run: a capacity search through the lab balancer and HAProxy', function () {
  this.timeout(300_000);
  let dir: string;
  let runDir: string;
  let summary: RunSummary;
  let output: { code: number; stdout: string; stderr: string };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lab-capacity-'));
    const file = path.join(dir, 'it-capacity.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'it-capacity',
        topology: { nodes: 2 },
        strategies: ['sticky', 'redis'],
        load: { journey: 'request', rate: 20, warmupS: 0 },
        // A loose p99 limit: this checks the search's mechanics, not this machine's capacity.
        capacity: { startRate: 40, growth: 2, stepS: 2, maxSteps: 3, confirmS: 2, p99Ms: 2000 },
        probes: { enabled: false },
      }),
    );
    const runsDir = path.join(dir, 'runs');
    try {
      const result = await execFileAsync(
        process.execPath,
        [LAB, 'run', file, '--balancer', 'both', '--out', runsDir],
        { timeout: 280_000 },
      );
      output = { code: 0, ...result };
    } catch (error) {
      const failure = error as { code: number; stdout: string; stderr: string };
      output = { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
    }
    const [only] = await readdir(runsDir);
    runDir = path.join(runsDir, only!);
    summary = JSON.parse(await readFile(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('runs every strategy through each balancer, labelled by it', () => {
    assert.equal(output.code, 0, output.stderr + output.stdout);
    assert.deepEqual(
      summary.strategies.map((entry) => [entry.strategy, entry.balancer]),
      LABELS.map((label) => [label, label.endsWith('@haproxy') ? 'haproxy' : 'lab']),
    );
  });

  it('records every step: offered and achieved rate, latency of all requests, CPU per request, event-loop delay, verdict', () => {
    for (const entry of summary.strategies) {
      const capacity = entry.capacity;
      assert.ok(capacity, `${entry.strategy} has a capacity block`);
      assert.equal(capacity.journey, 'request');
      const search = capacity.steps.filter((step) => step.phase === 'step');
      // 40, 80, 160/s until a step breaks the service level (a broken rate is run again).
      const rates = [...new Set(search.map((step) => step.offeredRate))];
      assert.deepEqual(rates, [40, 80, 160].slice(0, rates.length));
      assert.equal(capacity.stepsRun, capacity.steps.length);
      for (const step of capacity.steps) {
        const where = `${entry.strategy} at ${step.offeredRate}/s`;
        assert.ok(step.requests > 0 && step.achievedRate > 0, where);
        assert.ok(step.p99Ms !== null && step.p99Ms >= (step.p50Ms ?? 0), where);
        assert.ok(step.cpuPerRequestMicros.nodes! > 0, `${where}: node CPU`);
        assert.ok(step.cpuPerRequestMicros.balancer! > 0, `${where}: balancer CPU`);
        assert.ok(step.cores['node-1'] !== undefined && step.cores.loadgen !== undefined, where);
        assert.ok(step.eventLoopLagP99Ms['node-1']! > 0, `${where}: node-1 event loop`);
        assert.equal(step.verdict === 'ok', step.reasons.length === 0, where);
      }
      const good = search.findLast((step) => step.verdict === 'ok');
      assert.equal(capacity.sustainedOfferedRate, good?.offeredRate ?? null);
      if (good) {
        const confirmation = capacity.steps.find((step) => step.phase === 'confirm');
        assert.equal(confirmation?.offeredRate, good.offeredRate, `${entry.strategy} confirmed`);
      }
    }
  });

  it('measures HAProxy as the balancer of its entries, and pins sticky clients through its cookie', () => {
    const sticky = summary.strategies.find((entry) => entry.strategy === 'sticky @haproxy')!;
    const names = sticky.processes.map((process) => `${process.name}:${process.kind}`);
    assert.ok(names.includes('haproxy:balancer'), names.join(', '));
    assert.ok(sticky.cpuPerRequestMicros.balancer! > 0);
    // Every answer to a held session came from its home node: the inserted cookie pinned it.
    assert.ok(sticky.totals.pinnedTotal! > 0);
    assert.equal(sticky.totals.pinnedServed, sticky.totals.pinnedTotal);
  });

  it('shows the capacity column, the latency-vs-rate chart and the steps in report.html, and the capacity table in report.md', async () => {
    const html = await readFile(path.join(runDir, 'report.html'), 'utf8');
    assert.match(html, /<th class="num">capacity<\/th>/);
    assert.match(html, /id="capacity-curve"/);
    const data = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(
      html,
    );
    const charts = (
      JSON.parse(data![1]!) as { charts: { id: string; series: { label: string }[] }[] }
    ).charts;
    const curve = charts.find((chart) => chart.id === 'capacity-curve');
    assert.ok(curve, 'the capacity chart is in the page data');
    assert.deepEqual(
      curve.series.map((series) => series.label),
      LABELS.flatMap((label) => [`${label} p99`, `${label} p50`]),
    );
    const markdown = await readFile(path.join(runDir, 'report.md'), 'utf8');
    assert.match(markdown, /## Capacity/);
    for (const label of LABELS) assert.match(markdown, new RegExp(`\\| ${label} +\\|`));
  });
});
