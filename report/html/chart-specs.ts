// What each time chart of a strategy shows, as plain data inlined into the
// page; the page's script only draws it. Every chart carries the strategy's
// chaos and control events, drawn as markers.
import type { EventEffect, ProcessSeries, StrategySummary } from '../summary-schema.ts';
import type { SecondPoint } from '../summary-schema.ts';
import { byName } from '../format.ts';
import { isControl, nodeIds } from '../strategy-facts.ts';

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
  /** A dashed line (canvas dash pattern, px); solid when absent. */
  dash?: number[];
}

export type MarkerKind = 'fault' | 'control' | 'skipped';

export interface ChartMarker {
  t: number;
  label: string;
  kind: MarkerKind;
}

export interface ChartSpec {
  /** DOM id of the chart's container. */
  id: string;
  title: string;
  /** Y axis label. */
  unit: string;
  /**
   * Seconds since the strategy's load started: the start of each second,
   * then the end of the last. A point holds what ended within its second,
   * so the page draws it as a step over that second (errors of second 2
   * that follow a kill at 2.8 s must not appear to come before it).
   */
  x: number[];
  xMax: number;
  series: ChartSeries[];
  markers: ChartMarker[];
  /**
   * Set on a chart whose x is not time (latency against achieved rate): the
   * x axis label; points are drawn joined by straight lines across gaps.
   */
  xLabel?: string;
}

/** Okabe-Ito: told apart by most colour-blind readers. */
const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#999999',
];
export const color = (index: number) => PALETTE[index % PALETTE.length] ?? '#000000';

/** Controls (start, resume, enable) are drawn apart from faults. */
export function markersOf(events: readonly EventEffect[]): ChartMarker[] {
  return events.map((event) => {
    const status = event.status ?? 'done';
    const kind: MarkerKind = status !== 'done' ? 'skipped' : isControl(event) ? 'control' : 'fault';
    const suffix = status === 'done' ? '' : ` (${status})`;
    return { t: event.t, label: `${event.action} ${event.target}${suffix}`, kind };
  });
}

/** The time charts of one strategy; `prefix` keeps DOM ids unique per strategy. */
export function strategyCharts(strategy: StrategySummary, prefix: string): ChartSpec[] {
  const points = strategy.timeline;
  const last = points.at(-1);
  const base = {
    x: [...points.map((point) => point.t), ...(last ? [last.t + 1] : [])],
    xMax: Math.max(strategy.durationS, ...points.map((point) => point.t + 1)),
    markers: markersOf(strategy.events),
  };
  const pick = (field: (point: SecondPoint) => number | null) => points.map(field);
  const charts: Omit<ChartSpec, 'x' | 'xMax' | 'markers'>[] = [
    {
      id: `${prefix}-rate`,
      title: 'Requests per second',
      unit: 'requests/s',
      series: [
        { label: 'requests', color: color(0), values: pick((p) => p.requests) },
        ...(strategy.totals.dropped > 0
          ? [{ label: 'journeys dropped', color: color(1), values: pick((p) => p.dropped) }]
          : []),
      ],
    },
    {
      id: `${prefix}-latency`,
      title: 'Latency',
      unit: 'ms',
      series: [
        { label: 'p50', color: color(2), values: pick((p) => p.p50Ms) },
        { label: 'p95', color: color(4), values: pick((p) => p.p95Ms) },
        { label: 'p99', color: color(1), values: pick((p) => p.p99Ms) },
      ],
    },
    {
      id: `${prefix}-errors`,
      title: 'Errors per second',
      unit: 'errors/s',
      series: errorSeries(points),
    },
    {
      id: `${prefix}-consistency`,
      title: 'Sessions lost, stale reads, lost updates',
      unit: 'per second',
      series: [
        { label: 'sessions lost', color: color(1), values: pick((p) => p.sessionsLost) },
        { label: 'stale reads', color: color(3), values: pick((p) => p.staleReads) },
        { label: 'lost updates', color: color(0), values: pick((p) => p.lostUpdates) },
      ],
    },
    {
      id: `${prefix}-nodes`,
      title: 'Requests per node',
      unit: 'requests/s',
      series: servedBySeries(strategy),
    },
  ];
  if (strategy.processes.length > 0) {
    charts.push(
      {
        id: `${prefix}-cpu`,
        title: 'CPU per process',
        unit: 'cores',
        series: processSeries(strategy.processes, points.length, (p) => p.cores),
      },
      {
        id: `${prefix}-memory`,
        title: 'Memory per process',
        unit: 'MiB',
        series: processSeries(strategy.processes, points.length, (p) => p.rssMiB),
      },
    );
  }
  // The closing edge repeats each series' last value, so the last second is a full step.
  return charts.map((chart) => ({
    ...chart,
    ...base,
    series: chart.series.map((series) => ({
      ...series,
      values: last ? [...series.values, series.values.at(-1) ?? null] : series.values,
    })),
  }));
}

/** One series per error kind (503, ECONNRESET, ...), or a flat total when there were none. */
function errorSeries(points: readonly SecondPoint[]): ChartSeries[] {
  const kinds = [...new Set(points.flatMap((p) => Object.keys(p.errorsByKind)))].sort(byName);
  if (kinds.length === 0) {
    return [{ label: 'errors', color: color(1), values: points.map((p) => p.errors) }];
  }
  return kinds.map((kind, index) => ({
    label: kind,
    color: color(index + 1),
    values: points.map((p) => p.errorsByKind[kind] ?? 0),
  }));
}

function servedBySeries(strategy: StrategySummary): ChartSeries[] {
  const ids = nodeIds(strategy);
  const others = Object.keys(strategy.totals.servedBy).filter((id) => !ids.includes(id));
  return [...ids, ...others.sort(byName)].map((id, index) => ({
    label: id,
    color: color(index),
    values: strategy.timeline.map((p) => p.servedBy[id] ?? 0),
  }));
}

/** Process samples are aligned with the timeline; a short or long series is cut or padded to it. */
function processSeries(
  processes: readonly ProcessSeries[],
  length: number,
  values: (process: ProcessSeries) => (number | null)[],
): ChartSeries[] {
  return processes.map((process, index) => {
    const samples = values(process);
    return {
      label: `${process.name} (${process.kind})`,
      color: color(index),
      values: Array.from({ length }, (_, i) => samples[i] ?? null),
    };
  });
}
