// The small run folder the report tests render: read fresh for each test so
// a test may change its copy freely.
import { readFileSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunSummary, StrategySummary } from '../../../report/summary-schema.ts';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/run-small', import.meta.url));

export function fixtureSummary(): RunSummary {
  return JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'summary.json'), 'utf8')) as RunSummary;
}

/** A copy of the fixture folder in a fresh temp folder (reports are written into it). */
export async function fixtureCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'report-test-'));
  await cp(FIXTURE_DIR, dir, { recursive: true });
  return dir;
}

export function strategyOf(run: RunSummary, name: string): StrategySummary {
  const found = run.strategies.find((strategy) => strategy.strategy.split(':')[0] === name);
  if (!found)
    throw new Error(`the fixture has no ${name} strategy; tests expect sticky, redis and cookie`);
  return found;
}

/** A copy of one of the fixture's strategies under another name (jwt, clustered: absent from the fixture). */
export function cloneAs(run: RunSummary, from: string, name: string): StrategySummary {
  const copy = structuredClone(strategyOf(run, from));
  copy.strategy = name;
  copy.probes = {};
  run.strategies.push(copy);
  return copy;
}

/**
 * Records `n` more sessions lost while pinned to `node`, in the totals and,
 * when given, in an event's window, so the summary stays consistent.
 */
export function loseSessions(
  strategy: StrategySummary,
  node: string,
  n: number,
  event?: StrategySummary['events'][number],
): void {
  const add = (counts: Record<string, number>) => {
    counts[node] = (counts[node] ?? 0) + n;
  };
  strategy.totals.sessionsLost += n;
  add((strategy.totals.sessionsLostByNode ??= {}));
  if (event) {
    event.sessionsLost += n;
    add((event.sessionsLostByNode ??= {}));
  }
}

/** Records `n` more lost updates in the totals and the last second, so the summary stays consistent. */
export function loseUpdates(strategy: StrategySummary, n: number): void {
  strategy.totals.lostUpdates += n;
  const last = strategy.timeline.at(-1);
  if (last) last.lostUpdates += n;
}

/**
 * Gives each second of `strategy` the answers after login from the session's
 * home node (`served`) of all (`total`) that `at(t)` returns, and the totals
 * their sums: a summary as runs that count them write it.
 */
export function setPinned(
  strategy: StrategySummary,
  at: (t: number) => { served: number; total: number },
): void {
  strategy.totals.pinnedServed = 0;
  strategy.totals.pinnedTotal = 0;
  for (const point of strategy.timeline) {
    const { served, total } = at(point.t);
    point.pinnedServed = served;
    point.pinnedTotal = total;
    strategy.totals.pinnedServed += served;
    strategy.totals.pinnedTotal += total;
  }
}
