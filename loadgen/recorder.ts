// Where everything the journeys observe goes: stamped with the second it
// happened in (relative to t = 0), aggregated per second for the series and
// kept whole for the totals.
import { RunTotals, type WireBytes } from './run-totals.ts';
import {
  SecondSeries,
  type CounterName,
  type DropCause,
  type RequestEnd,
} from './second-series.ts';
import type { GeneratorSettings, LoadTotals, SecondPoint, SetupFigures } from './types.ts';

export class Recorder {
  /** performance.now() of t = 0. */
  #origin: number;
  /** Epoch ms of t = 0. */
  #startedAtMs: number;
  readonly #series = new SecondSeries();
  readonly #totals = new RunTotals();
  #next = 0;
  // While set, requests are the setup's (before t = 0): counted here, not in the series.
  #setup: SetupFigures | undefined;
  #setupFigures: SetupFigures | undefined;

  constructor(origin = performance.now(), startedAtMs = Date.now()) {
    this.#origin = origin;
    this.#startedAtMs = startedAtMs;
  }

  get origin(): number {
    return this.#origin;
  }

  get startedAtMs(): number {
    return this.#startedAtMs;
  }

  /** What follows is setup (the request journey's pool of `wanted` sessions) until begin(). */
  beginSetup(wanted: number): void {
    this.#setup = { wanted, loggedIn: 0, requests: 0, errors: 0, elapsedMs: performance.now() };
  }

  /** t = 0 is now: the setup, if any, is over. */
  begin(): void {
    this.#origin = performance.now();
    this.#startedAtMs = Date.now();
    if (this.#setup) {
      this.#setup.elapsedMs = Math.round(this.#origin - this.#setup.elapsedMs);
      this.#setupFigures = this.#setup;
      this.#setup = undefined;
    }
  }

  /** Ms since t = 0. */
  elapsed(): number {
    return performance.now() - this.origin;
  }

  #second(): number {
    return Math.floor(this.elapsed() / 1000);
  }

  /** An ended request; `networkCode` the error code when no answer came. */
  request(end: RequestEnd, networkCode?: string): void {
    if (this.#setup) {
      this.#setup.requests += 1;
      if (end.errorKind !== undefined) this.#setup.errors += 1;
      return;
    }
    this.#series.request(this.#second(), end);
    this.#totals.request(end, networkCode);
  }

  /** An answer (any status) to a held session after its login, from `servedBy`, its home node or not. */
  heldAnswer(servedBy: string, onHome: boolean): void {
    this.#series.heldAnswer(this.#second(), servedBy, onHome);
  }

  /** An arrival not started because `vus` journeys were in flight, and why. */
  dropped(cause: DropCause): void {
    this.#series.dropped(this.#second(), cause);
  }

  count(name: CounterName, n = 1): void {
    if (this.#setup) return; // a login only: nothing else to count before t = 0
    this.#series.count(this.#second(), name, n);
  }

  /** A lost session, with the node that served it last (`none` if none had). */
  sessionLost(node: string): void {
    this.#series.sessionLost(this.#second(), node);
  }

  /** A login started a session (in the setup too: LoadTotals.sessionsStarted counts the pool). */
  sessionStarted(): void {
    this.#totals.sessionsStarted += 1;
    if (this.#setup) this.#setup.loggedIn += 1;
  }

  /** How late scheduled work started, ms. */
  lag(ms: number): void {
    this.#totals.lags.record(Math.max(0, ms));
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

  totals(bytes: WireBytes, settings?: GeneratorSettings): LoadTotals {
    const { startedAtMs } = this;
    return this.#totals.build(startedAtMs, this.elapsed(), bytes, settings, this.#setupFigures);
  }
}
