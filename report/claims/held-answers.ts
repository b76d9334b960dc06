// C5's figures: every answer a held session got, by the node that gave it,
// read off the load generator's series. Outside chaos windows only: a fault
// moves sessions on purpose.
import type { StrategySummary } from '../summary-schema.ts';

type SecondPoint = StrategySummary['timeline'][number];

/** One node's answers to held sessions: all of them, and those where it was the session's home. */
export interface NodeAnswers {
  total: number;
  home: number;
}

/**
 * The per-node breakdown as the generator writes it. Two spellings are
 * read (`heldAnswersByNode` {answers, home}, `pinnedByNode` {total, home})
 * while the generator's field settles; older runs have neither.
 */
type Breakdown = Record<string, { answers?: number; total?: number; home: number }>;
type WithBreakdown = { heldAnswersByNode?: Breakdown; pinnedByNode?: Breakdown };

function breakdown(source: object): Record<string, NodeAnswers> | undefined {
  const raw = (source as WithBreakdown).heldAnswersByNode ?? (source as WithBreakdown).pinnedByNode;
  if (!raw) return undefined;
  const out: Record<string, NodeAnswers> = {};
  for (const [node, counts] of Object.entries(raw)) {
    out[node] = { total: counts.answers ?? counts.total ?? 0, home: counts.home };
  }
  return out;
}

export interface HeldAnswers {
  /** Answers from each session's home node, of all answers to held sessions. */
  home: number;
  total: number;
  /** By the node that answered; `balancer` for the balancer's own answers. */
  byNode: Record<string, NodeAnswers>;
  /** True when seconds inside event windows were left out. */
  outsideEvents: boolean;
}

/** Seconds [from, to) that a chaos or control event may have disturbed. */
function eventWindows(strategy: StrategySummary): { from: number; to: number }[] {
  return (
    strategy.events
      .filter((event) => event.windowS > 0)
      // `t` is rounded to 0.1 s: start a second early rather than count the event's own second.
      .map((event) => ({
        from: Math.floor(event.t - 0.05),
        to: Math.floor(event.t) + event.windowS,
      }))
  );
}

/**
 * Every answer to a held session, outside event windows, with the per-node
 * breakdown; undefined when the run predates the per-node count (its share
 * counted 2xx answers only, which cannot show a request sent elsewhere) or
 * no such answer fell outside the windows.
 */
export function heldAnswers(strategy: StrategySummary): HeldAnswers | undefined {
  const windows = eventWindows(strategy);
  const perSecond = strategy.timeline.every((point) => breakdown(point) !== undefined);
  const totals = breakdown(strategy.totals);
  if (!perSecond && !totals) return undefined;
  const byNode: Record<string, NodeAnswers> = {};
  const add = (counts: Record<string, NodeAnswers>) => {
    for (const [node, { total, home }] of Object.entries(counts)) {
      const sum = (byNode[node] ??= { total: 0, home: 0 });
      sum.total += total;
      sum.home += home;
    }
  };
  let outsideEvents = false;
  if (perSecond) {
    for (const point of strategy.timeline) {
      if (inWindow(point, windows)) outsideEvents = true;
      else add(breakdown(point)!);
    }
  } else {
    add(totals!);
  }
  const total = Object.values(byNode).reduce((sum, counts) => sum + counts.total, 0);
  const home = Object.values(byNode).reduce((sum, counts) => sum + counts.home, 0);
  return total === 0 ? undefined : { home, total, byNode, outsideEvents };
}

function inWindow(point: SecondPoint, windows: { from: number; to: number }[]): boolean {
  return windows.some(({ from, to }) => point.t >= from && point.t < to);
}

/** Answers a node gave to sessions whose home is another node: the misrouted ones, by node, largest first. */
export function misrouted(answers: HeldAnswers): { node: string; count: number }[] {
  return Object.entries(answers.byNode)
    .map(([node, { total, home }]) => ({ node, count: total - home }))
    .filter(({ count }) => count > 0)
    .sort((a, b) => b.count - a.count || a.node.localeCompare(b.node));
}
