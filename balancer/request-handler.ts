// The public request path, as small named steps: refuse what must not reach
// a node, buffer the body (so a retry can resend it), rewrite headers, then
// pick a node and forward, retrying elsewhere only when that is safe.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Reservation } from './buffer-budget.ts';
import type { BufferBudget } from './buffer-budget.ts';
import type { LimitsConfig } from './config.ts';
import type { ConnectionLimits } from './connection-limits.ts';
import type { ErrorCode } from './errors.ts';
import { sendError } from './errors.ts';
import { forwardedHeaders } from './headers.ts';
import type { BalancerMetrics } from './metrics.ts';
import type { PassiveHealth } from './passive-health.ts';
import { refusal } from './request-checks.ts';
import type { Policy, RoutingContext } from './policies/index.ts';
import type { ForwardOutcome, ProxyAdapter } from './proxy-adapter.ts';
import type { StickyCookie } from './sticky-cookie.ts';
import type { UpstreamPool } from './upstream-pool.ts';
import type { Upstream } from './upstream.ts';

export interface RequestHandlerDeps {
  readonly pool: UpstreamPool;
  readonly adapter: ProxyAdapter;
  readonly metrics: BalancerMetrics;
  readonly stickyCookie: StickyCookie;
  readonly limits: LimitsConfig;
  readonly passive: PassiveHealth;
  readonly connections: ConnectionLimits;
  readonly buffers: BufferBudget;
  readonly logger: Logger;
  /** Read on every request, so a live policy switch applies to the next one. */
  readonly policy: () => Policy;
}

// A node's own admin endpoints are not for clients. Checked case-insensitively,
// with repeated or back-slashes and percent-encoding undone, because routers
// differ in which of these they normalise before matching.
const ADMIN_PATH = /^[/\\]+admin/i;

function isAdminPath(url: string): boolean {
  if (ADMIN_PATH.test(url)) return true;
  if (!url.includes('%')) return false;
  try {
    return ADMIN_PATH.test(decodeURIComponent(url));
  } catch {
    return false;
  }
}

/** A Host value as a URL spells its authority (lower case, default port dropped). */
function authority(protocol: string, host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return undefined;
  }
}

/** Origin-form target for the node, or undefined when the request target is unusable. */
function originForm(req: IncomingMessage): string | undefined {
  const url = req.url ?? '';
  if (url.startsWith('/')) return url;
  if (url === '*' && req.method === 'OPTIONS') return url;
  // Absolute-form (RFC 9112 §3.2.2) is legal towards any server.
  if (/^https?:\/\//i.test(url)) {
    try {
      const parsed = new URL(url);
      // The node reads Host, the balancer read the target: they must name the
      // same authority, or the two would route the request differently.
      if (parsed.host !== authority(parsed.protocol, req.headers.host)) return undefined;
      return parsed.pathname + parsed.search;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

// Methods whose repetition has the effect of one request (RFC 9110 §9.2.2).
// Only these are retried after a connection broke under a request the node
// may already have acted on: repeating a cart write would double it.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

type BodyResult = Buffer | 'too-large' | 'buffers-full' | 'aborted';

function readBody(
  req: IncomingMessage,
  max: number,
  reservation: Reservation,
): Promise<BodyResult> | undefined {
  const declared = req.headers['content-length'];
  if (
    req.headers['transfer-encoding'] === undefined &&
    (declared === undefined || declared === '0')
  ) {
    return undefined;
  }
  if (declared !== undefined && Number(declared) > max) return Promise.resolve('too-large');
  // A declared length is reserved up front: an upload that cannot fit is
  // refused before its bytes are read.
  if (declared !== undefined && !reservation.take(Number(declared))) {
    return Promise.resolve('buffers-full');
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: BodyResult) => {
      req.off('data', onData).off('end', onEnd).off('close', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) done('too-large');
      else if (size > reservation.bytes && !reservation.take(size - reservation.bytes)) {
        done('buffers-full');
      } else chunks.push(chunk);
    };
    const onEnd = () => done(Buffer.concat(chunks, size));
    // 'close' before 'end' means the client went away mid-body.
    const onAbort = () => done('aborted');
    req.on('data', onData).once('end', onEnd).once('close', onAbort);
  });
}

export class RequestHandler {
  private readonly deps: RequestHandlerDeps;
  /**
   * Connections answered with `Connection: close`: requests the client had
   * already pipelined behind that answer are parsed by Node but never forwarded.
   */
  private readonly closingSockets = new WeakSet<object>();
  private inFlight = 0;
  private closing = false;
  private onIdle: (() => void) | undefined;

  constructor(deps: RequestHandlerDeps) {
    this.deps = deps;
  }

  /** The `request` listener of the public server. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.inFlight++;
    this.deps.metrics.requestReceived();
    if (this.closing) res.shouldKeepAlive = false;
    // No 'error' listener on `req` is needed for clients that go away: an
    // IncomingMessage emits 'error' only when someone listens for it.
    void this.run(req, res);
  };

  /**
   * Stops keeping client connections alive and resolves once no request is
   * in flight, or after `timeoutMs` (resolving false).
   */
  drain(timeoutMs: number): Promise<boolean> {
    this.closing = true;
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  /** Never rejects: a failure of the handler itself becomes a 500. */
  private async run(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reservation = this.deps.buffers.reserve();
    try {
      await this.proxy(req, res, reservation);
    } catch (err) {
      this.deps.logger.error({ err, url: req.url }, 'request handler failed');
      this.fail(res, 'INTERNAL');
    } finally {
      reservation.release();
      if (--this.inFlight === 0) this.onIdle?.();
    }
  }

  private async proxy(
    req: IncomingMessage,
    res: ServerResponse,
    reservation: Reservation,
  ): Promise<void> {
    if (this.closingSockets.has(req.socket)) {
      res.destroy();
      return;
    }
    const overCap = this.deps.connections.verdict(req.socket);
    if (overCap !== undefined) {
      this.closeAfter(req, res);
      return this.fail(res, overCap, undefined, { connection: 'close', 'retry-after': '1' });
    }
    const refused = refusal(req);
    if (refused) {
      // Nothing of its body is read: the connection cannot carry another request.
      this.closeAfter(req, res);
      return this.fail(res, refused.code, refused.message, { connection: 'close' });
    }
    const target = originForm(req);
    if (target === undefined) return this.fail(res, 'BAD_REQUEST', 'Unsupported request target');
    // Checked on what the node will see: an absolute-form target
    // (`GET http://x/admin/...`) becomes `/admin/...` only after originForm.
    if (isAdminPath(target)) return this.fail(res, 'NOT_FOUND');
    req.url = target;

    let body: Buffer | undefined;
    const reading = readBody(req, this.deps.limits.maxBodyBytes, reservation);
    if (reading) {
      const result = await reading;
      if (result === 'aborted') return;
      // The rest of the body is never read, so this connection cannot carry
      // another request.
      if (result === 'too-large' || result === 'buffers-full') this.closeAfter(req, res);
      if (result === 'too-large') {
        return this.fail(res, 'BODY_TOO_LARGE', undefined, { connection: 'close' });
      }
      if (result === 'buffers-full') {
        return this.fail(res, 'BUFFERS_FULL', undefined, {
          connection: 'close',
          'retry-after': '1',
        });
      }
      body = result;
    }

    const split = this.deps.stickyCookie.split(req.headers.cookie);
    req.headers = forwardedHeaders(req, { cookie: split.rest, bodyLength: body?.length });
    const ctx: RoutingContext = {
      stickyValue: split.value,
      tried: undefined,
      insertCookieFor: undefined,
      redispatched: false,
    };
    await this.dispatch(req, res, body, ctx);
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer | undefined,
    ctx: RoutingContext,
  ): Promise<void> {
    const { pool, adapter, metrics, limits } = this.deps;
    const policy = this.deps.policy();
    let lastFailure: ErrorCode | undefined;
    for (let attempt = 0; ; attempt++) {
      const tried = ctx.tried;
      const candidates = tried ? pool.up.filter((n) => !tried.includes(n)) : pool.up;
      const redispatchedBefore = ctx.redispatched;
      const node = policy.pick(candidates, ctx);
      if (ctx.redispatched && !redispatchedBefore) metrics.stickyRedispatched();
      // Nothing left after failures: report the failure, not a lack of nodes.
      if (node === undefined)
        return this.fail(res, lastFailure ?? 'NO_UPSTREAM', undefined, triedHeader(tried));

      node.active++;
      node.requests++;
      let outcome: ForwardOutcome;
      try {
        outcome = await adapter.forward(req, res, {
          target: node.target,
          agent: node.agent,
          body,
          extraHeaders:
            ctx.insertCookieFor === node
              ? this.deps.stickyCookie.insertHeadersFor(node)
              : undefined,
          connectTimeoutMs: limits.connectTimeoutMs,
          upstreamTimeoutMs: limits.upstreamTimeoutMs,
          clientIdleTimeoutMs: limits.clientIdleTimeoutMs,
        });
      } finally {
        node.active--;
      }

      const failure = this.judge(node, req, outcome);
      if (failure === undefined) return;
      if (failure.final || attempt >= limits.retries || res.headersSent) {
        return this.fail(res, failure.code, undefined, triedHeader([...(tried ?? []), node]));
      }
      lastFailure = failure.code;
      (ctx.tried ??= []).push(node);
      metrics.retried(node);
    }
  }

  /** Records an attempt's outcome; returns undefined when the request is finished. */
  private judge(
    node: Upstream,
    req: IncomingMessage,
    outcome: ForwardOutcome,
  ): { code: ErrorCode; final: boolean } | undefined {
    const { passive, metrics, logger } = this.deps;
    switch (outcome.kind) {
      case 'ok':
        passive.success(node);
        metrics.proxied(node, outcome.status);
        if (outcome.afterwards) {
          node.errors++;
          logger.warn(
            { node: node.id, err: outcome.afterwards },
            'node sent bytes after a complete response; its connection was dropped',
          );
        }
        return undefined;
      case 'client-gone':
        return undefined;
      case 'client-stalled':
        // The adapter cut the client: its fault, not the node's.
        metrics.balancerError('CLIENT_STALLED');
        logger.info({ node: node.id, url: req.url }, 'client stopped reading a response');
        return undefined;
      case 'connect-failed':
        node.errors++;
        this.passiveFailure(node, errorCode(outcome.error));
        return { code: 'UPSTREAM_UNREACHABLE', final: false };
      case 'reset':
        node.errors++;
        // A fresh connection accepted and then dropped: the node may be going
        // away. On a pooled connection it may only have closed an idle socket
        // as the request went out (the keep-alive race), so that is not
        // counted; the next fresh connect or health check will tell.
        if (!outcome.reusedSocket) {
          this.passiveFailure(node, `${errorCode(outcome.error)} before response`);
        }
        return { code: 'UPSTREAM_ERROR', final: !IDEMPOTENT.has(req.method ?? '') };
      case 'timeout':
        // Slow is not dead: the health check decides whether it is down.
        node.errors++;
        logger.warn({ node: node.id, url: req.url }, 'upstream timeout');
        return { code: 'UPSTREAM_TIMEOUT', final: true };
      case 'bad-response':
        node.errors++;
        logger.warn({ node: node.id, err: outcome.error }, 'unusable upstream response');
        return { code: 'UPSTREAM_ERROR', final: true };
      case 'broken-response':
        // The adapter already cut the client connection; count it, answer nothing.
        node.errors++;
        metrics.balancerError('UPSTREAM_ERROR');
        logger.warn({ node: node.id, err: outcome.error }, 'upstream failed mid-response');
        return undefined;
      case 'bad-request':
        logger.warn({ err: outcome.error, url: req.url }, 'request could not be forwarded');
        return { code: 'BAD_REQUEST', final: true };
    }
  }

  private closeAfter(req: IncomingMessage, res: ServerResponse): void {
    res.shouldKeepAlive = false;
    this.closingSockets.add(req.socket);
  }

  private passiveFailure(node: Upstream, reason: string): void {
    if (this.deps.passive.failure(node, reason) === 'kept-last-node') {
      this.deps.logger.warn(
        { node: node.id, reason },
        'passive error limit reached on the last node up; left to the health checks',
      );
    }
  }

  private fail(
    res: ServerResponse,
    code: ErrorCode,
    message?: string,
    headers?: Record<string, string>,
  ): void {
    this.deps.metrics.balancerError(code);
    // Headers already on the wire: the only honest signal left is a cut connection.
    if (res.headersSent) res.destroy();
    else sendError(res, code, message, headers);
  }
}

/**
 * Names the nodes a failed request went to, in order, so a client (the load
 * generator) can tell the errors a dead node caused from any other.
 */
function triedHeader(tried: readonly Upstream[] | undefined): Record<string, string> | undefined {
  if (!tried || tried.length === 0) return undefined;
  return { 'x-upstream-tried': tried.map((node) => node.id).join(',') };
}

function errorCode(err: Error): string {
  return (err as NodeJS.ErrnoException).code ?? err.message;
}
