// Facts read off one strategy's entry that several parts of the report need
// (the table, the claims, the charts): which events hurt, what a node kill
// cost, how requests spread over nodes. One place, so they agree.
import type { EventEffect, StrategySummary } from '../lab/run/summary.ts';
import { byName } from './format.ts';

/** `redis:cas` -> `redis`. */
export function family(strategy: string): string {
  return strategy.split(':')[0] ?? strategy;
}

/** Strategies that keep the session on the server and hand the client an id. */
export const SERVER_SESSION_FAMILIES: readonly string[] = ['sticky', 'redis', 'clustered'];

export function ofFamily(strategies: readonly StrategySummary[], name: string): StrategySummary[] {
  return strategies.filter((strategy) => family(strategy.strategy) === name);
}

/** Node ids of the topology, from the processes sampled and the nodes that answered. */
export function nodeIds(strategy: StrategySummary): string[] {
  const ids = new Set(strategy.processes.filter((p) => p.kind === 'node').map((p) => p.name));
  for (const id of Object.keys(strategy.totals.servedBy)) if (/^node-\d+$/.test(id)) ids.add(id);
  return [...ids].sort(byName);
}

/** An event that ran (not skipped, not failed): only those have a measured effect. */
export function happened(event: EventEffect): boolean {
  return (event.status ?? 'done') === 'done';
}

/** SIGKILLs of a node that ran: what "sessions lost per node kill" counts. */
export function nodeKills(strategy: StrategySummary): EventEffect[] {
  const nodes = new Set(nodeIds(strategy));
  return strategy.events.filter(
    (event) =>
      happened(event) &&
      event.action === 'kill' &&
      (nodes.has(event.target) || /^node-\d+$/.test(event.target)),
  );
}

/** Events after which users saw something go wrong. */
export function harmfulEvents(strategy: StrategySummary): EventEffect[] {
  return strategy.events.filter(
    (event) =>
      happened(event) &&
      event.errors + event.sessionsLost + event.staleReads + event.lostUpdates > 0,
  );
}

/**
 * The slowest recovery after a harmful event. When an event never recovered
 * within its window, the window is a lower bound and `recovered` is false.
 */
export function worstRecovery(
  strategy: StrategySummary,
): { seconds: number; recovered: boolean } | null {
  let worst: { seconds: number; recovered: boolean } | null = null;
  for (const event of harmfulEvents(strategy)) {
    const candidate =
      event.recoveredAfterS === null
        ? { seconds: event.windowS, recovered: false }
        : { seconds: event.recoveredAfterS, recovered: true };
    if (
      worst === null ||
      (!candidate.recovered && worst.recovered) ||
      (candidate.recovered === worst.recovered && candidate.seconds > worst.seconds)
    ) {
      worst = candidate;
    }
  }
  return worst;
}

/** Share of all responses each node served over the load, largest first. */
export function nodeShares(strategy: StrategySummary): { node: string; share: number }[] {
  const served = Object.entries(strategy.totals.servedBy);
  const total = served.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return [];
  return served
    .map(([node, count]) => ({ node, share: count / total }))
    .sort((a, b) => byName(a.node, b.node));
}

/** Busiest node's requests over the mean per node: 1 is an even spread. */
export function loadSkew(strategy: StrategySummary): number | null {
  const counts = nodeIds(strategy).map((node) => strategy.totals.servedBy[node] ?? 0);
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (counts.length === 0 || total === 0) return null;
  return Math.max(...counts) / (total / counts.length);
}

/**
 * What the client saw in the whole seconds before `t`: the share of
 * responses `node` served, and the journeys started but not finished (an
 * estimate of live sessions; journeys begun during warm-up are not counted).
 */
export function before(
  strategy: StrategySummary,
  node: string,
  t: number,
): { share: number | null; inFlight: number } {
  let nodeCount = 0;
  let total = 0;
  let inFlight = 0;
  for (const point of strategy.timeline) {
    if (point.t + 1 > t) continue;
    for (const [id, count] of Object.entries(point.servedBy)) {
      total += count;
      if (id === node) nodeCount += count;
    }
    inFlight += point.journeysStarted - point.journeysCompleted;
  }
  return { share: total === 0 ? null : nodeCount / total, inFlight: Math.max(0, inFlight) };
}

/** Sessions lost outside every event's window: with node-local sessions, each one is a misrouted request. */
export function sessionsLostOutsideEvents(strategy: StrategySummary): number {
  const inEvents = strategy.events.reduce((sum, event) => sum + event.sessionsLost, 0);
  return Math.max(0, strategy.totals.sessionsLost - inEvents);
}

/** Polling step of the revocation probe: a window this close to the bound ran into it. */
const REVOCATION_POLL_S = 0.2;

/**
 * Whether a credential still worked when the revocation probe stopped, so
 * its window is a lower bound. The probe says so; older summaries did not,
 * so then it is inferred from the window reaching the bound.
 */
export function revocationStillOpen(
  probe: NonNullable<StrategySummary['probes']['revocation']>,
): boolean {
  return (
    probe.stillAcceptedAtBound ??
    (probe.windowS > 0 && probe.windowS >= probe.boundS - REVOCATION_POLL_S)
  );
}

/** Why a probe's figure is absent when the probe ran and failed: ` (the x probe failed: CODE message)`, or ''. */
export function probeFailure(strategy: StrategySummary | undefined, probe: string): string {
  const failure = strategy?.probes.probeErrors?.find((error) => error.probe === probe);
  return failure ? ` (the ${probe} probe failed: ${failure.code} ${failure.message})` : '';
}
