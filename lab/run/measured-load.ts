// The measured load of one strategy: the generator, the sampler and the
// chaos timeline started together on the load's own t = 0, and all of them
// stopped whatever happens (a generator that dies, an interrupt): no timer,
// chaos step or process outlives it.
import type { LoadConfig, LoadTotals, SecondPoint } from '../../loadgen/types.ts';
import type { LabState } from '../topology/state.ts';
import { playTimeline, type TimelineEvent } from './chaos-timeline.ts';
import { startGenerator } from './k6-generator.ts';
import type { LoadgenPartResult } from './loadgen-process.ts';
import type { StrategyObserver } from './run-observer.ts';
import { generatorProcesses, Sampler, topologyProcesses, type NodeStateChange } from './sampler.ts';
import type { Scenario } from './scenario-schema.ts';
import type { ProcessSeries } from '../../report/summary-schema.ts';

export interface MeasuredLoadOptions {
  state: LabState;
  stateDir: string;
  config: LoadConfig;
  /** Its chaos timeline, and which generator makes the load. */
  scenario: Scenario;
  /** Where the generator writes its raw output, and the file name stem. */
  loadDir: string;
  name: string;
  signal: AbortSignal;
  onSecond: (point: SecondPoint) => void;
  /** Called at the load's t = 0, once the sampler took its first reading (a capacity step starts its own windows). */
  onStarted?: () => Promise<void>;
  /** Hears the samples, the balancer's view and the chaos steps as they happen. */
  observer?: StrategyObserver | undefined;
}

/** What the load produced; event and state-change times are on the generator's clock. */
export interface MeasuredLoad {
  totals: LoadTotals;
  exitCode: number | null;
  /** Each generator process: its name (as in `processes`), pid and requests. */
  parts: LoadgenPartResult[];
  processes: ProcessSeries[];
  events: TimelineEvent[];
  changes: NodeStateChange[];
  /** Whose view `changes` are: the lab balancer's, or HAProxy's when the load went through it. */
  nodeStatesFrom: 'lab' | 'haproxy';
  /**
   * What the generator's output could not tell (a k6 summary without a
   * metric, k6's failed thresholds), and node states the sampler could not read.
   */
  notes: string[];
}

export async function runMeasuredLoad(options: MeasuredLoadOptions): Promise<MeasuredLoad> {
  const { state, signal } = options;
  // Known once the generator is spawned, which happens after the sampler is set up.
  const pids: number[] = [];
  const sampler = new Sampler(
    state,
    [...topologyProcesses(state), ...generatorProcesses(options.config.processes ?? 1, pids)],
    options.observer,
  );
  const load = await startGenerator(
    options.scenario,
    options.config,
    options.loadDir,
    options.name,
    options.onSecond,
  );
  pids.push(...load.parts.map((part) => part.pid));
  const stopLoad = () => load.stop();
  signal.addEventListener('abort', stopLoad, { once: true });
  if (signal.aborted) load.stop();
  // Ends the chaos steps still pending when the load fails: none may outlive this strategy.
  const timelineStop = new AbortController();
  let timeline: Promise<TimelineEvent[]> | undefined;
  let startedAtMs = Date.now();
  let outcome: Awaited<typeof load.done>;
  let processes: ProcessSeries[] = [];
  let events: TimelineEvent[] = [];
  try {
    // Chaos steps and samples are timed from the load's own t = 0, not from the spawn
    // (the generator takes ~0.2 s to start): `at: 3s` means 3 s into the load.
    await load.started.catch(async (error: unknown) => {
      await load.done; // its error says why the generator ended (no totals, bad config)
      throw error;
    });
    startedAtMs = Date.now();
    const loadStart = performance.now();
    await sampler.start();
    await options.onStarted?.();
    timeline = playTimeline(options.scenario.chaos, {
      stateDir: options.stateDir,
      state,
      loadStart,
      signal: AbortSignal.any([signal, timelineStop.signal]),
      // A process started by a step is measured from when it serves: its start-up is no request's cost.
      onStarted: (target) => void sampler.rebaseline(target),
      observer: options.observer,
    });
    outcome = await load.done;
  } catch (error) {
    timelineStop.abort();
    load.stop();
    throw error;
  } finally {
    signal.removeEventListener('abort', stopLoad);
    processes = await sampler.stop();
    if (timeline) events = await timeline;
  }
  // What is left between the generator's t = 0 and ours: the pipe's delay, a few ms.
  const offsetMs = outcome.totals.startedAtMs - startedAtMs;
  return {
    totals: outcome.totals,
    exitCode: outcome.exitCode,
    notes: [...outcome.notes, ...sampler.notes()],
    parts: outcome.parts,
    processes,
    events: events.map((event) => ({
      ...event,
      tMs: event.tMs - offsetMs,
      endMs: event.endMs - offsetMs,
    })),
    changes: sampler.changes.map((change) => ({ ...change, tMs: change.tMs - offsetMs })),
    nodeStatesFrom: sampler.nodeStates.from,
  };
}
