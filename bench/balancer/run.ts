// Balancer benchmark, run by hand: `npm run bench:balancer [-- --requests N --concurrency C --rounds R]`.
// The same three real nodes and the same closed-loop load through the lab
// balancer and through HAProxy, rounds interleaved so machine noise hits both.
// Prints each proxy's CPU microseconds per proxied request (from /proc) and the ratio.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { balancerAdmin } from '../../lab/admin-client.ts';
import { freePort } from '../../lab/ports.ts';
import { readProcessStats } from '../../lab/proc-stats.ts';
import { startTopology, stopTopology } from '../../lab/topology.ts';
import { toolNamed } from '../../lab/tools/index.ts';
import { runLoad, type LoadResult } from '../load-generator.ts';
import { startHaproxy } from './haproxy.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);

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
  strategy: 'sticky',
  detached: false,
});
const haproxy = await startHaproxy({
  binary: haproxyTool.path,
  dir,
  port: await freePort(),
  nodes: state.nodes,
});
try {
  const { adminUrl, adminToken } = state.balancer;
  // HAProxy runs `balance roundrobin`: compare like with like.
  await balancerAdmin(adminUrl, adminToken, 'PUT', '/policy', { policy: 'round-robin' });
  const proxies = [
    { name: 'lab balancer', url: state.balancer.url, pid: state.balancer.pid },
    { name: 'haproxy', url: haproxy.url, pid: haproxy.process.pid! },
  ];
  console.log(
    `balancer benchmark: 3 nodes, GET /healthz, ${requests} requests x ${rounds} rounds per proxy, ${concurrency} keep-alive connections, ${os.cpus().length} cores`,
  );
  for (const proxy of proxies)
    await runLoad({ url: `${proxy.url}/healthz`, requests: 2000, concurrency });

  const results = new Map<string, Measure[]>(proxies.map((proxy) => [proxy.name, []]));
  for (let round = 1; round <= rounds; round += 1) {
    for (const proxy of proxies) {
      const result = await measure(proxy.url, proxy.pid);
      results.get(proxy.name)!.push(result);
      const share = [...result.load.servedBy.values()].join('/');
      console.log(
        `  round ${round} ${proxy.name.padEnd(12)} ${result.cpuMicrosPerRequest.toFixed(1).padStart(6)} us CPU/request  ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  errors ${result.errors}  per node ${share}`,
      );
    }
  }
  const lab = median(results.get('lab balancer')!.map((m) => m.cpuMicrosPerRequest));
  const ref = median(results.get('haproxy')!.map((m) => m.cpuMicrosPerRequest));
  const labRate = median(results.get('lab balancer')!.map((m) => m.requestsPerSecond));
  const refRate = median(results.get('haproxy')!.map((m) => m.requestsPerSecond));
  console.log(
    `median CPU per proxied request: lab balancer ${lab.toFixed(1)} us, haproxy ${ref.toFixed(1)} us`,
  );
  console.log(`ratio lab/haproxy CPU per request: ${(lab / ref).toFixed(2)}x (aim: <= 2x)`);
  console.log(
    `median throughput: lab balancer ${labRate.toFixed(0)} req/s, haproxy ${refRate.toFixed(0)} req/s (both share 2 cores with the nodes and the load generator)`,
  );
} finally {
  await haproxy.stop();
  await stopTopology(state);
  await rm(dir, { recursive: true, force: true });
}
