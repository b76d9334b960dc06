import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { StrategyConfig } from '../../../../nodes/strategies/config.ts';
import { MAX_SET_COOKIE_BYTES } from '../../../../nodes/strategies/cookie-strategy.ts';
import {
  ADMIN_HEADERS,
  cookieValueOf,
  errorOf,
  metricOf,
  NODE_ID,
  postJson,
  setCookieOf,
  startNode,
} from '../harness.ts';
import type { StartOptions, TestNode } from '../harness.ts';

interface CartBody {
  items: { sku: string; qty: number }[];
  version: number;
}

const K1 = { id: 'k1', secret: randomBytes(32) };
const K2 = { id: 'k2', secret: randomBytes(32) };

function cookieConfig(...keys: { id: string; secret: Buffer }[]): StrategyConfig {
  return { name: 'cookie', cookie: { keys } };
}

function startCookieNode(options: StartOptions = {}): Promise<TestNode> {
  return startNode({ strategy: cookieConfig(K1), ...options });
}

/** Logs in and returns the `sls=...` Cookie header value. */
async function login(node: TestNode, user = 'alice'): Promise<string> {
  const response = await node.fetch('/login', postJson({ user, password: 'secret' }));
  assert.equal(response.status, 200, await response.clone().text());
  return `sls=${cookieValueOf(response, 'sls')}`;
}

function get(node: TestNode, path: string, cookie: string, headers = {}): Promise<Response> {
  return node.fetch(path, { headers: { Cookie: cookie, ...headers } });
}

function addItem(node: TestNode, cookie: string, sku: string, qty = 1): Promise<Response> {
  return node.fetch('/cart/items', postJson({ sku, qty }, { Cookie: cookie }));
}

/** Sends `cookie` and expects 401 with the cookie cleared. */
async function assertRefused(node: TestNode, cookie: string, code = 'NO_SESSION'): Promise<void> {
  const response = await get(node, '/me', cookie);
  assert.equal(response.status, 401, cookie.slice(0, 40));
  assert.equal((await errorOf(response)).code, code);
  assert.match(setCookieOf(response, 'sls') ?? '', /^sls=; .*Max-Age=0/, 'the cookie is cleared');
}

function tampered(node: TestNode, reason: string): Promise<number | undefined> {
  return metricOf(node, 'lab_node_cookie_tampered_total', { reason });
}

describe('nodes/strategies/cookie-strategy', () => {
  it('keeps the whole session in the cookie: login, /me, cart writes, each cookie carrying the cart', async () => {
    const node = await startCookieNode();
    let cookie = await login(node, 'alice');
    node.clock.now += 1_234;
    const me = await get(node, '/me', cookie);
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), { user: 'alice', node: NODE_ID, sessionAgeMs: 1_234 });

    for (const [sku, version] of [
      ['apple', 1],
      ['pear', 2],
      ['apple', 3],
    ] as const) {
      const response = await addItem(node, cookie, sku);
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as CartBody).version, version);
      cookie = `sls=${cookieValueOf(response, 'sls')}`;
    }
    const cart = await get(node, '/cart', cookie);
    assert.deepEqual(await cart.json(), {
      items: [
        { sku: 'apple', qty: 2 },
        { sku: 'pear', qty: 1 },
      ],
      version: 3,
    });
  });

  it('holds nothing on the node: no sid cookie, sessions unknown in /admin/status and /metrics', async () => {
    const node = await startCookieNode();
    const response = await node.fetch('/login', postJson({ user: 'alice', password: 'secret' }));
    assert.equal(setCookieOf(response, 'sid'), undefined);
    const status = await node.fetch('/admin/status', { headers: ADMIN_HEADERS });
    const body = (await status.json()) as Record<string, unknown>;
    assert.deepEqual([body.strategy, body.variant, body.sessions], ['cookie', 'aes-256-gcm', null]);
    assert.ok(Number.isNaN(await metricOf(node, 'lab_node_sessions_live')));
  });

  it('sets sls with Path=/, HttpOnly, SameSite=Lax, Secure only over https, and the content unreadable', async () => {
    const node = await startCookieNode();
    const plain = await node.fetch('/login', postJson({ user: 'alice', password: 'secret' }));
    const value = cookieValueOf(plain, 'sls');
    assert.equal(setCookieOf(plain, 'sls'), `sls=${value}; Path=/; HttpOnly; SameSite=Lax`);
    assert.match(value, /^k1\.[A-Za-z0-9_-]+$/);
    assert.doesNotMatch(Buffer.from(value.slice(3), 'base64url').toString('latin1'), /alice/);
    const secure = await node.fetch(
      '/login',
      postJson({ user: 'alice', password: 'secret' }, { 'X-Forwarded-Proto': 'https' }),
    );
    const secureValue = cookieValueOf(secure, 'sls');
    assert.equal(
      setCookieOf(secure, 'sls'),
      `sls=${secureValue}; Path=/; HttpOnly; SameSite=Lax; Secure`,
    );
  });

  it('refuses a cookie with any changed byte (401, cleared) and counts each one', async () => {
    const node = await startCookieNode();
    const cookie = await login(node);
    const value = cookie.slice('sls='.length);
    // A byte in the IV, in the ciphertext and in the tag.
    const positions = [5, Math.floor(value.length / 2), value.length - 3];
    for (const i of positions) {
      const changed = value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1);
      await assertRefused(node, `sls=${changed}`);
    }
    assert.equal(await tampered(node, 'forged'), positions.length);
    // Truncated and not even a sealed value.
    await assertRefused(node, `sls=${value.slice(0, 30)}`);
    await assertRefused(node, 'sls=alice');
    assert.equal(await tampered(node, 'malformed'), 2);
    // The original still works: nothing was changed server-side.
    assert.equal((await get(node, '/me', cookie)).status, 200);
  });

  it('refuses a cookie sealed with another secret, or under a key id it does not know', async () => {
    const other = await startNode({
      strategy: cookieConfig({ id: 'k1', secret: randomBytes(32) }),
    });
    const foreign = await login(other);
    const unknownKey = await login(await startNode({ strategy: cookieConfig(K2) }));
    const node = await startCookieNode();
    await assertRefused(node, foreign);
    await assertRefused(node, unknownKey);
    assert.equal(await tampered(node, 'forged'), 1);
    assert.equal(await tampered(node, 'unknown_key'), 1);
  });

  it('rotates keys: a cookie sealed with the old key opens while that key is second, and is resealed with the new one', async () => {
    const before = await startCookieNode();
    const cookie = await login(before);
    const write = await addItem(before, cookie, 'apple');
    const oldCookie = `sls=${cookieValueOf(write, 'sls')}`;
    assert.match(oldCookie, /^sls=k1\./);

    const rotated = await startNode({ strategy: cookieConfig(K2, K1) });
    const cart = await get(rotated, '/cart', oldCookie);
    assert.equal(cart.status, 200);
    assert.deepEqual(((await cart.json()) as CartBody).version, 1);
    const next = await addItem(rotated, oldCookie, 'pear');
    assert.equal(next.status, 200);
    assert.match(cookieValueOf(next, 'sls'), /^k2\./);

    const retired = await startNode({ strategy: cookieConfig(K2) });
    await assertRefused(retired, oldCookie);
  });

  it(`refuses a write past ${MAX_SET_COOKIE_BYTES} bytes with 413 COOKIE_TOO_LARGE, keeping the previous cart`, async () => {
    const node = await startCookieNode();
    let cookie = await login(node);
    let accepted = 0;
    let refused: Response | undefined;
    for (let i = 0; i < 200 && !refused; i += 1) {
      const response = await addItem(node, cookie, `sku-${String(i).padStart(4, '0')}`);
      if (response.status === 413) {
        refused = response;
        break;
      }
      assert.equal(response.status, 200);
      const header = setCookieOf(response, 'sls') ?? '';
      assert.ok(Buffer.byteLength(header) <= MAX_SET_COOKIE_BYTES, `${header.length} bytes`);
      cookie = `sls=${cookieValueOf(response, 'sls')}`;
      accepted += 1;
    }
    assert.ok(refused, 'the cart never outgrew the cookie');
    assert.ok(accepted > 20, `only ${accepted} items fitted`);
    const error = await errorOf(refused);
    assert.equal(error.code, 'COOKIE_TOO_LARGE');
    assert.match(error.message, /would take \d+ bytes, over 4096/);
    assert.equal(setCookieOf(refused, 'sls'), undefined, 'no cookie on a refused write');

    const cart = (await (await get(node, '/cart', cookie)).json()) as CartBody;
    assert.equal(cart.version, accepted);
    assert.equal(cart.items.length, accepted);
    // Growing an existing line still fits (it needs no more room).
    assert.equal((await addItem(node, cookie, 'sku-0000')).status, 200);
  });

  it('ends a session at the absolute timeout however active it is', async () => {
    const node = await startCookieNode({
      idleTimeoutMs: 1_000,
      config: { absoluteTimeoutMs: 2_500 },
    });
    let cookie = await login(node);
    for (const step of [800, 800, 899]) {
      node.clock.now += step;
      const response = await get(node, '/me', cookie);
      assert.equal(response.status, 200);
      if (setCookieOf(response, 'sls')) cookie = `sls=${cookieValueOf(response, 'sls')}`;
    }
    node.clock.now += 1; // 2 500 ms old
    await assertRefused(node, cookie, 'SESSION_EXPIRED');
    assert.equal(
      await metricOf(node, 'lab_node_sessions_expired_total', { reason: 'absolute' }),
      1,
    );
  });

  it('ends a session idle for the idle timeout; a request re-issues the cookie to slide it', async () => {
    const node = await startCookieNode({ idleTimeoutMs: 1_000 });
    const cookie = await login(node);
    node.clock.now += 900;
    const slid = await get(node, '/me', cookie);
    assert.equal(slid.status, 200);
    const next = `sls=${cookieValueOf(slid, 'sls')}`;
    node.clock.now += 900; // 1 800 ms after login, 900 ms after the slide
    assert.equal((await get(node, '/me', next)).status, 200);
    await assertRefused(node, cookie, 'SESSION_EXPIRED');
    assert.equal(await metricOf(node, 'lab_node_sessions_expired_total', { reason: 'idle' }), 1);
  });

  it('clears the cookie at logout, while a kept copy stays valid (nothing server-side to revoke)', async () => {
    const node = await startCookieNode();
    const cookie = await login(node);
    const logout = await node.fetch('/logout', { method: 'POST', headers: { Cookie: cookie } });
    assert.equal(logout.status, 204);
    assert.match(setCookieOf(logout, 'sls') ?? '', /^sls=; .*Max-Age=0/);
    // What the lab measures later: the copy works until its timeouts.
    assert.equal((await get(node, '/me', cookie)).status, 200);
  });

  it('loses one of two concurrent writes from one cookie: each answer carries the cart its request saw', async () => {
    const node = await startCookieNode();
    const cookie = await login(node);
    const [a, b] = await Promise.all([
      addItem(node, cookie, 'apple'),
      addItem(node, cookie, 'pear'),
    ]);
    const carts = [(await a.json()) as CartBody, (await b.json()) as CartBody];
    assert.deepEqual(
      carts.map((cart) => cart.version),
      [1, 1],
    );
    const last = `sls=${cookieValueOf(b, 'sls')}`;
    assert.deepEqual(((await (await get(node, '/cart', last)).json()) as CartBody).items, [
      { sku: 'pear', qty: 1 },
    ]);
  });
});
