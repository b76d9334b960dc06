import assert from 'node:assert/strict';
import { LiveFeed, type Sequenced } from '../../../../lab/live/live-feed.ts';
import type { LiveMessage } from '../../../../lab/live/messages.ts';

const phase = (strategy: string): LiveMessage => ({ type: 'phase', strategy, phase: 'load' });
const nodes = (strategy: string, state: string): LiveMessage => ({
  type: 'nodes',
  strategy,
  nodes: [
    {
      id: 'node-1',
      state,
      weight: 1,
      slowStartRemainingMs: 0,
      active: 0,
      requests: 0,
      errors: 0,
    },
  ],
});

describe('LiveFeed', () => {
  it('replays everything to a late page, keeping only the newest nodes view per strategy', () => {
    const feed = new LiveFeed();
    feed.publish(phase('sticky'));
    feed.publish(nodes('sticky', 'up'));
    feed.publish(nodes('sticky', 'down'));
    feed.publish(phase('redis'));
    const seen: Sequenced[] = [];
    feed.subscribe((entry) => seen.push(entry));
    assert.deepEqual(
      seen.map((entry) => entry.seq),
      [1, 4, 3],
    );
    const last = seen[2]!.message;
    assert.ok(last.type === 'nodes');
    assert.equal(last.nodes[0]!.state, 'down');
  });

  it('gives a page that reconnects only what came after the last message it saw', () => {
    const feed = new LiveFeed();
    feed.publish(phase('sticky'));
    feed.publish(nodes('sticky', 'up'));
    feed.publish(phase('sticky'));
    const seen: number[] = [];
    feed.subscribe((entry) => seen.push(entry.seq), 2);
    feed.publish(phase('sticky'));
    assert.deepEqual(seen, [3, 4]);
  });

  it('stops passing messages on once unsubscribed', () => {
    const feed = new LiveFeed();
    const seen: number[] = [];
    const unsubscribe = feed.subscribe((entry) => seen.push(entry.seq));
    feed.publish(phase('sticky'));
    unsubscribe();
    feed.publish(phase('sticky'));
    assert.deepEqual(seen, [1]);
    assert.equal(feed.subscribers, 0);
  });
});

describe('LiveFeed and a page that fails', () => {
  it('drops a subscriber that throws and goes on publishing to the others', () => {
    const feed = new LiveFeed();
    const seen: number[] = [];
    feed.subscribe(() => {
      throw new Error('socket gone');
    });
    feed.subscribe((entry) => seen.push(entry.seq));
    feed.publish(phase('sticky'));
    feed.publish(phase('sticky'));
    assert.deepEqual(seen, [1, 2]);
    assert.equal(feed.subscribers, 1);
  });
});
