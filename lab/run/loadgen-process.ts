// Runs the load generator as its own process, as k6 would be: its CPU is
// then measured apart from the lab's, and a busy lab cannot slow the load.
// Each second it prints one SecondPoint line, which feeds the progress line.
// With `processes` > 1 the load is split among that many generator processes
// (k6's and Gatling's distributed load): each gets its share of the rate and
// of `vus` and its own user names, and their figures are merged
// (merge-loadgen.ts) into the files one process would have written.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { LoadConfig, LoadTotals, SecondPoint } from '../../loadgen/types.ts';
import { LabError } from '../errors.ts';
import { NODE_BIN, ROOT } from '../paths.ts';
import { mergePoints, mergeSeries, mergeTotals } from './merge-loadgen.ts';

/** One generator process of a load, and what it did. */
export interface LoadgenPart {
  /** `loadgen` when the load has one process; `loadgen-1`, `loadgen-2`... otherwise. */
  name: string;
  pid: number;
}

export interface LoadgenPartResult extends LoadgenPart {
  requests: number;
  exitCode: number | null;
}

export interface LoadgenRun {
  /** The first part's pid. */
  pid: number;
  parts: LoadgenPart[];
  /** Resolves at the load's t = 0 (the generator's own clock, epoch ms); rejects if it ends first. */
  started: Promise<number>;
  /** Resolves when every process ended and the totals are read (merged when several). */
  done: Promise<{
    totals: LoadTotals;
    exitCode: number | null;
    parts: LoadgenPartResult[];
  }>;
  /** Asks it to stop early (SIGTERM): it still writes what it measured. */
  stop(): void;
}

/** Part `index` of `config` split in `processes`: its share of the rate and of vus, its own seed. */
export function partConfig(config: LoadConfig, index: number, processes: number): LoadConfig {
  const share = (total: number) =>
    Math.max(1, Math.floor(total / processes) + (index < total % processes ? 1 : 0));
  return {
    ...config,
    rate: config.rate / processes,
    ...(config.vus !== undefined ? { vus: share(config.vus) } : {}),
    seed: (config.seed + index) >>> 0,
    processes,
    part: index,
  };
}

/**
 * Starts the generator with `config`, as `config.processes` processes (default
 * 1); the raw output goes to `<outDir>/<name>.series.ndjson` and
 * `<name>.totals.json` (merged), each part's to `<name>.part-N.*`.
 */
export async function startLoadgen(
  config: LoadConfig,
  outDir: string,
  name: string,
  onSecond: (point: SecondPoint) => void,
): Promise<LoadgenRun> {
  const processes = config.processes ?? 1;
  if (processes <= 1) {
    const run = await startPart(config, outDir, name, onSecond);
    const part = { name: 'loadgen', pid: run.pid };
    return {
      ...run,
      parts: [part],
      done: run.done.then((result) => ({
        ...result,
        parts: [{ ...part, requests: result.totals.requests, exitCode: result.exitCode }],
      })),
    };
  }
  // The live line gets a second once every part has sent it.
  const pending = new Map<number, SecondPoint[]>();
  const onPartSecond = (point: SecondPoint) => {
    const points = [...(pending.get(point.t) ?? []), point];
    if (points.length < processes) pending.set(point.t, points);
    else {
      pending.delete(point.t);
      onSecond(mergePoints(points));
    }
  };
  const runs: Awaited<ReturnType<typeof startPart>>[] = [];
  try {
    for (let index = 0; index < processes; index += 1) {
      const part = partConfig(config, index, processes);
      runs.push(await startPart(part, outDir, `${name}.part-${index + 1}`, onPartSecond));
    }
  } catch (error) {
    for (const run of runs) run.stop();
    throw error;
  }
  const parts = runs.map((run, index) => ({ name: `loadgen-${index + 1}`, pid: run.pid }));
  const started = Promise.all(runs.map((run) => run.started)).then((times) => Math.min(...times));
  const done = Promise.all(runs.map((run) => run.done)).then(async (results) => {
    const series = await Promise.all(
      runs.map((_, index) => readSeries(outDir, `${name}.part-${index + 1}`)),
    );
    const merged = mergeSeries(series);
    const totals = mergeTotals(results.map((result) => result.totals));
    await writeFile(
      path.join(outDir, `${name}.series.ndjson`),
      merged.map((point) => JSON.stringify(point) + '\n').join(''),
    );
    await writeFile(
      path.join(outDir, `${name}.totals.json`),
      JSON.stringify(totals, null, 2) + '\n',
    );
    return {
      totals,
      exitCode: results.find((result) => result.exitCode !== 0)?.exitCode ?? 0,
      parts: parts.map((part, index) => ({
        ...part,
        requests: results[index]!.totals.requests,
        exitCode: results[index]!.exitCode,
      })),
    };
  });
  started.catch(() => undefined);
  done.catch(() => undefined);
  return {
    pid: parts[0]!.pid,
    parts,
    started,
    done,
    stop: () => runs.forEach((run) => run.stop()),
  };
}

/** One generator process: `node loadgen/main.ts` with `config`, its files named after `name`. */
async function startPart(
  config: LoadConfig,
  outDir: string,
  name: string,
  onSecond: (point: SecondPoint) => void,
): Promise<Omit<LoadgenRun, 'parts' | 'done'> & { done: Promise<PartDone> }> {
  const configFile = path.join(outDir, `${name}.config.json`);
  const seriesFile = path.join(outDir, `${name}.series.ndjson`);
  const totalsFile = path.join(outDir, `${name}.totals.json`);
  await writeFile(configFile, JSON.stringify(config, null, 2) + '\n');
  const child = spawn(
    NODE_BIN,
    [
      path.join(ROOT, 'loadgen', 'main.ts'),
      '--config',
      configFile,
      '--series',
      seriesFile,
      '--totals',
      totalsFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  let markStarted: (startedAtMs: number) => void = () => undefined;
  const started = new Promise<number>((resolve) => (markStarted = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let parsed: SecondPoint | { started: number };
    try {
      parsed = JSON.parse(line) as SecondPoint | { started: number };
    } catch {
      return; // a stray line (a warning) is not a data point; the series file has the data
    }
    if ('started' in parsed) markStarted(parsed.started);
    else onSecond(parsed);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
  });
  if (child.pid === undefined) {
    await exited;
    throw new LabError('LOADGEN_FAILED', 'the load generator did not start');
  }
  const done = exited.then(async (exitCode) => {
    let totals: LoadTotals;
    try {
      totals = JSON.parse(await readFile(totalsFile, 'utf8')) as LoadTotals;
    } catch {
      throw new LabError(
        'LOADGEN_FAILED',
        `the load generator exited with ${exitCode} and wrote no totals: ${stderr.join('').trim().slice(0, 500) || 'no message'}`,
        `its config is ${configFile}`,
      );
    }
    return { totals, exitCode };
  });
  // A generator that dies before it starts must not leave the caller waiting.
  const startedOrEnded = Promise.race([
    started,
    done.then(() => {
      throw new LabError('LOADGEN_FAILED', 'the load generator ended before its load started');
    }),
  ]);
  // Whoever awaits these sees their errors; a path that awaits only one of
  // them (the warm-up, a failure before the load ends) must not crash the lab.
  startedOrEnded.catch(() => undefined);
  done.catch(() => undefined);
  return {
    pid: child.pid,
    started: startedOrEnded,
    done,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}

interface PartDone {
  totals: LoadTotals;
  exitCode: number | null;
}

/** Reads back the per-second series the generator wrote. */
export async function readSeries(outDir: string, name: string): Promise<SecondPoint[]> {
  const text = await readFile(path.join(outDir, `${name}.series.ndjson`), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SecondPoint);
}
