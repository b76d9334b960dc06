import assert from 'node:assert/strict';
import { LiveFeed } from '../../../../lab/live/live-feed.ts';
import type { LiveMessage } from '../../../../lab/live/messages.ts';
import { RunFeed } from '../../../../lab/live/run-feed.ts';
import { parseScenario } from '../../../../lab/run/scenario.ts';
import type { StrategySummary } from '../../../../report/summary-schema.ts';
import type { SecondPoint } from '../../../../loadgen/types.ts';

const scenario = parseScenario(
  {
    name: 'feed',
    strategies: ['sticky', 'redis'],
    load: { rate: 5, durationS: 10, warmupS: 2 },
    chaos: [
      { at: '2s', action: 'kill', target: 'node-2' },
      { at: '5s', action: 'start', target: 'node-2' },
    ],
  },
  'feed.json',
);

function point(t: number, requests: number): SecondPoint {
  return { t, requests, errors: 0 } as SecondPoint;
}

describe('RunFeed: what a run tells the live page', () => {
  let messages: LiveMessage[];
  let feed: RunFeed;
  let clock = 0;

  beforeEach(() => {
    const live = new LiveFeed();
    messages = [];
    feed = new RunFeed(live, scenario, () => clock);
    live.subscribe((entry) => messages.push(entry.message));
  });

  it('opens with the plan: strategies, lengths and the chaos timeline', () => {
    assert.deepEqual(messages[0], {
      type: 'hello',
      mode: 'run',
      title: 'feed',
      strategies: ['sticky', 'redis:cas'],
      durationS: 10,
      warmupS: 2,
      chaos: [
        { atS: 2, action: 'kill', target: 'node-2' },
        { atS: 5, action: 'start', target: 'node-2' },
      ],
      admin: null,
    });
  });

  it('names each chaos step by its place in the timeline when it fires and when it ends', () => {
    const observer = feed.strategyStarted('sticky', 0, 2);
    const step = scenario.chaos[1]!;
    observer.chaosFired?.(step, 5012);
    observer.chaosFinished?.({
      step,
      tMs: 5012,
      endMs: 5400,
      status: 'done',
      detail: 'dead -> running; back',
    });
    const chaos = messages.filter((message) => message.type === 'chaos');
    assert.deepEqual(
      chaos.map((message) => [message.index, message.status, message.t]),
      [
        [1, 'fired', 5.012],
        [1, 'done', 5.012],
      ],
    );
  });

  it("passes the load's seconds on, warm-up included, and ends a strategy on summary.json's figures", () => {
    feed.second('sticky', 'warm-up', point(0, 3));
    feed.second('sticky', 'load', point(0, 7));
    feed.second('sticky', 'other', point(1, 9));
    feed.strategyFinished('sticky', {
      summary: {
        totals: { requests: 7, errors: 0, latencyMs: { p50: 1, p95: 2, p99: 3, max: 4 } },
      } as unknown as StrategySummary,
    });
    feed.strategyFinished('redis:cas', { error: 'redis-server did not start' });
    const kinds = messages.slice(1).map((message) => message.type);
    assert.deepEqual(kinds, ['second', 'second', 'finished', 'finished']);
    const [, , done, failed] = messages.slice(1);
    assert.ok(done?.type === 'finished' && failed?.type === 'finished');
    assert.equal(done.requests, 7);
    assert.equal(failed.error, 'redis-server did not start');
  });

  it('sends the balancer view when health changes, the counters once a second', () => {
    const observer = feed.strategyStarted('sticky', 0, 2);
    const nodes = (state: string, requests: number) => [
      { id: 'node-2', url: 'http://127.0.0.1:1', state, requests },
    ];
    clock = 0;
    observer.balancer?.(nodes('up', 1));
    clock = 250;
    observer.balancer?.(nodes('up', 2));
    clock = 300;
    observer.balancer?.(nodes('down', 2));
    const states = messages
      .filter((message) => message.type === 'nodes')
      .map((message) => message.nodes[0]!.state);
    // The feed keeps the newest view; subscribers saw both.
    assert.deepEqual(states, ['up', 'down']);
  });
});
