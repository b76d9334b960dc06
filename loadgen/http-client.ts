// The generator's HTTP client: one keep-alive agent for all users, with a
// socket for every request in flight (a queue inside the client would show up
// as server latency), a hard deadline per request, and byte counts taken from
// the sockets themselves.
import http from 'node:http';
import type { Socket } from 'node:net';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** From send to end of body. */
  latencyMs: number;
}

/** A request that got no answer. `code` is the network error's code (`timeout`, `ECONNRESET`). */
export class RequestFailed extends Error {
  readonly code: string;
  /** From send to the failure (a timeout: its full wait); set by the client when it gives up. */
  latencyMs = 0;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'RequestFailed';
    this.code = code;
  }

  /** Cut short by the generator itself (interrupted run), not by the system under test. */
  get aborted(): boolean {
    return this.code === 'aborted';
  }
}

export interface ClientOptions {
  /** The most requests that may be in flight at once. */
  maxSockets: number;
  /** Hard deadline per request: the request is destroyed and fails with `timeout`. */
  timeoutMs: number;
}

export interface OutgoingRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: http.OutgoingHttpHeaders;
  body?: string | undefined;
}

function failure(error: NodeJS.ErrnoException): RequestFailed {
  if (error instanceof RequestFailed) return error;
  return new RequestFailed(error.code ?? error.name, error.message);
}

export class LoadClient {
  readonly #origin: URL;
  readonly #agent: http.Agent;
  readonly #timeoutMs: number;
  readonly #live = new Set<Socket>();
  // Kept for abortAll(): cheaper than an AbortSignal listener per request.
  readonly #inFlight = new Set<http.ClientRequest>();
  #sent = 0;
  #received = 0;

  constructor(origin: URL, options: ClientOptions) {
    this.#origin = origin;
    this.#timeoutMs = options.timeoutMs;
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  }

  /** Resolves with any answer (any status); rejects with RequestFailed when none came. */
  send(request: OutgoingRequest): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const headers = request.headers;
      if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
      const outgoing = http.request(this.#origin, {
        agent: this.#agent,
        method: request.method,
        path: request.path,
        headers,
      });
      this.#inFlight.add(outgoing);
      // Not the socket's idle timeout: a deadline for the whole exchange.
      const timer = setTimeout(
        () => outgoing.destroy(new RequestFailed('timeout', `no answer in ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
      const fail = (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        this.#inFlight.delete(outgoing);
        const failed = failure(error);
        // Timed like an answer (as k6 does): a failure costs the user its wait.
        failed.latencyMs = performance.now() - started;
        reject(failed);
      };
      outgoing.on('socket', (socket) => this.#track(socket));
      outgoing.on('error', fail);
      outgoing.on('response', (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', fail);
        incoming.on('end', () => {
          clearTimeout(timer);
          this.#inFlight.delete(outgoing);
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'),
            latencyMs: performance.now() - started,
          });
        });
      });
      outgoing.end(request.body);
    });
  }

  /** Bytes written and read on every socket so far, headers included. */
  bytes(): { sent: number; received: number } {
    let sent = this.#sent;
    let received = this.#received;
    for (const socket of this.#live) {
      sent += socket.bytesWritten;
      received += socket.bytesRead;
    }
    return { sent, received };
  }

  /** Ends every request in flight now; each fails with code `aborted` (the run was interrupted). */
  abortAll(): void {
    for (const outgoing of this.#inFlight) {
      outgoing.destroy(new RequestFailed('aborted', 'the load generator was interrupted'));
    }
  }

  /** Closes every socket; requests still in flight fail. */
  close(): void {
    this.#agent.destroy();
  }

  #track(socket: Socket): void {
    if (this.#live.has(socket)) return; // a kept-alive socket, reused
    this.#live.add(socket);
    socket.once('close', () => {
      this.#sent += socket.bytesWritten;
      this.#received += socket.bytesRead;
      this.#live.delete(socket);
    });
  }
}
