// One step of a capacity search: a fresh generator at one offered rate on
// the running topology, with the sampler, plus what only the step needs:
// the nodes' event-loop delay and the CPU the rest of the machine used.
import type { LoadConfig, SecondPoint } from '../../loadgen/types.ts';
import { busyCores, machineTicks } from '../process/machine-load.ts';
import type { LabState } from '../topology/state.ts';
import type { MeasuredStep } from './capacity-controller.ts';
import type { StrategyObserver } from './run-observer.ts';
import type { Scenario } from './scenario-schema.ts';
import { readSeries } from './loadgen-process.ts';
import { runMeasuredLoad, type MeasuredLoad } from './measured-load.ts';
import type { CapacityStep, ProcessSeries } from '../../report/summary-schema.ts';

export interface StepOptions {
  /** The scenario (its generator; a capacity scenario has no chaos). */
  scenario: Scenario;
  state: LabState;
  stateDir: string;
  config: LoadConfig;
  phase: CapacityStep['phase'];
  loadDir: string;
  /** File name stem of the generator's output (`sticky.step-3`). */
  name: string;
  signal: AbortSignal;
  onSecond: (point: SecondPoint) => void;
  observer?: StrategyObserver | undefined;
}

/** The step's figures and the raw load behind them (for the strategy's summary). */
export interface StepResult {
  step: MeasuredStep;
  load: MeasuredLoad;
  series: SecondPoint[];
}

// prom-client's default metric, with the node's default labels (`{node="node-1"}`).
const LAG_METRIC = /^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})?\s+(\S+)$/m;

/** The p99 event-loop delay, ms, in a Prometheus text page; null when it is not there. */
export function eventLoopLagP99FromMetrics(text: string): number | null {
  const match = LAG_METRIC.exec(text);
  const seconds = match ? Number(match[1]) : Number.NaN;
  return Number.isFinite(seconds) ? round(seconds * 1000, 1) : null;
}

export async function runCapacityStep(options: StepOptions): Promise<StepResult> {
  let ticksAtStart: Awaited<ReturnType<typeof machineTicks>> | undefined;
  const load = await runMeasuredLoad({
    ...options,
    onStarted: async () => {
      // prom-client resets its event-loop histogram on every scrape: this one starts the step's window.
      await eventLoopLagP99Ms(options.state);
      ticksAtStart = await machineTicks().catch(() => undefined);
    },
  });
  const ticksAtEnd = await machineTicks().catch(() => undefined);
  const lag = await eventLoopLagP99Ms(options.state);
  const series = await readSeries(options.loadDir, options.name);
  const { totals } = load;
  const elapsedS = Math.max(0.001, totals.elapsedMs / 1000);
  // Arrivals are offered for the configured time; the tail after it only lets requests in flight end.
  const offeredS = options.config.durationMs / 1000;
  const cores = Object.fromEntries(
    load.processes.map((process) => [process.name, round(process.cpuMicros / 1e6 / elapsedS, 3)]),
  );
  const ours = Object.values(cores).reduce((sum, value) => sum + value, 0);
  const machine = ticksAtStart && ticksAtEnd ? busyCores(ticksAtStart, ticksAtEnd) : Number.NaN;
  const arrivals = options.config.journey === 'request' ? totals.requests : totals.journeysStarted;
  const step: MeasuredStep = {
    phase: options.phase,
    offeredRate: options.config.rate,
    achievedRate: round(arrivals / offeredS, 1),
    requestRate: round(totals.requests / offeredS, 1),
    durationS: round(elapsedS, 2),
    requests: totals.requests,
    p50Ms: totals.latencyMs.p50,
    p99Ms: totals.latencyMs.p99,
    successP50Ms: totals.successLatencyMs?.p50 ?? null,
    successP99Ms: totals.successLatencyMs?.p99 ?? null,
    failedRate: totals.requests > 0 ? round(totals.errors / totals.requests, 5) : 0,
    dropped: totals.dropped,
    cpuPerRequestMicros: {
      balancer: perRequest(load.processes, 'balancer', totals.requests),
      nodes: perRequest(load.processes, 'node', totals.requests),
      stores: perRequest(load.processes, 'store', totals.requests),
      loadgen: perRequest(load.processes, 'loadgen', totals.requests),
    },
    cores,
    eventLoopLagP99Ms: lag,
    // The machine's busy cores over the step minus the run's own: a noisy neighbour, not the system.
    otherCores: Number.isNaN(machine) ? null : round(Math.max(0, machine - ours), 2),
    generatorLagP99Ms: totals.schedulingLagP99Ms,
  };
  return { step, load, series };
}

function perRequest(
  processes: readonly ProcessSeries[],
  kind: ProcessSeries['kind'],
  requests: number,
): number | null {
  const matching = processes.filter((process) => process.kind === kind);
  if (matching.length === 0 || requests === 0) return null;
  return Math.round(matching.reduce((sum, process) => sum + process.cpuMicros, 0) / requests);
}

/**
 * p99 event-loop delay of each node since the last scrape, from its
 * Prometheus /metrics (prom-client's default metrics). A node that does not
 * answer is left out, not guessed. The lab balancer exports no such metric.
 */
async function eventLoopLagP99Ms(state: LabState): Promise<Record<string, number>> {
  const entries = await Promise.all(
    state.nodes.map(async (node) => {
      try {
        const response = await fetch(`${node.url}/metrics`, { signal: AbortSignal.timeout(2000) });
        const lag = eventLoopLagP99FromMetrics(await response.text());
        return lag === null ? [] : [[node.id, lag] as const];
      } catch {
        return [];
      }
    }),
  );
  return Object.fromEntries(entries.flat());
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
