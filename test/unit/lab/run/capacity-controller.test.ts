import assert from 'node:assert/strict';
import {
  judgeStep,
  limitingResource,
  nextMove,
  stepRate,
  summarizeCapacity,
  type MeasuredStep,
} from '../../../../lab/run/capacity-controller.ts';
import { eventLoopLagP99FromMetrics } from '../../../../lab/run/capacity-step.ts';
import { parseScenario } from '../../../../lab/run/scenario.ts';
import type { CapacitySettings } from '../../../../lab/run/scenario-schema.ts';
import type { CapacityStep } from '../../../../report/summary-schema.ts';

function settings(fields: Partial<CapacitySettings> = {}): CapacitySettings {
  const scenario = parseScenario(
    { name: 't', load: { journey: 'request' }, capacity: { maxSteps: 6, ...fields } },
    't.json',
  );
  return scenario.capacity!;
}

/** A step that keeps up comfortably at `rate`; fields override. */
function measured(rate: number, fields: Partial<MeasuredStep> = {}): MeasuredStep {
  return {
    phase: 'step',
    offeredRate: rate,
    achievedRate: rate,
    requestRate: rate,
    durationS: 10,
    requests: rate * 10,
    p50Ms: 3,
    p99Ms: 20,
    successP50Ms: 3,
    successP99Ms: 20,
    failedRate: 0,
    dropped: 0,
    cpuPerRequestMicros: { balancer: 150, nodes: 200, stores: 50, loadgen: 60 },
    cores: { balancer: 0.3, 'node-1': 0.2, 'node-2': 0.2, loadgen: 0.1 },
    eventLoopLagP99Ms: { 'node-1': 12, 'node-2': 11 },
    otherCores: 0.05,
    generatorLagP99Ms: 2,
    ...fields,
  };
}

/** Plays a whole search: `measure` gives each step's figures for its rate and phase. */
function search(
  config: CapacitySettings,
  measure: (rate: number, phase: CapacityStep['phase']) => Partial<MeasuredStep>,
): CapacityStep[] {
  const steps: CapacityStep[] = [];
  for (let move = nextMove(config, steps); move.kind !== 'done'; move = nextMove(config, steps)) {
    const phase = move.kind === 'confirm' ? 'confirm' : 'step';
    steps.push(judgeStep(config, measured(move.rate, { phase, ...measure(move.rate, phase) })));
  }
  return steps;
}

describe('capacity controller', () => {
  it('raises the rate by the growth factor, or by the increment when one is set', () => {
    const growth = settings({ startRate: 100, growth: 1.5 });
    assert.deepEqual(
      [0, 1, 2, 3].map((index) => stepRate(growth, index)),
      [100, 150, 225, 337.5],
    );
    const linear = settings({ startRate: 100, increment: 50 });
    assert.deepEqual(
      [0, 1, 2].map((index) => stepRate(linear, index)),
      [100, 150, 200],
    );
  });

  it('breaks on p99 of all requests above the limit, though the successful ones are fast', () => {
    const config = settings({ startRate: 100, growth: 2, p99Ms: 300 });
    // Timeouts are slow failures: the p99 of all requests sees them, the success-only p99 does not.
    const steps = search(config, (rate) =>
      rate >= 400 ? { p99Ms: 5000, successP99Ms: 40, failedRate: 0.005 } : {},
    );
    assert.deepEqual(
      steps.map((step) => [step.phase, step.offeredRate, step.verdict]),
      [
        ['step', 100, 'ok'],
        ['step', 200, 'ok'],
        ['step', 400, 'broke'],
        // Run again once (retries: 1) before the break is taken as the limit.
        ['step', 400, 'broke'],
        ['confirm', 200, 'ok'],
      ],
    );
    assert.deepEqual(steps[2]!.reasons, ['p99 5000 ms > 300 ms']);
    const summary = summarizeCapacity(config, 'request', steps, 2);
    assert.equal(summary.sustainedOfferedRate, 200);
    assert.equal(summary.sustainedRequestRate, 200);
    assert.equal(summary.confirmed, true);
    assert.equal(summary.stepsRun, 5);
    assert.match(summary.stoppedBecause, /^400\/s broke the service level: p99 5000 ms > 300 ms$/);
  });

  it('breaks on the failed-request rate above the limit', () => {
    const config = settings({ startRate: 100, growth: 2, failedRate: 0.01 });
    const steps = search(config, (rate) => (rate >= 200 ? { failedRate: 0.02 } : {}));
    assert.equal(steps[1]!.verdict, 'broke');
    assert.deepEqual(steps[1]!.reasons, ['failed 2% > 1% of requests']);
    assert.equal(summarizeCapacity(config, 'request', steps, 2).sustainedOfferedRate, 100);
  });

  it('breaks when less than the achieved share of the offered rate is achieved', () => {
    const config = settings({ startRate: 100, growth: 2, achievedShare: 0.95 });
    const steps = search(config, (rate) =>
      rate >= 800 ? { achievedRate: rate * 0.9, requestRate: rate * 0.9, dropped: 80 } : {},
    );
    const broken = steps.find((step) => step.verdict === 'broke')!;
    assert.equal(broken.offeredRate, 800);
    assert.deepEqual(broken.reasons, ['achieved 720/s < 95% of 800/s offered']);
    const summary = summarizeCapacity(config, 'request', steps, 2);
    assert.equal(summary.sustainedOfferedRate, 400);
  });

  it('confirms at the last good rate, and says so when the confirmation breaks', () => {
    const config = settings({ startRate: 100, growth: 2 });
    const steps = search(config, (rate, phase) =>
      rate >= 400 || phase === 'confirm' ? { p99Ms: 900 } : {},
    );
    assert.deepEqual(
      steps.map((step) => [step.phase, step.offeredRate]),
      [
        ['step', 100],
        ['step', 200],
        ['step', 400],
        ['step', 400],
        ['confirm', 200],
      ],
    );
    const summary = summarizeCapacity(config, 'request', steps, 2);
    assert.equal(summary.confirmed, false);
    // The search step's figure stands, marked unconfirmed.
    assert.equal(summary.sustainedOfferedRate, 200);
    assert.ok(summary.warnings.some((line) => /confirmation at 200\/s broke/.test(line)));
  });

  it('takes a break whose rerun holds for a spike: the search goes on, and says so', () => {
    const config = settings({ startRate: 100, growth: 2, maxSteps: 4 });
    let attemptsAt200 = 0;
    const steps = search(config, (rate, phase) => {
      if (rate === 200 && phase === 'step' && (attemptsAt200 += 1) === 1) return { p99Ms: 900 };
      return rate >= 800 ? { failedRate: 0.3 } : {};
    });
    assert.deepEqual(
      steps.map((step) => [step.phase, step.offeredRate, step.verdict]),
      [
        ['step', 100, 'ok'],
        ['step', 200, 'broke'],
        ['step', 200, 'ok'],
        ['step', 400, 'ok'],
        ['step', 800, 'broke'],
        ['step', 800, 'broke'],
        ['confirm', 400, 'ok'],
      ],
    );
    const summary = summarizeCapacity(config, 'request', steps, 2);
    assert.equal(summary.sustainedOfferedRate, 400);
    assert.match(summary.stoppedBecause, /^800\/s broke/);
    assert.ok(
      summary.warnings.some((line) => /at 200\/s a step broke .* its rerun held/.test(line)),
    );
  });

  it('names the machine, not the generator, when every core is busy and the generator is late with the rest', () => {
    const full = judgeStep(
      settings(),
      measured(2000, {
        p99Ms: 800,
        cores: { balancer: 0.34, 'node-1': 0.1, 'node-2': 0.1, 'node-3': 0.12, loadgen: 0.31 },
        otherCores: 1,
        generatorLagP99Ms: 148,
      }),
    );
    assert.equal(limitingResource(full, 2).what, 'machine');
    const summary = summarizeCapacity(settings(), 'request', [full, full], 2);
    assert.ok(summary.warnings.some((line) => /generator may have set the limit/.test(line)));
    assert.ok(
      summary.warnings.some((line) => /other processes on the machine used 1\.00/.test(line)),
    );
  });

  it('skips the confirmation when confirmS is 0, and stops at max steps without a break', () => {
    const config = settings({ startRate: 100, growth: 2, maxSteps: 3, confirmS: 0 });
    const steps = search(config, () => ({}));
    assert.deepEqual(
      steps.map((step) => step.offeredRate),
      [100, 200, 400],
    );
    const summary = summarizeCapacity(config, 'request', steps, 2);
    assert.equal(summary.confirmed, null);
    assert.equal(summary.sustainedOfferedRate, 400);
    assert.match(summary.stoppedBecause, /max steps \(3\) reached/);
    assert.equal(summary.limitedBy, null);
    assert.ok(summary.warnings.some((line) => /capacity is at least this/.test(line)));
  });

  it('reports no sustained rate when even the first step broke', () => {
    const config = settings({ startRate: 100 });
    const steps = search(config, () => ({ failedRate: 0.5 }));
    assert.equal(steps.length, 2, 'the first rate and its rerun');
    const summary = summarizeCapacity(config, 'request', steps, 2);
    assert.equal(summary.sustainedRequestRate, null);
    assert.equal(summary.cpuPerRequestMicros, null);
    assert.ok(summary.warnings.some((line) => /lower capacity.startRate/.test(line)));
  });

  it('warns that the generator set the limit when it ran out before the system', () => {
    const config = settings({ startRate: 100, growth: 2 });
    const steps = search(config, (rate) =>
      rate >= 400
        ? {
            achievedRate: rate * 0.8,
            generatorLagP99Ms: 180,
            cores: { balancer: 0.4, 'node-1': 0.3, loadgen: 0.97 },
          }
        : {},
    );
    const summary = summarizeCapacity(config, 'request', steps, 2);
    assert.deepEqual(summary.limitedBy?.what, 'generator');
    assert.ok(
      summary.warnings.some((line) =>
        /at 400\/s the generator may have set the limit, not the system under test/.test(line),
      ),
    );
  });

  it('names the process that ran out first, and warns when other processes took the machine', () => {
    const atLimit = judgeStep(
      settings(),
      measured(1000, {
        p99Ms: 800,
        cores: { balancer: 0.93, 'node-1': 0.5, redis: 0.2, loadgen: 0.3 },
        otherCores: 0.7,
      }),
    );
    assert.deepEqual(limitingResource(atLimit, 2), {
      what: 'balancer',
      kind: 'cpu',
      detail: 'balancer used 0.93 of a core (a Node process or a store thread runs on one)',
    });
    const lagging = judgeStep(
      settings(),
      measured(1000, { p99Ms: 800, eventLoopLagP99Ms: { 'node-1': 12, 'node-3': 240 } }),
    );
    assert.equal(limitingResource(lagging, 8).kind, 'event-loop');
    assert.equal(limitingResource(lagging, 8).what, 'node-3');
    const summary = summarizeCapacity(settings(), 'request', [atLimit], 2);
    assert.ok(
      summary.warnings.some((line) => /other processes on the machine used 0.70/.test(line)),
    );
  });

  it('names the machine when every core is busy and no single process is at a full core', () => {
    const full = judgeStep(
      settings(),
      measured(1000, {
        p99Ms: 800,
        cores: { balancer: 0.6, 'node-1': 0.45, 'node-2': 0.45, loadgen: 0.3 },
        otherCores: 0.1,
      }),
    );
    const limit = limitingResource(full, 2);
    assert.equal(limit.what, 'machine');
    assert.match(limit.detail, /all 2 cores busy \(1\.90\)/);
  });
});

describe('capacity step: event-loop delay from /metrics', () => {
  it("reads prom-client's p99 with or without the node's default labels", () => {
    const page = [
      '# TYPE nodejs_eventloop_lag_p90_seconds gauge',
      'nodejs_eventloop_lag_p90_seconds{node="node-1"} 0.011',
      'nodejs_eventloop_lag_p99_seconds{node="node-1"} 0.0834',
    ].join('\n');
    assert.equal(eventLoopLagP99FromMetrics(page), 83.4);
    assert.equal(eventLoopLagP99FromMetrics('nodejs_eventloop_lag_p99_seconds 0.012\n'), 12);
    assert.equal(eventLoopLagP99FromMetrics('process_cpu_seconds_total 3\n'), null);
  });
});

describe('capacity controller: a generator in several processes', () => {
  it('judges each part on its own: one part at a full core is the generator running out', () => {
    const step = judgeStep(
      settings(),
      measured(3000, {
        p99Ms: 900,
        cores: { balancer: 0.5, 'node-1': 0.3, 'loadgen-1': 0.9, 'loadgen-2': 0.2 },
        otherCores: 0,
      }),
    );
    assert.equal(limitingResource(step, 4).what, 'generator');
    const split = judgeStep(
      settings(),
      measured(3000, {
        p99Ms: 900,
        cores: { balancer: 0.5, 'node-1': 0.3, 'loadgen-1': 0.5, 'loadgen-2': 0.5 },
        otherCores: 0,
      }),
    );
    // Two parts at half a core each are not a saturated generator.
    assert.equal(limitingResource(split, 4).kind, 'none saturated');
  });
});
