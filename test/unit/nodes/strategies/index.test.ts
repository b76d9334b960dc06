import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { freePort } from '../../../../lab/process/ports.ts';
import { createNodeMetrics } from '../../../../nodes/metrics.ts';
import { createStrategy } from '../../../../nodes/strategies/index.ts';
import type { StrategyDeps } from '../../../../nodes/strategies/index.ts';
import { StoreOptionError, StoreUnavailableError } from '../../../../store/errors.ts';

function deps(): StrategyDeps {
  const logger = pino({ level: 'silent' });
  return {
    nodeId: 'n',
    limits: { idleTimeoutMs: 60_000, absoluteTimeoutMs: 3_600_000, maxEntries: 10 },
    metrics: createNodeMetrics({ nodeId: 'n', logger, strategy: () => undefined }),
    logger,
    now: Date.now,
  };
}

describe('nodes/strategies/index (the factory)', () => {
  it('builds sticky on a node-local memory store', async () => {
    const strategy = await createStrategy({ name: 'sticky' }, deps());
    try {
      assert.deepEqual([strategy.name, strategy.variant], ['sticky', 'memory']);
      await strategy.ready();
      assert.equal(await strategy.count(), 0);
    } finally {
      await strategy.close();
    }
  });

  it('builds cookie, which holds and counts nothing', async () => {
    const keys = [{ id: 'k1', secret: randomBytes(32) }];
    const strategy = await createStrategy({ name: 'cookie', cookie: { keys } }, deps());
    assert.deepEqual([strategy.name, strategy.variant], ['cookie', 'aes-256-gcm']);
    assert.equal(await strategy.count(), undefined);
    assert.equal('refresh' in strategy, false, 'no refresh tokens');
    await strategy.close();
  });

  it('fails fast with StoreUnavailableError when Redis is unreachable, leaving nothing open', async () => {
    const port = await freePort();
    const started = performance.now();
    await assert.rejects(
      createStrategy(
        { name: 'redis', redis: { url: `redis://127.0.0.1:${port}`, mode: 'cas' } },
        deps(),
      ),
      (error: unknown) => {
        assert.ok(error instanceof StoreUnavailableError, String(error));
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
        return true;
      },
    );
    assert.ok(performance.now() - started < 5_000);
    // A client left reconnecting would keep mocha alive: the run itself checks that.
  });

  it('passes a store option error on, for a 400', async () => {
    await assert.rejects(
      createStrategy({ name: 'redis', redis: { url: 'redis://', mode: 'lww' } }, deps()),
      StoreOptionError,
    );
  });
});
