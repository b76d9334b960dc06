// Turns the measurements into the text the issue's closing note quotes: how
// it was measured, one row per strategy, then what makes a figure suspect.
import type { BenchSettings, StrategyResult } from './measure-strategy.ts';
import { QUIET_CORES } from '../../lab/process/machine-load.ts';
import { MEMORY_STEPS } from '../../lab/run/probes/memory-growth.ts';
import { MIX_TEXT } from './workload.ts';

export interface Environment {
  cores: number;
  cpuModel: string;
  node: string;
  redis: string | undefined;
  hazelcast: string | undefined;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => row[i]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
const kib = (bytes: number | null | undefined) =>
  bytes === null || bytes === undefined ? '-' : (bytes / 1024).toFixed(0);

export function header(settings: BenchSettings, env: Environment, strategies: string[]): string {
  const s = (ms: number) => `${ms / 1000} s`;
  return [
    'session strategies: cost per request and memory per session, one topology switched live',
    `machine: ${env.cores} cores (${env.cpuModel}); Node ${env.node}; redis-server ${env.redis ?? '(not started)'}; ` +
      `Hazelcast ${env.hazelcast ?? '(not started)'}`,
    `topology: 3 nodes + the lab balancer + the strategy's store, all local processes sharing the cores with this load generator`,
    `load: open model, ${settings.rate} req/s at fixed intervals through the balancer, latency from the *scheduled* start ` +
      `(no coordinated omission), more than ${settings.maxInFlight} in flight = dropped, ${settings.timeoutMs} ms timeout`,
    `per strategy, in this order: ${strategies.join(', ')}: switch live, log in ${settings.users} users (not timed), ` +
      `warm up ${s(settings.warmupMs)}, measure ${s(settings.durationMs)}`,
    `mix: ${MIX_TEXT}; users and routes drawn by mulberry32 seed ${settings.seed}, identical sequence for every strategy`,
    `CPU: utime+stime from /proc over the measured window / completed requests; nodes = sum of the 3 node processes; ` +
      `store = redis-server (redis, jwt) or the Hazelcast members (clustered); server = nodes + store + balancer`,
    `memory: log in ${settings.sessions} more sessions (empty carts) through the balancer in ${MEMORY_STEPS} equal steps, after up to 1,000 uncounted logins (JIT, lazily grown maps); ` +
      `growth per 1,000 sessions, overall and per step (store where there is one, else node heap). ` +
      `node heap = heap used after a forced GC (via each node's inspector, --inspect=127.0.0.1:0), summed; ` +
      `node RSS = /proc RSS, summed; redis = INFO used_memory; Hazelcast = live bytes from jcmd GC.class_histogram (full GC), summed over members`,
    `bytes: client bytes written/read per request on the keep-alive sockets (headers + bodies); ` +
      `credential = mean bytes of the Cookie / Authorization header lines`,
    `other cores = CPU of every other process on the machine during the measurement (/proc/stat busy minus ours), in cores; ` +
      `before each strategy the run waits up to ${s(settings.quietWaitMs)} for the machine to be quiet (< ${QUIET_CORES} cores busy): it is shared`,
  ].join('\n');
}

export function loadTable(results: StrategyResult[]): string {
  return table(
    [
      'strategy',
      'req/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'errors',
      'dropped',
      'node CPU us/req',
      'store CPU us/req',
      'balancer CPU us/req',
      'server CPU us/req',
      'client CPU us/req',
      'other cores',
    ],
    results.map((r) => [
      r.strategy,
      fixed(r.achievedRate, 0),
      fixed(r.p50Ms, 2),
      fixed(r.p99Ms, 2),
      fixed(r.maxMs, 1),
      String(r.errorCount),
      String(r.dropped),
      fixed(r.cpuMicrosPerRequest.nodes, 0),
      fixed(r.cpuMicrosPerRequest.store, 0),
      fixed(r.cpuMicrosPerRequest.balancer, 0),
      fixed(
        r.cpuMicrosPerRequest.nodes +
          (r.cpuMicrosPerRequest.store ?? 0) +
          r.cpuMicrosPerRequest.balancer,
        0,
      ),
      fixed(r.cpuMicrosPerRequest.client, 0),
      fixed(r.otherCores, 2),
    ]),
  );
}

export function memoryTable(results: StrategyResult[]): string {
  return table(
    [
      'strategy',
      'sessions',
      'node heap KiB/1k',
      'node RSS KiB/1k',
      'store KiB/1k',
      'store figure',
      'per step KiB/1k',
      'sent B/req',
      'recv B/req',
      'credential B',
    ],
    results.map((r) => [
      r.strategy,
      String(r.memory.sessions),
      kib(r.memory.nodesHeapPer1000),
      kib(r.memory.nodesRssPer1000),
      kib(r.memory.store?.per1000),
      r.memory.store?.what ?? '-',
      r.memory.stepsPer1000.map(kib).join(' / '),
      fixed(r.bytesSentPerRequest, 0),
      fixed(r.bytesReceivedPerRequest, 0),
      fixed(r.credentialBytes, 0),
    ]),
  );
}

/** What makes a row not comparable, or worth a second look. */
export function warnings(results: StrategyResult[], settings: BenchSettings): string[] {
  const notes: string[] = [];
  for (const r of results) {
    if (r.dropped > 0 || r.errorCount > 0) {
      const kinds = Object.entries(r.errors)
        .map(([kind, n]) => `${kind} x${n}`)
        .join(', ');
      notes.push(
        `WARNING ${r.strategy}: ${r.errorCount} errors${kinds ? ` (${kinds})` : ''}, ${r.dropped} dropped: ` +
          `its figures are NOT comparable at ${settings.rate} req/s`,
      );
    }
    if (r.otherCores > QUIET_CORES) {
      notes.push(
        `WARNING ${r.strategy}: other processes used ${r.otherCores.toFixed(2)} cores during the measurement: ` +
          'the machine was not quiet, latency and CPU figures are disturbed',
      );
    }
    if (r.busyBeforeCores > QUIET_CORES) {
      notes.push(
        `note ${r.strategy}: the machine was still busy (${r.busyBeforeCores.toFixed(2)} cores) when the wait for quiet ran out`,
      );
    }
    const warm = Object.entries(r.warmupErrors);
    if (warm.length > 0) {
      const kinds = warm.map(([kind, n]) => `${kind} x${n}`).join(', ');
      notes.push(`note ${r.strategy}: during warm-up (not counted): ${kinds}`);
    }
    // Timer lateness of this process shows up as latency; say so when it is large.
    if (r.lagP99Ms > 5)
      notes.push(
        `note ${r.strategy}: the generator started requests up to ${r.lagP99Ms.toFixed(1)} ms late (p99): latency includes client lag`,
      );
    if (r.memory.loginFailures > 0)
      notes.push(
        `WARNING ${r.strategy}: ${r.memory.loginFailures} of the memory-phase logins failed`,
      );
    if (r.memory.nodesHeapPer1000 === null)
      notes.push(`note ${r.strategy}: node heap not read (inspector unreachable); RSS only`);
    if (r.jwtRefreshes > 0)
      notes.push(
        `note ${r.strategy}: ${r.jwtRefreshes} token refreshes replaced drawn requests (access tokens near expiry)`,
      );
  }
  if (notes.length === 0)
    notes.push(
      `every strategy served all ${settings.rate} req/s without errors or drops: rows are comparable`,
    );
  notes.push(
    'RSS moves in whole pages and keeps freed heap: read the node heap column for what sessions retain; ' +
      'clustered:replicated holds every session on every member (the figure is the sum), partitioned holds 2 copies (owner + sync backup); ' +
      'hash tables grow in doublings, so per-step figures differ where a resize falls in one step',
    'jwt: the store figure is Redis holding refresh-token families; cookie: session state travels in the request (see credential B)',
  );
  return notes;
}
