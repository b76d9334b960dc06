import { LabError } from '../errors.ts';
import { renderRun } from '../../report/render.ts';
import { startRunLive } from '../live/live-run.ts';
import { LiveLine } from '../run/live-line.ts';
import { runScenario } from '../run/run-scenario.ts';
import { loadScenario, type ScenarioOverrides } from '../run/scenario.ts';
import type { StrategySummary } from '../../report/summary-schema.ts';

export interface RunCommandOptions {
  scenario: string;
  overrides: ScenarioOverrides;
  runsDir: string;
  /** Serve the live page on this loopback port (0: a free one); absent: no page. */
  livePort?: number | undefined;
}

/** Exit status when the run completed but a scenario threshold failed (as k6 does: 99 there). */
export const THRESHOLDS_FAILED_EXIT = 3;

/**
 * `lab run SCENARIO`: validates the scenario, runs it with a live status
 * line, writes the reports, prints where they are and a short table. Ctrl-C
 * (or SIGTERM, SIGHUP) stops the strategy in progress, leaves no process and
 * still writes what was measured; a second Ctrl-C does not cut the clean-up.
 */
export async function run(
  options: RunCommandOptions,
  print: (line: string) => void,
): Promise<void> {
  const scenario = await loadScenario(options.scenario, options.overrides);
  const controller = new AbortController();
  const live = new LiveLine(process.stderr);
  const page =
    options.livePort === undefined ? undefined : await startRunLive(scenario, options.livePort);
  if (page) print(`live page ${page.url}`);
  const interrupt = () => {
    if (controller.signal.aborted) return;
    live.clear();
    print('interrupted: stopping the strategy in progress and everything it started...');
    controller.abort(new LabError('INTERRUPTED', 'run interrupted'));
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, interrupt);
  let result;
  try {
    result = await runScenario({
      scenario,
      runsDir: options.runsDir,
      signal: controller.signal,
      progress: (line) => {
        live.clear();
        print(line);
      },
      onSecond: (strategy, phase, point) => {
        live.show(strategy, phase, point, scenario);
        page?.feed.second(strategy, phase, point);
      },
      observer: page?.feed,
    });
  } finally {
    live.clear();
    await page?.close('the run has ended');
    for (const signal of signals) process.off(signal, interrupt);
  }
  const { runDir, summary } = result;
  const reports = await renderRun(runDir);
  print('');
  for (const line of shortTable(summary.strategies)) print(line);
  for (const warning of summary.warnings) print(`warning: ${warning}`);
  print(`report    ${reports.htmlPath}`);
  print(`summary   ${reports.mdPath}`);
  if (summary.outcome === 'interrupted') {
    process.exitCode = 130;
  } else if ((summary.notMeasured ?? []).length > 0) {
    print(
      `not measured: ${summary.notMeasured!.map((failure) => failure.strategy).join(', ')} (see warnings)`,
    );
    process.exitCode = 1;
  } else if (summary.strategies.some((s) => s.thresholds.some((t) => !t.ok))) {
    print('thresholds failed (see warnings): exit status 3');
    process.exitCode = THRESHOLDS_FAILED_EXIT;
  }
}

function shortTable(strategies: StrategySummary[]): string[] {
  const head = [
    'strategy',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'lost sess',
    'stale',
    'lost upd',
    'node us/req',
  ];
  const rows = strategies.map((s) => [
    s.strategy,
    s.throughput.toFixed(0),
    fixed(s.totals.latencyMs.p50),
    fixed(s.totals.latencyMs.p99),
    String(s.totals.errors),
    String(s.totals.sessionsLost),
    String(s.totals.staleReads),
    String(s.totals.lostUpdates),
    s.cpuPerRequestMicros.nodes === null ? '-' : String(s.cpuPerRequestMicros.nodes),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [head, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
}

function fixed(value: number | null): string {
  return value === null ? '-' : value.toFixed(2);
}
