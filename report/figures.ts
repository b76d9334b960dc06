// The figures that decide between strategies: one definition each (what it
// is, which way is better, how it is read off the summary), shared by the
// comparison table of both reports and by `lab compare`.
import type { LoadTotals } from './summary-schema.ts';
import type { RunSummary, StrategySummary } from './summary-schema.ts';
import { byName, int, NONE, num, pct } from './format.ts';
import { CAPACITY_HOW, capacityCell, steppedOffer } from './capacity-facts.ts';
import { memoryWhere, nodeKills, revocationStillOpen, worstRecovery } from './strategy-facts.ts';

/** A figure for one strategy: the number compared, and the text shown. */
export interface Cell {
  value: number | null;
  /** Short: it must fit a narrow column. */
  text: string;
  /** What the text needs to be read right (where it was measured, why it is a bound); shown smaller. */
  note?: string;
  /** The counters a combined cell shows, each compared on its own by `lab compare`. */
  parts?: CellPart[];
}

/** One counter of a combined cell. */
export interface CellPart {
  label: string;
  value: number;
  /** Left out of `lab compare` when 0 in both runs (a counter that is almost always 0). */
  quiet?: boolean;
}

export interface Figure {
  key: string;
  /** Column heading, with its unit. */
  label: string;
  better: 'lower' | 'higher';
  /** How it was measured, in one sentence (shown under the table). */
  how: string;
  /** Shown in the reports only when some strategy of the run has it (a capacity search). */
  onlyWhenMeasured?: boolean;
  measure(strategy: StrategySummary, run: RunSummary): Cell;
}

/**
 * The client's consistency counters over the whole load, shown as
 * "sessions lost · stale reads · lost updates" so the column fits the page;
 * doubled updates and 409 conflicts, almost always 0, as a note when not.
 * Compared (best) on all failures together: a 409 is no failure, the
 * client was told.
 */
function consistencyCell(totals: LoadTotals): Cell {
  const { sessionsLost, staleReads, doubledUpdates, conflicts } = totals;
  // Rounds with a write of unknown fate still prove a lower bound; counting
  // only the rounds without one would hide exactly what chaos causes.
  const lostUpdates = Math.max(totals.lostUpdates, totals.lostUpdatesLowerBound ?? 0);
  const uncertain = totals.uncertainWrites ?? 0;
  const bounded = lostUpdates > totals.lostUpdates || uncertain > 0;
  const extra = [
    bounded
      ? `lost updates: ${int(totals.lostUpdates)} counted exactly, at least ${int(lostUpdates)} with ${int(uncertain)} writes of unknown fate`
      : '',
    doubledUpdates > 0 ? `${int(doubledUpdates)} doubled updates` : '',
    conflicts > 0 ? `${int(conflicts)} conflicts (409)` : '',
  ].filter(Boolean);
  return {
    ...cell(
      sessionsLost + staleReads + lostUpdates + doubledUpdates,
      [int(sessionsLost), int(staleReads), `${bounded ? '≥ ' : ''}${int(lostUpdates)}`].join(' · '),
      extra.join(', '),
    ),
    parts: [
      { label: 'sessions lost (whole run)', value: sessionsLost },
      { label: 'stale reads', value: staleReads },
      { label: 'lost updates (at least)', value: lostUpdates },
      { label: 'writes of unknown fate', value: uncertain, quiet: true },
      { label: 'doubled updates', value: doubledUpdates, quiet: true },
      { label: 'conflicts (409)', value: conflicts, quiet: true },
    ],
  };
}

/** `12 timeout, 3 × 503`: the commonest kinds of failed request, most first. */
function errorKindsNote(byKind: Record<string, number>): string | undefined {
  const kinds = Object.entries(byKind)
    .filter(([, count]) => count > 0)
    .sort(([kindA, a], [kindB, b]) => b - a || byName(kindA, kindB));
  if (kinds.length === 0) return undefined;
  const shown = kinds
    .slice(0, 3)
    .map(([kind, count]) =>
      /^\d{3}$/.test(kind) ? `${int(count)} × ${kind}` : `${int(count)} ${kind}`,
    );
  return kinds.length > 3 ? `${shown.join(', ')}, …` : shown.join(', ');
}

/**
 * jwt's refreshes under load: retried with the same token after a failure,
 * revoked because the node saw a reuse, lost (no new token in the end).
 * Counted apart so a store outage shows as retries, not as stolen tokens.
 */
function refreshCell(totals: LoadTotals): Cell {
  if (totals.refreshes === 0) return cell(null);
  const retried = totals.refreshRetries ?? 0;
  const revoked = totals.refreshRevokedByReuse ?? 0;
  const lost = totals.refreshLost ?? 0;
  return {
    ...cell(
      revoked + lost,
      [retried, revoked, lost].map(int).join(' · '),
      `of ${int(totals.refreshes)} refreshes`,
    ),
    parts: [
      { label: 'refreshes retried', value: retried, quiet: true },
      { label: 'refreshes revoked by reuse', value: revoked, quiet: true },
      { label: 'refreshes lost', value: lost, quiet: true },
    ],
  };
}

function cell(value: number | null | undefined, text?: string, note?: string): Cell {
  if (value === null || value === undefined) return { value: null, text: NONE };
  return { value, text: text ?? num(value), ...(note ? { note } : {}) };
}

export const FIGURES: readonly Figure[] = [
  {
    key: 'capacity',
    label: 'capacity',
    better: 'higher',
    how: CAPACITY_HOW,
    onlyWhenMeasured: true,
    measure: (s) => capacityCell(s),
  },
  {
    key: 'p50',
    label: 'p50 ms',
    better: 'lower',
    how: 'Latency percentiles of every request of the measured load, as the client timed them, failed ones included: a timeout counts at its full wait, a reset or refusal at the time until the error (as k6 times http_req_duration).',
    measure: (s) => cell(s.totals.latencyMs.p50),
  },
  {
    key: 'p95',
    label: 'p95 ms',
    better: 'lower',
    how: '',
    measure: (s) => cell(s.totals.latencyMs.p95),
  },
  {
    key: 'p99',
    label: 'p99 ms',
    better: 'lower',
    how: '',
    measure: (s) => cell(s.totals.latencyMs.p99),
  },
  {
    key: 'p99ok',
    label: 'p99 ms, 2xx only',
    better: 'lower',
    how: 'The same p99 over the answers in 2xx only: far below the p99 of every request when failures were slow (timeouts), close to it when failures were fast (a 503 at once).',
    measure: (s) => cell(s.totals.successLatencyMs?.p99),
  },
  {
    key: 'throughput',
    label: 'req/s',
    better: 'higher',
    how: 'Requests answered per second (requests / elapsed).',
    measure: (s) => cell(s.throughput),
  },
  {
    key: 'journeys',
    label: 'journeys/s (offered)',
    better: 'higher',
    how: 'Journeys completed per second, against the rate the open model offered (or the users of the closed model). A capacity search offers no one rate: its cell gives the rate of the step whose figures stand for the strategy, marked "stepped", and the note the range the search went through.',
    measure: (s, run) => {
      if (s.durationS <= 0) return cell(null);
      const done = s.totals.journeysCompleted / s.durationS;
      const stepped = steppedOffer(s);
      if (stepped) return cell(done, `${num(done)} (${stepped.text})`, stepped.note);
      const offered = run.load.model === 'open' ? num(run.load.rate) : `${int(run.load.vus)} users`;
      return cell(done, `${num(done)} (${offered})`);
    },
  },
  {
    key: 'errors',
    label: 'errors',
    better: 'lower',
    how: 'Failed requests: the share of requests answered outside 2xx (409 conflicts included), reset, refused or timed out (k6: http_req_failed); the smaller line gives the three commonest kinds (an HTTP status, timeout, reset, refused, network).',
    measure: (s) => cell(s.errorRate, pct(s.errorRate), errorKindsNote(s.totals.errorsByKind)),
  },
  {
    key: 'consistency',
    label: 'sessions lost · stale reads · lost updates',
    better: 'lower',
    how: 'What the client saw go wrong over the whole measured load (each journey is the only writer of its cart, so it knows what it must see). Sessions lost: a 401 on a request sent while the journey held a session (it then logs in again). Stale reads: a cart version lower than one the session already saw. Lost updates: an accepted write whose effect the cart no longer shows (with parallel writes, accepted writes minus the versions the cart moved). A note adds doubled updates (the cart moved by more than the writes made) and 409 conflicts (a write refused and the client told so: not lost) when there were any. The best cell has the fewest failures in all (conflicts not counted).',
    measure: (s) => consistencyCell(s.totals),
  },
  {
    key: 'refresh',
    label: 'refreshes retried · revoked · lost',
    better: 'lower',
    how: 'jwt only: refreshes the client retried with the same token after a failed answer (a well-written client does), refreshes the node answered as a reused token (family revoked), and refreshes that got no new token in the end. The best cell has the fewest revoked and lost.',
    measure: (s) => refreshCell(s.totals),
  },
  {
    key: 'nodeCpu',
    label: 'node CPU µs/req',
    better: 'lower',
    how: 'CPU time of all node processes over the load, per request.',
    measure: (s) => cell(s.cpuPerRequestMicros.nodes, int(s.cpuPerRequestMicros.nodes)),
  },
  {
    key: 'memory',
    label: 'memory per 1,000 sessions',
    better: 'lower',
    how: 'Memory per 1,000 live sessions where the strategy keeps them (probe after the load); the smaller line says where.',
    measure: (s) => {
      const probe = s.probes.memoryPerThousandSessions;
      return probe ? cell(probe.kib, `${num(probe.kib)} KiB`, memoryWhere(probe)) : cell(null);
    },
  },
  {
    key: 'lostPerKill',
    label: 'sessions lost per node kill',
    better: 'lower',
    how: 'Sessions lost in the window after each SIGKILL of a node, averaged over the kills.',
    measure: (s) => {
      const kills = nodeKills(s);
      if (kills.length === 0) return cell(null);
      const mean = kills.reduce((sum, kill) => sum + kill.sessionsLost, 0) / kills.length;
      return cell(mean, `${num(mean)} (${kills.length} kill${kills.length === 1 ? '' : 's'})`);
    },
  },
  {
    key: 'recovery',
    label: 'recovery s',
    better: 'lower',
    how: 'The slowest return to the error rate before an event, over the events of the load: 0 when no second after any event was worse than before; "> n" when the error rate was still higher when the event\'s n-second window ended.',
    measure: (s) => {
      const worst = worstRecovery(s);
      if (!worst) return cell(null);
      return worst.recovered
        ? cell(worst.seconds)
        : cell(
            worst.seconds,
            `> ${num(worst.seconds)}`,
            `not recovered within its ${num(worst.seconds)} s window`,
          );
    },
  },
  {
    key: 'bytes',
    label: 'bytes/req sent · received',
    better: 'lower',
    how: 'Bytes on the wire per request, both ways, from the client sockets.',
    measure: (s) => {
      const { sent, received } = s.bytesPerRequest;
      return cell(sent + received, `${int(sent)} · ${int(received)}`);
    },
  },
  {
    key: 'revocation',
    label: 'revocation window s',
    better: 'lower',
    how: 'Seconds a copied credential kept working after logout; "≥ n" when it still worked when the probe stopped trying.',
    measure: (s) => {
      const probe = s.probes.revocation;
      if (!probe) return cell(null);
      return revocationStillOpen(probe)
        ? cell(probe.windowS, `≥ ${num(probe.windowS)}`, 'still accepted when the probe stopped')
        : cell(probe.windowS);
    },
  },
];
