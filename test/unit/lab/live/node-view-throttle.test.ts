import assert from 'node:assert/strict';
import type { NodeView } from '../../../../lab/chaos/balancer-view.ts';
import { NodeViewThrottle } from '../../../../lab/live/node-view-throttle.ts';

const view = (state: string, requests: number, weight = 1): NodeView => ({
  id: 'node-2',
  url: 'http://127.0.0.1:1',
  state,
  requests,
  weight,
  slowStartRemainingMs: 0,
});

describe('NodeViewThrottle', () => {
  it('passes a change of health at once and the counters alone once a second', () => {
    const throttle = new NodeViewThrottle();
    assert.ok(throttle.next([view('up', 1)], 0), 'the first reading');
    assert.equal(throttle.next([view('up', 5)], 250), undefined, 'counters only, too soon');
    const down = throttle.next([view('down', 5)], 500);
    assert.equal(down?.[0]?.state, 'down', 'a node going down is sent at once');
    assert.equal(throttle.next([view('down', 6)], 750), undefined);
    assert.equal(throttle.next([view('down', 7)], 1500)?.[0]?.requests, 7, 'a second later');
    assert.equal(throttle.next([view('up', 7, 0.1)], 1600)?.[0]?.weight, 0.1, 'slow start');
  });
});
