// Generator-cost benchmark, run by hand:
//   npm run bench:generator [-- --rate J --duration S --rounds R --connections C --nodes N
//                               --profile DIR --node-args '--v8-flag ...']
// How much CPU the lab's load generator spends per request, against wrk on
// one URL as the floor of what any HTTP client must spend. Both run against
// the same real topology (nodes behind the lab balancer), in interleaved
// rounds so machine noise hits both:
//   generator: loadgen/main.ts as `lab run` starts it, the `shop` journey
//     (login, `steps` requests of the mix, logout; every request timed, per-
//     second series, consistency checks), open model at `--rate` journeys/s;
//   wrk: one thread, `--connections` keep-alive connections, GET /healthz
//     through the balancer, run about as long as it takes to send as many
//     requests as the generator round just did.
// CPU is user + system time of each process from /proc: the generator's from
// its t = 0 to its exit, wrk's whole life. Prints µs of CPU per request, the
// median over the rounds and the ratio generator/wrk.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startTopology, stopTopology } from '../../lab/topology/topology.ts';
import { toolNamed } from '../../lab/tools/index.ts';
import type { LoadConfig } from '../../loadgen/types.ts';
import { runGenerator, type GeneratorResult } from './generator.ts';
import { runWrk, type WrkResult } from './wrk.ts';

const { values } = parseArgs({
  // `npm run bench:generator -- --rounds 3` passes the `--` on: skip it.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    rate: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    nodes: { type: 'string', default: '2' },
    steps: { type: 'string', default: '10' },
    'think-ms': { type: 'string', default: '100' },
    profile: { type: 'string' },
    /** Extra node flags for the generator (space-separated), to try a V8 setting. */
    'node-args': { type: 'string', default: '' },
  },
});
const rate = Number(values.rate);
const durationS = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const steps = Number(values.steps);
const thinkMs = Number(values['think-ms']);
for (const [name, value] of Object.entries({ rate, durationS, rounds, connections, steps })) {
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number`);
    process.exit(2);
  }
}

const wrk = await toolNamed('wrk')?.find();
if (!wrk) {
  console.error('wrk is missing: run `npx lab setup --install` (Debian package wrk)');
  process.exit(1);
}
const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-generator-'));
const state = await startTopology({
  stateDir: dir,
  nodes: Number(values.nodes),
  port: 0,
  adminPort: 0,
  detached: false,
});
const cleanup = async () => {
  await stopTopology(state);
  await rm(dir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: stopping everything the bench started`);
    void cleanup().finally(() => process.exit(130));
  });
}

const config = (seconds: number, seed: number): LoadConfig => ({
  url: state.balancer.url,
  strategy: 'sticky',
  journey: 'shop',
  model: 'open',
  rate,
  durationMs: Math.round(seconds * 1000),
  steps,
  thinkMs,
  parallelWrites: 1,
  seed,
});
const perRequest = (run: { cpuMicros: number; requests: number }) =>
  run.requests > 0 ? run.cpuMicros / run.requests : Number.NaN;
const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const line = (name: string, run: GeneratorResult | WrkResult) =>
  `${name.padEnd(9)} ${perRequest(run).toFixed(1).padStart(6)} µs CPU/request ` +
  `(user ${(run.cpu.user / run.requests).toFixed(1)}, system ${(run.cpu.system / run.requests).toFixed(1)})  ` +
  `${String(run.requests).padStart(7)} requests in ${run.elapsedS.toFixed(1)} s ` +
  `(${(run.requests / run.elapsedS).toFixed(0)} req/s), errors ${run.errors}` +
  ('errorsByKind' in run && run.errors > 0 ? ` ${JSON.stringify(run.errorsByKind)}` : '');

try {
  console.log(
    `generator-cost benchmark: ${state.nodes.length} nodes behind the lab balancer (sticky), ${os.cpus().length} cores, ` +
      `${rounds} rounds, generator and wrk interleaved; CPU = utime+stime from /proc ` +
      `(generator: from its t = 0 to its exit; wrk: its whole run)`,
  );
  console.log(
    `  generator: loadgen/main.ts, shop journey (${steps} steps, think ${thinkMs} ms), open model at ${rate} journeys/s for ${durationS} s`,
  );
  console.log(
    `  wrk ${wrk.version.split(' ')[1] ?? ''}: -t1 -c${connections}, GET /healthz through the balancer, as long as it takes for about the generator's request count`,
  );
  // Warm-up (not measured): JIT of the balancer and nodes, and wrk's rate for sizing its runs.
  await runGenerator(config(3, 1), dir, 'warmup');
  const healthz = `${state.balancer.url}/healthz`;
  const warm = await runWrk(wrk.path, healthz, connections, 2);
  let wrkRate = warm.requests / warm.elapsedS;

  const generatorRuns: GeneratorResult[] = [];
  const wrkRuns: WrkResult[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const profileArgs = [
      ...values['node-args'].split(' ').filter((arg) => arg !== ''),
      ...(values.profile && round === rounds
        ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values.profile)]
        : []),
    ];
    const generator = await runGenerator(
      config(durationS, 42 + round),
      dir,
      `round-${round}`,
      profileArgs,
    );
    generatorRuns.push(generator);
    const wrkRun = await runWrk(
      wrk.path,
      healthz,
      connections,
      Math.ceil(generator.requests / wrkRate),
    );
    wrkRuns.push(wrkRun);
    wrkRate = wrkRun.requests / wrkRun.elapsedS;
    console.log(`  round ${round} ${line('generator', generator)}`);
    console.log(`  round ${round} ${line('wrk', wrkRun)}`);
  }
  const generatorMedian = median(generatorRuns.map(perRequest));
  const wrkMedian = median(wrkRuns.map(perRequest));
  console.log(
    `median CPU per request: generator ${generatorMedian.toFixed(1)} µs (aim: <= 40), wrk ${wrkMedian.toFixed(1)} µs`,
  );
  console.log(`ratio generator/wrk CPU per request: ${(generatorMedian / wrkMedian).toFixed(2)}x`);
  if (values.profile) console.log(`CPU profile of the last generator round: ${values.profile}`);
} finally {
  await cleanup();
}
