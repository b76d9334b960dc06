import assert from 'node:assert/strict';
import { RoundRobinPolicy } from '../../../../balancer/policies/round-robin.ts';
import type { UpstreamPool } from '../../../../balancer/upstream-pool.ts';
import { ctx, makePool } from './helpers.ts';

describe('round-robin policy', () => {
  let pool: UpstreamPool;
  beforeEach(() => (pool = makePool(3)));
  afterEach(() => pool.close());

  it('walks the up nodes in configuration order', () => {
    const policy = new RoundRobinPolicy();
    const picks = Array.from({ length: 7 }, () => policy.pick(pool.up, ctx())?.id);
    assert.deepEqual(picks, ['n1', 'n2', 'n3', 'n1', 'n2', 'n3', 'n1']);
  });

  it('skips nodes that are down, draining or disabled', () => {
    const policy = new RoundRobinPolicy();
    const [, n2, n3] = pool.nodes;
    pool.setHealthy(n2!, false, 'test');
    assert.deepEqual(
      Array.from({ length: 4 }, () => policy.pick(pool.up, ctx())?.id),
      ['n1', 'n3', 'n1', 'n3'],
    );
    pool.setMode(n3!, 'draining', 'test');
    assert.deepEqual(
      Array.from({ length: 3 }, () => policy.pick(pool.up, ctx())?.id),
      ['n1', 'n1', 'n1'],
    );
    pool.setHealthy(n2!, true, 'test');
    pool.setMode(n2!, 'disabled', 'test');
    assert.equal(policy.pick(pool.up, ctx())?.id, 'n1');
  });

  it('returns undefined when no node is up', () => {
    const policy = new RoundRobinPolicy();
    for (const node of pool.nodes) pool.setHealthy(node, false, 'test');
    assert.equal(pool.up.length, 0);
    assert.equal(policy.pick(pool.up, ctx()), undefined);
  });
});
