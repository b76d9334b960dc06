// Latencies and lags are kept as raw samples in typed arrays: no object per
// request, no garbage to collect, and exact percentiles at the end.

/** A growable Float64Array of samples. */
export class Samples {
  #values: Float64Array;
  #length = 0;

  constructor(capacity = 64) {
    this.#values = new Float64Array(capacity);
  }

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    if (this.#length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = value;
  }

  /** A sorted copy; the samples themselves keep growing. */
  sorted(): Float64Array {
    return this.#values.slice(0, this.#length).sort();
  }
}

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

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
