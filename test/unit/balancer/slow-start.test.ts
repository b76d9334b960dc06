import assert from 'node:assert/strict';
import { createPolicy, type Policy } from '../../../balancer/policies/index.ts';
import { LeastConnectionsPolicy } from '../../../balancer/policies/least-connections.ts';
import { RoundRobinPolicy } from '../../../balancer/policies/round-robin.ts';
import { MIN_WEIGHT, SlowStart } from '../../../balancer/slow-start.ts';
import { StickyCookie, stickyValue } from '../../../balancer/sticky-cookie.ts';
import { UpstreamPool } from '../../../balancer/upstream-pool.ts';
import { ctx } from './policies/helpers.ts';

const WINDOW_MS = 5000;
const SECRET = 'slow-start-test-secret-at-least-32-chars';

/** Three nodes whose pool reads a clock the test moves by hand. */
function rampingPool(slowStartMs = WINDOW_MS) {
  const clock = { now: 1000 };
  const pool = new UpstreamPool(
    ['n1', 'n2', 'n3'].map((id, i) => ({ id, url: `http://127.0.0.1:${9001 + i}` })),
    { slowStartMs, clock: () => clock.now },
  );
  return { pool, clock };
}

/** Picks `count` new clients and counts them per node id. */
function spread(policy: Policy, pool: UpstreamPool, count: number): Record<string, number> {
  const counts: Record<string, number> = { n1: 0, n2: 0, n3: 0 };
  for (let i = 0; i < count; i++) counts[policy.pick(pool.up, ctx())!.id]!++;
  return counts;
}

/** Share of new traffic a node of weight w gets beside two settled ones. */
const expectedShare = (w: number) => w / (2 + w);

describe('slow start', () => {
  it('ramps a weight linearly from 10% to 100% over the window', () => {
    let now = 0;
    const ramp = new SlowStart(WINDOW_MS, () => now);
    assert.equal(ramp.weight(), MIN_WEIGHT);
    assert.equal(ramp.remainingMs(), WINDOW_MS);
    now = 2500;
    assert.ok(Math.abs(ramp.weight() - 0.55) < 1e-9);
    assert.equal(ramp.remainingMs(), 2500);
    now = 5000;
    assert.equal(ramp.weight(), 1);
    assert.equal(ramp.remainingMs(), 0);
  });

  it('starts when a node comes back to up, not at start-up, and stops when it leaves up', () => {
    const { pool, clock } = rampingPool();
    const [n1, n2] = pool.nodes;
    assert.deepEqual(
      pool.nodes.map((n) => n.weight),
      [1, 1, 1],
      'nodes up from the start carry their full share',
    );
    pool.setHealthy(n1!, false, 'test');
    pool.setHealthy(n1!, true, 'test');
    assert.equal(n1!.weight, MIN_WEIGHT);
    pool.setMode(n2!, 'disabled', 'test');
    clock.now += 1000;
    pool.setMode(n2!, 'enabled', 'test');
    assert.equal(n2!.weight, MIN_WEIGHT);
    pool.setMode(n1!, 'draining', 'test');
    assert.equal(n1!.slowStart, undefined, 'leaving up ends the ramp');
    pool.close();

    const off = rampingPool(0);
    off.pool.setHealthy(off.pool.nodes[0]!, false, 'test');
    off.pool.setHealthy(off.pool.nodes[0]!, true, 'test');
    assert.equal(off.pool.nodes[0]!.weight, 1, 'slowStartMs 0 turns it off');
    off.pool.close();
  });

  for (const name of ['round-robin', 'least-connections'] as const) {
    it(`${name}: a readmitted node's share of new clients grows over the window`, () => {
      const { pool, clock } = rampingPool();
      const policy = name === 'round-robin' ? new RoundRobinPolicy() : new LeastConnectionsPolicy();
      const n3 = pool.nodes[2]!;
      pool.setHealthy(n3, false, 'passive: ECONNREFUSED');
      pool.setHealthy(n3, true, 'health check');

      const shares: number[] = [];
      for (const at of [0, 1250, 2500, 3750, WINDOW_MS]) {
        clock.now = 1000 + at;
        const counts = spread(policy, pool, 600);
        const share = counts.n3! / 600;
        shares.push(share);
        const expected = expectedShare(n3.weight);
        assert.ok(
          Math.abs(share - expected) < 0.02,
          `at ${at} ms: share ${share.toFixed(3)}, expected ${expected.toFixed(3)}`,
        );
        // The turns it passes on are shared evenly by the others.
        assert.ok(Math.abs(counts.n1! - counts.n2!) <= 1, JSON.stringify(counts));
      }
      for (let i = 1; i < shares.length; i++) assert.ok(shares[i]! > shares[i - 1]!);
      assert.ok(shares[0]! < 0.06, `starts near 10% of a full share: ${shares[0]}`);
      assert.ok(Math.abs(shares.at(-1)! - 1 / 3) < 0.01, 'ends with a full share');
      assert.equal(n3.slowStart, undefined, 'a finished ramp is dropped');
      pool.close();
    });
  }

  it('least-connections: an idle readmitted node is not flooded while the others are busy', () => {
    const { pool, clock } = rampingPool();
    const policy = new LeastConnectionsPolicy();
    const [n1, n2, n3] = pool.nodes;
    n1!.active = 5;
    n2!.active = 5;
    pool.setHealthy(n3!, false, 'test');
    pool.setHealthy(n3!, true, 'test');
    // Without slow start all 100 would go to n3 (nothing in flight there).
    assert.ok(spread(policy, pool, 100).n3! <= 11);
    clock.now += WINDOW_MS;
    assert.equal(spread(policy, pool, 100).n3, 100);
    pool.close();
  });

  it('sticky: clients pinned to a ramping node stay; only new clients are held back', () => {
    const { pool } = rampingPool();
    const cookie = new StickyCookie('SLB', SECRET, pool.nodes);
    const policy = createPolicy('sticky', { stickyCookie: cookie, stickyFallback: 'round-robin' });
    const n3 = pool.nodes[2]!;
    pool.setMode(n3, 'draining', 'test');
    pool.setMode(n3, 'enabled', 'test');
    assert.equal(n3.weight, MIN_WEIGHT);
    for (let i = 0; i < 50; i++) {
      assert.equal(policy.pick(pool.up, ctx(stickyValue(SECRET, 'n3')))?.id, 'n3');
    }
    assert.ok(spread(policy, pool, 300).n3! < 300 * expectedShare(0.15));
    pool.close();
  });

  it('still routes every request when every node is ramping', () => {
    const { pool } = rampingPool();
    for (const node of pool.nodes) {
      pool.setHealthy(node, false, 'test');
      pool.setHealthy(node, true, 'test');
    }
    for (const policy of [new RoundRobinPolicy(), new LeastConnectionsPolicy()]) {
      const counts = spread(policy, pool, 300);
      assert.equal(counts.n1! + counts.n2! + counts.n3!, 300);
      assert.ok(
        Object.values(counts).every((c) => c >= 90),
        JSON.stringify(counts),
      );
    }
    pool.close();
  });
});
