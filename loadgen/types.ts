// The contract between `lab run` and the load generator process: what it is
// asked to do (LoadConfig, a JSON file) and what it writes (one SecondPoint
// per line in the series file, one LoadTotals at the end). The lab's own
// generator stands in for k6, which these machines cannot have (issue 4).

/** Which user behaviour each iteration plays. */
export type JourneyName =
  /** log in, `steps` requests of the mix with think time, log out; jwt refreshes its token when due */
  | 'shop'
  /** log in, then `steps` rounds of `parallelWrites` simultaneous cart writes of one session, each followed by a read */
  | 'concurrency';

export interface LoadConfig {
  /** Balancer origin; loopback only. */
  url: string;
  /** Tag carried into the output (e.g. `redis:cas`). */
  strategy: string;
  journey: JourneyName;
  /**
   * `open`: journeys start at `rate` per second whatever the system does (k6
   * constant-arrival-rate); `closed`: `vus` users loop, each starting its next
   * journey when the last ended (k6 constant-vus).
   */
  model: 'open' | 'closed';
  /** open: journeys started per second. */
  rate: number;
  /** closed: concurrent users. open: the most journeys in flight; one more is dropped and counted. */
  vus: number;
  durationMs: number;
  /** Requests of the mix per journey, between login and logout. */
  steps: number;
  /** Pause between two requests of one journey. */
  thinkMs: number;
  /** concurrency journey: cart writes sent at once. */
  parallelWrites: number;
  /** A request without an answer after this long is aborted and counted as an error (`timeout`). */
  timeoutMs: number;
  seed: number;
}

/** One second of the run, counted by the second in which a request ended. */
export interface SecondPoint {
  /** Whole seconds since the load started (0, 1, ...). */
  t: number;
  requests: number;
  /** Responses outside 2xx (409 included) plus network errors and timeouts. */
  errors: number;
  /** By kind: HTTP status (`503`) or error code (`ECONNRESET`, `timeout`). */
  errorsByKind: Record<string, number>;
  /** Latency of the requests that ended in this second, ms; null when none did. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Responses per serving node (`X-Served-By`; `none` when the balancer answered itself). */
  servedBy: Record<string, number>;
  /**
   * Errors by the node that caused them: the node that answered, or for an
   * error the balancer answered, the last node it tried (`X-Upstream-Tried`);
   * `none` when no node was involved (a network error, no node left).
   */
  errorsByNode: Record<string, number>;
  /** Lost sessions by the node that last served the session before it was lost. */
  sessionsLostByNode: Record<string, number>;
  journeysStarted: number;
  journeysCompleted: number;
  /** open model: journeys not started because `vus` were in flight. */
  dropped: number;
  /** A 401 where the journey held a session. */
  sessionsLost: number;
  /** A cart version lower than one this session already saw. */
  staleReads: number;
  /** Accepted cart writes whose effect the cart no longer shows. */
  lostUpdates: number;
  /** A cart version that grew by more than the writes this session made. */
  doubledUpdates: number;
  /** 409 CART_CONFLICT answers: a write refused, the client was told (not lost). */
  conflicts: number;
  /** Logins made again after a lost session. */
  relogins: number;
  /** jwt: refreshes made, and refreshes refused. */
  refreshes: number;
  refreshFailures: number;
  /**
   * 2xx answers to a session's requests after its login that came from the
   * session's home node (the one that answered its login; a relogin gives a
   * new home), of all such answers: under sticky both must match. Always
   * written by this generator; optional because older runs lack them.
   */
  pinnedServed?: number;
  pinnedTotal?: number;
}

export interface LoadTotals {
  /** Wall-clock time (epoch ms) of t = 0. */
  startedAtMs: number;
  elapsedMs: number;
  requests: number;
  errors: number;
  errorsByKind: Record<string, number>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  servedBy: Record<string, number>;
  errorsByNode: Record<string, number>;
  sessionsLostByNode: Record<string, number>;
  journeysStarted: number;
  journeysCompleted: number;
  dropped: number;
  sessionsStarted: number;
  sessionsLost: number;
  staleReads: number;
  lostUpdates: number;
  doubledUpdates: number;
  conflicts: number;
  relogins: number;
  refreshes: number;
  refreshFailures: number;
  /** Bytes on the wire, both ways, from the client's sockets. */
  bytesSent: number;
  bytesReceived: number;
  /** How late the generator started work it had scheduled (p99, ms): large means the client was the bottleneck. */
  schedulingLagP99Ms: number;
  /** Sums of SecondPoint.pinnedServed / pinnedTotal; optional because older runs lack them. */
  pinnedServed?: number;
  pinnedTotal?: number;
  /**
   * Latency of the answered requests (any status) per route: `login`, `me`,
   * `cart`, `add-item`, `refresh`, `logout` (common/routes.ts), each always
   * present. Optional because older runs lack it.
   */
  latencyByRoute?: Record<string, RouteLatency>;
}

/** One route's answered requests and their latency, ms; p50/p99 null when none was answered. */
export interface RouteLatency {
  count: number;
  p50: number | null;
  p99: number | null;
}
