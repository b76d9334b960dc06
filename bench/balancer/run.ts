// Balancer benchmark, run by hand:
//   npm run bench:balancer [-- --requests N --concurrency C --rounds R --warmup W --bare]
// The same three real nodes and the same closed-loop load through the lab
// balancer and through HAProxy, rounds interleaved (and their order rotated)
// so machine noise hits both. Every proxy first gets `--warmup` requests that
// are not measured, so the rounds compare JIT-compiled steady states: with
// --trace-opt, V8 was still compiling hundreds of functions of the Node
// balancer between its 5000th and 25000th request, and almost none after.
// Prints each proxy's CPU microseconds per proxied request (from /proc) and the ratio.
// `--bare` adds a third proxy, bare http-proxy with a keep-alive agent
// (bench/balancer/bare-proxy.ts): the floor for anything built on http-proxy.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { balancerAdmin } from '../../lab/topology/admin-client.ts';
import { freePort } from '../../lab/process/ports.ts';
import { readProcessStats } from '../../lab/process/proc-stats.ts';
import { startTopology, stopTopology } from '../../lab/topology/topology.ts';
import { toolNamed } from '../../lab/tools/index.ts';
import { waitFor } from '../../lab/process/wait.ts';
import { runLoad, type LoadResult } from '../load-generator.ts';
import { startHaproxy } from './haproxy.ts';

const { values } = parseArgs({
  // `node bench/balancer/run.ts -- --rounds 3` passes the `--` on: skip it.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '20000' },
    bare: { type: 'boolean', default: false },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);

interface Measure {
  cpuMicrosPerRequest: number;
  requestsPerSecond: number;
  errors: number;
  load: LoadResult;
}

async function measure(url: string, pid: number): Promise<Measure> {
  const before = await readProcessStats(pid);
  const load = await runLoad({ url: `${url}/healthz`, requests, concurrency });
  const after = await readProcessStats(pid);
  if (!before || !after) throw new Error(`proxy pid ${pid} died during the measure`);
  return {
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / requests,
    requestsPerSecond: requests / (load.elapsedMs / 1000),
    errors: load.errors,
    load,
  };
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const haproxyTool = await toolNamed('haproxy')?.find();
if (!haproxyTool) {
  console.error('haproxy is missing: run `npx lab setup`');
  process.exit(1);
}
const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-balancer-'));
const state = await startTopology({
  stateDir: dir,
  nodes: 3,
  port: 0,
  adminPort: 0,
  detached: false,
});
const haproxy = await startHaproxy({
  binary: haproxyTool.path,
  dir,
  port: await freePort(),
  nodes: state.nodes,
});
let bare: Awaited<ReturnType<typeof startBareProxy>> | undefined;
const cleanup = async () => {
  await bare?.stop();
  await haproxy.stop();
  await stopTopology(state);
  await rm(dir, { recursive: true, force: true });
};
// Ctrl-C (or a kill) stops the nodes, the balancer and HAProxy too: nothing outlives the bench.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: stopping everything the bench started`);
    void cleanup().finally(() => process.exit(130));
  });
}
try {
  if (values.bare) bare = await startBareProxy(state.nodes);
  const { adminUrl, adminToken } = state.balancer;
  // HAProxy runs `balance roundrobin`: compare like with like.
  await balancerAdmin(adminUrl, adminToken, 'PUT', '/policy', { policy: 'round-robin' });
  const proxies = [
    { name: 'lab balancer', url: state.balancer.url, pid: state.balancer.pid },
    { name: 'haproxy', url: haproxy.url, pid: haproxy.process.pid! },
  ];
  if (bare) proxies.push({ name: 'bare proxy', url: bare.url, pid: bare.pid });
  console.log(
    `balancer benchmark: 3 nodes, GET /healthz, ${concurrency} keep-alive connections, ${os.cpus().length} cores; ` +
      `per proxy ${warmup} warm-up requests (not measured), then ${rounds} rounds of ${requests} requests, ` +
      `rounds interleaved and their order rotated; CPU = utime+stime of the proxy process from /proc`,
  );
  if (bare) {
    console.log(
      '  bare proxy = http-proxy 1.18 + keep-alive agent, round-robin, nothing else (the http-proxy floor)',
    );
  }
  for (const proxy of proxies)
    await runLoad({ url: `${proxy.url}/healthz`, requests: warmup, concurrency });

  const results = new Map<string, Measure[]>(proxies.map((proxy) => [proxy.name, []]));
  for (let round = 1; round <= rounds; round += 1) {
    // Rotated, so no proxy always runs right after the same neighbour.
    const order = proxies.map((_, i) => proxies[(i + round - 1) % proxies.length]!);
    for (const proxy of order) {
      const result = await measure(proxy.url, proxy.pid);
      results.get(proxy.name)!.push(result);
      const share = [...result.load.servedBy.values()].join('/');
      console.log(
        `  round ${round} ${proxy.name.padEnd(12)} ${result.cpuMicrosPerRequest.toFixed(1).padStart(6)} us CPU/request  ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  errors ${result.errors}  per node ${share}`,
      );
    }
  }
  const medians = proxies.map((proxy) => ({
    name: proxy.name,
    cpu: median(results.get(proxy.name)!.map((m) => m.cpuMicrosPerRequest)),
    rate: median(results.get(proxy.name)!.map((m) => m.requestsPerSecond)),
  }));
  const ref = medians.find((m) => m.name === 'haproxy')!.cpu;
  console.log(
    `median CPU per proxied request: ${medians.map((m) => `${m.name} ${m.cpu.toFixed(1)} us`).join(', ')}`,
  );
  for (const m of medians.filter((m) => m.name !== 'haproxy')) {
    const aim = m.name === 'lab balancer' ? ' (aim: <= 2x)' : '';
    console.log(`ratio ${m.name}/haproxy CPU per request: ${(m.cpu / ref).toFixed(2)}x${aim}`);
  }
  console.log(
    `median throughput: ${medians.map((m) => `${m.name} ${m.rate.toFixed(0)} req/s`).join(', ')} (all share the cores with the nodes and the load generator)`,
  );
} finally {
  await cleanup();
}

async function startBareProxy(nodes: readonly { url: string }[]) {
  const port = await freePort();
  const script = path.join(import.meta.dirname, 'bare-proxy.ts');
  // DEP0060: http-proxy 1.18 calls util._extend; known and harmless.
  const args = ['--disable-warning=DEP0060', script, String(port), ...nodes.map((n) => n.url)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error('bare proxy exited');
        const response = await fetch(`${url}/healthz`);
        await response.body?.cancel();
        return response.ok;
      },
      { timeoutMs: 10000, what: 'the bare proxy to answer' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid!, stop };
}
