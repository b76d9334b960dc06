import assert from 'node:assert/strict';
import type { CapacityStep, StrategySummary } from '../../../report/summary-schema.ts';
import { FIGURES, type Cell } from '../../../report/figures.ts';
import { NONE, num } from '../../../report/format.ts';
import { comparisonTable } from '../../../report/tables.ts';
import { fixtureSummary, strategyOf } from './fixture.ts';

function measure(key: string, strategy: StrategySummary): Cell {
  const figure = FIGURES.find((candidate) => candidate.key === key);
  assert.ok(figure, `no figure ${key}`);
  return figure.measure(strategy, fixtureSummary());
}

describe('comparison figures', () => {
  describe('memory per 1,000 sessions', () => {
    it('shows the KiB alone, and where it was measured as a note', () => {
      const run = fixtureSummary();
      for (const strategy of run.strategies) {
        const probe = strategy.probes.memoryPerThousandSessions;
        assert.ok(probe, `${strategy.strategy} ran the memory probe in the fixture`);
        const cell = measure('memory', strategy);
        assert.equal(cell.value, probe.kib);
        assert.equal(cell.text, `${num(probe.kib)} KiB`);
        assert.ok(cell.note, `${strategy.strategy} says where`);
      }
    });

    it('says "nothing server-side" for the cookie, never "in none server-side"', () => {
      const cookie = strategyOf(fixtureSummary(), 'cookie');
      assert.equal(cookie.probes.memoryPerThousandSessions?.where, 'none server-side');
      const cell = measure('memory', cookie);
      assert.equal(cell.note, 'nothing server-side');
      assert.doesNotMatch(`${cell.text} ${cell.note}`, /in none/);
    });

    it('says where the others were measured as the probe put it', () => {
      const sticky = strategyOf(fixtureSummary(), 'sticky');
      assert.equal(measure('memory', sticky).note, sticky.probes.memoryPerThousandSessions?.where);
    });
  });

  describe('recovery s', () => {
    it('shows a measured 0 as 0 when no second after an event was worse', () => {
      const redis = strategyOf(fixtureSummary(), 'redis');
      assert.ok(redis.events.length > 0);
      assert.ok(
        redis.events.every((event) => event.recoveredAfterS === 0),
        'in the fixture redis recovered at once from every event',
      );
      assert.deepEqual(measure('recovery', redis), { value: 0, text: '0' });
    });

    it('shows the slowest recovery over the events', () => {
      const sticky = strategyOf(fixtureSummary(), 'sticky');
      const slowest = Math.max(...sticky.events.map((event) => event.recoveredAfterS ?? 0));
      assert.ok(slowest > 0, 'the fixture took a while to recover under sticky');
      assert.deepEqual(measure('recovery', sticky), { value: slowest, text: num(slowest) });
    });

    it('shows "> window" when an event had not recovered when its window ended', () => {
      const sticky = strategyOf(fixtureSummary(), 'sticky');
      const last = sticky.events.at(-1)!;
      last.recoveredAfterS = null;
      const cell = measure('recovery', sticky);
      assert.equal(cell.text, `> ${num(last.windowS)}`);
      assert.match(cell.note ?? '', /not recovered within/);
    });

    it('shows — when no event ran (a skipped one does not count)', () => {
      const sticky = strategyOf(fixtureSummary(), 'sticky');
      for (const event of sticky.events) {
        event.status = 'skipped';
        event.recoveredAfterS = null;
      }
      assert.deepEqual(measure('recovery', sticky), { value: null, text: NONE });
      sticky.events = [];
      assert.deepEqual(measure('recovery', sticky), { value: null, text: NONE });
    });
  });

  describe('sessions lost · stale reads · lost updates', () => {
    it('shows the three counters of the whole run, and compares on all failures', () => {
      const cookie = strategyOf(fixtureSummary(), 'cookie');
      Object.assign(cookie.totals, { sessionsLost: 4, staleReads: 2, lostUpdates: 1565 });
      const cell = measure('consistency', cookie);
      assert.equal(cell.text, '4 · 2 · 1,565');
      assert.equal(cell.value, 4 + 2 + 1565);
      assert.equal(cell.note, undefined, 'no note without doubled updates or conflicts');
      assert.deepEqual(
        cell.parts?.map((part) => [part.label, part.value]),
        [
          ['sessions lost (whole run)', 4],
          ['stale reads', 2],
          ['lost updates (at least)', 1565],
          ['writes of unknown fate', 0],
          ['doubled updates', 0],
          ['conflicts (409)', 0],
        ],
      );
    });

    it('counts the lower bound of rounds with a write of unknown fate, and says so', () => {
      const cookie = strategyOf(fixtureSummary(), 'cookie');
      Object.assign(cookie.totals, {
        sessionsLost: 0,
        staleReads: 0,
        lostUpdates: 3,
        lostUpdatesLowerBound: 10,
        uncertainWrites: 4,
      });
      const cell = measure('consistency', cookie);
      assert.equal(cell.text, '0 · 0 · ≥ 10');
      assert.equal(cell.value, 10);
      assert.match(cell.note ?? '', /3 counted exactly, at least 10 with 4 writes of unknown fate/);
    });

    it('shows lost updates as exact when no write was of unknown fate', () => {
      const cookie = strategyOf(fixtureSummary(), 'cookie');
      Object.assign(cookie.totals, {
        lostUpdates: 5,
        lostUpdatesLowerBound: 5,
        uncertainWrites: 0,
      });
      assert.equal(measure('consistency', cookie).text.endsWith(' 5'), true);
      assert.equal(measure('consistency', cookie).note, undefined);
    });

    it('notes doubled updates and conflicts; a conflict is no failure', () => {
      const cookie = strategyOf(fixtureSummary(), 'cookie');
      Object.assign(cookie.totals, {
        sessionsLost: 0,
        staleReads: 0,
        lostUpdates: 0,
        doubledUpdates: 2,
        conflicts: 30,
      });
      const cell = measure('consistency', cookie);
      assert.equal(cell.text, '0 · 0 · 0');
      assert.equal(cell.note, '2 doubled updates, 30 conflicts (409)');
      assert.equal(cell.value, 2);
    });
  });

  it('averages the sessions lost over the node kills', () => {
    const sticky = strategyOf(fixtureSummary(), 'sticky');
    const kills = sticky.events.filter((event) => event.action === 'kill');
    assert.ok(kills.length > 0);
    const mean = kills.reduce((sum, kill) => sum + kill.sessionsLost, 0) / kills.length;
    const cell = measure('lostPerKill', sticky);
    assert.equal(cell.value, mean);
    assert.ok(cell.text.startsWith(num(mean)), cell.text);
  });

  describe('errors', () => {
    it('gives the commonest kinds of failed request beside the share', () => {
      const redis = strategyOf(fixtureSummary(), 'redis');
      Object.assign(redis.totals, { errorsByKind: { timeout: 12, '503': 3, reset: 2, '401': 1 } });
      assert.equal(measure('errors', redis).note, '12 timeout, 3 × 503, 2 reset, …');
    });

    it('has no note when nothing failed', () => {
      const redis = strategyOf(fixtureSummary(), 'redis');
      Object.assign(redis.totals, { errorsByKind: {} });
      assert.equal(measure('errors', redis).note, undefined);
    });
  });

  describe('p99 ms, 2xx only', () => {
    it('reads the success-only p99, and — for runs that did not record it', () => {
      const redis = strategyOf(fixtureSummary(), 'redis');
      Object.assign(redis.totals, {
        latencyMs: { p50: 2, p95: 5, p99: 802, max: 810 },
        successLatencyMs: { p50: 2, p95: 4, p99: 19, max: 30 },
      });
      assert.equal(measure('p99', redis).value, 802);
      assert.equal(measure('p99ok', redis).value, 19);
      delete redis.totals.successLatencyMs;
      assert.equal(measure('p99ok', redis).text, NONE);
    });
  });

  describe('refreshes retried · revoked · lost', () => {
    it('counts the three apart, and the best cell has the fewest revoked and lost', () => {
      const jwt = strategyOf(fixtureSummary(), 'redis');
      Object.assign(jwt.totals, {
        refreshes: 34,
        refreshRetries: 24,
        refreshRevokedByReuse: 1,
        refreshLost: 2,
      });
      const cell = measure('refresh', jwt);
      assert.equal(cell.text, '24 · 1 · 2');
      assert.equal(cell.value, 3);
      assert.equal(cell.note, 'of 34 refreshes');
    });

    it('shows — for a strategy that made no refresh', () => {
      const sticky = strategyOf(fixtureSummary(), 'sticky');
      Object.assign(sticky.totals, { refreshes: 0 });
      assert.equal(measure('refresh', sticky).text, NONE);
    });
  });

  describe('journeys/s (offered)', () => {
    /** A search step at `offeredRate`, the rest of its figures beside the point here. */
    function step(
      offeredRate: number,
      verdict: CapacityStep['verdict'],
      phase: CapacityStep['phase'] = 'step',
    ): CapacityStep {
      return {
        phase,
        offeredRate,
        achievedRate: offeredRate,
        requestRate: offeredRate,
        durationS: 10,
        requests: offeredRate * 10,
        p50Ms: 2,
        p99Ms: verdict === 'ok' ? 40 : 900,
        successP50Ms: 2,
        successP99Ms: 40,
        failedRate: 0,
        dropped: 0,
        cpuPerRequestMicros: { balancer: 50, nodes: 200, stores: null, loadgen: 60 },
        cores: {},
        eventLoopLagP99Ms: {},
        otherCores: null,
        generatorLagP99Ms: 1,
        verdict,
        reasons: verdict === 'ok' ? [] : ['p99 above the limit'],
      };
    }

    /** Sticky of the fixture as the result of a search 40 → 80 → 160/s that broke at 160, confirmed at 80. */
    function searched(confirmed: boolean | null): StrategySummary {
      const sticky = strategyOf(fixtureSummary(), 'sticky');
      const steps = [step(40, 'ok'), step(80, 'ok'), step(160, 'broke')];
      if (confirmed !== null) steps.push(step(80, confirmed ? 'ok' : 'broke', 'confirm'));
      sticky.capacity = {
        journey: 'request',
        serviceLevel: { p99Ms: 500, failedRate: 0.01, achievedShare: 0.95 },
        sustainedRequestRate: 79.5,
        sustainedOfferedRate: 80,
        confirmed,
        p50Ms: 2,
        p99Ms: 40,
        cpuPerRequestMicros: null,
        stoppedBecause: 'p99 above the limit',
        limitedBy: null,
        stepsRun: steps.length,
        steps,
        warnings: [],
      };
      return sticky;
    }

    it("shows the scenario's rate for a run at one rate", () => {
      const run = fixtureSummary();
      const sticky = strategyOf(run, 'sticky');
      const cell = measure('journeys', sticky);
      assert.ok(cell.text.endsWith(`(${num(run.load.rate)})`), cell.text);
      assert.equal(cell.note, undefined);
    });

    it('marks a capacity search stepped, at the rate of the step its figures are, never the scenario rate', () => {
      const sticky = searched(true);
      const cell = measure('journeys', sticky);
      assert.equal(cell.value, sticky.totals.journeysCompleted / sticky.durationS);
      assert.match(cell.text, /\(80, stepped\)$/);
      assert.equal(
        cell.note,
        'offered in 3 steps from 40 to 160/s; these are the figures of the confirmation at 80/s',
      );
    });

    it('names the last good step when the confirmation broke, and the first when none held', () => {
      assert.match(measure('journeys', searched(false)).note ?? '', /the last good step at 80\/s/);
      const none = searched(null);
      none.capacity = {
        ...none.capacity!,
        sustainedOfferedRate: null,
        sustainedRequestRate: null,
        steps: [step(40, 'broke')],
      };
      const cell = measure('journeys', none);
      assert.match(cell.text, /\(40, stepped\)$/);
      assert.equal(
        cell.note,
        'offered in one step at 40/s; these are the figures of the first step (none held) at 40/s',
      );
    });
  });
});

describe('comparisonTable', () => {
  it('leaves out, on request, the figures no strategy of the run measured, and only those', () => {
    const run = fixtureSummary();
    const every = comparisonTable(run);
    const shown = comparisonTable(run, { dropEmpty: true });
    assert.ok(every.figures.some((figure) => figure.key === 'refresh'));
    assert.ok(!shown.figures.some((figure) => figure.key === 'refresh'), 'no jwt in the fixture');
    strategyOf(run, 'redis').totals.refreshes = 3;
    assert.ok(
      comparisonTable(run, { dropEmpty: true }).figures.some((figure) => figure.key === 'refresh'),
    );
    assert.ok(shown.figures.some((figure) => figure.key === 'p50'));
    for (const row of shown.rows) assert.equal(row.cells.length, shown.figures.length);
  });
});
