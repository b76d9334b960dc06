import assert from 'node:assert/strict';
import { errorOf, login, overrideStore, sessionSetCookie, startNode } from '../harness.ts';
import type { TestNode } from '../harness.ts';

function me(node: TestNode, cookie: string): Promise<Response> {
  return node.fetch('/me', { headers: { Cookie: cookie } });
}

async function assertRefused(response: Response, code = 'NO_SESSION'): Promise<void> {
  assert.equal(response.status, 401);
  assert.equal((await errorOf(response)).code, code);
  assert.match(sessionSetCookie(response) ?? '', /^sid=; .*Max-Age=0/, 'the cookie is cleared');
}

describe('nodes/strategies/server-session-strategy', () => {
  it('refuses an id it never issued, like no session, and clears the cookie', async () => {
    const node = await startNode();
    await login(node);
    await assertRefused(await me(node, `sid=${'A'.repeat(43)}`));
  });

  const malformed: [string, string][] = [
    ['too short', 'sid=abc'],
    ['too long', `sid=${'A'.repeat(44)}`],
    ['huge', `sid=${'A'.repeat(8_000)}`],
    ['full of bad characters', `sid=${'A'.repeat(41)}%00`],
    ['quoted', `sid="${'A'.repeat(43)}"`],
    ['empty', 'sid='],
  ];
  for (const [what, cookie] of malformed) {
    it(`treats a cookie that is ${what} as no session, without asking the store`, async () => {
      let storeReads = 0;
      const node = await startNode({
        wrapStore: (inner) =>
          overrideStore(inner, {
            get: (id) => {
              storeReads += 1;
              return inner.get(id);
            },
            getAndTouch: (id, now) => {
              storeReads += 1;
              return inner.getAndTouch(id, now);
            },
          }),
      });
      await assertRefused(await me(node, cookie));
      assert.equal(storeReads, 0);
    });
  }

  it('finds the sid cookie among others', async () => {
    const node = await startNode();
    const cookie = await login(node);
    const response = await me(node, `theme=dark; ${cookie}; lb=node-2`);
    assert.equal(response.status, 200);
  });

  it('ends a session idle longer than the store TTL, and each request slides it', async () => {
    const node = await startNode({ idleTimeoutMs: 1_000 });
    const cookie = await login(node);
    for (let i = 0; i < 3; i += 1) {
      node.clock.now += 900;
      assert.equal((await me(node, cookie)).status, 200, `request ${i} within the idle timeout`);
    }
    node.clock.now += 1_000;
    await assertRefused(await me(node, cookie));
  });

  it('ends a session at the absolute timeout however active it is', async () => {
    const node = await startNode({ idleTimeoutMs: 1_000, config: { absoluteTimeoutMs: 2_500 } });
    const cookie = await login(node);
    node.clock.now += 800;
    assert.equal((await me(node, cookie)).status, 200);
    node.clock.now += 800;
    assert.equal((await me(node, cookie)).status, 200);
    node.clock.now += 899; // 2 499 ms old
    assert.equal((await me(node, cookie)).status, 200);
    node.clock.now += 1; // 2 500 ms old
    await assertRefused(await me(node, cookie), 'SESSION_EXPIRED');
    assert.equal(await node.store.count(), 0, 'destroyed server-side');
    // Once destroyed it is just an unknown id.
    await assertRefused(await me(node, cookie), 'NO_SESSION');
  });
});
