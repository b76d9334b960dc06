// What a script's handleSummary returns: k6's summary data as JSON where
// LAB_SUMMARY says (the file `lab run --generator k6` reads), and a few
// lines of the lab's figures on stdout in place of k6's own summary.
import { COUNTER_METRICS, LAB_METRICS } from './metric-names.ts';
import type { Settings } from './settings.ts';

/** The part of k6's summary data these lines read (k6's handleSummary argument). */
export interface SummaryData {
  metrics: Record<
    string,
    { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }
  >;
}

export function summaryOutputs(settings: Settings, data: SummaryData): Record<string, string> {
  const outputs: Record<string, string> = { stdout: labLines(data).join('\n') + '\n' };
  if (settings.summaryFile) outputs[settings.summaryFile] = JSON.stringify(data, null, 2) + '\n';
  return outputs;
}

/** The lab's figures, one per line; `-` where k6 reported nothing. */
export function labLines(data: SummaryData): string[] {
  const value = (metric: string, stat: string) => data.metrics[metric]?.values[stat];
  const show = (figure: number | undefined, digits = 0) =>
    figure === undefined ? '-' : figure.toFixed(digits);
  const count = (metric: string) => show(value(metric, 'count'));
  const share = value(LAB_METRICS.homeNodeShare, 'rate');
  const lines = [
    `requests ${count(LAB_METRICS.requestDuration)}, failed ${show(100 * (value(LAB_METRICS.requestFailed, 'rate') ?? NaN), 2)} %, ` +
      `p50 ${show(value(LAB_METRICS.requestDuration, 'p(50)'), 1)} ms, p99 ${show(value(LAB_METRICS.requestDuration, 'p(99)'), 1)} ms`,
    `sessions lost ${count(LAB_METRICS.sessionsLost)}, relogins ${count(COUNTER_METRICS.relogins)}, ` +
      `home-node share ${share === undefined ? '-' : `${(100 * share).toFixed(1)} %`}`,
    `stale reads ${count(COUNTER_METRICS.staleReads)}, lost updates ${count(COUNTER_METRICS.lostUpdates)} ` +
      `(at least ${count(COUNTER_METRICS.lostUpdatesLowerBound)}; ${count(COUNTER_METRICS.uncertainRounds)} uncertain rounds), ` +
      `doubled ${count(COUNTER_METRICS.doubledUpdates)}`,
  ];
  for (const [metric, { thresholds }] of Object.entries(data.metrics)) {
    for (const [expression, { ok }] of Object.entries(thresholds ?? {})) {
      if (!ok) lines.push(`threshold FAILED: ${metric} ${expression}`);
    }
  }
  return lines;
}
