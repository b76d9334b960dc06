// The generator's HTTP client: keep-alive connections, one for every request
// in flight (a queue inside the client would show up as server latency), a
// hard deadline per request, and byte counts taken from the sockets
// themselves. It speaks HTTP/1.1 itself (http-connection.ts,
// response-parser.ts) rather than through node:http, whose per-request
// objects and streams cost more CPU than everything else the generator does.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Connection, type ConnectionOwner } from './http-connection.ts';
import type { ParsedResponse } from './response-parser.ts';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
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
  /** The most requests that may be in flight at once; more wait for a free connection. */
  maxSockets: number;
  /** Hard deadline per request: the request is destroyed and fails with `timeout`. */
  timeoutMs: number;
}

export interface OutgoingRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: OutgoingHttpHeaders;
  body?: string | undefined;
}

/** A request from send() to its settling. */
interface Pending {
  /** performance.now() at send(). */
  started: number;
  deadline: number;
  text: string;
  connection: Connection | undefined;
  resolve: (answer: Answer) => void;
  reject: (error: Error) => void;
}

function failure(error: NodeJS.ErrnoException): RequestFailed {
  if (error instanceof RequestFailed) return error;
  return new RequestFailed(error.code ?? error.name, error.message);
}

/** The request as it goes on the wire; throws (code ERR_INVALID_CHAR) on a header that would split it. */
function serialize(request: OutgoingRequest, host: string): string {
  let text = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\n`;
  for (const name in request.headers) {
    const value = request.headers[name];
    if (value === undefined || name === 'content-length') continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      const line = String(one);
      if (line.includes('\r') || line.includes('\n')) {
        throw Object.assign(new TypeError(`invalid character in header ${name}`), {
          code: 'ERR_INVALID_CHAR',
        });
      }
      text += `${name}: ${line}\r\n`;
    }
  }
  if (request.body !== undefined) {
    text += `content-length: ${Buffer.byteLength(request.body)}\r\n\r\n${request.body}`;
  } else text += '\r\n';
  return text;
}

export class LoadClient implements ConnectionOwner {
  readonly #host: string;
  readonly #port: number;
  readonly #hostHeader: string;
  readonly #maxSockets: number;
  readonly #timeoutMs: number;
  readonly #open = new Set<Connection>();
  /** Free connections; the last freed is reused first (its socket is warm). */
  readonly #idle: Connection[] = [];
  /** Requests waiting for a connection (only when more than maxSockets are in flight). */
  readonly #waiting: Pending[] = [];
  /** Every request not yet settled, in send order: the order of their deadlines too. */
  readonly #inFlight = new Set<Pending>();
  readonly #onConnection = new Map<Connection, Pending>();
  // One timer for the earliest deadline, not one per request: deadlines come in send order.
  #deadlineTimer: NodeJS.Timeout | undefined;
  #sent = 0;
  #received = 0;

  constructor(origin: URL, options: ClientOptions) {
    this.#host = origin.hostname.replace(/^\[|\]$/g, '');
    this.#port = Number(origin.port || 80);
    this.#hostHeader = origin.host;
    this.#maxSockets = options.maxSockets;
    this.#timeoutMs = options.timeoutMs;
  }

  /** Resolves with any answer (any status); rejects with RequestFailed when none came. */
  send(request: OutgoingRequest): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const pending: Pending = {
        started,
        deadline: started + this.#timeoutMs,
        text: serialize(request, this.#hostHeader),
        connection: undefined,
        resolve,
        reject,
      };
      this.#inFlight.add(pending);
      // Unref'd: the sockets of the requests in flight keep the process alive, not a deadline.
      this.#deadlineTimer ??= setTimeout(() => this.#expire(), this.#timeoutMs).unref();
      const connection = this.#free(started) ?? this.#connect();
      if (connection) this.#start(pending, connection);
      else this.#waiting.push(pending);
    });
  }

  /** Bytes written and read on every socket so far, headers included. */
  bytes(): { sent: number; received: number } {
    let sent = this.#sent;
    let received = this.#received;
    for (const { socket } of this.#open) {
      sent += socket.bytesWritten;
      received += socket.bytesRead;
    }
    return { sent, received };
  }

  /** Ends every request in flight now; each fails with code `aborted` (the run was interrupted). */
  abortAll(): void {
    for (const pending of this.#inFlight) {
      this.#cut(pending, new RequestFailed('aborted', 'the load generator was interrupted'));
    }
  }

  /** Closes every socket; requests still in flight fail. */
  close(): void {
    for (const pending of this.#waiting) this.#settle(pending, undefined, hangUpError());
    this.#waiting.length = 0;
    for (const connection of this.#open) connection.destroy(hangUpError());
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
  }

  answered(connection: Connection, response: ParsedResponse): void {
    const pending = this.#onConnection.get(connection);
    this.#onConnection.delete(connection);
    if (pending) this.#settle(pending, response);
    if (connection.usable) this.#release(connection);
  }

  failed(connection: Connection, error: NodeJS.ErrnoException): void {
    const pending = this.#onConnection.get(connection);
    this.#onConnection.delete(connection);
    if (pending) this.#settle(pending, undefined, error);
  }

  closed(connection: Connection): void {
    this.#open.delete(connection);
    const index = this.#idle.indexOf(connection);
    if (index !== -1) this.#idle.splice(index, 1);
    this.#sent += connection.socket.bytesWritten;
    this.#received += connection.socket.bytesRead;
    // A request waiting for a connection gets the place this one left.
    const next = this.#waiting.shift();
    if (next) {
      const fresh = this.#connect();
      if (fresh) this.#start(next, fresh);
      else this.#waiting.unshift(next);
    }
  }

  /** The last freed connection the server will not close under the request; stale ones are closed. */
  #free(now: number): Connection | undefined {
    for (;;) {
      const connection = this.#idle.pop();
      if (!connection?.stale(now)) return connection;
      connection.destroy();
    }
  }

  #connect(): Connection | undefined {
    if (this.#open.size >= this.#maxSockets) return undefined;
    const connection = new Connection(this.#host, this.#port, this);
    this.#open.add(connection);
    return connection;
  }

  #start(pending: Pending, connection: Connection): void {
    pending.connection = connection;
    this.#onConnection.set(connection, pending);
    connection.send(pending.text);
  }

  #release(connection: Connection): void {
    const next = this.#waiting.shift();
    if (next) this.#start(next, connection);
    else this.#idle.push(connection);
  }

  /** Ends one request now with `error`: its connection is closed (the answer may still come). */
  #cut(pending: Pending, error: RequestFailed): void {
    if (pending.connection) pending.connection.destroy(error);
    else {
      this.#waiting.splice(this.#waiting.indexOf(pending), 1);
      this.#settle(pending, undefined, error);
    }
  }

  #settle(pending: Pending, response?: ParsedResponse, error?: NodeJS.ErrnoException): void {
    if (!this.#inFlight.delete(pending)) return;
    const latencyMs = performance.now() - pending.started;
    if (response) {
      const { status, headers, body } = response;
      pending.resolve({ status, headers, body, latencyMs });
      return;
    }
    const failed = failure(error ?? hangUpError());
    // Timed like an answer (as k6 does): a failure costs the user its wait.
    failed.latencyMs = latencyMs;
    pending.reject(failed);
  }

  #expire(): void {
    this.#deadlineTimer = undefined;
    const now = performance.now();
    for (const pending of this.#inFlight) {
      if (pending.deadline > now) {
        this.#deadlineTimer = setTimeout(() => this.#expire(), pending.deadline - now).unref();
        return;
      }
      this.#cut(pending, new RequestFailed('timeout', `no answer in ${this.#timeoutMs} ms`));
    }
  }
}

function hangUpError(): NodeJS.ErrnoException {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}
