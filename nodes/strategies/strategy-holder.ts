import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { HttpError } from '../errors.ts';
import type { SessionStrategy, StrategyName } from './strategy.ts';

/** What a switch answers (PUT /admin/strategy). */
export interface SwitchResult {
  strategy: StrategyName;
  variant: string;
  /** What ran before; null for a node's first strategy. */
  previous: { strategy: StrategyName; variant: string } | null;
  /** Build, connect and readiness check of the new strategy. */
  tookMs: number;
}

export interface StrategyHolderOptions {
  logger: Logger;
  /** How long a retired strategy may keep serving its requests before it is closed anyway. Default 10 s. */
  drainTimeoutMs?: number;
  /** Longest a switch waits for the new strategy to be built and ready. Default 15 s. */
  switchTimeoutMs?: number;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
// Above the Hazelcast client's own first-connect wait (10 s), so it can say why.
export const DEFAULT_SWITCH_TIMEOUT_MS = 15_000;

/** A strategy with the requests it is serving. */
interface Slot {
  strategy: SessionStrategy;
  inFlight: number;
  retired: boolean;
  drainTimer?: NodeJS.Timeout;
  closed?: Promise<void>;
}

/**
 * The node's current strategy, swapped live. Each request leases the
 * strategy that is current when it arrives and keeps it to its end; a
 * switch builds and checks the new strategy first (the old one serves
 * meanwhile and stays if the new one fails), then swaps atomically. The old
 * strategy is closed once its last request has finished, or after the drain
 * timeout, whichever comes first. Switches run one at a time.
 */
export class StrategyHolder {
  readonly #logger: Logger;
  readonly #drainTimeoutMs: number;
  readonly #switchTimeoutMs: number;
  readonly #leases = new WeakMap<Context, Slot>();
  readonly #retiring = new Set<Slot>();
  #current: Slot | undefined;
  #switching: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: StrategyHolderOptions) {
    this.#logger = options.logger;
    this.#drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    this.#switchTimeoutMs = options.switchTimeoutMs ?? DEFAULT_SWITCH_TIMEOUT_MS;
  }

  /** The strategy new requests get; undefined before the first switch. */
  get current(): SessionStrategy | undefined {
    return this.#current?.strategy;
  }

  /** Leases the current strategy to each request until its response is ready. */
  middleware(): Middleware {
    return async (ctx, next) => {
      const slot = this.#current;
      if (!slot) {
        await next();
        return;
      }
      slot.inFlight += 1;
      this.#leases.set(ctx, slot);
      try {
        await next();
      } finally {
        slot.inFlight -= 1;
        if (slot.retired && slot.inFlight === 0) void this.#close(slot);
      }
    };
  }

  /** The strategy this request started with; 503 NOT_READY before the node has one. */
  of(ctx: Context): SessionStrategy {
    const slot = this.#leases.get(ctx);
    if (!slot) throw new HttpError('NOT_READY', 'the node has no session strategy yet');
    return slot.strategy;
  }

  /**
   * Builds a strategy with `build`, checks `ready()`, and makes it current.
   * On any failure the current strategy stays and the error is thrown; a
   * strategy built after the deadline is closed as soon as it arrives.
   */
  switchTo(build: () => Promise<SessionStrategy>): Promise<SwitchResult> {
    const run = this.#switching.then(() => this.#switch(build));
    this.#switching = run.catch(() => undefined);
    return run;
  }

  /** Closes the current strategy and any still draining, without waiting for their requests. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#switching;
    const slots = [...this.#retiring, ...(this.#current ? [this.#current] : [])];
    this.#current = undefined;
    await Promise.all(slots.map((slot) => this.#close(slot)));
  }

  async #switch(build: () => Promise<SessionStrategy>): Promise<SwitchResult> {
    if (this.#closed) throw new Error('the node is shutting down');
    const started = performance.now();
    const next = await this.#buildReady(build);
    if (this.#closed) {
      await this.#closeQuietly(next);
      throw new Error('the node is shutting down');
    }
    const previous = this.#current;
    this.#current = { strategy: next, inFlight: 0, retired: false };
    if (previous) this.#retire(previous);
    const tookMs = Math.round(performance.now() - started);
    this.#logger.info(
      { strategy: next.name, variant: next.variant, previous: previous?.strategy.name, tookMs },
      'session strategy switched',
    );
    return {
      strategy: next.name,
      variant: next.variant,
      previous: previous
        ? { strategy: previous.strategy.name, variant: previous.strategy.variant }
        : null,
      tookMs,
    };
  }

  async #buildReady(build: () => Promise<SessionStrategy>): Promise<SessionStrategy> {
    let abandoned = false;
    const attempt = (async () => {
      const strategy = await build();
      try {
        if (abandoned) throw new Error('built after the switch gave up');
        await strategy.ready();
        if (abandoned) throw new Error('ready after the switch gave up');
        return strategy;
      } catch (error) {
        await this.#closeQuietly(strategy);
        throw error;
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abandoned = true;
        reject(new Error(`not built and ready within ${this.#switchTimeoutMs} ms`));
      }, this.#switchTimeoutMs);
    });
    // A late failure of the abandoned attempt is already handled above.
    attempt.catch(() => undefined);
    try {
      return await Promise.race([attempt, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  #retire(slot: Slot): void {
    slot.retired = true;
    this.#retiring.add(slot);
    if (slot.inFlight === 0) {
      void this.#close(slot);
      return;
    }
    slot.drainTimer = setTimeout(() => {
      this.#logger.warn(
        {
          strategy: slot.strategy.name,
          inFlight: slot.inFlight,
          drainTimeoutMs: this.#drainTimeoutMs,
        },
        'old session strategy still busy after the drain timeout: closing it anyway',
      );
      void this.#close(slot);
    }, this.#drainTimeoutMs);
    // Draining must not keep a stopping process alive; close() ends it anyway.
    slot.drainTimer.unref();
  }

  #close(slot: Slot): Promise<void> {
    clearTimeout(slot.drainTimer);
    slot.closed ??= this.#closeQuietly(slot.strategy).finally(() => this.#retiring.delete(slot));
    return slot.closed;
  }

  // Closing is cleanup: a failure is logged, never thrown into a request.
  async #closeQuietly(strategy: SessionStrategy): Promise<void> {
    try {
      await strategy.close();
    } catch (error) {
      this.#logger.warn(
        { err: error, strategy: strategy.name },
        'closing a session strategy failed',
      );
    }
  }
}
