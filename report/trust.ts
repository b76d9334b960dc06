// Whether to trust the run: the figures that say whether the client, not
// the system, set the pace, and every warning once (the run's list repeats
// the strategies' own).
import type { RunSummary, ThresholdResult } from './summary-schema.ts';
import { int, num } from './format.ts';

export interface TrustRow {
  strategy: string;
  dropped: number;
  /** Dropped journeys over journeys the model offered (started + dropped). */
  droppedShare: number | null;
  loadgenCores: number;
  schedulingLagP99Ms: number;
  loadgenExitCode: number | null;
  failed: ThresholdResult[];
}

export function trustRows(run: RunSummary): TrustRow[] {
  return run.strategies.map((s) => {
    const offered = s.totals.journeysStarted + s.totals.dropped;
    return {
      strategy: s.strategy,
      dropped: s.totals.dropped,
      droppedShare: offered === 0 ? null : s.totals.dropped / offered,
      loadgenCores: s.loadgenCores,
      schedulingLagP99Ms: s.totals.schedulingLagP99Ms,
      loadgenExitCode: s.loadgenExitCode,
      failed: s.thresholds.filter((threshold) => !threshold.ok),
    };
  });
}

/** The run's warnings and every strategy's, each once, in the order they were written. */
export function allWarnings(run: RunSummary): string[] {
  return [...new Set([...run.warnings, ...run.strategies.flatMap((s) => s.warnings)])];
}

export function failedThresholds(run: RunSummary): string[] {
  return run.strategies.flatMap((s) =>
    s.thresholds
      .filter((threshold) => !threshold.ok)
      .map((t) =>
        t.value === null
          ? `${s.strategy}: ${t.name} not measured (nothing answered), limit ${num(t.limit)}`
          : `${s.strategy}: ${t.name} ${num(t.value)} over the limit ${num(t.limit)}`,
      ),
  );
}

/** Whether the load came from k6 or the lab's own generator, said plainly. */
export function generatorNote(run: RunSummary): string {
  const { generator } = run.load;
  if (/^k6\b/i.test(generator)) return `The load came from ${generator}.`;
  return `The load came from ${generator}, not from k6. Latency is what that generator timed, on the same machine as the system under test.`;
}

/** The load model in one line: `open model, 20 journeys/s for 8 s (2 s warm-up) per strategy, journey shop`. */
export function loadModel(run: RunSummary): string {
  const { load } = run;
  const pace =
    load.model === 'open'
      ? `open model (journeys start at a fixed rate whatever the system does): ${num(load.rate)} journeys/s, at most ${int(load.vus)} in flight`
      : `closed model (each user starts its next journey when the last ends): ${int(load.vus)} users`;
  const shape =
    load.journey === 'concurrency'
      ? `journey concurrency: ${int(load.steps)} rounds of ${int(load.parallelWrites)} simultaneous cart writes`
      : `journey shop: login, ${int(load.steps)} requests ${int(load.thinkMs)} ms apart, logout`;
  return `${pace}; ${num(load.durationS)} s measured after ${num(load.warmupS)} s warm-up per strategy; ${shape}; ${int(load.nodes)} nodes`;
}
