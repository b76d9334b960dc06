// Whether to trust the run: the figures that say whether the client, not
// the system, set the pace, and every warning once (the run's list repeats
// the strategies' own).
import type { RunSummary, ThresholdResult } from './summary-schema.ts';
import { int, num, pct } from './format.ts';

export interface TrustRow {
  strategy: string;
  dropped: number;
  /** The drops by cause (absent in older runs). */
  droppedBy: { cap: number; generator: number; latency: number } | undefined;
  /** Dropped journeys over journeys the model offered (started + dropped). */
  droppedShare: number | null;
  loadgenCores: number;
  /** CPU µs per request of every generator process together, and each part's when several (absent in older runs). */
  generatorMicrosPerRequest: number | null | undefined;
  parts: { name: string; requests: number; cpuPerRequestMicros: number | null }[];
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
      droppedBy: s.totals.droppedBy,
      droppedShare: offered === 0 ? null : s.totals.dropped / offered,
      loadgenCores: s.loadgenCores,
      generatorMicrosPerRequest: s.cpuPerRequestMicros.generator,
      parts: s.load?.parts ?? [],
      schedulingLagP99Ms: s.totals.schedulingLagP99Ms,
      loadgenExitCode: s.loadgenExitCode,
      failed: s.thresholds.filter((threshold) => !threshold.ok),
    };
  });
}

/** `12 (3.1%): 10 latency, 2 cap`: the drops, their share of the offered journeys, and their causes. */
export function droppedText(row: TrustRow): string {
  const base = `${int(row.dropped)} (${pct(row.droppedShare)})`;
  if (row.dropped === 0 || !row.droppedBy) return base;
  const causes = Object.entries(row.droppedBy)
    .filter(([, count]) => count > 0)
    .map(([cause, count]) => `${int(count)} ${cause}`);
  return `${base}: ${causes.join(', ')}`;
}

/** `106 µs (loadgen-1 104 µs over 5,000 req, loadgen-2 108 µs over 5,010 req)`: what the load cost its generator. */
export function generatorCostText(row: TrustRow): string {
  if (row.generatorMicrosPerRequest === undefined || row.generatorMicrosPerRequest === null) {
    return 'not recorded';
  }
  const total = `${int(row.generatorMicrosPerRequest)} µs`;
  if (row.parts.length < 2) return total;
  const parts = row.parts.map(
    (part) =>
      `${part.name} ${part.cpuPerRequestMicros === null ? 'unknown' : `${int(part.cpuPerRequestMicros)} µs`} over ${int(part.requests)} req`,
  );
  return `${total} (${parts.join(', ')})`;
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

type Settings = NonNullable<RunSummary['strategies'][number]['totals']['settings']>;

/** The generator's resolved settings (vus, timeouts), the same for every strategy of a run; absent in older runs. */
function resolvedSettings(run: RunSummary): Settings | undefined {
  return run.strategies.find((s) => s.totals.settings)?.totals.settings;
}

function inFlight(run: RunSummary, settings: Settings | undefined): string {
  if (run.load.vus !== undefined) return `at most ${int(run.load.vus)} in flight`;
  if (!settings) return 'in-flight cap not recorded';
  return `at most ${int(settings.vus)} in flight (sized from the rate and the journey's expected ${num(settings.expectedJourneyMs / 1000)} s, × ${num(settings.vusSafetyFactor)})`;
}

function journeyShape(run: RunSummary): string {
  const { load } = run;
  switch (load.journey) {
    case 'concurrency':
      return `journey concurrency: ${int(load.steps)} rounds of ${int(load.parallelWrites)} simultaneous cart writes`;
    case 'request':
      return 'journey request: each arrival is one request (40% GET /me, 40% GET /cart, 20% POST /cart/items) on a session of a pool logged in before t = 0, so every request follows the open model';
    default:
      return `journey shop: login, ${int(load.steps)} requests ${int(load.thinkMs)} ms apart, logout`;
  }
}

/** What the open model covers: only journey starts, unless the journey is one request. */
export function openModelScope(run: RunSummary): string | undefined {
  if (run.load.model !== 'open' || run.load.journey === 'request') return undefined;
  return 'Only journey starts follow the open model: the requests inside a journey go one after another, so a slow answer delays the rest of its journey instead of adding load. For open-model latency per request, use the request journey.';
}

/** Both waits, side by side: the generator's per-request deadline and the balancer's wait for a node. */
export function timeoutsNote(run: RunSummary): string | undefined {
  const settings = resolvedSettings(run);
  if (!settings) return undefined;
  const { timeoutMs, balancerUpstreamTimeoutMs } = settings;
  const base = `The generator waits ${num(timeoutMs / 1000)} s for an answer; the balancer waits ${num(balancerUpstreamTimeoutMs / 1000)} s for a node to start answering. A failed request is timed like any other (a timeout at its full wait), so it is in every latency figure.`;
  return timeoutMs > balancerUpstreamTimeoutMs
    ? base
    : `${base} The generator gives up first: a request stuck on a node shows as the generator's timeout, not as the balancer's 504.`;
}

/** The load model in one line: `open model, 20 journeys/s for 8 s (2 s warm-up) per strategy, journey shop`. */
export function loadModel(run: RunSummary): string {
  const { load } = run;
  const settings = resolvedSettings(run);
  const users = load.vus ?? settings?.vus;
  const pace =
    load.model === 'open'
      ? `open model (journeys start at a fixed rate whatever the system does): ${num(load.rate)} journeys/s, ${inFlight(run, settings)}`
      : `closed model (each user starts its next journey when the last ends): ${users === undefined ? 'users not recorded' : int(users)} users`;
  return `${pace}; ${num(load.durationS)} s measured after ${num(load.warmupS)} s warm-up per strategy; ${journeyShape(run)}; ${int(load.nodes)} nodes`;
}
