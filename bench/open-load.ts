// An open-model load generator: requests start at fixed times (a constant
// arrival rate) whatever the system under test does. A closed loop waits for
// each answer before sending the next request, so a slow system slows its own
// load and hides the slowness (coordinated omission). Here latency is measured
// from the time a request was *scheduled*, and when more than `maxInFlight`
// requests are outstanding a new one is dropped and counted, not queued.
import http from 'node:http';
import type { Socket } from 'node:net';
import { loopbackOrigin } from '../common/loopback.ts';
import { percentile } from '../loadgen/samples.ts';

export { percentile };

export interface OpenResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request of the load; `onResponse` sees the answer (e.g. to keep cookies). */
export interface OpenRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  onResponse?: (response: OpenResponse) => void;
}

export interface OpenLoadOptions {
  /** Origin of the target; loopback only. */
  url: string;
  /** Requests per second, scheduled at equal intervals. */
  rate: number;
  durationMs: number;
  /** Outstanding requests beyond this bound are dropped (and counted). */
  maxInFlight: number;
  /** A request without an answer after this long is aborted and counted as an error. */
  timeoutMs: number;
  /** Called once per scheduled request, in order, dropped ones included (so a seeded plan stays aligned). */
  plan: (index: number) => OpenRequest;
}

export interface OpenLoadResult {
  scheduled: number;
  /** Requests that got a response (any status). */
  completed: number;
  dropped: number;
  /** Non-2xx responses plus network errors and timeouts, by kind (`401`, `timeout`, `ECONNRESET`). */
  errors: Record<string, number>;
  /** Latency from scheduled start to end of body, ms, of every completed request, sorted. */
  latenciesMs: Float64Array;
  /** How late the generator itself started requests (p99, ms): large values mean the client was the bottleneck. */
  lagP99Ms: number;
  elapsedMs: number;
  bytesSent: number;
  bytesReceived: number;
}

/** Sends one request on `agent` and reads the whole answer. Rejects on network errors and timeouts. */
export function sendRequest(
  agent: http.Agent,
  origin: URL,
  request: OpenRequest,
  timeoutMs: number,
  onSocket?: (socket: Socket) => void,
): Promise<OpenResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    const outgoing = http.request(
      origin,
      { agent, method: request.method, path: request.path, headers, timeout: timeoutMs },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    if (onSocket) outgoing.on('socket', onSocket);
    outgoing.on('timeout', () =>
      outgoing.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })),
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

function check(name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`open-load: ${name} must be between ${min} and ${max}, got ${value}`);
  }
}

/**
 * Runs `rate * durationMs / 1000` requests at a constant arrival rate, then
 * waits for the ones in flight (each bounded by `timeoutMs`) and stops.
 */
export async function runOpenLoad(options: OpenLoadOptions): Promise<OpenLoadResult> {
  const origin = loopbackOrigin(options.url);
  check('rate', options.rate, 1, 20_000);
  check('durationMs', options.durationMs, 1, 600_000);
  check('maxInFlight', options.maxInFlight, 1, 10_000);
  check('timeoutMs', options.timeoutMs, 1, 60_000);
  const total = Math.round((options.rate * options.durationMs) / 1000);
  check('requests (rate x duration)', total, 1, 1_000_000);
  const intervalMs = 1000 / options.rate;
  // As many sockets as requests may be in flight: the agent must never queue (that would hide waiting).
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  const sockets = new Set<Socket>();
  const latencies = new Float64Array(total);
  const lags = new Float64Array(total);
  const errors: Record<string, number> = {};
  let completed = 0;
  let dropped = 0;
  let fired = 0;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const countError = (kind: string) => (errors[kind] = (errors[kind] ?? 0) + 1);

  const fire = (request: OpenRequest, due: number) => {
    inFlight += 1;
    lags[fired++] = performance.now() - due;
    sendRequest(agent, origin, request, options.timeoutMs, (socket) => sockets.add(socket))
      .then((response) => {
        latencies[completed++] = performance.now() - due;
        if (response.status < 200 || response.status >= 300) countError(String(response.status));
        request.onResponse?.(response);
      })
      .catch((error: NodeJS.ErrnoException) => countError(error.code ?? error.message))
      .finally(() => {
        inFlight -= 1;
        if (inFlight === 0) drained?.();
      });
  };

  const start = performance.now();
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      // Everything due by now goes out, so a late timer does not lower the rate.
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) {
        const request = options.plan(next);
        if (inFlight >= options.maxInFlight) dropped += 1;
        else fire(request, start + next * intervalMs);
        next += 1;
      }
      if (next >= total) resolve();
      else setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
    };
    tick();
  });
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  const elapsedMs = performance.now() - start;
  agent.destroy();

  let bytesSent = 0;
  let bytesReceived = 0;
  for (const socket of sockets) {
    bytesSent += socket.bytesWritten;
    bytesReceived += socket.bytesRead;
  }
  const sortedLags = lags.slice(0, fired).sort();
  return {
    scheduled: total,
    completed,
    dropped,
    errors,
    latenciesMs: latencies.slice(0, completed).sort(),
    lagP99Ms: percentile(sortedLags, 0.99),
    elapsedMs,
    bytesSent,
    bytesReceived,
  };
}
