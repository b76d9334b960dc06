import type { Router } from '@koa/router';
import { setTimeout as delay } from 'node:timers/promises';
import { StoreError } from '../../store/errors.ts';
import { HttpError } from '../errors.ts';
import type { StrategyHolder } from '../strategies/strategy-holder.ts';
import type { SessionStrategy } from '../strategies/strategy.ts';

export interface HealthRoutesOptions {
  nodeId: string;
  strategies: StrategyHolder;
  /** Longest /readyz waits for the strategy before answering 503. Default 1 s. */
  readyTimeoutMs?: number;
}

export const DEFAULT_READY_TIMEOUT_MS = 1_000;

/** GET /healthz (the process answers) and GET /readyz (and its strategy's store answers too). */
export function registerHealthRoutes(router: Router, options: HealthRoutesOptions): void {
  const { nodeId, strategies } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;

  // Liveness never touches the store: a dead store must not get the node restarted.
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', node: nodeId };
  });

  router.get('/readyz', async (ctx) => {
    const strategy = strategies.of(ctx);
    try {
      await readyWithin(strategy, readyTimeoutMs);
    } catch (error) {
      throw new HttpError(
        'NOT_READY',
        `session strategy ${strategy.name} not ready: ${reason(error)}`,
        { cause: error, expose: true },
      );
    }
    ctx.body = { status: 'ready', node: nodeId };
  });
}

async function readyWithin(strategy: SessionStrategy, timeoutMs: number): Promise<void> {
  const timer = new AbortController();
  const timeout = delay(timeoutMs, undefined, { signal: timer.signal }).then(() => {
    throw new Error(`no answer within ${timeoutMs} ms`);
  });
  try {
    await Promise.race([strategy.ready(), timeout]);
  } finally {
    // Frees the timer; Promise.race already handles the resulting rejection.
    timer.abort();
  }
}

// Store errors carry messages written for operators; anything else stays in the log.
function reason(error: unknown): string {
  if (error instanceof StoreError) return `${error.code}: ${error.message}`;
  if (error instanceof Error && error.message.startsWith('no answer within')) return error.message;
  return 'unexpected error';
}
