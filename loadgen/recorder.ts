// Where everything the journeys observe goes: stamped with the second it
// happened in (relative to t = 0), aggregated per second for the series and
// kept whole for the totals.
import { RunTotals, type WireBytes } from './run-totals.ts';
import { SecondSeries, type CounterName, type RequestEnd } from './second-series.ts';
import type { LoadTotals, SecondPoint } from './types.ts';

export class Recorder {
  /** performance.now() of t = 0. */
  readonly origin: number;
  /** Epoch ms of t = 0. */
  readonly startedAtMs: number;
  readonly #series = new SecondSeries();
  readonly #totals = new RunTotals();
  #next = 0;

  constructor(origin = performance.now(), startedAtMs = Date.now()) {
    this.origin = origin;
    this.startedAtMs = startedAtMs;
  }

  /** Ms since t = 0. */
  elapsed(): number {
    return performance.now() - this.origin;
  }

  #second(): number {
    return Math.floor(this.elapsed() / 1000);
  }

  request(end: RequestEnd): void {
    this.#series.request(this.#second(), end);
    if (end.latencyMs !== undefined) this.#totals.answered(end.latencyMs, end.route);
  }

  /** A session's 2xx answer after its login, from its home node or not. */
  pinned(onHome: boolean): void {
    const t = this.#second();
    this.#series.count(t, 'pinnedTotal');
    if (onHome) this.#series.count(t, 'pinnedServed');
  }

  count(name: CounterName, n = 1): void {
    this.#series.count(this.#second(), name, n);
  }

  /** A lost session, with the node that served it last (`none` if none had). */
  sessionLost(node: string): void {
    this.#series.sessionLost(this.#second(), node);
  }

  sessionStarted(): void {
    this.#totals.sessionsStarted += 1;
  }

  /** How late scheduled work started, ms. */
  lag(ms: number): void {
    this.#totals.lags.push(Math.max(0, ms));
  }

  /**
   * The seconds that are over and not yet taken. `final` also takes the
   * second under way when it holds anything (the end of the run).
   */
  takeSeconds(final = false): SecondPoint[] {
    const now = this.#second();
    const points: SecondPoint[] = [];
    while (this.#next < now || (final && this.#next === now && this.#series.has(now))) {
      const point = this.#series.take(this.#next++);
      this.#totals.add(point);
      points.push(point);
    }
    return points;
  }

  totals(bytes: WireBytes): LoadTotals {
    return this.#totals.build(this.startedAtMs, this.elapsed(), bytes);
  }
}
