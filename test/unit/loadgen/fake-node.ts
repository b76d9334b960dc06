// A tiny stand-in for a lab node (the routes the journeys use), so the
// generator's client logic can be tested in-process with faults on demand:
// lost sessions, a last-writer-wins cart, short-lived jwt tokens, slow or
// hanging answers.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

interface Cart {
  items: { sku: string; qty: number }[];
  version: number;
}

export interface FakeNodeOptions {
  /** jwt mode: login answers tokens living this many seconds; carts are kept per user. */
  jwtExpiresIn?: number;
  /** Cart writes read, wait, then write (no compare-and-set): parallel writes lose updates. */
  lww?: boolean;
  /** Called for each request holding a session: true drops that session before answering. */
  loseSession?: (path: string, cart: Cart) => boolean;
  /** Added before every answer. */
  delayMs?: number;
  /** X-Served-By of the answers, in turn (as if a round-robin balancer stood in front); default `fake-1`. */
  servedBy?: string[];
  /**
   * Called with each refresh request's number (0, 1, ...): `503` answers it
   * 503 without rotating; `reuse` answers 401 REFRESH_REUSED; undefined rotates.
   */
  refreshFault?: (index: number) => 503 | 'reuse' | undefined;
}

export class FakeNode {
  readonly #options: FakeNodeOptions;
  readonly #server: http.Server;
  readonly #sessions = new Map<string, { user: string; cart: Cart }>();
  readonly #userCarts = new Map<string, Cart>();
  readonly #access = new Map<string, { user: string; expiresAt: number }>();
  readonly #refresh = new Map<string, string>();
  url = '';
  requests = 0;
  #answered = 0;
  /** Refresh tokens presented twice (a client bug the generator must not have). */
  reusedRefreshTokens = 0;
  /** The refresh token of each refresh request, in order. */
  readonly refreshTokensSeen: string[] = [];
  /** Requests that carried an access token past its expiry (a client bug). */
  expiredBearers = 0;

  constructor(options: FakeNodeOptions = {}) {
    this.#options = options;
    this.#server = http.createServer((request, response) => {
      void this.#handle(request, response);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    this.requests += 1;
    let text = '';
    for await (const chunk of request) text += String(chunk);
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (this.#options.delayMs) await sleep(this.#options.delayMs);
    const ids = this.#options.servedBy ?? ['fake-1'];
    response.setHeader('x-served-by', ids[this.#answered++ % ids.length]!);
    const send = (status: number, json?: unknown, cookie?: string) => {
      if (cookie) response.setHeader('set-cookie', cookie);
      response.statusCode = status;
      if (json === undefined) response.end();
      else {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(json));
      }
    };
    const route = `${request.method} ${request.url}`;
    if (route === 'POST /login') return this.#login(String(body.user), send);
    if (route === 'POST /auth/refresh') {
      const token = String(body.refreshToken);
      const fault = this.#options.refreshFault?.(this.refreshTokensSeen.length);
      this.refreshTokensSeen.push(token);
      if (fault === 503) return send(503, { error: { code: 'STORE_UNAVAILABLE' } });
      if (fault === 'reuse') return send(401, { error: { code: 'REFRESH_REUSED' } });
      return this.#rotate(token, send);
    }
    const session = this.#session(request);
    if (session && this.#options.loseSession?.(route, session.cart)) session.drop();
    if (!session || session.dropped) return send(401, { error: { code: 'NO_SESSION' } });
    switch (route) {
      case 'GET /me':
        return send(200, { user: session.user, node: 'fake-1', sessionAgeMs: 1 });
      case 'GET /cart':
        return send(200, session.cart);
      case 'POST /cart/items': {
        const copy = structuredClone(session.cart);
        if (this.#options.lww) await sleep(5);
        copy.items.push({ sku: String(body.sku), qty: 1 });
        copy.version += 1;
        session.save(copy);
        return send(200, copy);
      }
      case 'POST /logout':
        session.drop();
        return send(204, undefined, 'sid=; Max-Age=0; Path=/');
      default:
        return send(404, { error: { code: 'NOT_FOUND' } });
    }
  }

  #login(user: string, send: (status: number, json?: unknown, cookie?: string) => void): void {
    const expiresIn = this.#options.jwtExpiresIn;
    if (expiresIn !== undefined) {
      send(200, { user, node: 'fake-1', ...this.#issue(user, expiresIn) });
      return;
    }
    const sid = randomBytes(8).toString('hex');
    this.#sessions.set(sid, { user, cart: { items: [], version: 0 } });
    send(200, { user, node: 'fake-1' }, `sid=${sid}; Path=/; HttpOnly`);
  }

  #issue(user: string, expiresIn: number) {
    const accessToken = randomBytes(8).toString('hex');
    const refreshToken = randomBytes(8).toString('hex');
    this.#access.set(accessToken, { user, expiresAt: Date.now() + expiresIn * 1000 });
    this.#refresh.set(refreshToken, user);
    return { accessToken, refreshToken, expiresIn };
  }

  #rotate(token: string, send: (status: number, json?: unknown) => void): void {
    const user = this.#refresh.get(token);
    if (user === undefined) {
      this.reusedRefreshTokens += 1;
      send(401, { error: { code: 'NO_SESSION' } });
      return;
    }
    this.#refresh.delete(token);
    send(200, this.#issue(user, this.#options.jwtExpiresIn!));
  }

  #session(request: http.IncomingMessage) {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      const access = this.#access.get(bearer);
      if (access && access.expiresAt <= Date.now()) this.expiredBearers += 1;
      if (!access || access.expiresAt <= Date.now()) return undefined;
      const carts = this.#userCarts;
      const state = { dropped: false };
      return {
        user: access.user,
        get cart() {
          return carts.get(access.user) ?? { items: [], version: 0 };
        },
        get dropped() {
          return state.dropped;
        },
        save: (cart: Cart) => carts.set(access.user, cart),
        drop: () => {
          state.dropped = true;
          this.#access.delete(bearer);
        },
      };
    }
    const sid = /(?:^|; )sid=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    const entry = sid === undefined ? undefined : this.#sessions.get(sid);
    if (!entry || sid === undefined) return undefined;
    const sessions = this.#sessions;
    return {
      user: entry.user,
      get cart() {
        return entry.cart;
      },
      get dropped() {
        return !sessions.has(sid);
      },
      save: (cart: Cart) => (entry.cart = cart),
      drop: () => sessions.delete(sid),
    };
  }
}
