// The only file that knows http-proxy. http-proxy 1.18 reports failures as
// events and callbacks (and throws from its own 'error' event when nobody
// listens), never through return values; its upstream response stream has no
// error handler at all, so a node dying mid-body would crash the process.
// This adapter owns every one of those channels and turns each forwarding
// attempt into exactly one typed outcome.
import type { Agent, ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Stream } from 'node:stream';
import httpProxy from 'http-proxy';
import { responseHeaders } from './headers.ts';
import type { UpstreamTarget } from './upstream.ts';

export type ForwardOutcome =
  /**
   * The node answered and the whole response was relayed. `afterwards`: the
   * node then sent bytes that are no HTTP (a 204 followed by a body, say);
   * its connection was dropped, the answer itself was complete.
   */
  | { readonly kind: 'ok'; readonly status: number; readonly afterwards?: Error }
  /**
   * The request provably never left: no connection was made, or not one byte
   * of it was written. Nothing reached the node, so any request may be retried.
   */
  | { readonly kind: 'connect-failed'; readonly error: Error }
  /**
   * The connection broke before any response; the node may have seen the
   * request. `reusedSocket`: it was a pooled keep-alive connection, where the
   * node closing an idle connection as the request went out looks the same.
   */
  | { readonly kind: 'reset'; readonly error: Error; readonly reusedSocket: boolean }
  /** The node did not start answering within the upstream timeout. */
  | { readonly kind: 'timeout' }
  /** The node's answer could not be parsed or relayed; nothing was sent to the client. */
  | { readonly kind: 'bad-response'; readonly error: Error }
  /** The node broke after the response head was sent; the client connection was cut. */
  | { readonly kind: 'broken-response'; readonly error: Error }
  /**
   * The client stopped reading the response for clientIdleTimeoutMs while
   * the node's data waited on it; the client connection was cut. Not the
   * node's fault.
   */
  | { readonly kind: 'client-stalled' }
  /** The client went away first; the upstream request was abandoned. */
  | { readonly kind: 'client-gone' }
  /** The request could not be sent as it is (Node refused its path or headers). */
  | { readonly kind: 'bad-request'; readonly error: Error };

export interface ForwardOptions {
  readonly target: UpstreamTarget;
  readonly agent: Agent;
  /** The buffered request body; undefined for requests that have none. */
  readonly body: Buffer | undefined;
  /** Flat `[name, value, ...]` headers appended to the node's response. */
  readonly extraHeaders: readonly string[] | undefined;
  readonly connectTimeoutMs: number;
  readonly upstreamTimeoutMs: number;
  readonly clientIdleTimeoutMs: number;
}

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** One try of one request against one node. Settles exactly once. */
class Attempt {
  private settled = false;
  /** The outgoing request got a socket from the agent (it may wait in the agent's queue). */
  private hasSocket = false;
  private connected = false;
  /**
   * The socket's byte count when this attempt got it (a pooled socket has
   * carried earlier requests): more than this means part of the request was
   * handed to the kernel and may have reached the node.
   */
  private bytesBefore = 0;
  /** The client's socket is full: the node's data waits until the client reads. */
  private waitingOnClient = false;
  private proxyReq: ClientRequest | undefined;
  private proxyRes: IncomingMessage | undefined;
  private status = 0;
  /** When the response last made progress (its head, then each body chunk), in performance.now() ms. */
  private lastProgress = 0;
  /** The head timeout, then the body idle timeout. */
  private timer: NodeJS.Timeout;
  private connectTimer: NodeJS.Timeout | undefined;
  private readonly res: ServerResponse;
  private readonly opts: ForwardOptions;
  private readonly resolve: (outcome: ForwardOutcome) => void;

  constructor(res: ServerResponse, opts: ForwardOptions, resolve: (o: ForwardOutcome) => void) {
    this.res = res;
    this.opts = opts;
    this.resolve = resolve;
    // From dispatch, not from connect: a request queued in a saturated agent
    // must not wait longer than one that got a socket at once.
    this.timer = setTimeout(this.onTimer, opts.upstreamTimeoutMs);
    // `on`, not `once`: the response ends with 'close' anyway, and a settled
    // attempt ignores it.
    res.on('close', this.onClientClose);
  }

  /**
   * Called by http-proxy as the `buffer` stream it pipes into the outgoing
   * request, right after creating it: the first moment the request exists.
   * Sending the buffered body (or nothing) directly spares every request a
   * stream, and a bodyless one the piping of `req`.
   */
  pipe(proxyReq: ClientRequest): ClientRequest {
    this.proxyReq = proxyReq;
    proxyReq.on('response', this.onResponse);
    const body = this.opts.body;
    if (body === undefined || body.length === 0) proxyReq.end();
    else proxyReq.end(body);
    return proxyReq;
  }

  /** http-proxy's per-call error callback: errors of the outgoing and incoming request. */
  readonly onError = (err: Error): void => {
    if (this.settled) return;
    if (this.proxyRes) {
      this.onBodyError(err);
      return;
    }
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (this.res.destroyed) this.settle({ kind: 'client-gone' });
    // Judged by what happened to this request, not by the error's name: an
    // EHOSTUNREACH on an established connection may follow a sent request.
    else if (this.neverLeft()) this.settle({ kind: 'connect-failed', error: err });
    else if (code.startsWith('HPE_')) this.settle({ kind: 'bad-response', error: err });
    else {
      const reusedSocket = this.proxyReq?.reusedSocket ?? false;
      this.settle({ kind: 'reset', error: err, reusedSocket });
    }
  };

  /** The outgoing request got a socket (fresh or pooled). */
  onSocket(proxyReq: ClientRequest): void {
    if (this.settled) {
      proxyReq.destroy();
      return;
    }
    this.hasSocket = true;
    const socket = proxyReq.socket;
    this.bytesBefore = socket?.bytesWritten ?? 0;
    if (socket?.connecting) {
      this.connectTimer = setTimeout(() => this.onConnectTimeout(), this.opts.connectTimeoutMs);
      socket.once('connect', () => {
        this.connected = true;
        clearTimeout(this.connectTimer);
      });
    } else {
      this.connected = true;
    }
  }

  /**
   * True when not one byte of the request can have reached the node. A
   * socket's bytesWritten also counts bytes still queued in Node, so this
   * errs on the side of "it may have left".
   */
  private neverLeft(): boolean {
    if (!this.connected) return true;
    const written = this.proxyReq?.socket?.bytesWritten;
    return written !== undefined && written === this.bytesBefore;
  }

  private readonly onResponse = (proxyRes: IncomingMessage): void => {
    // Attached before anything else: an unhandled 'error' here kills the process.
    proxyRes.on('error', this.onBodyError);
    if (this.settled) {
      proxyRes.destroy();
      return;
    }
    this.proxyRes = proxyRes;
    const status = proxyRes.statusCode ?? 502;
    this.status = status;
    try {
      const headers = responseHeaders(
        proxyRes.rawHeaders,
        proxyRes.headers.connection,
        this.opts.extraHeaders,
      );
      this.res.writeHead(status, proxyRes.statusMessage, headers);
    } catch (err) {
      // Node refuses header names or values it would not send itself.
      this.abandon();
      this.settle({ kind: 'bad-response', error: err as Error });
      return;
    }
    // From here the same timer is an idle timeout: the head came in time, but
    // a body that stalls must not hold the client forever either. Progress is
    // a timestamp, not a re-armed timer: most responses end before the timer
    // is due, and the rest re-arm it only when it fires.
    this.lastProgress = performance.now();
    // Relayed by hand rather than with pipe(), which adds and removes half a
    // dozen listeners per response; backpressure is handled the same way.
    proxyRes.on('data', this.onBodyData);
    proxyRes.on('end', this.onBodyEnd);
    proxyRes.on('close', this.onBodyClose);
  };

  private readonly onBodyData = (chunk: Buffer): void => {
    this.lastProgress = performance.now();
    if (!this.res.write(chunk)) {
      this.waitingOnClient = true;
      this.proxyRes!.pause();
      this.res.once('drain', this.onClientDrain);
    }
  };

  private readonly onClientDrain = (): void => {
    if (this.settled) return;
    this.waitingOnClient = false;
    this.lastProgress = performance.now();
    // The timer may be armed for the (longer) client limit: the node's own
    // idle limit applies again from now.
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onTimer, this.opts.upstreamTimeoutMs);
    this.proxyRes?.resume();
  };

  private readonly onBodyEnd = (): void => {
    if (this.settled) return;
    this.settle({ kind: 'ok', status: this.status });
    this.res.end();
  };

  private readonly onBodyClose = (): void => {
    if (!this.proxyRes!.complete) {
      this.onBodyError(codedError('ECONNRESET', 'node closed mid-response'));
    }
  };

  private readonly onBodyError = (err: Error): void => {
    if (this.settled) return;
    // Every byte of the answer was parsed and handed to the client; what
    // broke came after it. The client gets its complete answer.
    const proxyRes = this.proxyRes;
    if (proxyRes?.complete && proxyRes.readableLength === 0 && !this.waitingOnClient) {
      this.settle({ kind: 'ok', status: this.status, afterwards: err });
      this.abandon();
      this.res.end();
      return;
    }
    this.settle({ kind: 'broken-response', error: err });
    this.abandon();
    // The client must see a cut connection, not a response that looks complete.
    this.res.destroy();
  };

  private readonly onTimer = (): void => {
    if (this.settled) return;
    if (this.proxyRes) {
      // Whoever holds up the body is charged: while the node's data waits on
      // a client that does not read, the node is idle only because it was paused.
      const limit = this.waitingOnClient
        ? this.opts.clientIdleTimeoutMs
        : this.opts.upstreamTimeoutMs;
      const left = this.lastProgress + limit - performance.now();
      // Node's timer clock runs up to a millisecond behind: do not re-arm for that.
      if (left > 1) this.timer = setTimeout(this.onTimer, left);
      else if (this.waitingOnClient) this.onClientStalled();
      else this.onBodyError(codedError('UPSTREAM_IDLE', 'node stopped sending mid-response'));
      return;
    }
    // Still connecting when the whole budget is spent is a connect failure;
    // still queued for a socket in a saturated agent is only slow.
    if (this.hasSocket && !this.connected) {
      this.settle({ kind: 'connect-failed', error: codedError('ETIMEDOUT', 'connect timeout') });
    } else {
      this.settle({ kind: 'timeout' });
    }
    this.abandon();
  };

  private onClientStalled(): void {
    this.settle({ kind: 'client-stalled' });
    this.abandon();
    this.res.destroy();
  }

  private onConnectTimeout(): void {
    if (this.settled || this.connected) return;
    this.settle({ kind: 'connect-failed', error: codedError('ETIMEDOUT', 'connect timeout') });
    this.abandon();
  }

  private readonly onClientClose = (): void => {
    if (this.settled || this.res.writableFinished) return;
    this.settle({ kind: 'client-gone' });
    this.abandon();
  };

  /** Drops the upstream side; the agent discards a destroyed socket instead of pooling it. */
  private abandon(): void {
    this.proxyRes?.destroy();
    this.proxyReq?.destroy();
  }

  settle(outcome: ForwardOutcome): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    clearTimeout(this.connectTimer);
    this.resolve(outcome);
  }
}

export interface ProxyAdapterOptions {
  /** Errors http-proxy reports outside any request (should not happen). */
  readonly onStrayError?: (err: Error) => void;
}

export class ProxyAdapter {
  private readonly proxy: httpProxy;

  constructor(options: ProxyAdapterOptions = {}) {
    // Options are copied key by key on every request: only non-defaults here
    // (xfwd and changeOrigin stay off: the request handler sets X-Forwarded-*
    // itself and the node sees the client's Host).
    this.proxy = httpProxy.createProxyServer({
      // The adapter writes the response itself: http-proxy's response passes
      // copy the client's Connection header into the response and keep
      // hop-by-hop headers.
      selfHandleResponse: true,
      // Use req.url as it is instead of re-parsing it with the legacy
      // url.parse (DEP0169); the request handler only lets origin-form paths through.
      toProxy: true,
    });
    // Emitted once the outgoing request has a socket; the attempt travels as
    // the per-call `buffer` option, which http-proxy hands back here.
    this.proxy.on('proxyReq', (proxyReq, _req, _res, options) => {
      const attempt: unknown = options.buffer;
      if (attempt instanceof Attempt) attempt.onSocket(proxyReq);
    });
    // Without this listener http-proxy rethrows errors it cannot route to a callback.
    const onStray = options.onStrayError ?? (() => {});
    this.proxy.on('error', (err) => onStray(err));
  }

  /** Sends one attempt of `req` to a node and relays the answer into `res`. */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    opts: ForwardOptions,
  ): Promise<ForwardOutcome> {
    return new Promise<ForwardOutcome>((resolve) => {
      const attempt = new Attempt(res, opts, resolve);
      const perCall: httpProxy.ServerOptions = {
        target: opts.target,
        agent: opts.agent,
        // http-proxy only ever calls `buffer.pipe(proxyReq)`: the attempt
        // sends the body itself, so a retry resends the same bytes.
        buffer: attempt as unknown as Stream,
      };
      try {
        this.proxy.web(req, res, perCall, attempt.onError);
      } catch (err) {
        // http.request throws synchronously for paths or headers it will not send.
        attempt.settle({ kind: 'bad-request', error: err as Error });
      }
    });
  }

  close(): void {
    this.proxy.removeAllListeners();
  }
}
