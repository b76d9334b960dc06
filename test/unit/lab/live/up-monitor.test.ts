import assert from 'node:assert/strict';
import { eventMessage, TOPOLOGY } from '../../../../lab/live/up-monitor.ts';

describe("lab up --live: events.ndjson lines on the page's timeline", () => {
  const since = Date.parse('2026-01-01T00:00:00.000Z');

  it('shows a chaos action with its account, timed from when the page started', () => {
    const message = eventMessage(
      {
        at: '2026-01-01T00:00:02.500Z',
        type: 'chaos',
        action: 'drain',
        target: 'node-2',
        before: 'up',
        after: 'draining',
        detail: 'clients pinned to it stay',
      },
      since,
    );
    assert.deepEqual(message, {
      type: 'chaos',
      strategy: TOPOLOGY,
      index: null,
      action: 'drain',
      target: 'node-2',
      t: 2.5,
      status: 'done',
      detail: 'up -> draining; clients pinned to it stay',
    });
  });

  it('shows a failed action as failed, a switch by its new strategy, and nothing else', () => {
    const failed = eventMessage(
      {
        at: '2026-01-01T00:00:01Z',
        type: 'chaos',
        action: 'kill',
        target: 'node-1',
        error: 'NOT_RUNNING',
        message: 'node-1 is dead',
      },
      since,
    );
    assert.equal(failed?.type === 'chaos' && failed.status, 'failed');
    assert.equal(failed?.type === 'chaos' && failed.detail, 'NOT_RUNNING: node-1 is dead');
    const switched = eventMessage(
      {
        at: '2026-01-01T00:00:03Z',
        type: 'control',
        action: 'strategy',
        from: 'sticky',
        to: 'redis:cas',
        tookMs: 900,
        failures: [],
      },
      since,
    );
    assert.equal(switched?.type === 'chaos' && switched.target, 'redis:cas');
    assert.equal(
      eventMessage({ at: '2026-01-01T00:00:03Z', type: 'control', action: 'load-start' }, since),
      undefined,
    );
    assert.equal(eventMessage({ type: 'chaos' }, since), undefined, 'no time, no marker');
  });
});
