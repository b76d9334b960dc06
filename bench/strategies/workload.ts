// The workload every strategy gets: a pool of logged-in users and a seeded
// mix of GET /me, GET /cart and POST /cart/items, drawn in the same order for
// every strategy. A user carries what a browser or an API client would: its
// cookies (session id, the balancer's affinity cookie, or the whole cookie
// session), and for `jwt` an access token sent as `Authorization: Bearer`.
import http from 'node:http';
import { seededRandom } from '../../loadgen/core/seeded-random.ts';
import { sendRequest, type OpenRequest, type OpenResponse } from '../open-load.ts';

export { seededRandom };

export const MIX = { me: 0.4, cart: 0.4, addItem: 0.2 } as const;
export const MIX_TEXT =
  'GET /me 40%, GET /cart 40%, POST /cart/items 20% (qty 1 of one of 10 SKUs)';
/** Few SKUs, so carts (and the `cookie` strategy's cookie) stay small and never hit 413. */
const SKUS = 10;
const PASSWORD = 'secret';
/** A jwt client refreshes its access token this long before it expires, as real clients do. */
const REFRESH_MARGIN_MS = 10_000;

export class BenchUser {
  readonly name: string;
  readonly cookies = new Map<string, string>();
  accessToken: string | undefined;
  refreshToken: string | undefined;
  tokenExpiresAt = 0;
  /** One refresh at a time: a second one would replay the token and revoke the family (C14). */
  refreshing = false;

  constructor(name: string) {
    this.name = name;
  }

  /** The headers that carry the session: Cookie and, for jwt, Authorization. */
  credentials(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if (this.accessToken) headers.authorization = `Bearer ${this.accessToken}`;
    return headers;
  }

  /** Keeps what the server sent: cookies set or cleared, tokens issued or rotated. */
  absorb(response: OpenResponse, tokenBody: boolean): void {
    for (const line of response.headers['set-cookie'] ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const cleared = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (cleared) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    if (tokenBody && response.status === 200) {
      const body = JSON.parse(response.body) as {
        accessToken?: string;
        refreshToken?: string;
        expiresIn?: number;
      };
      if (body.accessToken) {
        this.accessToken = body.accessToken;
        this.refreshToken = body.refreshToken;
        this.tokenExpiresAt = Date.now() + (body.expiresIn ?? 60) * 1000;
      }
    }
  }
}

function json(body: unknown): { body: string; headers: Record<string, string> } {
  return { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
}

/** The login request of a user; its answer gives the user its cookies or tokens. */
export function loginRequest(user: BenchUser): OpenRequest {
  const { body, headers } = json({ user: user.name, password: PASSWORD });
  return {
    method: 'POST',
    path: '/login',
    headers,
    body,
    onResponse: (response) => user.absorb(response, true),
  };
}

/**
 * Sends `requests` one after another on `concurrency` keep-alive connections
 * (closed loop: this is set-up, not measurement). Returns how many failed.
 */
export async function sendAll(
  origin: URL,
  requests: OpenRequest[],
  concurrency: number,
): Promise<{ failed: number; firstFailure: string | undefined }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++]!;
      try {
        const response = await sendRequest(agent, origin, request, 10_000);
        if (response.status !== 200) throw new Error(`${response.status} ${response.body}`);
        request.onResponse?.(response);
      } catch (error) {
        failed += 1;
        firstFailure ??= `${request.method} ${request.path}: ${(error as Error).message}`;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { failed, firstFailure };
}

export interface Plan {
  next: () => OpenRequest;
  /** jwt token refreshes sent in place of a drawn request so far. */
  refreshes: () => number;
}

/**
 * The request sequence for `users`: three draws per request (user, route,
 * SKU) whatever the route, so the sequence never depends on the strategy.
 */
export function workloadPlan(users: BenchUser[], seed: number): Plan {
  const random = seededRandom(seed);
  let refreshes = 0;
  const next = (): OpenRequest => {
    const user = users[Math.floor(random() * users.length)]!;
    const route = random();
    const sku = `sku-${Math.floor(random() * SKUS)}`;
    const absorb = (response: OpenResponse) => user.absorb(response, false);
    if (
      user.refreshToken &&
      !user.refreshing &&
      Date.now() > user.tokenExpiresAt - REFRESH_MARGIN_MS
    ) {
      refreshes += 1;
      user.refreshing = true;
      const { body, headers } = json({ refreshToken: user.refreshToken });
      return {
        method: 'POST',
        path: '/auth/refresh',
        headers: { ...user.credentials(), ...headers },
        body,
        onResponse: (response) => {
          user.absorb(response, true);
          user.refreshing = false;
        },
      };
    }
    if (route < MIX.me) {
      return { method: 'GET', path: '/me', headers: user.credentials(), onResponse: absorb };
    }
    if (route < MIX.me + MIX.cart) {
      return { method: 'GET', path: '/cart', headers: user.credentials(), onResponse: absorb };
    }
    const { body, headers } = json({ sku, qty: 1 });
    return {
      method: 'POST',
      path: '/cart/items',
      headers: { ...user.credentials(), ...headers },
      body,
      onResponse: absorb,
    };
  };
  return { next, refreshes: () => refreshes };
}

/** Mean bytes of the header lines that carry the session (`cookie: ...`, `authorization: ...`). */
export function credentialBytes(users: BenchUser[]): number {
  let total = 0;
  for (const user of users) {
    for (const [name, value] of Object.entries(user.credentials())) {
      total += Buffer.byteLength(`${name}: ${value}\r\n`);
    }
  }
  return users.length > 0 ? total / users.length : 0;
}
