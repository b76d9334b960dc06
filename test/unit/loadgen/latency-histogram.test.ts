import assert from 'node:assert/strict';
import { LatencyHistogram, RELATIVE_ACCURACY } from '../../../loadgen/latency-histogram.ts';
import { seededRandom } from '../../../loadgen/core/seeded-random.ts';
import { percentile } from '../../../loadgen/samples.ts';

const PS = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

/** Latencies spread over five decades (0.05 ms to 5 s), skewed like real ones. */
function latencies(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => 0.05 * Math.exp(random() * Math.log(100_000)));
}

/** The exact nearest-rank sample (rank ⌈p·n⌉, at least 1), as the generator used to report it. */
function exact(values: number[], p: number): number {
  const sorted = Float64Array.from(values).sort();
  return p === 0 ? sorted[0]! : percentile(sorted, p);
}

function assertWithinAccuracy(histogram: LatencyHistogram, values: number[]): void {
  for (const p of PS) {
    const truth = exact(values, p);
    const estimate = histogram.quantile(p);
    const error = Math.abs(estimate - truth) / truth;
    assert.ok(error <= RELATIVE_ACCURACY, `p${p * 100}: ${estimate} vs exact ${truth} (${error})`);
  }
}

describe('loadgen LatencyHistogram', () => {
  it('gives every percentile within 1 % of the exact nearest-rank sample', () => {
    for (const seed of [1, 2, 3]) {
      const values = latencies(20_000, seed);
      const histogram = new LatencyHistogram();
      values.forEach((value) => histogram.record(value));
      assert.equal(histogram.count, values.length);
      assertWithinAccuracy(histogram, values);
      assert.equal(histogram.max, Math.max(...values), 'the max is exact');
    }
  });

  it('merges exactly: counts add, and the merged percentiles keep the accuracy of one histogram', () => {
    const parts = [latencies(5000, 7), latencies(3000, 8).map((v) => v * 3), latencies(10, 9)];
    const merged = new LatencyHistogram();
    for (const part of parts) {
      const histogram = new LatencyHistogram();
      part.forEach((value) => histogram.record(value));
      // Through JSON, as the points of two generator processes reach the lab.
      merged.merge(JSON.parse(JSON.stringify(histogram)) as ReturnType<LatencyHistogram['toJSON']>);
    }
    const all = parts.flat();
    assert.equal(merged.count, all.length);
    assertWithinAccuracy(merged, all);
    const direct = new LatencyHistogram();
    all.forEach((value) => direct.record(value));
    assert.deepEqual(merged.toJSON(), direct.toJSON(), 'merging parts = recording them in one');
  });

  it('keeps zero, sub-microsecond and huge values counted; empty is NaN', () => {
    const histogram = new LatencyHistogram();
    assert.ok(Number.isNaN(histogram.quantile(0.5)));
    histogram.record(0);
    histogram.record(0.0001);
    histogram.record(1e9);
    assert.equal(histogram.count, 3);
    assert.equal(histogram.quantile(0), 0);
    assert.equal(histogram.quantile(1), 1e9, 'clamped to the exact max');
    assert.deepEqual(LatencyHistogram.from(histogram.toJSON()).toJSON(), histogram.toJSON());
  });
});
