// The one place a run picks its load generator (a scenario's
// `load.generator`): the lab's own, or k6 on the scripts in k6/. Both give
// the same handle: a pid to measure, t = 0, the totals, a way to stop.
import type { LoadConfig, LoadTotals, SecondPoint } from '../../loadgen/types.ts';
import { requireK6 } from '../tools/k6.ts';
import { startK6 } from './k6-process.ts';
import { startLoadgen, type LoadgenPart, type LoadgenPartResult } from './loadgen-process.ts';
import type { Scenario } from './scenario-schema.ts';

export interface GeneratorRun {
  pid: number;
  /** Each generator process (the lab's may run several: load.processes; k6 is one). */
  parts: LoadgenPart[];
  /** Resolves at the load's t = 0 (epoch ms); rejects if the generator ends first. */
  started: Promise<number>;
  /** `notes`: what the reader of the generator's output could not tell (summary.json warnings). */
  done: Promise<{
    totals: LoadTotals;
    exitCode: number | null;
    notes: string[];
    parts: LoadgenPartResult[];
  }>;
  stop(): void;
}

/** Starts the scenario's generator on `config`; raw output under `outDir` as `<name>.*`. */
export async function startGenerator(
  scenario: Scenario,
  config: LoadConfig,
  outDir: string,
  name: string,
  onSecond: (point: SecondPoint) => void,
): Promise<GeneratorRun> {
  if (scenario.load.generator === 'k6') {
    const k6 = await requireK6();
    const run = await startK6(
      config,
      { k6Path: k6.path, thresholds: scenario.thresholds, nodes: scenario.topology.nodes },
      outDir,
      name,
    );
    // One k6 process, watched under the name the sampler gives a single generator.
    const part = { name: 'loadgen', pid: run.pid };
    const done = run.done.then((outcome) => ({
      ...outcome,
      parts: [{ ...part, requests: outcome.totals.requests, exitCode: outcome.exitCode }],
    }));
    done.catch(() => undefined); // as k6-process: its awaiter sees the error
    return { ...run, parts: [part], done };
  }
  const run = await startLoadgen(config, outDir, name, onSecond);
  const done = run.done.then((outcome) => ({ ...outcome, notes: [] }));
  done.catch(() => undefined); // as loadgen-process: its awaiter sees the error
  return { pid: run.pid, parts: run.parts, started: run.started, done, stop: () => run.stop() };
}
