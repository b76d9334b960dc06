import assert from 'node:assert/strict';
import type { SecondPoint } from '../../../../loadgen/types.ts';
import type { TimelineEvent } from '../../../../lab/run/chaos-timeline.ts';
import { errorRate, eventEffects } from '../../../../lab/run/event-effects.ts';
import type { ChaosStep } from '../../../../lab/run/scenario-schema.ts';

function second(t: number, fields: Partial<SecondPoint> = {}): SecondPoint {
  return {
    t,
    requests: 100,
    errors: 0,
    errorsByKind: {},
    p50Ms: 1,
    p95Ms: 2,
    p99Ms: 3,
    servedBy: {},
    errorsByNode: {},
    sessionsLostByNode: {},
    journeysStarted: 10,
    journeysCompleted: 10,
    dropped: 0,
    sessionsLost: 0,
    staleReads: 0,
    lostUpdates: 0,
    doubledUpdates: 0,
    conflicts: 0,
    relogins: 0,
    refreshes: 0,
    refreshFailures: 0,
    ...fields,
  };
}

function event(
  action: ChaosStep['action'],
  target: string,
  tMs: number,
  status: TimelineEvent['status'] = 'done',
): TimelineEvent {
  return {
    step: { at: tMs, action, target },
    tMs,
    endMs: tMs,
    status,
    detail: `${action} ${target}`,
  };
}

describe('event effects', () => {
  // 12 seconds; a kill at 4.2 s hurts seconds 4 and 5 (sessions lost), healthy from 6; start at 8 s.
  const series = Array.from({ length: 12 }, (_, t) =>
    t === 4
      ? second(t, {
          errors: 30,
          errorsByNode: { 'node-2': 30 },
          sessionsLost: 20,
          sessionsLostByNode: { 'node-2': 20 },
        })
      : t === 5
        ? second(t, {
            errors: 10,
            errorsByNode: { 'node-2': 8, none: 2 },
            sessionsLost: 5,
            sessionsLostByNode: { 'node-2': 4, 'node-1': 1 },
            staleReads: 1,
          })
        : second(t, { errors: t === 1 ? 1 : 0 }),
  );
  const kill = event('kill', 'node-2', 4200);
  const start = event('start', 'node-2', 8000);

  it('counts what happened between an event and the next one, above the level before it', () => {
    const [killed] = eventEffects([kill, start], series, [], 1_000_000);
    // Before: 1 error in 400 requests (seconds 0-3); the window is seconds 4-7 (400 requests).
    assert.equal(killed!.windowS, 4);
    assert.equal(killed!.errors, 40 - 1);
    assert.equal(killed!.sessionsLost, 25);
    assert.equal(killed!.staleReads, 1);
    assert.deepEqual(killed!.sessionsLostByNode, { 'node-2': 24, 'node-1': 1 });
    assert.deepEqual(killed!.errorsByNode, { 'node-2': 38, none: 2 });
    assert.equal(killed!.t, 4.2);
    assert.equal(killed!.at, new Date(1_000_000 + 4200).toISOString());
  });

  it('times recovery to the first second from which errors stay at the level before', () => {
    const [killed, started] = eventEffects([kill, start], series, [], 0);
    assert.equal(killed!.recoveredAfterS, 1.8); // healthy from second 6 on: 6 - 4.2
    assert.equal(started!.recoveredAfterS, 0, 'the start hurt no second');
    assert.equal(killed!.tookS, 0);
  });

  it('says null when the errors had not gone by the end of the window', () => {
    const failing = series.map((point) => (point.t >= 4 ? { ...point, errors: 50 } : point));
    const [killed] = eventEffects([kill], failing, [], 0);
    assert.equal(killed!.recoveredAfterS, null);
    assert.equal(killed!.windowS, 8, 'no next event: the window runs to the end of the load');
  });

  it('does not count a second in which nothing was answered as recovered (a hung node)', () => {
    const hung = series.map((point) =>
      point.t >= 4 && point.t < 7 ? { ...point, requests: 0, errors: 0 } : point,
    );
    const [paused] = eventEffects([event('pause', 'node-2', 4000)], hung, [], 0);
    assert.equal(paused!.recoveredAfterS, 3);
  });

  it('says how long the action took (a start waits until the process serves)', () => {
    const slowStart = { ...start, endMs: start.tMs + 1870 };
    const [, started] = eventEffects([kill, slowStart], series, [], 0);
    assert.equal(started!.tookS, 1.9);
  });

  it('times the ejection from the balancer state changes of the target node', () => {
    const changes = [
      { tMs: 1000, node: 'node-2', from: 'up', to: 'down' }, // before the event: not it
      { tMs: 5000, node: 'node-1', from: 'up', to: 'down' }, // another node
      { tMs: 5450, node: 'node-2', from: 'up', to: 'down' },
    ];
    const [killed, started] = eventEffects([kill, start], series, changes, 0);
    assert.equal(killed!.ejectedAfterS, 1.3);
    assert.equal(started!.ejectedAfterS, null, 'a start ejects nothing');
  });

  it('times the return from the first change of the target node back to up after a start', () => {
    const changes = [
      { tMs: 5450, node: 'node-2', from: 'up', to: 'down' },
      { tMs: 8100, node: 'node-1', from: 'down', to: 'up' }, // another node
      { tMs: 10_250, node: 'node-2', from: 'down', to: 'up' },
    ];
    const [killed, started] = eventEffects([kill, start], series, changes, 0);
    assert.equal(started!.returnedAfterS, 2.3);
    assert.equal(killed!.returnedAfterS, null, 'a kill returns nothing');
    const [, neverBack] = eventEffects([kill, start], series, changes.slice(0, 2), 0);
    assert.equal(neverBack!.returnedAfterS, null, 'not seen up again: null, not a guess');
  });

  it('keeps a skipped step with nothing measured, and it does not cut the window of others', () => {
    const skipped = event('kill', 'redis', 6000, 'skipped');
    const [killed, redis] = eventEffects([kill, skipped], series, [], 0);
    assert.equal(killed!.windowS, 8);
    assert.equal(redis!.status, 'skipped');
    assert.equal(redis!.windowS, 0);
    assert.equal(redis!.errors, 0);
  });

  it('computes the error rate of seconds, 0 when nothing ended', () => {
    assert.equal(errorRate([second(0, { errors: 5 }), second(1)]), 5 / 200);
    assert.equal(errorRate([]), 0);
  });
});
