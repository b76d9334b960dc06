import assert from 'node:assert/strict';
import { LeastConnectionsPolicy } from '../../../../balancer/policies/least-connections.ts';
import type { UpstreamPool } from '../../../../balancer/upstream-pool.ts';
import { ctx, makePool } from './helpers.ts';

describe('least-connections policy', () => {
  let pool: UpstreamPool;
  beforeEach(() => (pool = makePool(3)));
  afterEach(() => pool.close());

  it('picks the node with the fewest requests in flight', () => {
    const policy = new LeastConnectionsPolicy();
    const [n1, n2, n3] = pool.nodes;
    n1!.active = 5;
    n2!.active = 1;
    n3!.active = 3;
    for (let i = 0; i < 5; i++) assert.equal(policy.pick(pool.up, ctx())?.id, 'n2');
    n2!.active = 9;
    assert.equal(policy.pick(pool.up, ctx())?.id, 'n3');
  });

  it('rotates between tied nodes in round-robin order', () => {
    const policy = new LeastConnectionsPolicy();
    const picks = Array.from({ length: 6 }, () => policy.pick(pool.up, ctx())?.id);
    assert.deepEqual(picks, ['n1', 'n2', 'n3', 'n1', 'n2', 'n3']);
    pool.nodes[0]!.active = 2;
    const tied = Array.from({ length: 4 }, () => policy.pick(pool.up, ctx())?.id);
    assert.ok(!tied.includes('n1'));
    assert.deepEqual(new Set(tied), new Set(['n2', 'n3']));
  });

  it('only considers up nodes', () => {
    const policy = new LeastConnectionsPolicy();
    const [n1] = pool.nodes;
    pool.setHealthy(n1!, false, 'test');
    n1!.active = 0;
    pool.nodes[1]!.active = 4;
    pool.nodes[2]!.active = 4;
    for (let i = 0; i < 4; i++) assert.notEqual(policy.pick(pool.up, ctx())?.id, 'n1');
    assert.equal(policy.pick([], ctx()), undefined);
  });
});
