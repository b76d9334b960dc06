// Strategy benchmark, run by hand:
//   node bench/strategies/run.ts [--rate R --warmup S --duration S --strategies a,b
//                                 --users U --sessions N --seed X --max-in-flight M
//                                 --quiet-wait S --json FILE]
// One topology (3 nodes, the lab balancer) for the whole run, switched live
// from strategy to strategy in the order given. Each gets the same seeded
// request mix at the same fixed arrival rate (bench/open-load.ts), so node,
// store and balancer CPU per request, latency and errors compare; then N more
// logins measure the memory a session takes where the strategy keeps it.
// Progress goes to stderr, the report to stdout. Everything it starts is
// stopped again, on error and on Ctrl-C too.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { requireRedisUsers } from '../../lab/services/redis-server.ts';
import type { LabState } from '../../lab/topology/state.ts';
import { ALL_STRATEGIES } from '../../lab/run/scenario-schema.ts';
import { parseStrategyChoice } from '../../lab/strategy/config.ts';
import { stopServices } from '../../lab/strategy/services.ts';
import { switchStrategy } from '../../lab/strategy/switch.ts';
import { firstLine } from '../../lab/tools/exec.ts';
import { HAZELCAST_VERSION } from '../../lab/tools/hazelcast.ts';
import { startTopology, stopTopology } from '../../lab/topology/topology.ts';
import { measureStrategy, type BenchSettings, type StrategyResult } from './measure-strategy.ts';
import { infoField, redisInfo } from '../../lab/run/probes/redis-info.ts';
import { header, loadTable, memoryTable, warnings, type Environment } from './report.ts';

const { values } = parseArgs({
  // `npm run bench:strategies -- --rate 300` passes the `--` on: skip it.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    // On 2 cores the clustered strategies need ~1.3 cores at 400 req/s: too little
    // headroom on a shared machine (drops seen). Per-request CPU barely depends on the rate.
    rate: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '5' },
    duration: { type: 'string', default: '20' },
    strategies: { type: 'string', default: ALL_STRATEGIES.join(',') },
    users: { type: 'string', default: '200' },
    sessions: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '42' },
    'max-in-flight': { type: 'string', default: '200' },
    'quiet-wait': { type: 'string', default: '20' },
    json: { type: 'string' },
  },
});

function whole(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
    process.exit(2);
  }
  return value;
}

const settings: BenchSettings = {
  rate: whole('rate', values.rate, 1, 5000),
  warmupMs: whole('warmup', values.warmup, 0, 120) * 1000,
  durationMs: whole('duration', values.duration, 1, 300) * 1000,
  users: whole('users', values.users, 1, 10_000),
  sessions: whole('sessions', values.sessions, 1, 100_000),
  seed: whole('seed', values.seed, 0, 2 ** 32 - 1),
  maxInFlight: whole('max-in-flight', values['max-in-flight'], 1, 10_000),
  timeoutMs: 5000,
  quietWaitMs: whole('quiet-wait', values['quiet-wait'], 0, 600) * 1000,
};
let choices;
try {
  choices = values.strategies.split(',').map((name) => parseStrategyChoice(name.trim()));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const names = choices.map((c) => (c.variant ? `${c.name}:${c.variant}` : c.name));

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// Every Node process the lab spawns from here on opens an inspector on a free
// loopback port, so the memory phase can force a GC and read the heap. It is
// only attached to during that phase, never while the load runs.
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`.trim();

const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-strategies-'));
let state: LabState | undefined;
let cleaning: Promise<void> | undefined;
/** Stops everything this run started; keeps the logs (and says where) when the run failed. */
const cleanup = (keepLogs: boolean) =>
  (cleaning ??= (async () => {
    if (state) {
      await stopTopology(state).catch((error: Error) =>
        progress(`stopping the topology: ${error.message}`),
      );
      await stopServices(state).catch((error: Error) =>
        progress(`stopping the stores: ${error.message}`),
      );
    }
    if (keepLogs) progress(`logs of the nodes, balancer and stores kept in ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  })());
process.once('SIGINT', () => {
  progress('interrupted: stopping everything');
  void cleanup(false).finally(() => process.exit(130));
});

const results: StrategyResult[] = [];
const startedAt = Date.now();
let finished = false;
try {
  progress(`starting 3 nodes and the balancer in ${dir}`);
  state = await startTopology({
    stateDir: dir,
    nodes: 3,
    port: 0,
    adminPort: 0,
    detached: false,
  });
  for (const choice of choices) {
    const name = choice.variant ? `${choice.name}:${choice.variant}` : choice.name;
    progress(
      `switching to ${name}${choice.name === 'clustered' && !state.services?.hazelcast ? ' (starting JVMs: slow)' : ''}`,
    );
    // Direct store connections: a Toxiproxy hop would add its own round-trip cost to the store strategies.
    const { tookMs } = await switchStrategy(dir, state, choice, {
      detached: false,
      networkLinks: false,
    });
    progress(
      `${name}: switched in ${tookMs} ms; login, warm-up, ${settings.durationMs / 1000} s measure, ${settings.sessions} sessions`,
    );
    const result = await measureStrategy(state, choice, settings);
    progress(
      `${name}: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, errors ${result.errorCount}, dropped ${result.dropped}`,
    );
    results.push(result);
  }

  const redis = state.services?.redis;
  const java = state.services?.hazelcast ? await firstLine('java', ['-version']) : undefined;
  const env: Environment = {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? '?',
    node: process.version,
    redis: redis
      ? infoField(
          await redisInfo(
            Number(new URL(redis.address).port),
            'server',
            requireRedisUsers(redis).probe,
          ),
          'redis_version',
        )
      : undefined,
    hazelcast: java ? `${HAZELCAST_VERSION} on ${java}` : undefined,
  };
  const report = [
    header(settings, env, names),
    '',
    loadTable(results),
    '',
    memoryTable(results),
    '',
    ...warnings(results, settings),
    `total run ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
  ].join('\n');
  console.log(report);
  if (values.json) {
    await writeFile(
      values.json,
      JSON.stringify({ settings, environment: env, strategies: names, results }, null, 2) + '\n',
    );
    progress(`wrote ${values.json}`);
  }
  finished = true;
} finally {
  await cleanup(!finished);
}
