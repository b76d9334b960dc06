// What the lab watches while the load runs: every second the CPU and memory
// of each process it started (pids are read from the state each time, so a
// restarted node is followed), and four times a second the view of each node
// of the balancer the traffic crosses (node-states.ts), so an ejection is
// timed to a quarter second.
import { readProcessStats } from '../process/proc-stats.ts';
import { nodeStateSource, type NodeStateSource } from './node-states.ts';
import type { LabState } from '../topology/state.ts';
import type { StrategyObserver } from './run-observer.ts';
import type { ProcessSeries } from '../../report/summary-schema.ts';

export interface WatchedProcess {
  name: string;
  kind: ProcessSeries['kind'];
  /** The pid now (after a restart, the new one); undefined when there is none. */
  pid: () => number | undefined;
}

/** A change of a node's state in the balancer, `tMs` after the load started. */
export interface NodeStateChange {
  tMs: number;
  node: string;
  from: string;
  to: string;
}

interface Reading {
  pid: number;
  cpuMicros: number;
}

const NODE_POLL_MS = 250;
const MIB = 1024 * 1024;

/** Reads of the node states that failed: when, how many, and the first reason. */
interface FailedReads {
  count: number;
  firstMs: number;
  lastMs: number;
  firstError: string;
}

/** Every process of a topology: balancer, nodes, stores, Toxiproxy. */
export function topologyProcesses(state: LabState): WatchedProcess[] {
  // Through HAProxy, it is the balancer the requests cross; the lab balancer only health-checks beside it.
  const list: WatchedProcess[] = state.haproxy
    ? [
        { name: 'haproxy', kind: 'balancer', pid: () => state.haproxy?.pid },
        { name: 'lab-balancer-idle', kind: 'proxy', pid: () => state.balancer.pid },
      ]
    : [{ name: 'balancer', kind: 'balancer', pid: () => state.balancer.pid }];
  state.nodes.forEach((node, index) =>
    list.push({ name: node.id, kind: 'node', pid: () => state.nodes[index]?.pid }),
  );
  if (state.services?.redis) {
    list.push({ name: 'redis', kind: 'store', pid: () => state.services?.redis?.pid });
  }
  state.services?.hazelcast?.members.forEach((member, index) =>
    list.push({
      name: member.id,
      kind: 'store',
      pid: () => state.services?.hazelcast?.members[index]?.pid,
    }),
  );
  if (state.services?.toxiproxy) {
    list.push({ name: 'toxiproxy', kind: 'proxy', pid: () => state.services?.toxiproxy?.pid });
  }
  return list;
}

/**
 * The generator's processes: `loadgen` when there is one, `loadgen-1`,
 * `loadgen-2`... when the load is split; `pids[i]` is set once part i is spawned.
 */
export function generatorProcesses(
  parts: number,
  pids: readonly (number | undefined)[],
): WatchedProcess[] {
  return Array.from({ length: parts }, (_, index) => ({
    name: parts === 1 ? 'loadgen' : `loadgen-${index + 1}`,
    kind: 'loadgen' as const,
    pid: () => pids[index],
  }));
}

export class Sampler {
  readonly #processes: WatchedProcess[];
  readonly #series: ProcessSeries[];
  readonly #last = new Map<string, Reading>();
  readonly #lastStates = new Map<string, string>();
  readonly changes: NodeStateChange[] = [];
  /** Where the node states come from: the lab balancer, or HAProxy when the load goes through it. */
  readonly nodeStates: NodeStateSource;
  #reads = 0;
  #failedReads: FailedReads | undefined;
  #startedAt = 0;
  #lastSampleAt = 0;
  #timers: NodeJS.Timeout[] = [];
  #polling = false;
  readonly #observer: StrategyObserver;

  /** `observer` hears each reading as it is taken (the live page); the series are the record. */
  constructor(
    state: LabState,
    processes: WatchedProcess[],
    observer: StrategyObserver = {},
    nodeStates: NodeStateSource = nodeStateSource(state),
  ) {
    this.nodeStates = nodeStates;
    this.#processes = processes;
    this.#observer = observer;
    this.#series = processes.map((p) => ({
      name: p.name,
      kind: p.kind,
      cores: [],
      rssMiB: [],
      cpuMicros: 0,
    }));
  }

  /** Takes the first reading now (t = 0) and then samples until stop(). */
  async start(): Promise<void> {
    this.#startedAt = performance.now();
    this.#lastSampleAt = this.#startedAt;
    await Promise.all([this.#sample(true), this.#pollNodes()]);
    this.#timers.push(setInterval(() => void this.#sample(false), 1000));
    this.#timers.push(setInterval(() => void this.#pollNodes(), NODE_POLL_MS));
  }

  /** Stops sampling (one last reading, if it ever started) and returns one series per process. */
  async stop(): Promise<ProcessSeries[]> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    if (this.#startedAt !== 0) await this.#sample(false);
    this.#startedAt = 0;
    return this.#series;
  }

  /**
   * Counts process `name`'s CPU from now on: called when a chaos step has
   * started it and it serves, so its start-up (a JVM booting for seconds) is
   * charged to no request. Its cores for the second under way read low.
   */
  async rebaseline(name: string): Promise<void> {
    const process = this.#processes.find((candidate) => candidate.name === name);
    const pid = process?.pid();
    const stats = pid === undefined ? undefined : await readProcessStats(pid);
    if (process && pid !== undefined && stats) {
      this.#last.set(name, { pid, cpuMicros: stats.cpuMicros });
    }
  }

  async #sample(first: boolean): Promise<void> {
    const now = performance.now();
    const wallMicros = (now - this.#lastSampleAt) * 1000;
    this.#lastSampleAt = now;
    await Promise.all(
      this.#processes.map(async (process, index) => {
        const series = this.#series[index]!;
        const pid = process.pid();
        const stats = pid === undefined ? undefined : await readProcessStats(pid);
        if (!stats || pid === undefined) {
          this.#last.delete(process.name);
          if (!first) {
            series.cores.push(null);
            series.rssMiB.push(null);
          }
          return;
        }
        const before = this.#last.get(process.name);
        this.#last.set(process.name, { pid, cpuMicros: stats.cpuMicros });
        if (first) return;
        // A new pid (restarted during the load) counts from this reading on: its
        // start-up (Node loading and compiling its modules, a JVM booting) costs
        // far more than the requests of a short run and is no per-request cost.
        series.rssMiB.push(round(stats.rssBytes / MIB, 1));
        if (before?.pid !== pid) {
          series.cores.push(null);
          return;
        }
        const used = stats.cpuMicros - before.cpuMicros;
        series.cpuMicros += used;
        series.cores.push(round(used / Math.max(1, wallMicros), 3));
      }),
    );
    if (!first && this.#observer.processes) {
      const samples = this.#series.map((series) => ({
        name: series.name,
        kind: series.kind,
        cores: series.cores.at(-1) ?? null,
        rssMiB: series.rssMiB.at(-1) ?? null,
      }));
      this.#observer.processes(this.#series[0]!.cores.length - 1, samples);
    }
  }

  /**
   * What the node states leave out, for the summary's warnings: reads that
   * failed (the balancer killed, HAProxy's socket gone), during which a
   * change of state is not seen, so an ejection or return time is late or
   * missing. Empty when every read answered.
   */
  notes(): string[] {
    const failed = this.#failedReads;
    if (!failed) return [];
    const span =
      failed.count === 1
        ? `at ${seconds(failed.firstMs)} s`
        : `from ${seconds(failed.firstMs)} s to ${seconds(failed.lastMs)} s`;
    return [
      `node states: ${this.nodeStates.what} did not answer ${failed.count} of ${this.#reads} reads, ${span} into the load (first: ${failed.firstError}); a node marked down or up then was not seen, so ejection and return times from ${seconds(failed.firstMs)} s on may be late or missing`,
    ];
  }

  async #pollNodes(): Promise<void> {
    if (this.#polling) return; // a slow admin API or socket must not pile up requests
    this.#polling = true;
    this.#reads += 1;
    try {
      const nodes = await this.nodeStates.read();
      const tMs = Math.round(performance.now() - this.#startedAt);
      for (const node of nodes) {
        const before = this.#lastStates.get(node.id);
        if (before !== undefined && before !== node.state) {
          this.changes.push({ tMs, node: node.id, from: before, to: node.state });
        }
        this.#lastStates.set(node.id, node.state);
      }
      this.#observer.balancer?.(nodes);
    } catch (error) {
      // Not fatal: the balancer may be a chaos target, HAProxy's socket may be gone; the
      // load goes on and notes() says which node states are missing.
      const tMs = Math.round(performance.now() - this.#startedAt);
      this.#failedReads ??= {
        count: 0,
        firstMs: tMs,
        lastMs: tMs,
        firstError: (error as Error).message,
      };
      this.#failedReads.count += 1;
      this.#failedReads.lastMs = tMs;
    } finally {
      this.#polling = false;
    }
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
