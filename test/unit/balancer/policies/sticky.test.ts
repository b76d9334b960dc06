import assert from 'node:assert/strict';
import { createPolicy } from '../../../../balancer/policies/index.ts';
import { StickyCookie, stickyValue } from '../../../../balancer/sticky-cookie.ts';
import type { UpstreamPool } from '../../../../balancer/upstream-pool.ts';
import { ctx, makePool } from './helpers.ts';

const SECRET = 'sticky-policy-secret-at-least-32-chars';

describe('sticky policy', () => {
  let pool: UpstreamPool;
  let cookie: StickyCookie;
  beforeEach(() => {
    pool = makePool(3);
    cookie = new StickyCookie('SLB', SECRET, pool.nodes);
  });
  afterEach(() => pool.close());

  const sticky = () =>
    createPolicy('sticky', { stickyCookie: cookie, stickyFallback: 'round-robin' });
  const cookieFor = (id: string) => stickyValue(SECRET, id);

  it('honours a valid cookie without inserting a new one', () => {
    const policy = sticky();
    for (let i = 0; i < 5; i++) {
      const c = ctx(cookieFor('n2'));
      assert.equal(policy.pick(pool.up, c)?.id, 'n2');
      assert.equal(c.insertCookieFor, undefined);
      assert.equal(c.redispatched, false);
    }
  });

  it('places a client without a cookie with the fallback policy and inserts a cookie', () => {
    const policy = sticky();
    const picks = Array.from({ length: 3 }, () => {
      const c = ctx();
      const node = policy.pick(pool.up, c);
      assert.equal(c.insertCookieFor, node);
      assert.equal(c.redispatched, false, 'no cookie is not a redispatch');
      return node?.id;
    });
    assert.deepEqual(picks, ['n1', 'n2', 'n3']);
  });

  it('redispatches forged and unknown cookies without blaming a node', () => {
    const policy = sticky();
    for (const forged of ['garbage', cookieFor('n9'), stickyValue('x'.repeat(32), 'n1')]) {
      const c = ctx(forged);
      const node = policy.pick(pool.up, c);
      assert.ok(node);
      assert.equal(c.redispatched, true);
      assert.equal(c.insertCookieFor, node);
    }
    assert.deepEqual(
      pool.nodes.map((n) => n.stickyRedispatches),
      [0, 0, 0],
    );
  });

  it('redispatches clients of a down or disabled node and counts it on that node', () => {
    const policy = sticky();
    const [n1, n2] = pool.nodes;
    pool.setHealthy(n1!, false, 'test');
    const c = ctx(cookieFor('n1'));
    const node = policy.pick(pool.up, c);
    assert.notEqual(node?.id, 'n1');
    assert.equal(c.redispatched, true);
    assert.equal(c.insertCookieFor, node);
    assert.equal(n1!.stickyRedispatches, 1);

    pool.setMode(n2!, 'disabled', 'test');
    const d = ctx(cookieFor('n2'));
    assert.equal(policy.pick(pool.up, d)?.id, 'n3');
    assert.equal(n2!.stickyRedispatches, 1);
  });

  it('keeps the clients of a draining node but sends it no new ones', () => {
    const policy = sticky();
    const [n1] = pool.nodes;
    pool.setMode(n1!, 'draining', 'test');
    const existing = ctx(cookieFor('n1'));
    assert.equal(policy.pick(pool.up, existing)?.id, 'n1');
    assert.equal(existing.insertCookieFor, undefined);
    for (let i = 0; i < 10; i++) {
      const fresh = ctx();
      assert.notEqual(policy.pick(pool.up, fresh)?.id, 'n1');
    }
    // A draining node that also fails its checks loses even its sticky clients.
    pool.setHealthy(n1!, false, 'test');
    assert.notEqual(policy.pick(pool.up, ctx(cookieFor('n1')))?.id, 'n1');
  });

  it('moves a retry off the node it failed on and counts the redispatch once', () => {
    const policy = sticky();
    const c = ctx(cookieFor('n1'));
    assert.equal(policy.pick(pool.up, c)?.id, 'n1');
    c.tried = [pool.nodes[0]!];
    const candidates = pool.up.filter((n) => !c.tried!.includes(n));
    const second = policy.pick(candidates, c);
    assert.notEqual(second?.id, 'n1');
    c.tried.push(second!);
    policy.pick(
      pool.up.filter((n) => !c.tried!.includes(n)),
      c,
    );
    assert.equal(pool.nodes[0]!.stickyRedispatches, 1);
  });

  it('returns undefined when no node can take the client', () => {
    const policy = sticky();
    for (const node of pool.nodes) pool.setHealthy(node, false, 'test');
    const c = ctx(cookieFor('n1'));
    assert.equal(policy.pick(pool.up, c), undefined);
    assert.equal(c.insertCookieFor, undefined);
  });
});
