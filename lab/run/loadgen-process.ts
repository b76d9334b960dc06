// Runs the load generator as its own process, as k6 would be: its CPU is
// then measured apart from the lab's, and a busy lab cannot slow the load.
// Each second it prints one SecondPoint line, which feeds the progress line.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { LoadConfig, LoadTotals, SecondPoint } from '../../loadgen/types.ts';
import { LabError } from '../errors.ts';
import { NODE_BIN, ROOT } from '../paths.ts';

export interface LoadgenRun {
  pid: number;
  /** Resolves at the load's t = 0 (the generator's own clock, epoch ms); rejects if it ends first. */
  started: Promise<number>;
  /** Resolves when the process ended and its totals are read. */
  done: Promise<{ totals: LoadTotals; exitCode: number | null }>;
  /** Asks it to stop early (SIGTERM): it still writes what it measured. */
  stop(): void;
}

/**
 * Starts `node loadgen/main.ts` with `config`; its raw output goes to
 * `<outDir>/<name>.series.ndjson` and `<name>.totals.json`.
 */
export async function startLoadgen(
  config: LoadConfig,
  outDir: string,
  name: string,
  onSecond: (point: SecondPoint) => void,
): Promise<LoadgenRun> {
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

/** Reads back the per-second series the generator wrote. */
export async function readSeries(outDir: string, name: string): Promise<SecondPoint[]> {
  const text = await readFile(path.join(outDir, `${name}.series.ndjson`), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SecondPoint);
}
