// Runs k6 as its own process on the lab's k6 script for the journey, as
// the lab runs its own generator: its CPU is measured apart (the sampler
// follows its pid), and when it ends its summary becomes the same
// LoadTotals (k6-summary.ts) and its JSON output the same per-second
// series file (k6-points.ts). The series is built after k6 ends: a k6 run
// has no live line (docs/k6.md).
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { addHeld } from '../../loadgen/second-series.ts';
import { settingsOf } from '../../loadgen/runner.ts';
import { resolveLoadConfig } from '../../loadgen/config.ts';
import type { LoadConfig, LoadTotals } from '../../loadgen/types.ts';
import type { ScenarioThresholds } from '../../k6/lib/thresholds.ts';
import { LabError } from '../errors.ts';
import { ROOT } from '../paths.ts';
import { seriesFromK6Points } from './k6-points.ts';
import { parseK6Summary, totalsFromK6 } from './k6-summary.ts';

export interface K6Plan {
  /** The k6 binary (lab/tools/k6.ts found it). */
  k6Path: string;
  thresholds: ScenarioThresholds;
  nodes: number;
}

export interface K6Run {
  pid: number;
  /** k6 was started: its t = 0 is taken as the spawn (k6's own start-up is not subtracted). */
  started: Promise<number>;
  done: Promise<{ totals: LoadTotals; exitCode: number | null; notes: string[] }>;
  /** SIGINT: k6 stops the scenario and still writes its summary. */
  stop(): void;
}

/** The script a journey runs in k6. */
export function k6Script(journey: LoadConfig['journey']): string {
  return path.join(ROOT, 'k6', `${journey}.ts`);
}

/**
 * `k6 run` with the config as the scripts' environment (k6/lib/settings.ts),
 * resolved as the lab's generator resolves it: vus, the request timeout and
 * the refresh retries left out of the config get the generator's defaults,
 * not the scripts' own.
 */
export function k6Arguments(
  given: LoadConfig,
  plan: K6Plan,
  files: { summary: string; exported: string; points: string },
): string[] {
  const config = resolveLoadConfig(given);
  const env: Record<string, string> = {
    BASE_URL: config.url,
    MODEL: config.model,
    RATE: String(config.rate),
    DURATION: `${config.durationMs}ms`,
    STEPS: String(config.steps),
    THINK_MS: String(config.thinkMs),
    PARALLEL_WRITES: String(config.parallelWrites),
    SEED: String(config.seed),
    NODES: String(plan.nodes),
    LAB_THRESHOLDS: JSON.stringify(plan.thresholds),
    LAB_SUMMARY: files.summary,
    VUS: String(config.vus),
    TIMEOUT_MS: String(config.timeoutMs),
    REFRESH_RETRIES: String(config.refreshRetry.retries),
    REFRESH_WINDOW_MS: String(config.refreshRetry.windowMs),
  };
  return [
    'run',
    '--quiet',
    '--summary-export',
    files.exported,
    '--out',
    `json=${files.points}`,
    ...Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]),
    k6Script(config.journey),
  ];
}

/**
 * Starts k6 on `config`; its output goes to `<outDir>/<name>.k6.log`, its
 * summaries to `<name>.k6-summary.json` (handleSummary's data, read first)
 * and `<name>.k6-export.json` (--summary-export, read when the other is
 * absent), its samples to `<name>.k6-points.ndjson`, from which the lab writes
 * `<name>.series.ndjson` as its own generator does.
 */
export async function startK6(
  config: LoadConfig,
  plan: K6Plan,
  outDir: string,
  name: string,
): Promise<K6Run> {
  const files = {
    summary: path.join(outDir, `${name}.k6-summary.json`),
    exported: path.join(outDir, `${name}.k6-export.json`),
    points: path.join(outDir, `${name}.k6-points.ndjson`),
    series: path.join(outDir, `${name}.series.ndjson`),
    log: path.join(outDir, `${name}.k6.log`),
  };
  const log = createWriteStream(files.log);
  const startedAtMs = Date.now();
  const child = spawn(plan.k6Path, k6Arguments(config, plan, files), {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Traffic stays on loopback: no usage report to Grafana.
    env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
  });
  if (child.pid === undefined) {
    await exited.catch(() => undefined);
    log.end();
    throw new LabError('LOADGEN_FAILED', `k6 (${plan.k6Path}) did not start`);
  }
  const done = exited.then(async (exitCode) => {
    await new Promise<void>((resolve) => log.end(resolve));
    const text =
      (await readFile(files.summary, 'utf8').catch(() => undefined)) ??
      (await readFile(files.exported, 'utf8').catch(() => undefined));
    if (text === undefined) {
      const tail = (await readFile(files.log, 'utf8').catch(() => '')).trim().slice(-500);
      throw new LabError(
        'LOADGEN_FAILED',
        `k6 exited with ${exitCode} and wrote no summary: ${tail || 'no message'}`,
        `its output is in ${files.log}`,
      );
    }
    const resolved = resolveLoadConfig(config);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new LabError(
        'LOADGEN_FAILED',
        `k6's summary is not JSON: ${(error as Error).message}`,
        `see ${files.summary} and ${files.log}`,
      );
    }
    const { totals, notes } = totalsFromK6(parseK6Summary(json, files.summary), {
      startedAtMs,
      wallMs: Date.now() - startedAtMs,
      settings: settingsOf(resolved),
    });
    const series = await readPoints(files.points, startedAtMs);
    await writeFile(files.series, series.map((point) => JSON.stringify(point) + '\n').join(''));
    if (series.length === 0) notes.push(`k6 wrote no samples to ${files.points}: no timeline`);
    // Only the series splits held answers by node (k6's summary has no such submetric).
    const held: NonNullable<LoadTotals['heldAnswersByNode']> = {};
    for (const point of series) {
      for (const [node, add] of Object.entries(point.heldAnswersByNode ?? {})) {
        addHeld(held, node, add);
      }
    }
    totals.heldAnswersByNode = held;
    return { totals, exitCode, notes };
  });
  // Whoever awaits `done` sees its error; a path that does not must not crash the lab.
  done.catch(() => undefined);
  return {
    pid: child.pid,
    started: Promise.resolve(startedAtMs),
    done,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGINT');
    },
  };
}

/** The series from k6's JSON output; empty when it wrote none. */
async function readPoints(file: string, startedAtMs: number) {
  const input = createReadStream(file, 'utf8');
  const missing = new Promise<boolean>((resolve) => {
    input.once('error', () => resolve(true));
    input.once('open', () => resolve(false));
  });
  if (await missing) return [];
  return seriesFromK6Points(createInterface({ input, crlfDelay: Infinity }), startedAtMs);
}
