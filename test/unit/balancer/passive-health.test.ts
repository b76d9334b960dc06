// Passive health on a real pool with a settable clock: the error limit, the
// window, the reset on success, and the last node that is never ejected.
import assert from 'node:assert/strict';
import { PassiveHealth } from '../../../balancer/passive-health.ts';
import { UpstreamPool } from '../../../balancer/upstream-pool.ts';

function setup(errorLimit = 3, errorWindowMs = 1000) {
  let now = 0;
  const pool = new UpstreamPool(
    ['a', 'b', 'c'].map((id, i) => ({ id, url: `http://127.0.0.1:${9001 + i}` })),
  );
  const passive = new PassiveHealth(pool, { errorLimit, errorWindowMs }, () => now);
  const node = (id: string) => pool.get(id)!;
  return { pool, passive, node, advance: (ms: number) => (now += ms) };
}

describe('passive health', () => {
  it('marks a node down only at the error limit', () => {
    const { passive, node } = setup(3);
    assert.equal(passive.failure(node('a'), 'ECONNREFUSED'), 'counted');
    assert.equal(passive.failure(node('a'), 'ECONNREFUSED'), 'counted');
    assert.equal(node('a').state, 'up', 'two dropped connections are not a dead node');
    assert.equal(passive.failure(node('a'), 'ECONNREFUSED'), 'marked-down');
    assert.equal(node('a').state, 'down');
  });

  it('forgets errors older than the window, and starts over after an answer', () => {
    const { passive, node, advance } = setup(3, 1000);
    passive.failure(node('a'), 'x');
    passive.failure(node('a'), 'x');
    advance(1001);
    assert.equal(passive.failure(node('a'), 'x'), 'counted', 'the streak expired');
    assert.equal(passive.errors(node('a')), 1);
    passive.failure(node('a'), 'x');
    passive.success(node('a'));
    assert.equal(passive.errors(node('a')), 0);
    passive.failure(node('a'), 'x');
    passive.failure(node('a'), 'x');
    assert.equal(node('a').state, 'up');
  });

  it('never ejects the last node up on passive evidence alone', () => {
    const { pool, passive, node } = setup(1);
    assert.equal(passive.failure(node('a'), 'x'), 'marked-down');
    pool.setMode(node('b'), 'disabled', 'test');
    assert.equal(passive.failure(node('c'), 'x'), 'kept-last-node');
    assert.equal(passive.failure(node('c'), 'x'), 'counted', 'said once per streak');
    assert.equal(node('c').state, 'up');
    assert.equal(passive.keptLastNode.get(node('c')), 2, 'every refused mark-down is counted');
    // The active checks still may: they probe the node itself.
    pool.setHealthy(node('c'), false, 'health check: ECONNREFUSED');
    assert.equal(node('c').state, 'down');
  });

  it('gives a readmitted node a clean slate', () => {
    const { pool, passive, node } = setup(2);
    passive.failure(node('a'), 'x');
    passive.failure(node('a'), 'x');
    assert.equal(node('a').state, 'down');
    pool.setHealthy(node('a'), true, 'health check: 2 consecutive successes');
    assert.equal(passive.errors(node('a')), 0);
    assert.equal(passive.failure(node('a'), 'x'), 'counted');
  });
});
