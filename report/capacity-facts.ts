// A capacity search read for people: the comparison table's "capacity" cell,
// and the per-strategy and per-step tables both reports lay out. Text only;
// the HTML and Markdown renderers escape it their own way.
import type { Cell } from './figures.ts';
import { int, NONE, num, pct } from './format.ts';
import type { CapacityStep, RunSummary, StrategySummary } from './summary-schema.ts';

/** The strategies of a run that carry a capacity search. */
export function withCapacity(run: RunSummary): StrategySummary[] {
  return run.strategies.filter((strategy) => strategy.capacity !== undefined);
}

/**
 * The sustained request rate; "≥" when the service level never broke (the
 * search ran out of steps first). The note names what ran out first.
 */
export function capacityCell(strategy: StrategySummary): Cell {
  const capacity = strategy.capacity;
  if (!capacity || capacity.sustainedRequestRate === null) {
    return capacity
      ? { value: null, text: 'below the first step', note: capacity.stoppedBecause }
      : { value: null, text: NONE };
  }
  // Only the last search step's break ends a search; an earlier one whose rerun held was a spike.
  const broke = capacity.steps.filter((step) => step.phase === 'step').at(-1)?.verdict === 'broke';
  const notes = [
    `p99 ${num(capacity.p99Ms)} ms`,
    capacity.limitedBy ? `limit: ${capacity.limitedBy.what}` : '',
    capacity.confirmed === false ? 'not confirmed' : '',
  ].filter(Boolean);
  return {
    value: capacity.sustainedRequestRate,
    text: `${broke ? '' : '≥ '}${int(capacity.sustainedRequestRate)} req/s`,
    note: notes.join(', '),
  };
}

/**
 * What a capacity search offered, for the comparison's "journeys/s
 * (offered)" cell: not the scenario's one rate (the search raised it in
 * steps) but the rate of the step whose figures stand for the strategy (the
 * held confirmation, else the last good step, else the first), marked
 * stepped, with the range of the search in the note. Undefined without a search.
 */
export function steppedOffer(
  strategy: StrategySummary,
): { text: string; note: string } | undefined {
  const capacity = strategy.capacity;
  const search = capacity?.steps.filter((step) => step.phase === 'step') ?? [];
  if (!capacity || search.length === 0) return undefined;
  const rates = search.map((step) => step.offeredRate);
  const rate = capacity.sustainedOfferedRate ?? search[0]!.offeredRate;
  const which =
    capacity.confirmed === true
      ? 'the confirmation'
      : capacity.sustainedOfferedRate !== null
        ? 'the last good step'
        : 'the first step (none held)';
  const range =
    search.length === 1
      ? `one step at ${num(rates[0])}/s`
      : `${search.length} steps from ${num(Math.min(...rates))} to ${num(Math.max(...rates))}/s`;
  return {
    text: `${num(rate)}, stepped`,
    note: `offered in ${range}; these are the figures of ${which} at ${num(rate)}/s`,
  };
}

export const CAPACITY_HEADERS = [
  'strategy',
  'sustained req/s',
  'offered/s',
  'p50 · p99 ms',
  'CPU µs/req balancer · nodes · stores · generator',
  'ran out first',
  'steps',
  'achieved/offered per step',
  'stopped because',
] as const;

/** One row per strategy with a capacity search, in CAPACITY_HEADERS order. */
export function capacityRows(run: RunSummary): string[][] {
  return withCapacity(run).map((strategy) => {
    const capacity = strategy.capacity!;
    const cpu = capacity.cpuPerRequestMicros;
    return [
      strategy.strategy,
      capacityCell(strategy).text,
      `${num(capacity.sustainedOfferedRate)}${capacity.confirmed === null ? '' : capacity.confirmed ? ' (confirmed)' : ' (not confirmed)'}`,
      `${num(capacity.p50Ms)} · ${num(capacity.p99Ms)}`,
      cpu ? [cpu.balancer, cpu.nodes, cpu.stores, cpu.loadgen].map(int).join(' · ') : NONE,
      capacity.limitedBy ? `${capacity.limitedBy.what}: ${capacity.limitedBy.detail}` : NONE,
      int(capacity.stepsRun),
      capacity.steps.map(stability).join(' · '),
      capacity.stoppedBecause,
    ];
  });
}

export const STEP_HEADERS = [
  'step',
  'offered/s',
  'achieved/s',
  'p50 · p99 ms (all)',
  'p50 · p99 ms (2xx)',
  'failed',
  'cores: busiest · generator · others',
  'event loop p99 ms (worst node)',
  'verdict',
] as const;

/** The steps of one strategy's search, in STEP_HEADERS order. */
export function stepRows(strategy: StrategySummary): string[][] {
  let index = 0;
  let lastRate: number | undefined;
  return (strategy.capacity?.steps ?? []).map((step) => {
    // A broken rate run again keeps its step number.
    const again = step.phase === 'step' && step.offeredRate === lastRate;
    if (step.phase === 'step' && !again) index += 1;
    lastRate = step.offeredRate;
    const label = step.phase === 'confirm' ? 'confirm' : `${index}${again ? ' again' : ''}`;
    // The generator's parts (`loadgen-1`, ...) when it ran as several processes, summed.
    const generator = Object.entries(step.cores)
      .filter(([name]) => name.startsWith('loadgen'))
      .reduce((sum, [, cores]) => sum + cores, 0);
    const system = Object.entries(step.cores)
      .filter(([name]) => !name.startsWith('loadgen'))
      .sort((a, b) => b[1] - a[1])[0];
    const lag = Object.entries(step.eventLoopLagP99Ms).sort((a, b) => b[1] - a[1])[0];
    return [
      label,
      num(step.offeredRate),
      num(step.achievedRate),
      `${num(step.p50Ms)} · ${num(step.p99Ms)}`,
      `${num(step.successP50Ms)} · ${num(step.successP99Ms)}`,
      pct(step.failedRate),
      `${system ? `${system[0]} ${num(system[1])}` : NONE} · ${num(generator)} · ${num(step.otherCores)}`,
      lag ? `${num(lag[1])} (${lag[0]})` : NONE,
      step.verdict === 'ok' ? 'ok' : `broke: ${step.reasons.join('; ')}`,
    ];
  });
}

/** How much of the offered rate a step achieved: `100%`. */
function stability(step: CapacityStep): string {
  return step.offeredRate > 0 ? pct(step.achievedRate / step.offeredRate) : NONE;
}

/** How the capacity figures are counted, for the "how" notes of both reports. */
export const CAPACITY_HOW =
  'A capacity search per strategy: an open arrival rate raised in steps, each a fresh generator process on the same topology, until the p99 of every request (failed ones included, a timeout at its full wait) passed the limit, too many requests failed, or less than the set share of the offered rate was achieved; then a confirmation at the last good rate. Sustained req/s is the confirmation’s (else the last good step’s) requests per second of offered time; "≥" when the service level never broke. CPU per request is each process kind’s CPU over the step divided by its requests; "ran out first" is read at the breaking step: a process near a full core, a node event loop late by 100 ms or more (p99, from its Prometheus metrics; the lab balancer exports none), the generator, or the machine’s cores as a whole. The other figures of these strategies are the confirmation step’s.';
