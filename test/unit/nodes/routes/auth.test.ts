import assert from 'node:assert/strict';
import {
  errorOf,
  login,
  NODE_ID,
  postJson,
  sessionIdOf,
  sessionSetCookie,
  startNode,
} from '../harness.ts';

describe('nodes/routes/auth', () => {
  describe('POST /login', () => {
    it('starts a session and answers {user, node}', async () => {
      const node = await startNode();
      const response = await node.fetch('/login', postJson({ user: 'alice', password: 'secret' }));
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { user: 'alice', node: NODE_ID });
      const id = sessionIdOf(response);
      assert.match(id, /^[A-Za-z0-9_-]{43}$/, '256-bit base64url id');
      assert.equal((await node.store.get(id))?.user, 'alice');
    });

    it('accepts every allowed character and exactly 64 of them', async () => {
      const node = await startNode();
      const user = 'A-z_0.9'.padEnd(64, 'x');
      const response = await node.fetch('/login', postJson({ user, password: 'secret' }));
      assert.equal(response.status, 200);
    });

    const badInputs: [string, unknown][] = [
      ['an empty user', { user: '', password: 'secret' }],
      ['a user of 65 characters', { user: 'x'.repeat(65), password: 'secret' }],
      ['a user with a space', { user: 'a b', password: 'secret' }],
      ['a user with a non-ASCII letter', { user: 'zoë', password: 'secret' }],
      ['a numeric user', { user: 42, password: 'secret' }],
      ['no password', { user: 'alice' }],
      ['a numeric password', { user: 'alice', password: 1234 }],
      ['an array body', ['alice', 'secret']],
    ];
    for (const [what, body] of badInputs) {
      it(`answers 400 BAD_INPUT without a session for ${what}`, async () => {
        const node = await startNode();
        const response = await node.fetch('/login', postJson(body));
        assert.equal(response.status, 400);
        assert.equal((await errorOf(response)).code, 'BAD_INPUT');
        assert.equal(sessionSetCookie(response), undefined);
        assert.equal(await node.store.count(), 0);
      });
    }

    it('answers 401 BAD_CREDENTIALS for a wrong password, starting nothing', async () => {
      const node = await startNode();
      for (const password of ['wrong', '', 'secret ', 'secretsecret']) {
        const response = await node.fetch('/login', postJson({ user: 'alice', password }));
        assert.equal(response.status, 401, password);
        assert.equal((await errorOf(response)).code, 'BAD_CREDENTIALS');
        assert.equal(sessionSetCookie(response), undefined);
      }
      assert.equal(await node.store.count(), 0);
    });

    it('checks against the configured demo password', async () => {
      const node = await startNode({ config: { demoPassword: 'hunter2' } });
      const wrong = await node.fetch('/login', postJson({ user: 'alice', password: 'secret' }));
      assert.equal(wrong.status, 401);
      const right = await node.fetch('/login', postJson({ user: 'alice', password: 'hunter2' }));
      assert.equal(right.status, 200);
    });

    it('sets sid with Path=/, HttpOnly, SameSite=Lax and no Secure over plain http', async () => {
      const node = await startNode();
      const response = await node.fetch('/login', postJson({ user: 'alice', password: 'secret' }));
      const id = sessionIdOf(response);
      assert.equal(sessionSetCookie(response), `sid=${id}; Path=/; HttpOnly; SameSite=Lax`);
    });

    it('adds Secure when the balancer says the client used https', async () => {
      const node = await startNode();
      const response = await node.fetch(
        '/login',
        postJson({ user: 'alice', password: 'secret' }, { 'X-Forwarded-Proto': 'https' }),
      );
      const id = sessionIdOf(response);
      assert.equal(sessionSetCookie(response), `sid=${id}; Path=/; HttpOnly; SameSite=Lax; Secure`);
    });

    it('never adopts an id the client sent (session fixation)', async () => {
      const node = await startNode();
      const planted = 'P'.repeat(43);
      const cookie = await login(node, 'alice', `sid=${planted}`);
      assert.notEqual(cookie, `sid=${planted}`);
      assert.equal(await node.store.get(planted), undefined);
    });

    it('replaces a live session with a fresh id and ends the old one', async () => {
      const node = await startNode();
      const first = await login(node, 'alice');
      const second = await login(node, 'bob', first);
      assert.notEqual(second, first);
      assert.equal((await node.fetch('/me', { headers: { Cookie: first } })).status, 401);
      const me = await node.fetch('/me', { headers: { Cookie: second } });
      assert.equal(((await me.json()) as { user: string }).user, 'bob');
      assert.equal(await node.store.count(), 1);
    });
  });

  describe('GET /me', () => {
    it('answers {user, node, sessionAgeMs} from the session', async () => {
      const node = await startNode();
      const cookie = await login(node, 'alice');
      node.clock.now += 1_234;
      const response = await node.fetch('/me', { headers: { Cookie: cookie } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        user: 'alice',
        node: NODE_ID,
        sessionAgeMs: 1_234,
      });
    });

    it('answers 401 NO_SESSION without a cookie', async () => {
      const node = await startNode();
      const response = await node.fetch('/me');
      assert.equal(response.status, 401);
      assert.equal((await errorOf(response)).code, 'NO_SESSION');
    });
  });

  describe('POST /logout', () => {
    it('ends the session server-side, clears the cookie and answers 204', async () => {
      const node = await startNode();
      const cookie = await login(node);
      const response = await node.fetch('/logout', { method: 'POST', headers: { Cookie: cookie } });
      assert.equal(response.status, 204);
      assert.match(sessionSetCookie(response) ?? '', /^sid=; .*Max-Age=0/);
      assert.equal(await node.store.count(), 0);
      // A client that keeps the old cookie is refused.
      const again = await node.fetch('/me', { headers: { Cookie: cookie } });
      assert.equal(again.status, 401);
    });

    it('a refresh token in the body is no credential for a strategy without refresh tokens', async () => {
      const node = await startNode();
      const cookie = await login(node);
      // Without the cookie the body alone does not log anyone out.
      const bodyOnly = await node.fetch('/logout', postJson({ refreshToken: 'A'.repeat(43) }));
      assert.equal(bodyOnly.status, 401);
      assert.equal(await node.store.count(), 1);
      const withCookie = await node.fetch(
        '/logout',
        postJson({ refreshToken: 'A'.repeat(43) }, { Cookie: cookie }),
      );
      assert.equal(withCookie.status, 204);
      assert.equal(await node.store.count(), 0);
    });

    it('checks a logout body: 400 for an empty refresh token or bad JSON', async () => {
      const node = await startNode();
      const cookie = await login(node);
      const empty = await node.fetch('/logout', postJson({ refreshToken: '' }, { Cookie: cookie }));
      assert.equal(empty.status, 400);
      const bad = await node.fetch('/logout', {
        method: 'POST',
        headers: { Cookie: cookie, 'content-type': 'application/json' },
        body: '{',
      });
      assert.equal(bad.status, 400);
      assert.equal((await errorOf(bad)).code, 'BAD_JSON');
      assert.equal(await node.store.count(), 1, 'a refused logout ends nothing');
    });

    it('answers 401 without a session', async () => {
      const node = await startNode();
      const response = await node.fetch('/logout', { method: 'POST' });
      assert.equal(response.status, 401);
      assert.equal((await errorOf(response)).code, 'NO_SESSION');
    });
  });

  describe('POST /auth/refresh', () => {
    it('answers 404 NOT_SUPPORTED when the strategy has no refresh tokens', async () => {
      const node = await startNode();
      const cookie = await login(node);
      const response = await node.fetch(
        '/auth/refresh',
        postJson({ refreshToken: 'whatever' }, { Cookie: cookie }),
      );
      assert.equal(response.status, 404);
      const error = await errorOf(response);
      assert.equal(error.code, 'NOT_SUPPORTED');
      assert.match(error.message, /sticky has no refresh tokens/);
    });
  });
});
