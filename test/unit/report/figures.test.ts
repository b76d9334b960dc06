import assert from 'node:assert/strict';
import type { StrategySummary } from '../../../report/summary-schema.ts';
import { FIGURES, type Cell } from '../../../report/figures.ts';
import { NONE, num } from '../../../report/format.ts';
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
          ['lost updates', 1565],
          ['doubled updates', 0],
          ['conflicts (409)', 0],
        ],
      );
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
});
