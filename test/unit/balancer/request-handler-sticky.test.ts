// Sticky routing end to end (HAProxy `cookie SLB insert indirect nocache`):
// a real balancer in front of tiny real nodes on port 0.
import assert from 'node:assert/strict';
import type http from 'node:http';
import { createBalancer, type Balancer } from '../../../balancer/balancer.ts';
import type { EchoBody, TestNode } from './helpers.ts';
import { json, makeConfig, send, startNode } from './helpers.ts';

function cookieOf(reply: { headers: http.IncomingHttpHeaders }): string | undefined {
  const header = reply.headers['set-cookie']?.find((c) => c.startsWith('SLB='));
  return header?.split(';', 1)[0];
}

describe('request handler with the sticky policy', () => {
  let nodes: TestNode[];
  let balancer: Balancer;
  let url: string;

  beforeEach(async () => {
    nodes = await Promise.all(['a', 'b', 'c'].map((id) => startNode(id)));
    balancer = createBalancer(makeConfig(nodes, { policy: 'sticky' }));
    ({ url } = await balancer.listen());
  });

  afterEach(async () => {
    await balancer.close({ graceMs: 100 });
    await Promise.all(nodes.map((n) => n.close()));
  });

  it('inserts a cookie once, then keeps the client on its node', async () => {
    const first = await send(`${url}/login`, { method: 'POST', body: '{}' });
    const cookie = cookieOf(first);
    assert.ok(cookie, 'first response sets the balancer cookie');
    assert.match(
      first.headers['set-cookie']!.find((c) => c.startsWith('SLB='))!,
      /; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    assert.match(String(first.headers['cache-control']), /no-cache="Set-Cookie"/);
    const home = json<EchoBody>(first).node;

    for (let i = 0; i < 6; i++) {
      const reply = await send(`${url}/me`, { headers: { cookie: `app=1; ${cookie}; other=2` } });
      const echo = json<EchoBody>(reply);
      assert.equal(echo.node, home);
      assert.equal(
        echo.headers.cookie,
        'app=1; other=2',
        'the node never sees the balancer cookie',
      );
      assert.equal(cookieOf(reply), undefined, 'no new cookie while it is honoured');
    }
  });

  it('redispatches the clients of a dead node with a new cookie', async () => {
    const first = await send(`${url}/login`);
    const cookie = cookieOf(first)!;
    const home = json<EchoBody>(first).node;
    await nodes.find((n) => n.id === home)!.close();

    const moved = await send(`${url}/me`, { headers: { cookie } });
    assert.equal(moved.status, 200);
    assert.notEqual(json<EchoBody>(moved).node, home);
    assert.ok(cookieOf(moved) && cookieOf(moved) !== cookie, 'a cookie for the new node');
    assert.equal(balancer.pool.get(home)!.stickyRedispatches, 1);
    assert.equal(balancer.metrics.totals.stickyRedispatches, 1);
  });

  it('ignores a forged cookie and issues a real one', async () => {
    const reply = await send(`${url}/me`, { headers: { cookie: 'SLB=http://127.0.0.1:1' } });
    assert.equal(reply.status, 200);
    assert.ok(cookieOf(reply));
    assert.equal(json<EchoBody>(reply).headers.cookie, undefined);
    assert.equal(balancer.metrics.totals.stickyRedispatches, 1);
  });

  it('keeps sticky clients on a draining node and sends new ones elsewhere', async () => {
    const first = await send(`${url}/login`);
    const cookie = cookieOf(first)!;
    const home = json<EchoBody>(first).node;
    balancer.pool.setMode(balancer.pool.get(home)!, 'draining', 'test');
    assert.equal(json<EchoBody>(await send(`${url}/me`, { headers: { cookie } })).node, home);
    for (let i = 0; i < 6; i++) {
      assert.notEqual(json<EchoBody>(await send(`${url}/login`)).node, home);
    }
  });
});
