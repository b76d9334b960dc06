// One simulated user for one journey: its own cookie jar and tokens, the
// session it holds, and its cart history. Every request it sends is recorded;
// a 401 on a held session is a lost session, after which the journey logs in
// again. Journeys decide what to send; this decides what the answers mean.
// Portable: no Node or k6 import. Where it runs (the lab's generator, a k6
// script) gives it a UserPlatform (send, clock, sleep) and a UserRecorder.
import { BearerTokens, type TokenBody } from './bearer-tokens.ts';
import { CartTracker, type Verdict } from './consistency.ts';
import { CookieJar } from './cookie-jar.ts';
import { networkKind, statusKind } from './error-kinds.ts';
import type { RefreshRetry } from '../types.ts';
import { routeOf, type RouteName } from '../../common/routes.ts';
import type { UserRecorder } from './user-recorder.ts';

/** The node's error code for a replayed refresh token (nodes/errors.ts): the family is revoked. */
export const REFRESH_REUSED = 'REFRESH_REUSED';
/** The first refresh retry waits this long; each next one twice as long. */
const RETRY_BASE_MS = 100;

/** The demo password every node accepts by default. */
export const PASSWORD = 'secret';

/** One request as the user sends it; `route` names it for per-route figures (undefined: none). */
export interface OutgoingRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  route: RouteName | undefined;
}

/** What became of a request, as the platform saw it. */
export type SendResult =
  | {
      kind: 'answer';
      status: number;
      body: string;
      /** The Set-Cookie header lines, in arrival order. */
      setCookie: readonly string[] | undefined;
      /** X-Served-By and X-Upstream-Tried; undefined when absent or empty. */
      servedBy: string | undefined;
      upstreamTried: string | undefined;
      latencyMs: number;
    }
  /** No answer: `code` as Node names it (`timeout`, `ECONNRESET`, ...; see error-kinds.ts). */
  | { kind: 'failed'; code: string; latencyMs: number }
  /** Cut short by the end of the run: neither the system's answer nor its failure. */
  | { kind: 'stopped' };

/** What the user needs from where it runs. */
export interface UserPlatform {
  send(request: OutgoingRequest): Promise<SendResult>;
  /** A monotonic clock, ms. */
  now(): number;
  /** Pauses `ms`; resolves early when the load ends. */
  sleep(ms: number): Promise<void>;
  /** The load is over: no request starts any more. */
  readonly stopped: boolean;
}

/** What a user needs from the run. */
export interface UserContext {
  platform: UserPlatform;
  recorder: UserRecorder;
  thinkMs: number;
  /** jwt: how a refresh answered 5xx or not at all is tried again (same token). */
  refreshRetry: RefreshRetry;
}

export type Outcome =
  /** `servedBy`: X-Served-By of the answer, `none` when absent. */
  | { kind: 'answer'; status: number; body: string; servedBy: string }
  /** No answer: network error or timeout (`code`). */
  | { kind: 'failed'; code: string }
  /** Not sent, or cut short, because the load is over. */
  | { kind: 'stopped' }
  /** Not sent: the token refresh just before it ended the session (the journey logs in again). */
  | { kind: 'skipped' };

/** True when a write's outcome leaves its effect unknown: it may have been applied. */
export function unsure(outcome: Outcome): boolean {
  return outcome.kind === 'failed' || (outcome.kind === 'answer' && outcome.status >= 500);
}

/** The cart version of a 200 cart answer, or undefined. */
export function cartVersion(outcome: Outcome): number | undefined {
  if (outcome.kind !== 'answer' || outcome.status !== 200) return undefined;
  const body = parse(outcome.body) as { version?: unknown } | undefined;
  return typeof body?.version === 'number' ? body.version : undefined;
}

/** The token fields of a 200 login/refresh answer; empty for any other answer. */
function tokenBody(outcome: Outcome): TokenBody {
  const body =
    outcome.kind === 'answer' && outcome.status === 200 ? parse(outcome.body) : undefined;
  return typeof body === 'object' && body !== null ? body : {};
}

/** True when X-Served-By names a node, not the balancer answering itself or nothing. */
function isNode(servedBy: string): boolean {
  return servedBy !== 'balancer' && servedBy !== 'none';
}

/** The node an error answer came from: the node itself, or the last one the balancer tried. */
export function errorNode(servedBy: string, upstreamTried: string | undefined): string {
  if (isNode(servedBy)) return servedBy;
  return upstreamTried?.split(',').pop()?.trim() || 'none';
}

/** The `error.code` of a JSON error answer, or undefined. */
export function errorCode(outcome: Outcome): string | undefined {
  if (outcome.kind !== 'answer') return undefined;
  const body = parse(outcome.body) as { error?: { code?: unknown } } | undefined;
  const code = body?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * How long to wait before refresh retry `retry` (0-based), or undefined when
 * none may start: past `retries`, or later than `windowMs` after the first failure.
 */
export function retryDelay(retry: number, sinceFirstFailureMs: number, policy: RefreshRetry) {
  if (retry >= policy.retries) return undefined;
  const delay = RETRY_BASE_MS * 2 ** retry;
  return sinceFirstFailureMs + delay <= policy.windowMs ? delay : undefined;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class VirtualUser {
  readonly name: string;
  readonly cart = new CartTracker();
  readonly #context: UserContext;
  readonly #jar = new CookieJar();
  readonly #tokens = new BearerTokens();
  // Bumped at each login: a 401 ends the session only if it was sent in the current one.
  #generation = 0;
  #held = false;
  #lost = false;
  #wrote = false;
  #refreshing: Promise<void> | undefined;
  /** The node that last answered this session with a 2xx: under sticky, the node it is pinned to. */
  #lastNode = 'none';
  /** The node that answered this session's login: where sticky must keep it (C5). */
  #home: string | undefined;

  constructor(name: string, context: UserContext) {
    this.name = name;
    this.#context = context;
  }

  get hasSession(): boolean {
    return this.#held;
  }

  /** Changes at every login: a journey compares it to know its session survived a step. */
  get generation(): number {
    return this.#generation;
  }

  /** The load is over: start nothing more. */
  get stopped(): boolean {
    return this.#context.platform.stopped;
  }

  /** Pauses thinkMs; false when the load ended meanwhile. */
  async think(): Promise<boolean> {
    const { thinkMs, platform, recorder } = this.#context;
    if (thinkMs > 0 && !platform.stopped) {
      const due = platform.now() + thinkMs;
      await platform.sleep(thinkMs);
      if (!platform.stopped) recorder.lag(platform.now() - due);
    }
    return !platform.stopped;
  }

  /** POST /login as this user; true when a session started. */
  async login(): Promise<boolean> {
    const outcome = await this.#send('POST', '/login', { user: this.name, password: PASSWORD });
    if (outcome.kind !== 'answer' || outcome.status !== 200) return false;
    this.#tokens.clear();
    this.#tokens.take(tokenBody(outcome), this.#context.platform.now());
    this.#home = isNode(outcome.servedBy) ? outcome.servedBy : undefined;
    this.#held = true;
    this.#generation += 1;
    const { recorder } = this.#context;
    recorder.sessionStarted();
    if (this.#lost) recorder.count('relogins');
    this.#lost = false;
    // A fresh user that never wrote has an empty cart, whatever the strategy.
    this.cart.startSession(this.#wrote ? undefined : 0);
    return true;
  }

  /** POST /logout; the session ends whatever the answer (the journey is over). */
  async logout(): Promise<void> {
    await this.request('POST', '/logout');
    this.#held = false;
    this.#home = undefined;
    this.#tokens.clear();
  }

  /** A request of the session; jwt refreshes first when the access token is due. */
  async request(method: 'GET' | 'POST', path: string, json?: unknown): Promise<Outcome> {
    if (this.#held && this.#tokens.due(this.#context.platform.now())) {
      await this.#refresh();
      if (!this.#held) return { kind: 'skipped' };
    }
    const write = method === 'POST' && path === '/cart/items';
    if (write) this.#wrote = true;
    const outcome = await this.#send(method, path, json);
    if (write && unsure(outcome)) this.#context.recorder.count('uncertainWrites');
    return outcome;
  }

  /** Counts what a cart observation revealed. */
  judge(verdict: Verdict): void {
    const { recorder } = this.#context;
    if (verdict.staleReads > 0) recorder.count('staleReads', verdict.staleReads);
    if (verdict.lostUpdates > 0) recorder.count('lostUpdates', verdict.lostUpdates);
    const bound = verdict.lostUpdates + verdict.lostUpdatesBound;
    if (bound > 0) recorder.count('lostUpdatesLowerBound', bound);
    if (verdict.uncertainRound) recorder.count('uncertainRounds');
    if (verdict.doubledUpdates > 0) recorder.count('doubledUpdates', verdict.doubledUpdates);
  }

  // Parallel requests share one refresh: a second would replay the rotated
  // token and get the whole family revoked.
  #refresh(): Promise<void> {
    this.#refreshing ??= this.#rotate().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  // A well-written client: a refresh answered 5xx or not at all is tried
  // again with the same token (the node may not have rotated it), a few times
  // within a bounded window; meanwhile no request goes out (they wait on
  // #refreshing). A 401 ends the session at once (#send).
  async #rotate(): Promise<void> {
    const { recorder, refreshRetry, platform } = this.#context;
    if (this.stopped) return;
    recorder.count('refreshes');
    const token = this.#tokens.refresh;
    let firstFailure: number | undefined;
    for (let retry = 0; ; retry += 1) {
      const outcome = await this.#send('POST', '/auth/refresh', { refreshToken: token });
      if (outcome.kind === 'stopped') return;
      if (this.#tokens.take(tokenBody(outcome), this.#context.platform.now())) return;
      if (outcome.kind === 'answer' && outcome.status < 500) {
        recorder.count('refreshFailures');
        const reuse = outcome.status === 401 && errorCode(outcome) === REFRESH_REUSED;
        recorder.count(reuse ? 'refreshRevokedByReuse' : 'refreshLost');
        if (this.#held) this.#sessionLost(); // a 401 already did; any other refusal too
        return;
      }
      firstFailure ??= this.#context.platform.now();
      const delay = retryDelay(retry, this.#context.platform.now() - firstFailure, refreshRetry);
      if (delay === undefined) break;
      await platform.sleep(delay);
      // Over, or the session ended meanwhile (a 401 on a request already in flight).
      if (this.stopped || !this.#held) return;
      recorder.count('refreshRetries');
    }
    recorder.count('refreshFailures');
    // Given up: the session lasts while its access token does, and not a request longer.
    if (this.#held && this.#tokens.expired(this.#context.platform.now())) {
      recorder.count('refreshLost');
      this.#sessionLost();
    }
  }

  async #send(method: 'GET' | 'POST', path: string, json?: unknown): Promise<Outcome> {
    const { platform, recorder } = this.#context;
    if (platform.stopped) return { kind: 'stopped' };
    const headers: Record<string, string> = {};
    const cookie = this.#jar.header();
    if (cookie !== undefined) headers.cookie = cookie;
    if (this.#tokens.access !== undefined) headers.authorization = `Bearer ${this.#tokens.access}`;
    let body: string | undefined;
    if (json !== undefined) {
      body = JSON.stringify(json);
      headers['content-type'] = 'application/json';
    }
    const generation = this.#generation;
    const held = this.#held;
    const home = this.#home;
    const route = routeOf(method, path);
    const answer = await platform.send({ method, path, headers, body, route });
    if (answer.kind === 'stopped') return answer;
    if (answer.kind === 'failed') {
      recorder.request(
        {
          latencyMs: answer.latencyMs,
          errorKind: networkKind(answer.code),
          servedBy: undefined,
          route,
        },
        answer.code,
      );
      return { kind: 'failed', code: answer.code };
    }
    const { status } = answer;
    // Like a browser: whichever Set-Cookie arrives last wins.
    this.#jar.absorb(answer.setCookie);
    const servedBy = answer.servedBy ?? 'none';
    const ok = status >= 200 && status < 300;
    recorder.request({
      latencyMs: answer.latencyMs,
      errorKind: ok ? undefined : statusKind(status),
      servedBy,
      errorNode: ok ? undefined : errorNode(servedBy, answer.upstreamTried),
      route,
    });
    if (ok && isNode(servedBy)) this.#lastNode = servedBy;
    // Every answer, whatever its status: a request sent to another node (and
    // answered 401 there) must lower the share. Only answers within the
    // session the request was sent in: a relogin meanwhile has a new home.
    if (held && home !== undefined && route !== 'login' && generation === this.#generation) {
      recorder.heldAnswer(servedBy, servedBy === home);
    }
    if (status === 409 && answer.body.includes('CART_CONFLICT')) recorder.count('conflicts');
    if (status === 401 && held && generation === this.#generation && this.#held) {
      this.#sessionLost();
    }
    return { kind: 'answer', status, body: answer.body, servedBy };
  }

  #sessionLost(): void {
    this.#context.recorder.sessionLost(this.#lastNode);
    this.#lastNode = 'none';
    this.#home = undefined;
    this.#held = false;
    this.#lost = true;
    this.#tokens.clear();
    this.cart.forget();
  }
}
