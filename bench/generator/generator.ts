// One run of the lab's generator (loadgen/main.ts) as `lab run` starts it: a
// child process with a config file, its series and totals files. Its CPU is
// counted from the load's t = 0 (the `started` line) to its exit, so Node's
// start-up (loading and compiling its modules) is charged to no request;
// writing the totals at the end is included.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../../lab/paths.ts';
import type { LoadConfig, LoadTotals } from '../../loadgen/types.ts';
import { cpuOf, spawnMeasured, type Cpu } from './child-cpu.ts';

export interface GeneratorResult {
  requests: number;
  errors: number;
  errorsByKind: Record<string, number>;
  elapsedS: number;
  /** CPU from t = 0 to the exit, µs. */
  cpuMicros: number;
  cpu: Cpu;
}

/**
 * Runs the generator with `config`; `nodeArgs` go to node before the script
 * (`--cpu-prof ...` for a profile).
 */
export async function runGenerator(
  config: LoadConfig,
  dir: string,
  name: string,
  nodeArgs: string[] = [],
): Promise<GeneratorResult> {
  const files = {
    config: path.join(dir, `${name}.config.json`),
    series: path.join(dir, `${name}.series.ndjson`),
    totals: path.join(dir, `${name}.totals.json`),
  };
  await writeFile(files.config, JSON.stringify(config));
  const script = path.join(ROOT, 'loadgen', 'main.ts');
  const measured = await spawnMeasured(process.execPath, [
    ...nodeArgs,
    script,
    '--config',
    files.config,
    '--series',
    files.series,
    '--totals',
    files.totals,
  ]);
  let stderr = '';
  measured.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let atStart: Promise<Cpu | undefined> | undefined;
  createInterface({ input: measured.stdout }).on('line', (line) => {
    if (atStart === undefined && line.startsWith('{"started"')) {
      atStart = cpuOf(measured.pid);
    }
  });
  const { status, cpu } = await measured.done;
  const startCpu = await atStart;
  if (status !== 0 || startCpu === undefined) {
    throw new Error(`the generator failed (status ${status}): ${stderr.trim().slice(-500)}`);
  }
  const totals = JSON.parse(await readFile(files.totals, 'utf8')) as LoadTotals;
  return {
    requests: totals.requests,
    errors: totals.errors,
    errorsByKind: totals.errorsByKind,
    elapsedS: totals.elapsedMs / 1000,
    cpuMicros: cpu.user - startCpu.user + cpu.system - startCpu.system,
    cpu: { user: cpu.user - startCpu.user, system: cpu.system - startCpu.system },
  };
}
