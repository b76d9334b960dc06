// The load generator process, standing in for k6 (which these machines cannot
// have): node loadgen/main.ts --config CONFIG.json --series SERIES.ndjson --totals TOTALS.json
//
// stdout: first `{"started": EPOCH_MS}` at t = 0 (so the lab times its chaos
// steps and samples from the load's own start), then one SecondPoint JSON line
// per second (the same as the series file); messages go to stderr. Exit codes: 0 done, 2 bad arguments or
// config, 130 interrupted (SIGINT/SIGTERM; series and totals still written),
// 1 anything else.
import { parseArgs } from 'node:util';
import { ConfigError, readLoadConfig, resolveLoadConfig } from './config.ts';
import { SeriesFile, writeTotals } from './output.ts';
import { LoadRun } from './runner.ts';

const USAGE =
  'usage: node loadgen/main.ts --config CONFIG.json --series SERIES.ndjson --totals TOTALS.json';

function fail(code: number, message: string): never {
  process.stderr.write(`loadgen: ${message}\n`);
  process.exit(code);
}

function files(): { config: string; series: string; totals: string } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string' },
        series: { type: 'string' },
        totals: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(2, `${(error as Error).message}; ${USAGE}`);
  }
  const { config, series, totals } = values;
  if (typeof config !== 'string' || typeof series !== 'string' || typeof totals !== 'string') {
    fail(2, `--config, --series and --totals are all required; ${USAGE}`);
  }
  return { config, series, totals };
}

const paths = files();
const config = await readLoadConfig(paths.config).catch((error: unknown) => {
  if (error instanceof ConfigError) fail(2, `bad config ${paths.config}: ${error.message}`);
  throw error;
});

const resolved = resolveLoadConfig(config);
process.stderr.write(
  `loadgen: ${resolved.journey} journey, ${resolved.model} model, vus ${resolved.vus} (${resolved.vusSource}), ` +
    `timeout ${resolved.timeoutMs} ms (balancer upstream ${resolved.balancerUpstreamTimeoutMs} ms)\n`,
);

let series: SeriesFile;
try {
  series = new SeriesFile(paths.series);
} catch (error) {
  fail(2, `cannot write the series file: ${(error as Error).message}`);
}
// A reader that went away (EPIPE) is no reason to lose the run: the series file has every line.
let stdoutOpen = true;
process.stdout.on('error', () => (stdoutOpen = false));
const run = new LoadRun(
  config,
  (point) => {
    const line = series.append(point);
    if (stdoutOpen) process.stdout.write(line);
  },
  (startedAtMs) => {
    if (stdoutOpen) process.stdout.write(JSON.stringify({ started: startedAtMs }) + '\n');
  },
);
const onSignal = (signal: NodeJS.Signals) => {
  process.stderr.write(`loadgen: ${signal}: stopping, writing what was measured\n`);
  run.interrupt();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const { totals, interrupted } = await run.run();
series.close();
writeTotals(paths.totals, totals);
// Its own cost, so a reader can tell whether the client limited the run.
const { user, system } = process.cpuUsage();
const perRequest = totals.requests > 0 ? Math.round((user + system) / totals.requests) : 0;
process.stderr.write(
  `loadgen: ${interrupted ? 'interrupted' : 'done'}: ${totals.requests} requests in ${totals.elapsedMs} ms, ` +
    `cpu ${Math.round((user + system) / 1000)} ms (${perRequest} µs/request incl. start-up)\n`,
);
process.exit(interrupted ? 130 : 0);
