// Facts read off one strategy's entry that several parts of the report need
// (the table, the claims, the charts): which events hurt, what a node kill
// cost, how requests spread over nodes. One place, so they agree.
import type { EventEffect, StrategySummary } from './summary-schema.ts';
import { SESSION_HOLDERS } from '../nodes/strategies/strategy.ts';
import { byName, int } from './format.ts';

/** `redis:cas` -> `redis`. */
export function family(strategy: string): string {
  return strategy.split(':')[0] ?? strategy;
}

/**
 * Strategies that keep the session on the server and hand the client an id,
 * as the nodes declare them (the report reads no lab code).
 */
export const SERVER_SESSION_FAMILIES: readonly string[] = Object.entries(SESSION_HOLDERS)
  .filter(([, holder]) => holder === 'server')
  .map(([name]) => name);

export function ofFamily(strategies: readonly StrategySummary[], name: string): StrategySummary[] {
  return strategies.filter((strategy) => family(strategy.strategy) === name);
}

/** Node ids of the topology, from the processes sampled and the nodes that answered. */
export function nodeIds(strategy: StrategySummary): string[] {
  const ids = new Set(strategy.processes.filter((p) => p.kind === 'node').map((p) => p.name));
  for (const id of Object.keys(strategy.totals.servedBy)) if (NODE_ID.test(id)) ids.add(id);
  return [...ids].sort(byName);
}

/** An event that ran (not skipped, not failed): only those have a measured effect. */
export function happened(event: EventEffect): boolean {
  return (event.status ?? 'done') === 'done';
}

/** Actions that bring something back or change settings: not faults. */
const CONTROL_ACTIONS = new Set(['start', 'resume', 'enable', 'strategy']);

export function isControl(event: EventEffect): boolean {
  return CONTROL_ACTIONS.has(event.action);
}

const NODE_ID = /^node-\d+$/;

/** Faults that ran against a node (kill, stop, pause, a network fault): its sessions may go with it. */
export function nodeFaults(strategy: StrategySummary): EventEffect[] {
  return strategy.events.filter(
    (event) => happened(event) && !isControl(event) && NODE_ID.test(event.target),
  );
}

/**
 * An event's lost sessions by the node they were pinned to; undefined in
 * summaries written before the lab counted them per node.
 */
export function lostByNode(event: EventEffect): Record<string, number> | undefined {
  return event.sessionsLostByNode;
}

/** `node-2 8, none 1`, largest first; '' when every count is 0. */
export function countsText(counts: Record<string, number> | undefined): string {
  return Object.entries(counts ?? {})
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || byName(a, b))
    .map(([node, count]) => `${node} ${int(count)}`)
    .join(', ');
}

/** SIGKILLs of a node that ran: what "sessions lost per node kill" counts. */
export function nodeKills(strategy: StrategySummary): EventEffect[] {
  const nodes = new Set(nodeIds(strategy));
  return strategy.events.filter(
    (event) =>
      happened(event) &&
      event.action === 'kill' &&
      (nodes.has(event.target) || NODE_ID.test(event.target)),
  );
}

/**
 * The slowest return to the error rate before an event, over the events
 * that ran: 0 when no second after any of them was worse. An event that had
 * not recovered when its window closed wins, its window as a lower bound
 * (`recovered` false). Null when no event ran with a window to look at.
 */
export function worstRecovery(
  strategy: StrategySummary,
): { seconds: number; recovered: boolean } | null {
  let worst: { seconds: number; recovered: boolean } | null = null;
  for (const event of strategy.events) {
    if (!happened(event) || event.windowS <= 0) continue;
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

/**
 * Lost sessions that no node fault explains, by the node they were pinned
 * to: every lost session, less those pinned to a node a fault hit within
 * that fault's window. With node-local sessions each one is a client that
 * left its node. Summaries without per-node counts fall back to the losses
 * outside every event's window (`byNode` then undefined).
 */
export function unexplainedLosses(strategy: StrategySummary): {
  count: number;
  byNode?: Record<string, number>;
} {
  const totals = strategy.totals.sessionsLostByNode;
  const faults = nodeFaults(strategy);
  if (!totals || faults.some((fault) => !lostByNode(fault))) {
    const inEvents = strategy.events.reduce((sum, event) => sum + event.sessionsLost, 0);
    return { count: Math.max(0, strategy.totals.sessionsLost - inEvents) };
  }
  const byNode = { ...totals };
  for (const fault of faults) {
    const explained = lostByNode(fault)?.[fault.target] ?? 0;
    byNode[fault.target] = Math.max(0, (byNode[fault.target] ?? 0) - explained);
  }
  for (const [node, count] of Object.entries(byNode)) if (count === 0) delete byNode[node];
  return { count: Object.values(byNode).reduce((sum, count) => sum + count, 0), byNode };
}

/** A session's answers from its home node (the one that answered its login), of all after login. */
export interface PinnedShare {
  served: number;
  total: number;
  share: number;
  /** True when seconds inside event windows were left out. */
  outsideEvents: boolean;
}

/**
 * The share of a session's 2xx answers after login that its home node gave,
 * over the seconds outside every event's window (a fault moves sessions on
 * purpose), or over the whole run when nothing was left out. Undefined when
 * the summary predates the count or no such answer fell outside the windows.
 */
export function pinnedShare(strategy: StrategySummary): PinnedShare | undefined {
  const windows = strategy.events
    .filter((event) => event.windowS > 0)
    // `t` is rounded to 0.1 s: start a second early rather than count the event's own second.
    .map((event) => ({
      from: Math.floor(event.t - 0.05),
      to: Math.floor(event.t) + event.windowS,
    }));
  let served = 0;
  let total = 0;
  let outsideEvents = false;
  for (const point of strategy.timeline) {
    if (point.pinnedServed === undefined || point.pinnedTotal === undefined) return undefined;
    if (windows.some(({ from, to }) => point.t >= from && point.t < to)) {
      outsideEvents = true;
      continue;
    }
    served += point.pinnedServed;
    total += point.pinnedTotal;
  }
  return total === 0 ? undefined : { served, total, share: served / total, outsideEvents };
}

/** One route's latency over the load; undefined when the summary predates it or none was answered. */
export function routeLatency(
  strategy: StrategySummary,
  route: string,
): { count: number; p50: number | null; p99: number | null } | undefined {
  const found = strategy.totals.latencyByRoute?.[route];
  return found && found.count > 0 ? found : undefined;
}

/** Where the memory probe measured, as a phrase: `none server-side` reads "nothing server-side". */
export function memoryWhere(
  probe: NonNullable<StrategySummary['probes']['memoryPerThousandSessions']>,
): string {
  return /^none\b/i.test(probe.where) ? 'nothing server-side' : probe.where;
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
