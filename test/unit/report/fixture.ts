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

/** One node's answers to held sessions in one second: all of them, and those where it was the session's home. */
export type HeldAt = Record<string, { answers: number; home: number }>;

/**
 * Gives each second of `strategy` every answer to a held session by the
 * node that gave it (`at(t)`), with pinnedServed / pinnedTotal and the
 * totals their sums: a summary as the generator writes it once it counts
 * answers of any status by node.
 */
export function setHeld(strategy: StrategySummary, at: (t: number) => HeldAt): void {
  const totals: HeldAt = {};
  let served = 0;
  let total = 0;
  for (const point of strategy.timeline) {
    const second = at(point.t);
    Object.assign(point, { heldAnswersByNode: second });
    point.pinnedServed = Object.values(second).reduce((sum, counts) => sum + counts.home, 0);
    point.pinnedTotal = Object.values(second).reduce((sum, counts) => sum + counts.answers, 0);
    served += point.pinnedServed;
    total += point.pinnedTotal;
    for (const [node, { answers, home }] of Object.entries(second)) {
      const sum = (totals[node] ??= { answers: 0, home: 0 });
      sum.answers += answers;
      sum.home += home;
    }
  }
  Object.assign(strategy.totals, { heldAnswersByNode: totals });
  strategy.totals.pinnedServed = served;
  strategy.totals.pinnedTotal = total;
}
