// Turns what one strategy's load produced (the generator's totals and
// series, the sampler's process series, the chaos events' effects, the
// probes) into its entry of summary.json: figures per request, thresholds
// checked, and warnings whenever a figure should not be trusted.
import type { LoadTotals, SecondPoint } from '../../loadgen/types.ts';
import type { LoadgenPartResult } from './loadgen-process.ts';
import { withoutHistograms } from './merge-loadgen.ts';
import type { Scenario } from './scenario-schema.ts';
import type {
  EventEffect,
  ProbeResults,
  ProcessSeries,
  StrategySummary,
  ThresholdResult,
} from '../../report/summary-schema.ts';

/** Above this share of a core the generator itself may be what limits the load. */
const LOADGEN_BUSY_CORES = 0.8;
/** A generator starting work this late (p99) is not keeping to its schedule. */
const LAG_WARN_MS = 50;

export interface StrategyRaw {
  strategy: string;
  scenario: Scenario;
  totals: LoadTotals;
  series: SecondPoint[];
  processes: ProcessSeries[];
  events: EventEffect[];
  probes: ProbeResults;
  loadgenExitCode: number | null;
  /** The generator's processes; absent: one, named `loadgen`. */
  loadgenParts?: LoadgenPartResult[];
}

export function summarizeStrategy(raw: StrategyRaw): StrategySummary {
  const { totals } = raw;
  const seconds = totals.elapsedMs / 1000;
  const perRequest = (kind: ProcessSeries['kind']) => {
    const matching = raw.processes.filter((process) => process.kind === kind);
    if (matching.length === 0 || totals.requests === 0) return null;
    const micros = matching.reduce((sum, process) => sum + process.cpuMicros, 0);
    return Math.round(micros / totals.requests);
  };
  const loadgen = raw.processes.filter((process) => process.kind === 'loadgen');
  const loadgenMicros = loadgen.reduce((sum, process) => sum + process.cpuMicros, 0);
  const loadgenCores =
    loadgen.length > 0 && seconds > 0 ? round(loadgenMicros / 1_000_000 / seconds, 3) : 0;
  const parts = (raw.loadgenParts ?? []).map((part) => {
    const cpuMicros = loadgen.find((process) => process.name === part.name)?.cpuMicros ?? 0;
    const cpuPerRequestMicros = part.requests > 0 ? Math.round(cpuMicros / part.requests) : null;
    return { name: part.name, requests: part.requests, cpuMicros, cpuPerRequestMicros };
  });
  const thresholds = checkThresholds(raw.scenario, totals);
  return {
    strategy: raw.strategy,
    loadStartedAtMs: totals.startedAtMs,
    durationS: round(seconds, 1),
    totals: withoutHistograms(totals),
    throughput: seconds > 0 ? round(totals.requests / seconds, 1) : 0,
    errorRate: totals.requests > 0 ? round(totals.errors / totals.requests, 5) : 0,
    bytesPerRequest: {
      sent: totals.requests > 0 ? Math.round(totals.bytesSent / totals.requests) : 0,
      received: totals.requests > 0 ? Math.round(totals.bytesReceived / totals.requests) : 0,
    },
    cpuPerRequestMicros: {
      balancer: perRequest('balancer'),
      nodes: perRequest('node'),
      stores: perRequest('store'),
      generator: perRequest('loadgen'),
    },
    ...(parts.length > 0 ? { load: { processes: parts.length, parts } } : {}),
    loadgenCores,
    timeline: raw.series.map(withoutHistograms),
    processes: raw.processes,
    events: raw.events,
    probes: raw.probes,
    thresholds,
    loadgenExitCode: raw.loadgenExitCode,
    // Each generator process is one core at most: the busiest one is what may limit the load.
    warnings: trustWarnings(
      raw,
      seconds > 0 ? Math.max(0, ...loadgen.map((p) => p.cpuMicros / 1_000_000 / seconds)) : 0,
      thresholds,
    ),
  };
}

/**
 * Why journeys were dropped, in the words a reader acts on: the generator's
 * own in-flight cap is not the system falling behind, and a busy generator
 * is neither.
 */
function droppedWarning(totals: LoadTotals): string {
  const cap = totals.settings?.vus;
  const by = totals.droppedBy;
  if (!by) {
    return `${totals.dropped} journeys dropped (the in-flight cap was reached): latency understates the offered load`;
  }
  const causes: string[] = [];
  if (by.latency > 0) {
    causes.push(
      `${by.latency} because the system was slow (journeys took more than twice their expected length): it fell behind the offered rate, and latency understates it`,
    );
  }
  if (by.generator > 0) {
    causes.push(
      `${by.generator} because the generator ran late on its schedule (its CPU, or the machine's): the generator, not the system, limited the load`,
    );
  }
  if (by.cap > 0) {
    causes.push(
      `${by.cap} at the in-flight cap${cap === undefined ? '' : ` of ${cap}`} while journeys kept their expected length: raise load.vus or leave it out to size it from the rate`,
    );
  }
  return `${totals.dropped} journeys dropped: ${causes.join('; ')}`;
}

function checkThresholds(scenario: Scenario, totals: LoadTotals): ThresholdResult[] {
  // Nothing answered means nothing measured: such a figure fails its threshold, never passes it.
  const figures: Record<keyof Scenario['thresholds'], number | null> = {
    errorRate: totals.requests > 0 ? totals.errors / totals.requests : null,
    p99Ms: totals.latencyMs.p99,
    sessionsLost: totals.sessionsLost,
    staleReads: totals.staleReads,
    // The lower bound includes the rounds with a write of unknown fate, which chaos causes.
    lostUpdates: Math.max(totals.lostUpdates, totals.lostUpdatesLowerBound ?? 0),
    dropped: totals.dropped,
  };
  return Object.entries(scenario.thresholds)
    .filter(([, limit]) => limit !== undefined)
    .map(([name, limit]) => {
      const figure = figures[name as keyof typeof figures];
      const value = figure === null ? null : round(figure, 5);
      return { name, limit, value, ok: value !== null && value <= limit };
    });
}

/** Every reason to doubt this strategy's figures, in words a reader acts on. */
function trustWarnings(
  raw: StrategyRaw,
  /** Cores used by the busiest generator process. */
  loadgenCores: number,
  thresholds: ThresholdResult[],
): string[] {
  const { totals, strategy } = raw;
  const warnings: string[] = [];
  if (totals.requests === 0) warnings.push(`${strategy}: no request completed: nothing measured`);
  if (totals.dropped > 0) warnings.push(`${strategy}: ${droppedWarning(totals)}`);
  const settings = totals.settings;
  if (settings && settings.timeoutMs <= settings.balancerUpstreamTimeoutMs) {
    warnings.push(
      `${strategy}: the generator gave up after ${settings.timeoutMs} ms, before the balancer's ${settings.balancerUpstreamTimeoutMs} ms wait for a node: a request stuck on a node shows as a generator timeout, not as the balancer's 504 (leave load.timeoutMs out to wait longer than the balancer)`,
    );
  }
  if (loadgenCores > LOADGEN_BUSY_CORES) {
    warnings.push(
      `${strategy}: the load generator used ${loadgenCores.toFixed(2)} of a core${raw.loadgenParts && raw.loadgenParts.length > 1 ? ' (its busiest process)' : ''}: it may have limited the load; lower the rate or raise load.processes`,
    );
  }
  if (totals.schedulingLagP99Ms > LAG_WARN_MS) {
    warnings.push(
      `${strategy}: the load generator started work up to ${Math.round(totals.schedulingLagP99Ms)} ms late (p99): the machine was too busy to keep the schedule`,
    );
  }
  if (raw.loadgenExitCode !== 0) {
    warnings.push(`${strategy}: the load generator exited with status ${raw.loadgenExitCode}`);
  }
  for (const failed of thresholds.filter((threshold) => !threshold.ok)) {
    warnings.push(
      failed.value === null
        ? `${strategy}: threshold ${failed.name} failed: nothing was measured`
        : `${strategy}: threshold ${failed.name} failed: ${failed.value} > ${failed.limit}`,
    );
  }
  for (const event of raw.events.filter((event) => event.status === 'failed')) {
    warnings.push(
      `${strategy}: chaos ${event.action} ${event.target} at ${event.t} s failed: ${event.detail}`,
    );
  }
  for (const problem of raw.probes.probeErrors ?? []) {
    warnings.push(`${strategy}: probe ${problem.probe} measured nothing: ${problem.message}`);
  }
  return warnings;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
