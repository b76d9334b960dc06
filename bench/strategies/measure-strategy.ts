// One strategy's measurements on a running topology that was already switched
// to it: the load (latency, errors, CPU per request, bytes on the wire), then
// the memory that N more sessions take (lab/run/probes/memory-growth.ts). Numbers only;
// report.ts prints them.
import { readProcessStats } from '../../lab/process/proc-stats.ts';
import type { LabState } from '../../lab/topology/state.ts';
import type { StrategyChoice } from '../../lab/strategy/config.ts';
import { percentile, runOpenLoad, type OpenLoadResult } from '../open-load.ts';
import { busyCores, machineTicks, QUIET_CORES, waitQuiet } from '../../lab/process/machine-load.ts';
import {
  measureMemory,
  storeOf,
  type MemoryResult,
  type Store,
} from '../../lab/run/probes/memory-growth.ts';
import { BenchUser, credentialBytes, loginRequest, sendAll, workloadPlan } from './workload.ts';

export interface BenchSettings {
  rate: number;
  warmupMs: number;
  durationMs: number;
  users: number;
  sessions: number;
  seed: number;
  maxInFlight: number;
  timeoutMs: number;
  /** How long to wait for other jobs on the machine to finish before each strategy. */
  quietWaitMs: number;
}

export interface StrategyResult {
  strategy: string;
  scheduled: number;
  completed: number;
  dropped: number;
  errors: Record<string, number>;
  errorCount: number;
  /** Errors and drops (as `dropped`) of the warm-up, which does not count but may tell why. */
  warmupErrors: Record<string, number>;
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p99 of how late the generator started requests: large means the client, not the system, lagged. */
  lagP99Ms: number;
  /**
   * Cores' worth of CPU that processes other than ours (nodes, balancer, the
   * store in use, this generator) used during the measurement: another job on
   * a shared machine, or an idle store of another strategy.
   */
  otherCores: number;
  /** Cores busy on the machine just before this strategy started, after waiting for quiet. */
  busyBeforeCores: number;
  /** CPU microseconds per completed request; store null when the strategy uses none. */
  cpuMicrosPerRequest: { nodes: number; store: number | null; balancer: number; client: number };
  bytesSentPerRequest: number;
  bytesReceivedPerRequest: number;
  /** Mean bytes of the Cookie / Authorization header lines a user sends. */
  credentialBytes: number;
  jwtRefreshes: number;
  memory: MemoryResult;
}

function storePids(store: Store | undefined, state: LabState): number[] {
  if (store?.kind === 'redis') return [state.services!.redis!.pid];
  if (store?.kind === 'hazelcast') return store.members.map((m) => m.pid);
  return [];
}

/** Sum of CPU microseconds of `pids`; throws when one is gone (a dead process would skew the figure). */
async function cpuOf(pids: number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) {
    const stats = await readProcessStats(pid);
    if (!stats) throw new Error(`process ${pid} died during the measurement`);
    total += stats.cpuMicros;
  }
  return total;
}

function errorCount(load: OpenLoadResult): number {
  return Object.values(load.errors).reduce((sum, count) => sum + count, 0);
}

/** Logs the user pool in, warms up, measures at the fixed rate, then measures memory. */
export async function measureStrategy(
  state: LabState,
  choice: StrategyChoice,
  settings: BenchSettings,
): Promise<StrategyResult> {
  const busyBeforeCores = await waitQuiet(QUIET_CORES, settings.quietWaitMs);
  const origin = new URL(state.balancer.url);
  const users = Array.from({ length: settings.users }, (_, i) => new BenchUser(`bench-${i}`));
  const login = await sendAll(origin, users.map(loginRequest), 8);
  if (login.failed > 0) {
    throw new Error(
      `${login.failed} of ${users.length} logins failed; first: ${login.firstFailure}`,
    );
  }
  const plan = workloadPlan(users, settings.seed);
  const load = (durationMs: number) =>
    runOpenLoad({
      url: state.balancer.url,
      rate: settings.rate,
      durationMs,
      maxInFlight: settings.maxInFlight,
      timeoutMs: settings.timeoutMs,
      plan: plan.next,
    });
  const warmup = await load(settings.warmupMs);
  const refreshesBefore = plan.refreshes();

  const store = storeOf(state, choice);
  const nodePids = state.nodes.map((node) => node.pid);
  const pids = { nodes: nodePids, store: storePids(store, state), balancer: [state.balancer.pid] };
  const before = {
    nodes: await cpuOf(pids.nodes),
    store: await cpuOf(pids.store),
    balancer: await cpuOf(pids.balancer),
  };
  const clientBefore = process.cpuUsage();
  const machineBefore = await machineTicks();
  const wallBefore = performance.now();
  const measured = await load(settings.durationMs);
  const wallMicros = (performance.now() - wallBefore) * 1000;
  const machineAfter = await machineTicks();
  const client = process.cpuUsage(clientBefore);
  const after = {
    nodes: await cpuOf(pids.nodes),
    store: await cpuOf(pids.store),
    balancer: await cpuOf(pids.balancer),
  };

  const perRequest = (micros: number) => micros / Math.max(1, measured.completed);
  const ours =
    after.nodes -
    before.nodes +
    (after.store - before.store) +
    (after.balancer - before.balancer) +
    client.user +
    client.system;
  const result: Omit<StrategyResult, 'memory'> = {
    strategy: choice.variant ? `${choice.name}:${choice.variant}` : choice.name,
    scheduled: measured.scheduled,
    completed: measured.completed,
    dropped: measured.dropped,
    errors: measured.errors,
    errorCount: errorCount(measured),
    warmupErrors:
      warmup.dropped > 0 ? { ...warmup.errors, dropped: warmup.dropped } : warmup.errors,
    achievedRate: measured.completed / (settings.durationMs / 1000),
    p50Ms: percentile(measured.latenciesMs, 0.5),
    p99Ms: percentile(measured.latenciesMs, 0.99),
    maxMs: measured.latenciesMs.at(-1) ?? Number.NaN,
    lagP99Ms: measured.lagP99Ms,
    busyBeforeCores,
    otherCores: Math.max(0, busyCores(machineBefore, machineAfter) - ours / wallMicros),
    cpuMicrosPerRequest: {
      nodes: perRequest(after.nodes - before.nodes),
      store: store ? perRequest(after.store - before.store) : null,
      balancer: perRequest(after.balancer - before.balancer),
      client: perRequest(client.user + client.system),
    },
    bytesSentPerRequest: measured.bytesSent / Math.max(1, measured.completed),
    bytesReceivedPerRequest: measured.bytesReceived / Math.max(1, measured.completed),
    credentialBytes: credentialBytes(users),
    jwtRefreshes: plan.refreshes() - refreshesBefore,
  };
  const memory = await measureMemory(state, choice, settings.sessions);
  return { ...result, memory };
}
