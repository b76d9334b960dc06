// What serving the live page costs the lab: the same short run (sticky, two
// nodes, node-2 killed at 3 s) made in this process with and without the
// live page, alternately, and this process's CPU time (user + system,
// process.cpuUsage) over each run printed. With the page, a separate curl
// process holds the event stream open, as a browser would, so every message
// is serialised and written; the browser's own drawing is not the lab's CPU
// and is not counted. Nor are the nodes, balancer and load generator: they
// are separate processes and do the same work either way.
//
// A whole run's CPU varies more from run to run on a shared machine than the
// page costs, so the bench then times the page's own work apart: one
// second's figures (the last SecondPoint of the runs) published N times to a
// live server with a reader attached, CPU per message.
//
//   node bench/live/cpu-overhead.ts [--pairs 3] [--duration 10] [--rate 10] [--messages 5000]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { LiveFeed } from '../../lab/live/live-feed.ts';
import { startRunLive } from '../../lab/live/live-run.ts';
import { LiveServer } from '../../lab/live/live-server.ts';
import { LivePage } from '../../lab/live/page.ts';
import { waitFor } from '../../lab/process/wait.ts';
import type { SecondPoint } from '../../loadgen/types.ts';
import { runScenario } from '../../lab/run/run-scenario.ts';
import { parseScenario } from '../../lab/run/scenario.ts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '10' },
    messages: { type: 'string', default: '5000' },
  },
});
const pairs = Number(values.pairs);
const scenario = parseScenario(
  {
    name: 'live-overhead',
    topology: { nodes: 2 },
    strategies: ['sticky'],
    load: { rate: Number(values.rate), durationS: Number(values.duration), warmupS: 0, steps: 5 },
    chaos: [{ at: '3s', action: 'kill', target: 'node-2' }],
    probes: { enabled: false },
  },
  'bench/live/cpu-overhead.ts',
);

interface Measure {
  live: boolean;
  cpuMs: number;
  requests: number;
  messages: number;
}

async function once(live: boolean, runsDir: string): Promise<Measure> {
  const started = process.cpuUsage();
  const page = live ? await startRunLive(scenario, 0) : undefined;
  let received = 0;
  const reader = page
    ? spawn('curl', ['-sN', `${page.url}events`], { stdio: ['ignore', 'pipe', 'ignore'] })
    : undefined;
  reader?.stdout?.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8').split('\ndata: ').length - 1;
  });
  let last: SecondPoint | undefined;
  const { summary } = await runScenario({
    scenario,
    runsDir,
    signal: new AbortController().signal,
    progress: () => undefined,
    onSecond: (strategy, phase, point) => {
      last = point;
      page?.feed.second(strategy, phase, point);
    },
    observer: page?.feed,
  });
  await page?.close('the run has ended');
  const used = process.cpuUsage(started);
  if (reader) await new Promise((resolve) => reader.once('exit', resolve));
  if (last) lastPoint = last;
  return {
    live,
    cpuMs: Math.round((used.user + used.system) / 1000),
    requests: summary.strategies[0]?.totals.requests ?? 0,
    messages: received,
  };
}

let lastPoint: SecondPoint | undefined;

/** CPU of this process per message published to a live server and written to one reader, µs. */
async function streamCost(point: SecondPoint, count: number): Promise<number> {
  const feed = new LiveFeed();
  const server = new LiveServer({ feed, page: await LivePage.load() });
  const url = await server.listen(0);
  const reader = spawn('curl', ['-sN', `${url}events`], { stdio: ['ignore', 'pipe', 'ignore'] });
  let received = 0;
  let connected: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  createInterface({ input: reader.stdout }).on('line', (line) => {
    if (line.startsWith('retry:')) connected();
    if (line.startsWith('data: ')) received += 1;
  });
  await ready;
  const started = process.cpuUsage();
  for (let t = 0; t < count; t++) {
    feed.publish({ type: 'second', strategy: 'sticky', phase: 'load', point: { ...point, t } });
    if (t % 100 === 99) await new Promise((resolve) => setImmediate(resolve)); // let the socket drain
  }
  await waitFor(() => received >= count, {
    timeoutMs: 60000,
    what: 'the reader to get every message',
  });
  const used = process.cpuUsage(started);
  await server.close();
  await new Promise((resolve) => reader.once('exit', resolve));
  return (used.user + used.system) / count;
}

const runsDir = await mkdtemp(path.join(os.tmpdir(), 'live-overhead-'));
const results: Measure[] = [];
try {
  // Not counted: the first run in a process also loads and compiles the lab's modules.
  await once(true, runsDir);
  for (let pair = 0; pair < pairs; pair++) {
    // Alternated, so a machine that gets busier during the bench weighs on both.
    for (const live of pair % 2 === 0 ? [false, true] : [true, false]) {
      const result = await once(live, runsDir);
      results.push(result);
      console.log(
        `${live ? 'with --live   ' : 'without --live'}  lab CPU ${String(result.cpuMs).padStart(5)} ms  ` +
          `${result.requests} requests${live ? `, ${result.messages} messages streamed` : ''}`,
      );
    }
  }
} finally {
  await rm(runsDir, { recursive: true, force: true });
}
const mean = (live: boolean) => {
  const picked = results.filter((result) => result.live === live).map((result) => result.cpuMs);
  return picked.reduce((sum, value) => sum + value, 0) / picked.length;
};
const without = mean(false);
const withLive = mean(true);
console.log(
  `\n${os.cpus().length} cores, ${scenario.load.durationS} s of load at ${scenario.load.rate} journeys/s per run, ${pairs} pairs.\n` +
    `lab process CPU, mean: ${without.toFixed(0)} ms without --live, ${withLive.toFixed(0)} ms with ` +
    `(${(withLive - without).toFixed(0)} ms, ${(((withLive - without) / without) * 100).toFixed(1)} %).\n` +
    'Counted: this process only (the run, its sampler and chaos, the live server); not the nodes, ' +
    'balancer, load generator or browser. Includes starting the page (reading uPlot) once per run.',
);
if (lastPoint) {
  const count = Number(values.messages);
  const perMessage = await streamCost(lastPoint, count);
  const bytes = JSON.stringify({
    type: 'second',
    strategy: 'sticky',
    phase: 'load',
    point: lastPoint,
  }).length;
  console.log(
    `\nThe page's own work: ${perMessage.toFixed(1)} µs of CPU per message (${count} one-second messages of ${bytes} bytes, ` +
      'JSON and write to one reader). A run sends about four messages a second (its second, the process samples, ' +
      `the nodes view, a phase or chaos step now and then): about ${((perMessage * 4) / 1e6).toFixed(5)} cores per open page.`,
  );
}
