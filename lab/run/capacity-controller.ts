// The decisions of a capacity search, apart from the processes it runs: the
// rate of each step, whether a step held the service level, what to run
// next, and what the steps add up to (the sustained rate and what ran out
// first). Pure functions of the settings and the measured steps, so every
// rule is unit-tested from synthetic steps.
import type { CapacitySettings } from './scenario-schema.ts';
import type { CapacityStep, CapacitySummary } from '../../report/summary-schema.ts';

/** A process at this share of a core or more has run out of CPU (one Node thread). */
export const FULL_CORE = 0.85;
/** An event loop whose p99 delay is this long or longer answers late whatever its CPU. */
export const LAG_LIMIT_MS = 100;
/** The generator is late on its own schedule beyond this (p99): it, not the system, may limit. */
export const GENERATOR_LAG_MS = 50;
/** Other processes' CPU above this share of the machine's cores took capacity from the run. */
export const OTHER_LOAD_SHARE = 0.2;
/** All cores this busy (ours and others') means the machine itself is full. */
const MACHINE_FULL_SHARE = 0.9;
/** The generator's processes: `loadgen`, or its parts `loadgen-1`, `loadgen-2` when it runs as several. */
const isGenerator = (name: string) => name === 'loadgen' || name.startsWith('loadgen-');

/** The busiest generator process's cores: each part is one Node thread and saturates on its own. */
function generatorCores(step: CapacityStep): number {
  return Math.max(
    0,
    ...Object.entries(step.cores)
      .filter(([name]) => isGenerator(name))
      .map(([, cores]) => cores),
  );
}

/** A step as measured, before it is judged. */
export type MeasuredStep = Omit<CapacityStep, 'verdict' | 'reasons'>;

export type NextMove =
  | { kind: 'step'; rate: number; index: number }
  | { kind: 'confirm'; rate: number }
  | { kind: 'done' };

/** Offered arrivals per second of search step `index` (0-based), to 0.1/s. */
export function stepRate(settings: CapacitySettings, index: number): number {
  const rate =
    settings.increment === undefined
      ? settings.startRate * settings.growth ** index
      : settings.startRate + settings.increment * index;
  return Math.round(rate * 10) / 10;
}

/** The step with its verdict: broke when any of the three service-level limits was passed. */
export function judgeStep(settings: CapacitySettings, step: MeasuredStep): CapacityStep {
  const reasons: string[] = [];
  if (step.requests === 0 || step.p99Ms === null) {
    reasons.push('no request ended');
  } else if (step.p99Ms > settings.p99Ms) {
    reasons.push(`p99 ${Math.round(step.p99Ms)} ms > ${settings.p99Ms} ms`);
  }
  if (step.failedRate > settings.failedRate) {
    reasons.push(
      `failed ${percent(step.failedRate)} > ${percent(settings.failedRate)} of requests`,
    );
  }
  if (step.achievedRate < settings.achievedShare * step.offeredRate) {
    reasons.push(
      `achieved ${step.achievedRate}/s < ${percent(settings.achievedShare)} of ${step.offeredRate}/s offered`,
    );
  }
  return { ...step, verdict: reasons.length === 0 ? 'ok' : 'broke', reasons };
}

/** What to run after `steps`: the next rate, the same rate again, the confirmation at the last good one, or nothing. */
export function nextMove(settings: CapacitySettings, steps: readonly CapacityStep[]): NextMove {
  if (steps.some((step) => step.phase === 'confirm')) return { kind: 'done' };
  const search = steps.filter((step) => step.phase === 'step');
  const last = search.at(-1);
  const rates = distinctRates(search);
  if (last?.verdict === 'broke' && trailingBreaks(search) <= settings.retries) {
    // One spike of another process on a shared machine must not end the search: run the rate again.
    return { kind: 'step', rate: last.offeredRate, index: rates - 1 };
  }
  if (last && (last.verdict === 'broke' || rates >= settings.maxSteps)) {
    const good = search.findLast((step) => step.verdict === 'ok');
    return good && settings.confirmS > 0
      ? { kind: 'confirm', rate: good.offeredRate }
      : { kind: 'done' };
  }
  return { kind: 'step', rate: stepRate(settings, rates), index: rates };
}

/** How many rates the search has offered (a rerun of a rate counts once). */
function distinctRates(search: readonly CapacityStep[]): number {
  return new Set(search.map((step) => step.offeredRate)).size;
}

/** Broken attempts in a row at the last rate. */
function trailingBreaks(search: readonly CapacityStep[]): number {
  const last = search.at(-1);
  let count = 0;
  for (let index = search.length - 1; index >= 0; index -= 1) {
    const step = search[index]!;
    if (step.offeredRate !== last?.offeredRate || step.verdict !== 'broke') break;
    count += 1;
  }
  return count;
}

/** The search's result for one strategy; `machineCores` is the core count of the machine. */
export function summarizeCapacity(
  settings: CapacitySettings,
  journey: string,
  steps: readonly CapacityStep[],
  machineCores: number,
): CapacitySummary {
  const search = steps.filter((step) => step.phase === 'step');
  const confirmation = steps.find((step) => step.phase === 'confirm');
  const good = search.findLast((step) => step.verdict === 'ok');
  // The search ends on a break that its reruns confirmed; an earlier break whose rerun held was a spike.
  const last = search.at(-1);
  const broken = last?.verdict === 'broke' ? last : undefined;
  const spikes = search.filter(
    (step, index) =>
      step.verdict === 'broke' &&
      search[index + 1]?.offeredRate === step.offeredRate &&
      search[index + 1]?.verdict === 'ok',
  );
  // The confirmation's figures when it held; otherwise the last good step's, said unconfirmed.
  const held = confirmation?.verdict === 'ok' ? confirmation : good;
  const atLimit = broken ?? search.at(-1);
  const warnings: string[] = [];
  if (!good && search.length > 0) {
    warnings.push(
      `even the first step (${search[0]!.offeredRate}/s) broke the service level: lower capacity.startRate`,
    );
  }
  for (const spike of spikes) {
    warnings.push(
      `at ${spike.offeredRate}/s a step broke the service level (${spike.reasons.join('; ')}) and its rerun held: counted as a spike, not the limit`,
    );
  }
  if (confirmation?.verdict === 'broke') {
    warnings.push(
      `the confirmation at ${confirmation.offeredRate}/s broke the service level (${confirmation.reasons.join('; ')}): the figure is the search step's, not confirmed`,
    );
  }
  if (!broken && search.length > 0) {
    warnings.push(
      `the service level held up to the last step (${search.at(-1)!.offeredRate}/s): capacity is at least this; raise capacity.maxSteps or the growth`,
    );
  }
  // Nothing ran out when the service level held to the last step: no limit is named then.
  const limitedBy = broken ? limitingResource(broken, machineCores) : null;
  if (atLimit) warnings.push(...limitWarnings(atLimit, machineCores));
  return {
    journey,
    serviceLevel: {
      p99Ms: settings.p99Ms,
      failedRate: settings.failedRate,
      achievedShare: settings.achievedShare,
    },
    sustainedRequestRate: held?.requestRate ?? null,
    sustainedOfferedRate: held?.offeredRate ?? null,
    confirmed: confirmation ? confirmation.verdict === 'ok' : null,
    p50Ms: held?.p50Ms ?? null,
    p99Ms: held?.p99Ms ?? null,
    cpuPerRequestMicros: held?.cpuPerRequestMicros ?? null,
    stoppedBecause: broken
      ? `${broken.offeredRate}/s broke the service level: ${broken.reasons.join('; ')}`
      : `max steps (${settings.maxSteps}) reached without a break`,
    limitedBy,
    stepsRun: steps.length,
    steps: [...steps],
    warnings,
  };
}

/**
 * What ran out first at `step`: a process of the system near a full core,
 * else the machine's cores as a whole (then every process, the generator
 * included, is late for want of a core: its lag is a symptom), else an
 * event loop answering late, else the generator, else (nothing saturated)
 * the busiest process.
 */
export function limitingResource(
  step: CapacityStep,
  machineCores: number,
): NonNullable<CapacitySummary['limitedBy']> {
  const system = Object.entries(step.cores)
    .filter(([name]) => !isGenerator(name))
    .sort((a, b) => b[1] - a[1]);
  const [busiest, busiestCores] = system[0] ?? ['none', 0];
  if (busiestCores >= FULL_CORE) {
    return {
      what: busiest,
      kind: 'cpu',
      detail: `${busiest} used ${busiestCores.toFixed(2)} of a core (a Node process or a store thread runs on one)`,
    };
  }
  const ours = Object.values(step.cores).reduce((sum, cores) => sum + cores, 0);
  const total = ours + (step.otherCores ?? 0);
  if (total >= MACHINE_FULL_SHARE * machineCores) {
    return {
      what: 'machine',
      kind: 'machine',
      detail: `all ${machineCores} cores busy (${total.toFixed(2)}): the run's processes ${ours.toFixed(2)} (busiest ${busiest} ${busiestCores.toFixed(2)}, generator ${generatorCores(step).toFixed(2)}), other processes ${(step.otherCores ?? 0).toFixed(2)}`,
    };
  }
  const lagging = Object.entries(step.eventLoopLagP99Ms).sort((a, b) => b[1] - a[1])[0];
  if (lagging && lagging[1] >= LAG_LIMIT_MS) {
    return {
      what: lagging[0],
      kind: 'event-loop',
      detail: `${lagging[0]}'s event loop was ${Math.round(lagging[1])} ms late (p99) at ${(step.cores[lagging[0]] ?? 0).toFixed(2)} of a core`,
    };
  }
  if (generatorSaturated(step)) {
    return { what: 'generator', kind: 'generator', detail: generatorDetail(step) };
  }
  return {
    what: busiest,
    kind: 'none saturated',
    detail: `no process near a full core and cores to spare; the busiest was ${busiest} at ${busiestCores.toFixed(2)}: latency grew without a CPU limit (queues, locks, a store round trip)`,
  };
}

/** Warnings when the generator or the rest of the machine, not the system, may have set the limit. */
function limitWarnings(step: CapacityStep, machineCores: number): string[] {
  const warnings: string[] = [];
  if (generatorSaturated(step)) {
    warnings.push(
      `at ${step.offeredRate}/s the generator may have set the limit, not the system under test: ${generatorDetail(step)}`,
    );
  }
  if (step.otherCores !== null && step.otherCores >= OTHER_LOAD_SHARE * machineCores) {
    warnings.push(
      `at ${step.offeredRate}/s other processes on the machine used ${step.otherCores.toFixed(2)} of ${machineCores} cores: the machine, not only the system under test, set the limit`,
    );
  }
  return warnings;
}

function generatorSaturated(step: CapacityStep): boolean {
  return generatorCores(step) >= FULL_CORE || step.generatorLagP99Ms > GENERATOR_LAG_MS;
}

function generatorDetail(step: CapacityStep): string {
  return `the generator used ${generatorCores(step).toFixed(2)} of a core and started work up to ${Math.round(step.generatorLagP99Ms)} ms late (p99)`;
}

function percent(share: number): string {
  return `${Math.round(share * 10000) / 100}%`;
}
