// What the lab watches while the load runs: every second the CPU and memory
// of each process it started (pids are read from the state each time, so a
// restarted node is followed), and four times a second the balancer's view
// of each node, so an ejection is timed to a quarter second.
import { balancerAdmin } from '../topology/admin-client.ts';
import type { NodeView } from '../chaos/balancer-view.ts';
import { readProcessStats } from '../process/proc-stats.ts';
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
  readonly #state: LabState;
  readonly #series: ProcessSeries[];
  readonly #last = new Map<string, Reading>();
  readonly #nodeStates = new Map<string, string>();
  readonly changes: NodeStateChange[] = [];
  #startedAt = 0;
  #lastSampleAt = 0;
  #timers: NodeJS.Timeout[] = [];
  #polling = false;
  readonly #observer: StrategyObserver;

  /** `observer` hears each reading as it is taken (the live page); the series are the record. */
  constructor(state: LabState, processes: WatchedProcess[], observer: StrategyObserver = {}) {
    this.#state = state;
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

  async #pollNodes(): Promise<void> {
    if (this.#polling) return; // a slow admin API must not pile up requests
    this.#polling = true;
    try {
      const { adminUrl, adminToken } = this.#state.balancer;
      const nodes = await balancerAdmin<NodeView[]>(adminUrl, adminToken, 'GET', '/nodes');
      const tMs = Math.round(performance.now() - this.#startedAt);
      for (const node of nodes) {
        const before = this.#nodeStates.get(node.id);
        if (before !== undefined && before !== node.state) {
          this.changes.push({ tMs, node: node.id, from: before, to: node.state });
        }
        this.#nodeStates.set(node.id, node.state);
      }
      this.#observer.balancer?.(nodes);
    } catch {
      // The balancer itself may be the chaos target; the gap shows in its series.
    } finally {
      this.#polling = false;
    }
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
