// Rebuilds the per-second series (SecondPoint, as the lab's generator writes
// it) from k6's JSON output (`k6 run --out json=FILE`): one line per metric
// sample, `{"type":"Point","metric":...,"data":{"time":RFC3339,"value":n,"tags":{...}}}`
// as k6 documents it. Each sample counts in the second of its time, counted
// from when the lab started k6, so chaos events and samples share one clock.
import { COUNTERS, SecondSeries, type CounterName } from '../../loadgen/second-series.ts';
import type { SecondPoint } from '../../loadgen/types.ts';
import type { RouteName } from '../../common/routes.ts';
import { ROUTES } from '../../common/routes.ts';
import { BUILTIN_METRICS, COUNTER_METRICS, LAB_METRICS } from '../../k6/lib/metric-names.ts';

const COUNTER_BY_METRIC = new Map<string, CounterName>([
  ...Object.entries(COUNTER_METRICS).map(
    ([name, metric]) => [metric, name as CounterName] as const,
  ),
  [LAB_METRICS.journeysStarted, 'journeysStarted'],
  [LAB_METRICS.journeysCompleted, 'journeysCompleted'],
  [BUILTIN_METRICS.dropped, 'dropped'],
]);

interface Point {
  metric: string;
  time: number;
  value: number;
  tags: Record<string, string>;
}

/** One line of k6's JSON output as a sample, or undefined for anything else (metric declarations). */
export function parsePoint(line: string): Point | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined; // a line cut by a killed k6: the rest still counts
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { type, metric, data } = parsed as { type?: unknown; metric?: unknown; data?: unknown };
  if (type !== 'Point' || typeof metric !== 'string' || typeof data !== 'object' || !data) {
    return undefined;
  }
  const { time, value, tags } = data as { time?: unknown; value?: unknown; tags?: unknown };
  const at = typeof time === 'string' ? Date.parse(time) : NaN;
  if (Number.isNaN(at) || typeof value !== 'number') return undefined;
  const tagged = typeof tags === 'object' && tags !== null ? (tags as Record<string, string>) : {};
  return { metric, time: at, value, tags: tagged };
}

/** The series of the samples in `lines`; `startedAtMs` is t = 0. */
export async function seriesFromK6Points(
  lines: AsyncIterable<string> | Iterable<string>,
  startedAtMs: number,
): Promise<SecondPoint[]> {
  const series = new SecondSeries();
  let last = -1;
  for await (const line of lines) {
    const point = parsePoint(line);
    if (!point) continue;
    const t = Math.max(0, Math.floor((point.time - startedAtMs) / 1000));
    if (add(series, t, point)) last = Math.max(last, t);
  }
  const points: SecondPoint[] = [];
  for (let t = 0; t <= last; t += 1) {
    const point = series.take(t);
    // k6 gives no cause for a dropped iteration: no split rather than a wrong one.
    delete point.droppedBy;
    points.push(point);
  }
  return points;
}

function add(series: SecondSeries, t: number, { metric, value, tags }: Point): boolean {
  if (metric === LAB_METRICS.requestDuration) {
    series.request(t, {
      latencyMs: value,
      errorKind: tags.ok === 'true' ? undefined : (tags.kind ?? 'network'),
      servedBy: tags.served_by,
      errorNode: tags.error_node,
      route: ROUTES.includes(tags.route as RouteName) ? (tags.route as RouteName) : undefined,
    });
    return true;
  }
  if (metric === LAB_METRICS.sessionsLost) {
    for (let i = 0; i < value; i += 1) series.sessionLost(t, tags.node ?? 'none');
    return value > 0;
  }
  if (metric === LAB_METRICS.homeNodeShare) {
    series.heldAnswer(t, tags.node ?? 'none', value !== 0);
    return true;
  }
  const counter = COUNTER_BY_METRIC.get(metric);
  if (counter && COUNTERS.includes(counter) && value > 0) {
    series.count(t, counter, value);
    return true;
  }
  return false;
}
