// A mergeable latency histogram with bounded relative error, in place of
// keeping every sample: logarithmic buckets whose bounds grow by a factor
// γ = (1 + α) / (1 − α), α = 1 %. Bucket i holds the values in
// (γ^(i−1), γ^i] and reports 2γ^i / (γ + 1), which is within α of every
// value in it (the DDSketch construction), so any percentile it gives is
// within 1 % of the exact nearest-rank sample, clamped to the exact min and
// max. Memory is fixed (a few KB) whatever the run's length, recording is a
// logarithm and an increment, and two histograms merge by adding counts:
// what the per-second points of several generator processes need.

/** Every quantile is within this share of the exact sample of that rank. */
export const RELATIVE_ACCURACY = 0.01;
/** Values below this (ms) count as 0: far under what a loopback request can take. */
export const MIN_MS = 0.001;
/** Values above this (ms) share the last bucket; they are still counted, and max stays exact. */
export const MAX_MS = 10_000_000;

const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Bucket 0 is zero; bucket b ≥ 1 is log-index b + OFFSET. */
const OFFSET = Math.ceil(Math.log(MIN_MS) / LOG_GAMMA) - 1;
const BUCKETS = Math.ceil(Math.log(MAX_MS) / LOG_GAMMA) - OFFSET + 1;

/** A histogram as JSON: exact min and max, and [bucket, count] pairs flattened, non-empty buckets only. */
export interface HistogramData {
  min: number;
  max: number;
  counts: number[];
}

function bucketOf(value: number): number {
  if (!(value >= MIN_MS)) return 0; // NaN and negatives too: a latency is never below 0
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(value) / LOG_GAMMA) - OFFSET);
}

function valueOf(bucket: number): number {
  return bucket === 0 ? 0 : (2 * GAMMA ** (bucket + OFFSET)) / (GAMMA + 1);
}

export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS);
  #count = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;

  /** Values recorded. */
  get count(): number {
    return this.#count;
  }

  /** The exact largest value; NaN when empty. */
  get max(): number {
    return this.#count === 0 ? Number.NaN : this.#max;
  }

  record(value: number): void {
    this.#counts[bucketOf(value)]! += 1;
    this.#count += 1;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /** Adds every value of `other` (another part's histogram, or its JSON). */
  merge(other: LatencyHistogram | HistogramData): void {
    const data = other instanceof LatencyHistogram ? other.toJSON() : other;
    for (let i = 0; i < data.counts.length; i += 2) {
      const bucket = data.counts[i]!;
      const n = data.counts[i + 1]!;
      this.#counts[bucket]! += n;
      this.#count += n;
    }
    if (data.counts.length > 0) {
      this.#min = Math.min(this.#min, data.min);
      this.#max = Math.max(this.#max, data.max);
    }
  }

  /**
   * p in [0, 1], nearest rank (the value at rank ⌈p·n⌉, as `percentile` of
   * samples.ts), within RELATIVE_ACCURACY of it; NaN when empty.
   */
  quantile(p: number): number {
    if (this.#count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(p * this.#count));
    // The extreme ranks are the exact min and max, kept beside the buckets:
    // a p99 over fewer than 100 samples is the slowest one (a timeout at its
    // full wait), not its bucket's representative.
    if (rank >= this.#count) return this.#max;
    if (rank === 1) return this.#min;
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket += 1) {
      seen += this.#counts[bucket]!;
      if (seen < rank) continue;
      // The last bucket has no upper bound: only the exact max is right there.
      if (bucket === BUCKETS - 1) return this.#max;
      return Math.min(this.#max, Math.max(this.#min, valueOf(bucket)));
    }
    return this.#max;
  }

  toJSON(): HistogramData {
    const counts: number[] = [];
    for (let bucket = 0; bucket < BUCKETS; bucket += 1) {
      const n = this.#counts[bucket]!;
      if (n > 0) counts.push(bucket, n);
    }
    return this.#count === 0
      ? { min: 0, max: 0, counts }
      : { min: this.#min, max: this.#max, counts };
  }

  static from(data: HistogramData): LatencyHistogram {
    const histogram = new LatencyHistogram();
    histogram.merge(data);
    return histogram;
  }
}
