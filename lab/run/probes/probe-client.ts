import { randomBytes } from 'node:crypto';
import { LabError } from '../../errors.ts';
import { applySetCookie } from '../../../loadgen/core/cookie-jar.ts';

/** The demo password every lab node accepts (docs/architecture.md, "The HTTP workload": POST /login). */
export const PASSWORD = 'secret';
/** One request's bound: on loopback an answer takes milliseconds. */
const REQUEST_TIMEOUT_MS = 2000;

/** One answer as a probe sees it. */
export interface ProbeResponse {
  status: number;
  /** The error body's stable `code`, when the answer is an error. */
  code: string | undefined;
  body: unknown;
  /** Raw Set-Cookie header values, in order. */
  setCookies: string[];
  servedBy: string;
}

/** What a jwt login or refresh answers. */
export interface TokenBody {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** A user name no earlier probe or load used, so each probe starts from a fresh session. */
export function probeUser(kind: string): string {
  return `probe-${kind}-${randomBytes(6).toString('hex')}`;
}

/**
 * One simulated client: a cookie jar (name=value, no domain matching: it
 * talks to one topology on loopback) and, for jwt, a bearer token. Every
 * request is bounded and follows the probe's signal.
 */
export class ProbeClient {
  readonly baseUrl: string;
  readonly signal: AbortSignal;
  readonly cookies = new Map<string, string>();
  bearer: string | undefined;
  refreshToken: string | undefined;

  constructor(baseUrl: string, signal: AbortSignal) {
    this.baseUrl = baseUrl;
    this.signal = signal;
  }

  /** Another client holding a copy of these credentials (what a thief keeps). */
  copy(baseUrl = this.baseUrl): ProbeClient {
    const twin = new ProbeClient(baseUrl, this.signal);
    for (const [name, value] of this.cookies) twin.cookies.set(name, value);
    twin.bearer = this.bearer;
    twin.refreshToken = this.refreshToken;
    return twin;
  }

  /** The headers that carry the credentials: Cookie and Authorization. */
  credentials(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if (this.bearer !== undefined) headers.authorization = `Bearer ${this.bearer}`;
    return headers;
  }

  async request(
    method: 'GET' | 'POST',
    path: string,
    options: { json?: unknown; headers?: Record<string, string>; keepCookies?: boolean } = {},
  ): Promise<ProbeResponse> {
    const headers: Record<string, string> = { ...this.credentials(), ...options.headers };
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.any([this.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
      text = await response.text();
    } catch (error) {
      throw new LabError('PROBE_REQUEST_FAILED', `${method} ${url}: ${(error as Error).message}`);
    }
    const setCookies = response.headers.getSetCookie();
    if (options.keepCookies !== false) this.#remember(setCookies);
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    const code = (parsed as { error?: { code?: unknown } } | undefined)?.error?.code;
    return {
      status: response.status,
      code: typeof code === 'string' ? code : undefined,
      body: parsed,
      setCookies,
      servedBy: response.headers.get('x-served-by') ?? '?',
    };
  }

  /** Logs `user` in; keeps the cookies, and for jwt the tokens (the access token as bearer). */
  async login(user: string): Promise<ProbeResponse> {
    const response = expectStatus(
      await this.request('POST', '/login', { json: { user, password: PASSWORD } }),
      200,
      'POST /login',
    );
    const tokens = response.body as Partial<TokenBody> | undefined;
    if (typeof tokens?.accessToken === 'string') this.bearer = tokens.accessToken;
    if (typeof tokens?.refreshToken === 'string') this.refreshToken = tokens.refreshToken;
    return response;
  }

  #remember(setCookies: string[]): void {
    for (const line of setCookies) applySetCookie(this.cookies, line);
  }
}

/** Returns the response when its status is `status`; otherwise the probe cannot go on. */
export function expectStatus(response: ProbeResponse, status: number, what: string): ProbeResponse {
  if (response.status !== status) {
    throw new LabError(
      'PROBE_UNEXPECTED_ANSWER',
      `${what} answered ${response.status}${response.code ? ` ${response.code}` : ''}, expected ${status}`,
    );
  }
  return response;
}
