import assert from 'node:assert/strict';
import { dropCause } from '../../../loadgen/models/drop-cause.ts';
import { LoadRun, type RunResult } from '../../../loadgen/runner.ts';
import type { LoadConfig, SecondPoint } from '../../../loadgen/types.ts';
import { FakeNode, type FakeNodeOptions } from './fake-node.ts';

const BASE: Omit<LoadConfig, 'url'> = {
  strategy: 'fake',
  journey: 'shop',
  model: 'closed',
  rate: 0,
  vus: 2,
  durationMs: 800,
  steps: 8,
  thinkMs: 10,
  parallelWrites: 4,
  timeoutMs: 1000,
  seed: 7,
};

interface Outcome extends RunResult {
  points: SecondPoint[];
  tookMs: number;
  node: FakeNode;
}

async function load(
  fake: FakeNodeOptions,
  config: Partial<LoadConfig>,
  during?: (run: LoadRun) => void,
): Promise<Outcome> {
  const node = await new FakeNode(fake).start();
  try {
    const points: SecondPoint[] = [];
    const run = new LoadRun({ ...BASE, url: node.url, ...config }, (point) => points.push(point));
    const started = performance.now();
    during?.(run);
    const result = await run.run();
    return { ...result, points, tookMs: performance.now() - started, node };
  } finally {
    await node.close();
  }
}

function sum(points: SecondPoint[], field: 'requests' | 'errors' | 'journeysStarted'): number {
  return points.reduce((total, point) => total + point[field], 0);
}

describe('loadgen LoadRun against a fake node', function () {
  this.timeout(8000);

  it('closed model, shop: a point per second, totals equal to the sum of the points, no errors', async () => {
    const { totals, points, interrupted } = await load({}, {});
    assert.equal(interrupted, false);
    assert.deepEqual(
      points.map((point) => point.t),
      points.map((_, index) => index),
      'consecutive seconds from 0',
    );
    assert.ok(totals.requests > 20, `requests ${totals.requests}`);
    assert.equal(totals.requests, sum(points, 'requests'));
    assert.equal(totals.journeysStarted, sum(points, 'journeysStarted'));
    assert.equal(totals.errors, 0, JSON.stringify(totals.errorsByKind));
    assert.deepEqual(Object.keys(totals.servedBy), ['fake-1']);
    assert.ok(totals.journeysCompleted >= 2);
    assert.equal(totals.sessionsStarted, totals.journeysStarted);
    assert.deepEqual(
      [totals.sessionsLost, totals.staleReads, totals.lostUpdates, totals.doubledUpdates],
      [0, 0, 0, 0],
    );
    assert.ok(totals.bytesSent > 1000 && totals.bytesReceived > 1000);
    assert.ok(totals.latencyMs.p50 !== null && totals.latencyMs.p50 > 0);
    assert.ok(points[0]!.p99Ms !== null);
    const routes = Object.values(totals.latencyByRoute!);
    assert.equal(
      routes.reduce((sum, route) => sum + route.count, 0),
      totals.requests,
      'every answered request is timed under one route',
    );
    assert.equal(totals.latencyByRoute!.login!.count, totals.sessionsStarted);
    assert.ok(totals.pinnedTotal! > 0);
    assert.equal(totals.pinnedServed, totals.pinnedTotal, 'one node: every answer from home');
    assert.equal(totals.failedRate, 0);
    assert.deepEqual(
      totals.successLatencyMs,
      totals.latencyMs,
      'nothing failed: the same requests',
    );
    assert.deepEqual(totals.settings?.timeoutMs, 1000);
    assert.equal(
      totals.pinnedTotal,
      points.reduce((sum, point) => sum + point.pinnedTotal!, 0),
    );
  });

  it("answers from two nodes in turn: about half of a session's answers come from its home", async () => {
    const { totals } = await load(
      { servedBy: ['node-1', 'node-2'] },
      { vus: 1, steps: 20, thinkMs: 5, durationMs: 600 },
    );
    assert.ok(totals.pinnedTotal! >= 20, `pinned total ${totals.pinnedTotal}`);
    const share = totals.pinnedServed! / totals.pinnedTotal!;
    // One user in turn: the home answers every other request, give or take a login.
    assert.ok(Math.abs(share - 0.5) < 0.1, `share ${share}`);
  });

  it('a session lost mid-journey: counted once, the journey logs in again and its new empty cart is no stale read', async () => {
    let fired = 0;
    const { totals } = await load(
      {
        // Once: the first cart read of a session that already has 2 writes.
        loseSession: (route, cart) => {
          if (fired > 0 || route !== 'GET /cart' || cart.version < 2) return false;
          fired += 1;
          return true;
        },
      },
      { vus: 1, steps: 40, thinkMs: 5, durationMs: 600 },
    );
    assert.equal(fired, 1, 'the fault fired');
    assert.equal(totals.sessionsLost, 1);
    assert.equal(totals.relogins, 1);
    assert.equal(totals.sessionsStarted, totals.journeysStarted + 1);
    assert.deepEqual(totals.errorsByKind, { '401': 1 });
    assert.equal(totals.staleReads, 0, 'the baseline was reset at the relogin');
    assert.equal(totals.lostUpdates + totals.doubledUpdates, 0);
  });

  it('concurrency journey: last-writer-wins carts lose updates, serialized carts do not', async () => {
    const config: Partial<LoadConfig> = { journey: 'concurrency', vus: 2, steps: 4 };
    const lww = await load({ lww: true }, config);
    assert.ok(lww.totals.lostUpdates > 0, 'lww loses updates');
    assert.equal(lww.totals.errors, 0);
    const serial = await load({}, config);
    assert.ok(serial.totals.requests > 20);
    assert.deepEqual(
      [serial.totals.lostUpdates, serial.totals.doubledUpdates, serial.totals.staleReads],
      [0, 0, 0],
    );
  });

  it('jwt: tokens are refreshed before they expire, once for parallel writes, never replayed', async () => {
    for (const journey of ['shop', 'concurrency'] as const) {
      const { totals, node } = await load(
        { jwtExpiresIn: 2 },
        { journey, vus: 1, steps: 200, thinkMs: 20, durationMs: 1600 },
      );
      assert.ok(totals.refreshes >= 1, `${journey}: refreshes ${totals.refreshes}`);
      assert.equal(totals.refreshFailures, 0, journey);
      assert.equal(node.reusedRefreshTokens, 0, `${journey}: no refresh token replayed`);
      assert.equal(totals.errors, 0, `${journey}: ${JSON.stringify(totals.errorsByKind)}`);
      assert.equal(totals.sessionsLost, 0, journey);
      const refresh = totals.latencyByRoute!.refresh!;
      assert.equal(refresh.count, totals.refreshes, `${journey}: every refresh timed`);
      assert.ok(refresh.p50 !== null && refresh.p99! >= refresh.p50, journey);
    }
  });

  it('open model: journeys start at the rate; beyond vus in flight they are dropped', async () => {
    const { totals } = await load(
      { delayMs: 100 },
      { model: 'open', rate: 40, vus: 2, steps: 2, thinkMs: 0, durationMs: 1000 },
    );
    assert.equal(totals.journeysStarted + totals.dropped, 40);
    assert.ok(totals.dropped > 20, `dropped ${totals.dropped}`);
    assert.ok(totals.schedulingLagP99Ms < 100, `lag ${totals.schedulingLagP99Ms}`);
  });

  it('a request without an answer fails with `timeout`, timed at its full wait; the run still ends in time', async () => {
    const { totals, tookMs } = await load(
      { delayMs: 5000 },
      { vus: 2, durationMs: 300, timeoutMs: 200 },
    );
    assert.ok((totals.errorsByKind.timeout ?? 0) >= 2, JSON.stringify(totals.errorsByKind));
    assert.equal(totals.failedRate, 1);
    const { p50, p99 } = totals.latencyMs;
    assert.ok(p50! >= 200 && p99! < 400, `the timeouts are in the latency: ${p50} ${p99}`);
    assert.equal(totals.successLatencyMs?.p99, null, 'no answered request');
    assert.equal(totals.latencyByRoute?.login?.failed, totals.requests);
    assert.ok(tookMs < 300 + 200 + 600, `took ${tookMs} ms`);
  });

  it('request journey: one request per arrival at the rate, on sessions logged in before t = 0', async () => {
    const { totals, points } = await load(
      {},
      { journey: 'request', model: 'open', rate: 50, durationMs: 1000, vus: 10 },
    );
    assert.equal(totals.journeysStarted, 50);
    assert.equal(totals.dropped, 0);
    assert.deepEqual(totals.setup, {
      wanted: 10,
      loggedIn: 10,
      requests: 10,
      errors: 0,
      elapsedMs: totals.setup!.elapsedMs,
    });
    assert.equal(totals.requests, 50, 'one request per arrival, the pool logins not counted');
    assert.equal(totals.latencyByRoute!.login!.count, 0);
    assert.equal(totals.sessionsStarted, 10, 'the pool');
    assert.ok(points[0]!.journeysStarted >= 45, `first second ${points[0]!.journeysStarted}`);
    assert.equal(totals.errors, 0, JSON.stringify(totals.errorsByKind));
    assert.ok(totals.pinnedTotal === 50);
    assert.equal(totals.settings?.journey, 'request');
  });

  it('drops say why: the cap while journeys take as long as expected, latency when they take longer', async () => {
    // Journeys of 2 requests of 60 ms, 100 ms expected (overdue past 400 ms, room for a busy
    // machine); vus 2 at 40/s holds journeys of 50 ms: a cap too small.
    const fast = await load(
      { delayMs: 60 },
      {
        model: 'open',
        rate: 40,
        vus: 2,
        steps: 0,
        thinkMs: 0,
        durationMs: 1000,
        expectedRequestMs: 100,
      },
    );
    assert.ok(fast.totals.dropped > 10, `dropped ${fast.totals.dropped}`);
    // Most, not all: on a busy machine a late tick is rightly the generator's.
    assert.ok(
      fast.totals.droppedBy!.cap >= 0.7 * fast.totals.dropped,
      JSON.stringify(fast.totals.droppedBy),
    );
    // A cap twice Little's law (40/s × 80 ms × 2 = 6.4) with answers 10 times slower than expected.
    const slow = await load(
      { delayMs: 400 },
      {
        model: 'open',
        rate: 40,
        vus: 8,
        steps: 0,
        thinkMs: 0,
        durationMs: 1000,
        expectedRequestMs: 40,
      },
    );
    assert.ok(slow.totals.dropped > 10);
    // The first drops come before any journey is overdue: those can only be called the cap.
    assert.ok(
      slow.totals.droppedBy!.latency >= 0.7 * slow.totals.dropped,
      JSON.stringify(slow.totals.droppedBy),
    );
  });

  it('vus left out: sized from the journey, no drop while the system keeps up', async () => {
    const { totals } = await load(
      { delayMs: 5 },
      { model: 'open', rate: 40, vus: undefined, steps: 3, thinkMs: 50, durationMs: 1000 },
    );
    assert.equal(totals.settings?.vusSource, 'sized');
    // 5 requests × 50 ms + 4 thinks × 50 ms = 450 ms; 40/s × 0.45 s × 2 = 36.
    assert.equal(totals.settings?.vus, 36);
    assert.equal(totals.dropped, 0);
    assert.equal(totals.journeysStarted, 40);
  });

  it('interrupt: stops within about a second, requests cut short are not counted as errors', async () => {
    const { totals, interrupted, tookMs } = await load(
      { delayMs: 5000 },
      { vus: 3, durationMs: 10_000, timeoutMs: 8000 },
      (run) => setTimeout(() => run.interrupt(), 200),
    );
    assert.equal(interrupted, true);
    assert.ok(tookMs < 1500, `took ${tookMs} ms`);
    assert.equal(totals.errors, 0);
    assert.equal(totals.journeysStarted, 3);
    assert.equal(totals.journeysCompleted, 0);
  });
});

describe('loadgen drop causes', () => {
  const expectedJourneyMs = 100;
  it('a late arrival is the generator; overdue journeys the latency; else the cap', () => {
    assert.equal(
      dropCause({ lateMs: 150, recentDurationsMs: [900], expectedJourneyMs }),
      'generator',
    );
    assert.equal(
      dropCause({ lateMs: 0, recentDurationsMs: [90, 110, 120, 95], expectedJourneyMs }),
      'cap',
    );
    assert.equal(
      dropCause({ lateMs: 0, recentDurationsMs: [90, 110, 250, 95], expectedJourneyMs }),
      'latency',
      'a quarter overdue (over twice the expected duration)',
    );
    assert.equal(dropCause({ lateMs: 0, recentDurationsMs: [], expectedJourneyMs }), 'cap');
  });
});
