import assert from 'node:assert/strict';
import { ADMIN_TOKEN, errorOf, login, NODE_ID, startNode } from '../harness.ts';

describe('nodes/routes/admin', () => {
  it('GET /admin/status answers 401 without a bearer token', async () => {
    const node = await startNode();
    for (const authorization of [undefined, '', `Basic ${ADMIN_TOKEN}`, 'Bearer']) {
      const headers: Record<string, string> =
        authorization === undefined ? {} : { Authorization: authorization };
      const response = await node.fetch('/admin/status', { headers });
      assert.equal(response.status, 401, String(authorization));
      assert.equal((await errorOf(response)).code, 'ADMIN_UNAUTHORIZED');
      assert.match(response.headers.get('WWW-Authenticate') ?? '', /^Bearer/);
    }
  });

  it('GET /admin/status answers 403 for a wrong token', async () => {
    const node = await startNode();
    for (const token of ['wrong', ADMIN_TOKEN.slice(0, -1), `${ADMIN_TOKEN}x`]) {
      const response = await node.fetch('/admin/status', {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(response.status, 403, token);
      assert.equal((await errorOf(response)).code, 'ADMIN_FORBIDDEN');
    }
  });

  it('GET /admin/status answers id, strategy, sessions, uptime and pid with the token', async () => {
    const node = await startNode();
    await login(node, 'alice');
    await login(node, 'bob');
    const response = await node.fetch('/admin/status', {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    const { uptimeMs, ...rest } = body;
    assert.deepEqual(rest, {
      id: NODE_ID,
      strategy: 'sticky',
      variant: 'memory',
      sessions: 2,
      pid: process.pid,
    });
    assert.ok(typeof uptimeMs === 'number' && uptimeMs > 0);
  });
});
