import { applySetCookie } from '../../loadgen/core/cookie-jar.ts';

/** One response as a journey sees it. */
export interface JourneyResponse {
  status: number;
  servedBy: string;
  body: unknown;
  headers: Headers;
}

/**
 * A minimal HTTP client with a cookie jar for one simulated user: enough for
 * the demo journey and the integration tests (name=value pairs, no domain or
 * path matching: every request goes to the one balancer).
 */
export class CookieClient {
  readonly baseUrl: string;
  readonly cookies = new Map<string, string>();

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  async request(
    method: string,
    path: string,
    options: { json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<JourneyResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(10000),
    });
    this.#remember(response.headers.getSetCookie());
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return {
      status: response.status,
      servedBy: response.headers.get('x-served-by') ?? '?',
      body: parsed,
      headers: response.headers,
    };
  }

  #remember(setCookies: string[]): void {
    for (const line of setCookies) applySetCookie(this.cookies, line);
  }
}
