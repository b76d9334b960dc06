import assert from 'node:assert/strict';
import { pino } from 'pino';
import { waitFor } from '../../../../lab/process/wait.ts';
import { StrategyHolder } from '../../../../nodes/strategies/strategy-holder.ts';
import type { SessionStrategy, StrategyName } from '../../../../nodes/strategies/strategy.ts';

interface FakeStrategy extends SessionStrategy {
  closed: boolean;
}

function fake(
  name: StrategyName,
  ready: () => Promise<void> = () => Promise.resolve(),
): FakeStrategy {
  const fail = () => Promise.reject(new Error('not used here'));
  const strategy: FakeStrategy = {
    name,
    variant: 'fake',
    closed: false,
    login: fail,
    load: fail,
    logout: fail,
    writeCart: fail,
    ready,
    count: () => Promise.resolve(0),
    close: () => {
      strategy.closed = true;
      return Promise.resolve();
    },
  };
  return strategy;
}

const logger = pino({ level: 'silent' });
const holders: StrategyHolder[] = [];

function holder(
  options: { drainTimeoutMs?: number; switchTimeoutMs?: number } = {},
): StrategyHolder {
  const created = new StrategyHolder({ logger, ...options });
  holders.push(created);
  return created;
}

describe('nodes/strategies/strategy-holder', () => {
  afterEach(async () => {
    await Promise.all(holders.splice(0).map((h) => h.close()));
  });

  it('starts empty, then answers each switch with what it replaced', async () => {
    const strategies = holder();
    assert.equal(strategies.current, undefined);
    const first = fake('sticky');
    const started = await strategies.switchTo(() => Promise.resolve(first));
    assert.deepEqual(
      { ...started, tookMs: 0 },
      { strategy: 'sticky', variant: 'fake', previous: null, tookMs: 0 },
    );
    const second = fake('cookie');
    const switched = await strategies.switchTo(() => Promise.resolve(second));
    assert.deepEqual(switched.previous, { strategy: 'sticky', variant: 'fake' });
    assert.equal(strategies.current, second);
    // Nothing was serving on the first one: closed at once.
    await waitFor(() => first.closed, { timeoutMs: 2_000, what: 'the idle old strategy to close' });
  });

  it('keeps the current strategy and closes the new one when it is not ready', async () => {
    const strategies = holder();
    const current = fake('sticky');
    await strategies.switchTo(() => Promise.resolve(current));
    const broken = fake('redis', () => Promise.reject(new Error('PING refused')));
    await assert.rejects(
      strategies.switchTo(() => Promise.resolve(broken)),
      /PING refused/,
    );
    assert.equal(strategies.current, current);
    assert.equal(broken.closed, true);
    assert.equal(current.closed, false);
  });

  it('keeps the current strategy when the build throws', async () => {
    const strategies = holder();
    const current = fake('sticky');
    await strategies.switchTo(() => Promise.resolve(current));
    await assert.rejects(
      strategies.switchTo(() => Promise.reject(new Error('ECONNREFUSED'))),
      /ECONNREFUSED/,
    );
    assert.equal(strategies.current, current);
  });

  it('gives up on a strategy not ready in time, and closes it when it finally arrives', async () => {
    const strategies = holder({ switchTimeoutMs: 100 });
    const current = fake('sticky');
    await strategies.switchTo(() => Promise.resolve(current));
    let arrive!: (strategy: SessionStrategy) => void;
    const late = fake('clustered');
    const started = performance.now();
    await assert.rejects(
      strategies.switchTo(
        () =>
          new Promise<SessionStrategy>((resolve) => {
            arrive = resolve;
          }),
      ),
      /not built and ready within 100 ms/,
    );
    assert.ok(performance.now() - started < 2_000);
    assert.equal(strategies.current, current);
    arrive(late);
    await waitFor(() => late.closed, { timeoutMs: 2_000, what: 'the late strategy to be closed' });
  });

  it('close() closes the current strategy and refuses later switches', async () => {
    const strategies = holder();
    const current = fake('sticky');
    await strategies.switchTo(() => Promise.resolve(current));
    await strategies.close();
    assert.equal(current.closed, true);
    assert.equal(strategies.current, undefined);
    const next = fake('cookie');
    await assert.rejects(
      strategies.switchTo(() => Promise.resolve(next)),
      /shutting down/,
    );
  });
});
