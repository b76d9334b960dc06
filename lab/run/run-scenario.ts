// `lab run`: every strategy of a scenario in turn under the same load and
// chaos timeline, into one run folder (docs/run-folder.md): scenario.json, the
// generator's raw output in load/, events.ndjson, summary.json, the reports,
// and each strategy's process logs in lab/<strategy>/logs. An interrupt
// stops the strategy in progress cleanly and still writes what was measured.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { LabError } from '../errors.ts';
import path from 'node:path';
import { busyCores, machineTicks } from '../process/machine-load.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkRunTools } from './run-tools.ts';
import type { Scenario } from './scenario-schema.ts';
import { runLabels } from './balancer-choice.ts';
import type { RunObserver } from './run-observer.ts';
import { runStrategy, strategyEvents } from './strategy-run.ts';
import {
  SUMMARY_SCHEMA_VERSION,
  type RunSummary,
  type StrategySummary,
} from '../../report/summary-schema.ts';
import type { SecondPoint } from '../../loadgen/types.ts';

export const LOAD_GENERATOR =
  'session-lab loadgen (the lab’s own open-model generator; k6 is not installable here)';

/** What summary.json names as the load's source: `k6 v1.4.2 (...)` or the lab's own generator. */
function generatorLabel(scenario: Scenario, tools: Record<string, string>): string {
  if (scenario.load.generator !== 'k6') return LOAD_GENERATOR;
  return `k6 ${tools.k6 ?? '(version unknown)'} running the lab's k6/${scenario.load.journey}.ts`;
}

export interface RunOptions {
  scenario: Scenario;
  /** Folder the run folder goes in (`runs/`). */
  runsDir: string;
  signal: AbortSignal;
  progress: (line: string) => void;
  /** Live per-second figures (a status line on a terminal). */
  onSecond?: (strategy: string, phase: string, point: SecondPoint) => void;
  /** Hears each strategy start and end and what happens in between (the live page). */
  observer?: RunObserver | undefined;
}

export interface RunResult {
  runDir: string;
  summary: RunSummary;
}

export function runFolderName(scenario: string, at: Date): string {
  return `${at.toISOString().replace(/[:.]/g, '-').replace('Z', '')}-${scenario}`;
}

export async function runScenario(options: RunOptions): Promise<RunResult> {
  const { scenario, signal, progress } = options;
  const tools = await checkRunTools(scenario);
  const startedAt = new Date();
  const runDir = path.join(options.runsDir, runFolderName(scenario.name, startedAt));
  await mkdir(runDir, { recursive: true });
  await writeFile(path.join(runDir, 'scenario.json'), JSON.stringify(scenario, null, 2) + '\n');
  progress(`run folder ${runDir}`);
  const otherLoadCores = await otherLoad();
  const strategies: StrategySummary[] = [];
  const eventsFile = path.join(runDir, 'events.ndjson');
  await writeFile(eventsFile, '');
  let outcome: RunSummary['outcome'] = 'completed';
  const notMeasured: NonNullable<RunSummary['notMeasured']> = [];
  // Each strategy once per balancer asked for (`sticky`, `sticky @haproxy`).
  const labels = runLabels(scenario.strategies, scenario.balancer);
  const total = labels.length;
  for (const [index, strategy] of labels.entries()) {
    if (signal.aborted) break;
    progress(`[${index + 1}/${total}] ${strategy}`);
    const observer = options.observer?.strategyStarted(strategy, index, total);
    try {
      strategies.push(
        await runStrategy({
          scenario,
          strategy,
          runDir,
          signal,
          progress,
          onSecond: (point, phase) => options.onSecond?.(strategy, phase, point),
          observer,
        }),
      );
    } catch (error) {
      // One strategy that cannot run (a JVM too slow to start on a busy machine)
      // must not throw away the minutes the others took: say so and go on.
      if (!signal.aborted) {
        const message = error instanceof LabError ? error.toLine() : (error as Error).message;
        progress(`${strategy}: not measured: ${message}`);
        notMeasured.push({ strategy, error: message });
      }
    } finally {
      const measured = strategies.find((entry) => entry.strategy === strategy);
      options.observer?.strategyFinished(
        strategy,
        measured
          ? { summary: measured }
          : {
              error:
                notMeasured.find((failure) => failure.strategy === strategy)?.error ??
                'interrupted',
            },
      );
      // What each event did to the users goes beside the event itself, for readers of the log alone.
      const effects = (measured?.events ?? []).map((effect) => ({
        strategy,
        type: 'effect',
        ...effect,
      }));
      const events = [...(await strategyEvents(runDir, strategy)), ...effects];
      if (events.length > 0) {
        await appendFile(
          eventsFile,
          events.map((event) => JSON.stringify(event)).join('\n') + '\n',
        );
      }
    }
  }
  if (signal.aborted) outcome = 'interrupted';
  const summary: RunSummary = {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    scenario: scenario.name,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    outcome,
    machine: {
      cores: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      memoryBytes: os.totalmem(),
      os: `${os.type()} ${os.release()}`,
      otherLoadCores,
    },
    tools: { ...tools, 'load generator': generatorLabel(scenario, tools) },
    load: {
      generator: generatorLabel(scenario, tools),
      model: scenario.load.model,
      journey: scenario.load.journey,
      rate: scenario.load.rate,
      ...(scenario.load.vus === undefined ? {} : { vus: scenario.load.vus }),
      durationS: scenario.load.durationS,
      warmupS: scenario.load.warmupS,
      steps: scenario.load.steps,
      thinkMs: scenario.load.thinkMs,
      parallelWrites: scenario.load.parallelWrites,
      nodes: scenario.topology.nodes,
    },
    strategies,
    notMeasured,
    warnings: [
      ...notMeasured.map((failure) => `${failure.strategy}: not measured: ${failure.error}`),
      ...runWarnings(otherLoadCores, outcome, scenario, strategies),
    ],
  };
  await writeFile(path.join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  options.observer?.runFinished(summary, runDir);
  return { runDir, summary };
}

/** Cores busy over one second before the run: another job on a shared machine skews every figure. */
async function otherLoad(): Promise<number | null> {
  try {
    const before = await machineTicks();
    await sleep(1000);
    return Math.round(busyCores(before, await machineTicks()) * 100) / 100;
  } catch {
    return null; // no /proc/stat (not Linux): said as "unknown" in the report
  }
}

function runWarnings(
  otherLoadCores: number | null,
  outcome: RunSummary['outcome'],
  scenario: Scenario,
  strategies: StrategySummary[],
): string[] {
  const warnings: string[] = [];
  if (outcome === 'interrupted') {
    const done = strategies.map((s) => s.strategy);
    const missing = runLabels(scenario.strategies, scenario.balancer).filter(
      (s) => !done.includes(s),
    );
    warnings.push(`run interrupted: ${missing.join(', ') || 'nothing'} not measured`);
  }
  if (otherLoadCores !== null && otherLoadCores > 0.25) {
    warnings.push(
      `the machine was busy before the run (${otherLoadCores} cores used by other processes): compare figures within this run only`,
    );
  }
  if (os.cpus().length < 4) {
    warnings.push(
      `${os.cpus().length} cores: the load generator, balancer, nodes and stores share them, so CPU figures include contention`,
    );
  }
  for (const strategy of strategies) warnings.push(...strategy.warnings);
  return warnings;
}
