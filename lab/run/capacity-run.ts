// A capacity search for one strategy on its running topology: steps of a
// rising open arrival rate, each a fresh generator process (so every step
// has its own totals, CPU and verdict), until the service level breaks, then
// a confirmation at the last good rate. The strategy's usual figures are
// those of the confirmation (else the last good step): its latency and CPU
// per request at the rate it sustains.
import os from 'node:os';
import type { LoadConfig, SecondPoint } from '../../loadgen/types.ts';
import { MAX_VUS } from '../../loadgen/vus-sizing.ts';
import { recordEvent } from '../topology/events.ts';
import type { LabState } from '../topology/state.ts';
import { judgeStep, nextMove, summarizeCapacity } from './capacity-controller.ts';
import { runCapacityStep, type StepResult } from './capacity-step.ts';
import type { StrategyObserver } from './run-observer.ts';
import type { CapacitySettings, Scenario } from './scenario-schema.ts';
import { summarizeStrategy } from './summarize-strategy.ts';
import type { CapacityStep, ProbeResults, StrategySummary } from '../../report/summary-schema.ts';

export interface CapacityRunOptions {
  scenario: Scenario;
  settings: CapacitySettings;
  /** The strategy's label in the report (`sticky @haproxy`). */
  strategy: string;
  state: LabState;
  stateDir: string;
  /** The load as the scenario states it; each step changes its rate, duration, vus and seed. */
  config: LoadConfig;
  loadDir: string;
  slug: string;
  signal: AbortSignal;
  progress: (line: string) => void;
  onSecond: (point: SecondPoint) => void;
  observer?: StrategyObserver | undefined;
  /** The claim probes, run once after the search when the scenario enables them. */
  probes: () => Promise<ProbeResults>;
}

export async function runCapacity(options: CapacityRunOptions): Promise<StrategySummary> {
  const { settings, strategy, signal, progress } = options;
  const steps: CapacityStep[] = [];
  const results: StepResult[] = [];
  await recordEvent(options.stateDir, { type: 'control', action: 'load-start', strategy });
  for (
    let move = nextMove(settings, steps);
    move.kind !== 'done';
    move = nextMove(settings, steps)
  ) {
    signal.throwIfAborted();
    const confirm = move.kind === 'confirm';
    const stepNumber = move.kind === 'step' ? move.index + 1 : 0;
    const durationS = confirm ? settings.confirmS : settings.stepS;
    const again = !confirm && steps.some((step) => step.offeredRate === move.rate);
    const label = confirm
      ? 'confirmation'
      : `step ${stepNumber}/${settings.maxSteps}${again ? ' again' : ''}`;
    progress(`${strategy}: ${label}: ${move.rate}/s for ${durationS} s`);
    const attempt = steps.filter(
      (step) => step.phase === 'step' && step.offeredRate === move.rate,
    ).length;
    const name = `${options.slug}.${confirm ? 'confirm' : `step-${stepNumber}${attempt > 0 ? `-${attempt + 1}` : ''}`}`;
    const result = await runCapacityStep({
      scenario: options.scenario,
      observer: options.observer,
      state: options.state,
      stateDir: options.stateDir,
      config: stepConfig(options.config, settings, move.rate, durationS, steps.length),
      phase: confirm ? 'confirm' : 'step',
      loadDir: options.loadDir,
      name,
      signal,
      onSecond: options.onSecond,
    });
    signal.throwIfAborted();
    const judged = judgeStep(settings, result.step);
    steps.push(judged);
    results.push(result);
    progress(
      `${strategy}: ${label}: achieved ${judged.achievedRate}/s, p99 ${judged.p99Ms ?? '-'} ms, failed ${(judged.failedRate * 100).toFixed(2)}%: ${judged.verdict === 'ok' ? 'within the service level' : `broke (${judged.reasons.join('; ')})`}`,
    );
  }
  await recordEvent(options.stateDir, { type: 'control', action: 'load-end', strategy });
  const capacity = summarizeCapacity(settings, options.config.journey, steps, os.cpus().length);
  const main = results[mainStepIndex(steps)]!;
  const probes = options.scenario.probes.enabled ? await options.probes() : {};
  const summary = summarizeStrategy({
    strategy,
    scenario: options.scenario,
    totals: main.load.totals,
    series: main.series,
    processes: main.load.processes,
    events: [],
    probes,
    loadgenExitCode: main.load.exitCode,
  });
  return {
    ...summary,
    capacity,
    warnings: [...summary.warnings, ...capacity.warnings.map((line) => `${strategy}: ${line}`)],
  };
}

/** The step whose figures stand for the strategy: the held confirmation, else the last good step, else the first. */
function mainStepIndex(steps: readonly CapacityStep[]): number {
  const confirmation = steps.findIndex((step) => step.phase === 'confirm' && step.verdict === 'ok');
  if (confirmation >= 0) return confirmation;
  const good = steps.findLastIndex((step) => step.phase === 'step' && step.verdict === 'ok');
  return good >= 0 ? good : 0;
}

/**
 * The step's generator config. The in-flight cap (vus, and for the request
 * journey the pool of sessions logged in before t = 0) grows with the rate,
 * so that arrivals are dropped for the system's latency passing the service
 * level, never for a cap sized for a lower rate (Little's law: rate × the
 * p99 limit, twice over).
 */
function stepConfig(
  base: LoadConfig,
  settings: CapacitySettings,
  rate: number,
  durationS: number,
  index: number,
): LoadConfig {
  const needed = Math.ceil(rate * (settings.p99Ms / 1000) * 2);
  return {
    ...base,
    rate,
    durationMs: Math.round(durationS * 1000),
    vus: Math.min(MAX_VUS, Math.max(base.vus ?? 1, needed)),
    // A different seed per step, so no two steps replay the same sequence of requests.
    seed: base.seed + 100 + index,
  };
}
