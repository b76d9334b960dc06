// One strategy of a run, start to finish: a fresh topology (so no strategy
// inherits another's sessions, memory or a node chaos left dead), the live
// switch, a warm-up, the measured load with the sampler and the chaos
// timeline, the claim probes, then everything stopped again. Its processes'
// logs stay in the run folder; the files holding keys and tokens do not.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_UPSTREAM_TIMEOUT_MS } from '../../balancer/config.ts';
import type { LoadConfig, SecondPoint } from '../../loadgen/types.ts';
import { recordEvent } from '../topology/events.ts';
import { clearState, type LabState } from '../topology/state.ts';
import { parseStrategyChoice } from '../strategy/config.ts';
import { removeServiceConfigs, stopServices } from '../strategy/services.ts';
import { switchStrategy } from '../strategy/switch.ts';
import { startTopology, stopTopology } from '../topology/topology.ts';
import { startEngineTopology, stopEngineTopology } from '../engine/engine-topology.ts';
import { balancerOfLabel, strategyOfLabel } from './balancer-choice.ts';
import { runCapacity } from './capacity-run.ts';
import { startHaproxyFront, type HaproxyFront } from '../topology/haproxy-front.ts';
import { balancerAdmin } from '../topology/admin-client.ts';
import { eventEffects } from './event-effects.ts';
import { startGenerator } from './k6-generator.ts';
import { readSeries } from './loadgen-process.ts';
import { runMeasuredLoad } from './measured-load.ts';
import { runProbes } from './probes/index.ts';
import type { StrategyObserver } from './run-observer.ts';
import type { Scenario } from './scenario-schema.ts';
import { summarizeStrategy } from './summarize-strategy.ts';
import type { ProbeResults, StrategySummary } from '../../report/summary-schema.ts';

export interface StrategyRunContext {
  scenario: Scenario;
  /** The strategy, or with HAProxy in front its label (`sticky @haproxy`, balancer-choice.ts). */
  strategy: string;
  runDir: string;
  signal: AbortSignal;
  /** One line of progress for the person watching. */
  progress: (line: string) => void;
  /** Each second of the measured load, for a live view. */
  onSecond: (point: SecondPoint, phase: 'warm-up' | 'load') => void;
  /** Hears its phases, samples, chaos steps and their effects (the live page). */
  observer?: StrategyObserver | undefined;
}

/** Folder-safe form of a strategy name (`redis:cas` -> `redis-cas`). */
export function strategySlug(strategy: string): string {
  return strategy.replace(/[^a-z0-9]+/g, '-');
}

export async function runStrategy(context: StrategyRunContext): Promise<StrategySummary> {
  const { scenario, strategy, runDir, signal, progress } = context;
  const slug = strategySlug(strategy);
  const stateDir = path.join(runDir, 'lab', slug);
  const loadDir = path.join(runDir, 'load');
  await mkdir(loadDir, { recursive: true });
  const choice = parseStrategyChoice(strategyOfLabel(strategy));
  const balancer = balancerOfLabel(strategy);
  let haproxy: HaproxyFront | undefined;
  const observer = context.observer ?? {};
  observer.phase?.('starting');
  const onDocker = scenario.topology.engine === 'docker';
  progress(
    `${strategy}: starting ${scenario.topology.nodes} nodes and the balancer${onDocker ? ' as containers' : ''}`,
  );
  const state = onDocker
    ? // One compose project per strategy, as one set of processes per strategy.
      await startEngineTopology({
        nodes: scenario.topology.nodes,
        hazelcast: choice.name === 'clustered',
        detached: false,
      })
    : await startTopology({
        stateDir,
        nodes: scenario.topology.nodes,
        port: 0,
        adminPort: 0,
        detached: false,
        // An inspector on a free loopback port, attached to only by the memory
        // probe after the load (to force a GC and weigh the heap of sticky's sessions).
        nodeEnv: { NODE_OPTIONS: '--inspect=127.0.0.1:0' },
        // Ctrl-C is the run's to handle: it still writes what the finished strategies measured.
        exitOnInterrupt: false,
      });
  await mkdir(stateDir, { recursive: true });
  try {
    state.tuning = { jwtAccessTtlSeconds: scenario.jwt.accessTtlSeconds };
    if (choice.name !== 'sticky') {
      observer.phase?.('switching');
      progress(
        `${strategy}: switching${choice.name === 'clustered' ? ' (starting JVMs: slow)' : ''}`,
      );
      await switchStrategy(stateDir, state, choice, {
        detached: false,
        redisPersistence: scenario.topology.redisPersistence,
        // A Toxiproxy hop costs every store round trip: only when the timeline needs one.
        networkLinks: scenario.chaos.some((step) => step.action === 'network'),
      });
    }
    signal.throwIfAborted();
    if (balancer === 'haproxy') {
      const { adminUrl, adminToken } = state.balancer;
      const { policy } = await balancerAdmin<{ policy: string }>(
        adminUrl,
        adminToken,
        'GET',
        '/policy',
      );
      progress(`${strategy}: starting HAProxy in front of the nodes (${policy})`);
      haproxy = await startHaproxyFront(stateDir, state, policy);
      state.haproxy = haproxy.entry;
    }
    const config = loadConfig(scenario, strategy, state);
    if (scenario.load.warmupS > 0) {
      observer.phase?.('warm-up');
      progress(`${strategy}: warm-up ${scenario.load.warmupS} s`);
      const warmup = await startGenerator(
        scenario,
        { ...config, durationMs: Math.round(scenario.load.warmupS * 1000), seed: config.seed + 1 },
        loadDir,
        `${slug}.warmup`,
        (point) => context.onSecond(point, 'warm-up'),
      );
      const stopWarmup = () => warmup.stop();
      signal.addEventListener('abort', stopWarmup, { once: true });
      if (signal.aborted) warmup.stop();
      await warmup.done.finally(() => signal.removeEventListener('abort', stopWarmup));
      signal.throwIfAborted();
    }
    const summary = scenario.capacity
      ? await runCapacity({
          scenario,
          settings: scenario.capacity,
          strategy,
          state,
          stateDir,
          config,
          loadDir,
          slug,
          signal,
          progress,
          onSecond: (point) => context.onSecond(point, 'load'),
          observer: context.observer,
          probes: () => strategyProbes(context, state),
        })
      : await measure(context, state, stateDir, config, slug);
    return {
      ...summary,
      balancer,
      warnings: [...summary.warnings, ...haproxyWarnings(context, balancer)],
    };
  } finally {
    observer.phase?.('stopping');
    await haproxy?.stop().catch((error: Error) => progress(`stopping HAProxy: ${error.message}`));
    delete state.haproxy;
    if (onDocker) {
      await stopEngineTopology(state).catch((error: Error) =>
        progress(`removing the containers: ${error.message}`),
      );
    } else {
      await stopTopology(state).catch((error: Error) =>
        progress(`stopping nodes: ${error.message}`),
      );
      await stopServices(state).catch((error: Error) =>
        progress(`stopping stores: ${error.message}`),
      );
    }
    // Tokens, keys and passwords of processes now gone: no use to a reader,
    // no place in a folder people share.
    await clearState(stateDir);
    await rm(path.join(stateDir, 'balancer.json'), { force: true });
    await removeServiceConfigs(stateDir);
  }
}

async function measure(
  context: StrategyRunContext,
  state: LabState,
  stateDir: string,
  config: LoadConfig,
  slug: string,
): Promise<StrategySummary> {
  const { scenario, strategy, runDir, signal, progress } = context;
  const loadDir = path.join(runDir, 'load');
  context.observer?.phase?.('load');
  progress(
    `${strategy}: load ${scenario.load.durationS} s${scenario.chaos.length > 0 ? `, ${scenario.chaos.length} chaos steps` : ''}`,
  );
  await recordEvent(stateDir, { type: 'control', action: 'load-start', strategy });
  const load = await runMeasuredLoad({
    state,
    stateDir,
    config,
    scenario,
    loadDir,
    name: slug,
    signal,
    onSecond: (point) => context.onSecond(point, 'load'),
    observer: context.observer,
  });
  await recordEvent(stateDir, { type: 'control', action: 'load-end', strategy });
  signal.throwIfAborted();

  const series = await readSeries(loadDir, slug);
  const effects = eventEffects(load.events, series, load.changes, load.totals.startedAtMs);
  context.observer?.effects?.(effects);
  const probes: ProbeResults = scenario.probes.enabled ? await strategyProbes(context, state) : {};
  const summary = summarizeStrategy({
    strategy,
    scenario,
    totals: load.totals,
    series,
    processes: load.processes,
    events: effects,
    probes,
    loadgenExitCode: load.exitCode,
    loadgenParts: load.parts,
  });
  summary.warnings.push(...load.notes.map((note) => `${strategy}: ${note}`));
  // The ejection and return times are this balancer's view (node-states.ts).
  summary.nodeStatesFrom = load.nodeStatesFrom;
  return summary;
}

/**
 * What a run through HAProxy measures differently, said wherever it shows.
 * Its node states are HAProxy's own (node-states.ts), so they need no word here.
 */
function haproxyWarnings(context: StrategyRunContext, balancer: string): string[] {
  const { scenario, strategy } = context;
  if (balancer !== 'haproxy' || !scenario.probes.enabled) return [];
  return [
    `${strategy}: the claim probes went through the lab balancer (they test the nodes and stores, not the balancer)`,
  ];
}

function strategyProbes(context: StrategyRunContext, state: LabState): Promise<ProbeResults> {
  const { scenario, strategy, signal, progress } = context;
  context.observer?.phase?.('probes');
  progress(`${strategy}: claim probes`);
  return runProbes({
    state,
    strategy: parseStrategyChoice(strategyOfLabel(strategy)),
    signal,
    revocationBoundMs: Math.round(scenario.probes.revocationBoundS * 1000),
  });
}

function loadConfig(scenario: Scenario, strategy: string, state: LabState): LoadConfig {
  const { load } = scenario;
  return {
    url: state.haproxy?.url ?? state.balancer.url,
    strategy,
    journey: load.journey,
    model: load.model,
    rate: load.rate,
    ...(load.vus === undefined ? {} : { vus: load.vus }),
    durationMs: Math.round(load.durationS * 1000),
    steps: load.steps,
    thinkMs: load.thinkMs,
    parallelWrites: load.parallelWrites,
    ...(load.timeoutMs === undefined ? {} : { timeoutMs: load.timeoutMs }),
    // The lab's balancer runs with its default upstream timeout; the generator
    // waits longer by default and the report prints both.
    balancerUpstreamTimeoutMs: DEFAULT_UPSTREAM_TIMEOUT_MS,
    seed: load.seed,
    processes: load.processes,
  };
}

/** The strategy's events as recorded in its state folder, for the run's events.ndjson. */
export async function strategyEvents(
  runDir: string,
  strategy: string,
): Promise<Record<string, unknown>[]> {
  const file = path.join(runDir, 'lab', strategySlug(strategy), 'events.ndjson');
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({ strategy, ...(JSON.parse(line) as Record<string, unknown>) }));
}
