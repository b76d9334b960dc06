// One load run: the clock (t = 0, the end of the load, the hard deadline),
// the per-second points, and the journeys the model starts. Everything it
// starts it stops: timers, sockets, journeys.
import { journeySeed, seededRandom } from './core/seeded-random.ts';
import { loopbackOrigin } from '../common/loopback.ts';
import { resolveLoadConfig } from './config.ts';
import { LoadClient } from './http-client.ts';
import { journeyFor } from './journeys/index.ts';
import { SessionPool } from './journeys/session-pool.ts';
import { modelFor } from './models/index.ts';
import { Recorder } from './recorder.ts';
import type {
  GeneratorSettings,
  LoadConfig,
  LoadTotals,
  ResolvedLoadConfig,
  SecondPoint,
} from './types.ts';
import { VirtualUser } from './virtual-user.ts';
import { expectedJourneyMs, VUS_SAFETY_FACTOR } from './vus-sizing.ts';

/** On interrupt, requests in flight get this long to finish before they are aborted. */
const INTERRUPT_GRACE_MS = 500;
/** Past durationMs + timeoutMs, anything still in flight is a bug in the bounds: abort it. */
const DEADLINE_SLACK_MS = 1000;

export interface RunResult {
  totals: LoadTotals;
  /** The run was cut short by interrupt(). */
  interrupted: boolean;
}

/** What the run reports it ran with (LoadTotals.settings). */
export function settingsOf(config: ResolvedLoadConfig): GeneratorSettings {
  return {
    journey: config.journey,
    model: config.model,
    rate: config.rate,
    vus: config.vus,
    vusSource: config.vusSource,
    expectedJourneyMs: expectedJourneyMs(config),
    expectedRequestMs: config.expectedRequestMs,
    vusSafetyFactor: VUS_SAFETY_FACTOR,
    timeoutMs: config.timeoutMs,
    balancerUpstreamTimeoutMs: config.balancerUpstreamTimeoutMs,
    refreshRetry: config.refreshRetry,
  };
}

export class LoadRun {
  readonly #config: ResolvedLoadConfig;
  readonly #onSecond: (point: SecondPoint) => void;
  readonly #stopping = new AbortController();
  #interrupted = false;
  #graceTimer: NodeJS.Timeout | undefined;
  #client: LoadClient | undefined;

  readonly #onStart: ((startedAtMs: number) => void) | undefined;

  /**
   * `onSecond` gets each point as soon as its second is over, in order;
   * `onStart` the wall-clock time of t = 0, as the load begins.
   */
  constructor(
    config: LoadConfig,
    onSecond: (point: SecondPoint) => void,
    onStart?: (startedAtMs: number) => void,
  ) {
    this.#config = resolveLoadConfig(config);
    this.#onSecond = onSecond;
    this.#onStart = onStart;
  }

  /** Stops starting journeys and requests; requests in flight are aborted shortly after. */
  interrupt(): void {
    if (this.#interrupted) return;
    this.#interrupted = true;
    this.#stopping.abort();
    this.#graceTimer = setTimeout(() => this.#client?.abortAll(), INTERRUPT_GRACE_MS);
  }

  async run(): Promise<RunResult> {
    const config = this.#config;
    const settings = settingsOf(config);
    const client = (this.#client = new LoadClient(loopbackOrigin(config.url), {
      // One socket per request that can be in flight: the agent never queues.
      maxSockets: config.vus * (config.journey === 'concurrency' ? config.parallelWrites : 1),
      timeoutMs: config.timeoutMs,
    }));
    const recorder = new Recorder();
    const stopping = this.#stopping.signal;
    // Names unique across runs and generator processes too: jwt carts are kept per user in Redis.
    const prefix = `u${config.seed}-p${config.part}-${Date.now().toString(36)}-`;
    const newUser = (name: string) =>
      new VirtualUser(name, {
        client,
        recorder,
        stopping,
        thinkMs: config.thinkMs,
        refreshRetry: config.refreshRetry,
      });
    const journey = journeyFor(config.journey);
    let pool: SessionPool | undefined;
    if (journey.users === 'pool') {
      recorder.beginSetup(config.vus);
      pool = new SessionPool();
      await pool.fill(Array.from({ length: config.vus }, (_, i) => newUser(`${prefix}pool-${i}`)));
    }
    recorder.begin();
    this.#onStart?.(recorder.startedAtMs);
    let journeys = 0;
    const runJourney = async () => {
      const index = journeys++;
      const user = pool ? pool.take() : newUser(`${prefix}${index}`);
      recorder.count('journeysStarted');
      const plan = {
        steps: config.steps,
        parallelWrites: config.parallelWrites,
        random: seededRandom(journeySeed(config.seed, index)),
      };
      try {
        if (await journey.play(user, plan)) recorder.count('journeysCompleted');
      } finally {
        pool?.give(user);
      }
    };

    const emit = (final: boolean) => {
      for (const point of recorder.takeSeconds(final)) this.#onSecond(point);
    };
    let ticker: NodeJS.Timeout | undefined;
    const tick = () => {
      emit(false);
      // Re-aimed at each whole second from t = 0, so the ticks never drift.
      const elapsed = recorder.elapsed();
      ticker = setTimeout(tick, (Math.floor(elapsed / 1000) + 1) * 1000 - elapsed);
    };
    ticker = setTimeout(tick, 1000);
    const endOfLoad = setTimeout(() => this.#stopping.abort(), config.durationMs);
    const deadline = setTimeout(
      () => client.abortAll(),
      config.durationMs + config.timeoutMs + DEADLINE_SLACK_MS,
    );
    try {
      await modelFor(config.model)({
        config,
        recorder,
        stopping,
        runJourney,
        expectedJourneyMs: settings.expectedJourneyMs,
      });
    } finally {
      clearTimeout(ticker);
      clearTimeout(endOfLoad);
      clearTimeout(deadline);
      clearTimeout(this.#graceTimer);
    }
    emit(true);
    const totals = recorder.totals(client.bytes(), settings);
    client.close();
    return { totals, interrupted: this.#interrupted };
  }
}
