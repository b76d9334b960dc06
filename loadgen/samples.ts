// Percentiles of raw samples (the probes, the benches) and of latency
// histograms (the generator's series and totals, latency-histogram.ts).
import type { LatencyHistogram } from './latency-histogram.ts';

/** p in [0, 1] of an ascending array (nearest rank); NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

/** p in [0, 1] of ascending `sorted`, rounded to 0.01 ms; null when empty. */
export function quantile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  return round2(percentile(sorted, p));
}

/** p in [0, 1] of a histogram (within its relative accuracy), rounded to 0.01 ms; null when empty. */
export function quantileOf(histogram: LatencyHistogram, p: number): number | null {
  return histogram.count === 0 ? null : round2(histogram.quantile(p));
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
