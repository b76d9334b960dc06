// One strategy over time: its charts (with every event marked), how its
// requests spread over nodes, what each event did, its thresholds.
import type { EventEffect, StrategySummary } from '../summary-schema.ts';
import { ROUTE_REQUESTS, ROUTES } from '../../common/routes.ts';
import { byName, int, NONE, num, pct } from '../format.ts';
import { countsText, happened, lostByNode, nodeShares } from '../strategy-facts.ts';
import type { ChartSpec } from './chart-specs.ts';
import { esc } from './escape.ts';
import { list, table } from './markup.ts';

export function strategySection(
  strategy: StrategySummary,
  id: string,
  charts: ChartSpec[],
): string {
  const { totals } = strategy;
  const facts = [
    `${int(totals.requests)} requests in ${num(strategy.durationS)} s`,
    `p50 ${num(totals.latencyMs.p50)} ms, p99 ${num(totals.latencyMs.p99)} ms`,
    `errors ${pct(strategy.errorRate)}`,
    `${int(totals.sessionsLost)} sessions lost`,
    `${int(totals.staleReads)} stale reads`,
    `${int(totals.lostUpdates)} lost updates`,
  ];
  return `<section class="strategy" id="${esc(id)}">
<h3>${esc(strategy.strategy)}</h3>
<p class="muted">${esc(facts.join(' · '))}</p>
<p class="legend-markers muted">Event markers: <span class="fault">solid: fault</span><span class="control">dashed: control (start, resume, enable)</span><span class="skipped">grey: skipped or failed</span></p>
<div class="charts">
${charts.map((chart) => `<div class="chart" id="${esc(chart.id)}" data-chart></div>`).join('\n')}
</div>
<h4>Share of requests per node</h4>
${sharesBars(strategy)}
${routesTable(strategy)}<h4>Events</h4>
${eventsTable(strategy)}
<h4>Probes</h4>
${probesList(strategy)}
<h4>Thresholds</h4>
${thresholdsTable(strategy)}
${strategy.warnings.length > 0 ? `<h4>Warnings</h4>${list(strategy.warnings)}` : ''}
</section>`;
}

function sharesBars(strategy: StrategySummary): string {
  const shares = nodeShares(strategy);
  if (shares.length === 0) return '<p class="muted">No request was answered.</p>';
  const top = Math.max(...shares.map((share) => share.share));
  const rows = shares.map(
    ({ node, share }) =>
      `<span>${esc(node)}</span><div class="bar" style="width:${((share / top) * 100).toFixed(1)}%"></div><span class="num">${esc(pct(share))} (${esc(int(strategy.totals.servedBy[node]))})</span>`,
  );
  return `<div class="shares">${rows.join('')}</div>`;
}

/** Latency per route, for summaries that have it: a refresh or a login next to the reads. */
function routesTable(strategy: StrategySummary): string {
  const byRoute = strategy.totals.latencyByRoute;
  if (!byRoute) return '';
  const known: readonly string[] = ROUTES;
  const names = [
    ...ROUTES.filter((route) => byRoute[route]),
    ...Object.keys(byRoute)
      .filter((route) => !known.includes(route))
      .sort(byName),
  ];
  const rows = names.flatMap((route) => {
    const { count, p50, p99 } = byRoute[route]!;
    if (count === 0) return [];
    const request = (ROUTE_REQUESTS as Record<string, string | undefined>)[route];
    return [
      [
        esc(route) + (request ? `<div class="note">${esc(request)}</div>` : ''),
        esc(int(count)),
        esc(num(p50)),
        esc(num(p99)),
      ],
    ];
  });
  const heading = '<h4>Latency per route</h4>\n';
  if (rows.length === 0) return `${heading}<p class="muted">No request was answered.</p>\n`;
  const n = (label: string) => ({ label, numeric: true });
  return (
    heading +
    table([{ label: 'route' }, n('requests'), n('p50 ms'), n('p99 ms')], rows) +
    '<p class="muted">Requests answered (any status), as the client timed them; routes without an answer are left out.</p>\n'
  );
}

function eventsTable(strategy: StrategySummary): string {
  if (strategy.events.length === 0) return '<p class="muted">No chaos or control event.</p>';
  const rows = strategy.events.map((event) => {
    const measured = happened(event);
    const figure = (value: number, byNode?: Record<string, number>) => {
      if (!measured) return esc(NONE);
      const split = countsText(byNode);
      return esc(int(value)) + (split ? `<div class="note">${esc(split)}</div>` : '');
    };
    return [
      esc(num(event.t)),
      esc(event.action),
      esc(event.target),
      esc(event.status ?? 'done') + (event.error ? ` (${esc(event.error)})` : ''),
      figure(event.errors, event.errorsByNode),
      figure(event.sessionsLost, lostByNode(event)),
      figure(event.staleReads),
      figure(event.lostUpdates),
      esc(event.ejectedAfterS === null ? NONE : num(event.ejectedAfterS)),
      esc(event.returnedAfterS == null ? NONE : num(event.returnedAfterS)),
      esc(recovery(event)),
      esc(measured ? num(event.windowS) : NONE),
      esc(event.detail),
    ];
  });
  const n = (label: string) => ({ label, numeric: true });
  return (
    table(
      [
        n('at s'),
        { label: 'action' },
        { label: 'target' },
        { label: 'status' },
        n('errors'),
        n('sessions lost'),
        n('stale reads'),
        n('lost updates'),
        n('ejected after s'),
        n('back up after s'),
        n('recovered after s'),
        n('window s'),
        { label: 'detail' },
      ],
      rows,
    ) +
    '<p class="muted">Errors and lost sessions over the window after each event (to the next event or the end), the smaller line by node: errors by the node that caused them (not net of the rate before), sessions by the node they were pinned to. Recovered after: 0 when no second was worse than before the event. ' +
    esc(nodeStatesNote(strategy)) +
    '</p>'
  );
}

/** Whose node states the ejection and return times are. */
function nodeStatesNote(strategy: StrategySummary): string {
  const from =
    strategy.nodeStatesFrom === 'haproxy'
      ? "HAProxy's own server states (its runtime API)"
      : "the lab balancer's node states";
  return `Ejected and back up after: when ${from} showed the node down, and up again after a start, read 4 times a second.`;
}

/** 0 when no second was worse; a distinct phrase when the window closed first; — when nothing was measured. */
function recovery(event: EventEffect): string {
  if (!happened(event) || event.windowS <= 0) return NONE;
  if (event.recoveredAfterS === null) return `not within ${num(event.windowS)} s`;
  return num(event.recoveredAfterS);
}

/** The claim probes' raw figures, and the probes that failed (their figures are absent, never guessed). */
function probesList(strategy: StrategySummary): string {
  const { probeErrors, ...figures } = strategy.probes;
  const text = (value: unknown): string => {
    if (typeof value === 'number') return num(value);
    if (typeof value === 'string') return value;
    if (value === null || value === undefined) return NONE;
    if (Array.isArray(value)) return value.map(text).join(', ') || NONE;
    if (typeof value === 'object') {
      return Object.entries(value)
        .map(([key, inner]) => `${key} ${text(inner)}`)
        .join(', ');
    }
    return JSON.stringify(value);
  };
  const lines = [
    ...Object.entries(figures).map(([name, value]) => `${name}: ${text(value)}`),
    ...(probeErrors ?? []).map(
      (failure) => `${failure.probe} failed: ${failure.code} ${failure.message}`,
    ),
  ];
  return lines.length > 0 ? list(lines) : '<p class="muted">No probe ran.</p>';
}

function thresholdsTable(strategy: StrategySummary): string {
  const exit =
    strategy.loadgenExitCode === null
      ? 'The load generator was stopped before it exited.'
      : `The load generator exited with status ${strategy.loadgenExitCode}.`;
  if (strategy.thresholds.length === 0)
    return `<p class="muted">No threshold set. ${esc(exit)}</p>`;
  const rows = strategy.thresholds.map((t) => [
    esc(t.name),
    esc(num(t.limit)),
    esc(num(t.value)),
    t.ok ? { html: 'held', className: 'best' } : { html: '<b>failed</b>', className: 'bad' },
  ]);
  return (
    table(
      [
        { label: 'threshold' },
        { label: 'limit', numeric: true },
        { label: 'value', numeric: true },
        { label: 'result' },
      ],
      rows,
    ) + `<p class="muted">${esc(exit)}</p>`
  );
}
