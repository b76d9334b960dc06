// The contract between `lab run` and the load generator process: what it is
// asked to do (LoadConfig, a JSON file) and what it writes (one SecondPoint
// per line in the series file, one LoadTotals at the end). The lab's own
// generator stands in for k6, which these machines cannot have (issue 4).
import type { HistogramData } from './latency-histogram.ts';

/** Which user behaviour each iteration plays. */
export type JourneyName =
  /** log in, `steps` requests of the mix with think time, log out; jwt refreshes its token when due */
  | 'shop'
  /** log in, then `steps` rounds of `parallelWrites` simultaneous cart writes of one session, each followed by a read */
  | 'concurrency'
  /**
   * one request per arrival (GET /me, GET /cart, POST /cart/items by the shop
   * mix) on a session taken from a pool logged in before t = 0: open-model
   * latency of single requests, with no journey in between
   */
  | 'request';

/**
 * What the lab writes. The fields marked optional have defaults the
 * generator works out itself (loadgen/config.ts); ResolvedLoadConfig is what
 * it runs with, and LoadTotals.settings what it reports.
 */
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
  /**
   * closed: concurrent users. open: the most journeys in flight; one more is
   * dropped and counted. Left out, it is sized by Little's law (see
   * loadgen/vus-sizing.ts); LoadTotals.settings says which.
   */
  vus?: number;
  durationMs: number;
  /** Requests of the mix per journey, between login and logout. */
  steps: number;
  /** Pause between two requests of one journey. */
  thinkMs: number;
  /** concurrency journey: cart writes sent at once. */
  parallelWrites: number;
  /**
   * A request without an answer after this long is aborted and counted as an
   * error (`timeout`), timed at its full wait. Default: the balancer's
   * upstream timeout + 5 s, so the balancer gives up first and its answer
   * (504) is seen rather than the generator's own impatience.
   */
  timeoutMs?: number;
  /** How long the balancer waits for a node (its `limits.upstreamTimeoutMs`); carried into the output. */
  balancerUpstreamTimeoutMs?: number;
  /** The request latency the `vus` sizing and the drop causes assume for a system that keeps up, ms. */
  expectedRequestMs?: number;
  /** jwt: after a refresh answered 5xx or not at all, retry it with the same token this often within this window. */
  refreshRetry?: RefreshRetry;
  seed: number;
  /**
   * The lab runs the load as this many generator processes (default 1), each
   * with its share of `rate` and `vus` (lab/run/loadgen-process.ts), and
   * merges their figures (lab/run/merge-loadgen.ts).
   */
  processes?: number;
  /** Which of those processes this one is (0-based): its users get names no other part uses. */
  part?: number;
}

/** jwt: after a refresh answered 5xx or not at all, up to `retries` more attempts, none started past `windowMs` after the first. */
export interface RefreshRetry {
  retries: number;
  windowMs: number;
}

/** The config with every default worked out: what the generator runs with. */
export type ResolvedLoadConfig = Required<LoadConfig> & { vusSource: 'configured' | 'sized' };

/** Why a journey was not started in the open model (all `vus` in flight). */
export interface DropCauses {
  /** The journeys took about as long as expected: `vus` is too small for rate × journey duration. */
  cap: number;
  /** The generator started the arrival late (its own CPU or event loop): it could not keep up itself. */
  generator: number;
  /** The journeys took longer than expected: the system under test slowed them. */
  latency: number;
}

/** Answers to sessions the client held, by the node that answered them. */
export interface HeldAnswers {
  /** Every answer (any status) this node gave to a held session after its login. */
  answers: number;
  /** Of them, those where this node was the session's home (the node that answered its login). */
  home: number;
}

/** The settings the generator ran with, resolved: what the report prints under "how the run was made". */
export interface GeneratorSettings {
  journey: JourneyName;
  model: LoadConfig['model'];
  rate: number;
  vus: number;
  /** `configured`: vus came from the config; `sized`: from rate × expected journey duration × safety factor. */
  vusSource: 'configured' | 'sized';
  /** One journey's expected duration when the system keeps up: think times + sequential requests × expectedRequestMs. */
  expectedJourneyMs: number;
  expectedRequestMs: number;
  /** The factor over Little's law a sized `vus` carries. */
  vusSafetyFactor: number;
  /** The generator's per-request deadline. */
  timeoutMs: number;
  /** The balancer's wait for a node; the generator's timeout should exceed it. */
  balancerUpstreamTimeoutMs: number;
  refreshRetry: RefreshRetry;
}

/** The `request` journey's session pool, made before t = 0 (not in the series). */
export interface SetupFigures {
  /** Sessions the pool wanted (vus) and those logged in. */
  wanted: number;
  loggedIn: number;
  /** Login requests sent, failed ones included, and how long the setup took. */
  requests: number;
  errors: number;
  elapsedMs: number;
}

/** One second of the run, counted by the second in which a request ended. */
export interface SecondPoint {
  /** Whole seconds since the load started (0, 1, ...). */
  t: number;
  requests: number;
  /** Responses outside 2xx (409 included) plus network errors and timeouts. */
  errors: number;
  /**
   * By kind (loadgen/error-kinds.ts): the HTTP status (`401`, `503`) or the
   * network failure: `timeout`, `reset`, `refused`, `network` (any other).
   */
  errorsByKind: Record<string, number>;
  /**
   * Latency of every request that ended in this second, failed ones included
   * (a timeout at its full wait, a reset or refusal at the time to the error),
   * ms; null when none did.
   */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** The same over the 2xx answers only; null when none. Optional because older runs lack them. */
  successP50Ms?: number | null;
  successP95Ms?: number | null;
  successP99Ms?: number | null;
  /** errors / requests of this second (k6's http_req_failed); null when no request ended. */
  failedRate?: number | null;
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
  /** `dropped` by cause; optional because older runs lack it. */
  droppedBy?: DropCauses;
  /** A 401 where the journey held a session. */
  sessionsLost: number;
  /** A cart version lower than one this session already saw. */
  staleReads: number;
  /**
   * Accepted cart writes whose effect the cart no longer shows, counted where
   * every write's fate is known (a concurrency round with an uncertain write
   * adds only to lostUpdatesLowerBound).
   */
  lostUpdates: number;
  /**
   * lostUpdates plus, for each round with an uncertain write, accepted − grew:
   * the updates certainly lost (the journey is its cart's only writer). The
   * true count is at least this. Optional because older runs lack it.
   */
  lostUpdatesLowerBound?: number;
  /** Cart writes answered 5xx or not at all: they may or may not have applied. */
  uncertainWrites?: number;
  /** Concurrency rounds with an uncertain write, whose lost updates are only bounded. */
  uncertainRounds?: number;
  /** A cart version that grew by more than the writes this session made. */
  doubledUpdates: number;
  /** 409 CART_CONFLICT answers: a write refused, the client was told (not lost). */
  conflicts: number;
  /** Logins made again after a lost session. */
  relogins: number;
  /** jwt: refreshes needed (each once, however many attempts), and those that got no new token in the end. */
  refreshes: number;
  refreshFailures: number;
  /** jwt: refresh attempts repeated with the same token after a 5xx or no answer. Optional: older runs lack it. */
  refreshRetries?: number;
  /** jwt: refreshes answered 401 REFRESH_REUSED: the node took the token for a replay and revoked its family. */
  refreshRevokedByReuse?: number;
  /** jwt: refreshes that ended the session otherwise: another 401, or retries spent with the access token expired. */
  refreshLost?: number;
  /**
   * Answers of any status (network failures excepted) to a held session's
   * requests after its login that came from the session's home node (the one
   * that answered its login; a relogin gives a new home), of all such
   * answers. A request sent elsewhere (a 401 from another node, a 502 the
   * balancer answered itself) lowers the share. Optional: older runs lack them.
   */
  pinnedServed?: number;
  pinnedTotal?: number;
  /** The same answers by the node that gave them (X-Served-By; `balancer` for its own answers). */
  heldAnswersByNode?: Record<string, HeldAnswers>;
  /**
   * The latencies behind p50Ms... and successP50Ms... (loadgen/latency-histogram.ts),
   * so points of several generator processes merge. Optional: older runs lack them.
   */
  latencyHistogram?: HistogramData;
  successLatencyHistogram?: HistogramData;
}

export interface LoadTotals {
  /** Wall-clock time (epoch ms) of t = 0. */
  startedAtMs: number;
  elapsedMs: number;
  requests: number;
  errors: number;
  errorsByKind: Record<string, number>;
  /** Every request, failed ones included (a timeout at its full wait). */
  latencyMs: LatencySummary;
  /** The 2xx answers only; optional because older runs lack it. */
  successLatencyMs?: LatencySummary;
  /** errors / requests (k6's http_req_failed); null when no request was sent. */
  failedRate?: number | null;
  /** The codes behind the `network` and `reset`/`refused` kinds (ECONNRESET, EPIPE, ...), so nothing is hidden. */
  networkErrorCodes?: Record<string, number>;
  servedBy: Record<string, number>;
  errorsByNode: Record<string, number>;
  sessionsLostByNode: Record<string, number>;
  journeysStarted: number;
  journeysCompleted: number;
  dropped: number;
  droppedBy?: DropCauses;
  /** Logins that started a session (the request journey's pool included). */
  sessionsStarted: number;
  sessionsLost: number;
  staleReads: number;
  lostUpdates: number;
  lostUpdatesLowerBound?: number;
  uncertainWrites?: number;
  uncertainRounds?: number;
  doubledUpdates: number;
  conflicts: number;
  relogins: number;
  refreshes: number;
  refreshFailures: number;
  refreshRetries?: number;
  refreshRevokedByReuse?: number;
  refreshLost?: number;
  /** Bytes on the wire, both ways, from the client's sockets. */
  bytesSent: number;
  bytesReceived: number;
  /** How late the generator started work it had scheduled (p99, ms): large means the client was the bottleneck. */
  schedulingLagP99Ms: number;
  /** Sums of SecondPoint.pinnedServed / pinnedTotal / heldAnswersByNode; optional because older runs lack them. */
  pinnedServed?: number;
  pinnedTotal?: number;
  heldAnswersByNode?: Record<string, HeldAnswers>;
  /**
   * Latency of every request (failed ones included) per route: `login`,
   * `me`, `cart`, `add-item`, `refresh`, `logout` (common/routes.ts), each
   * always present. Optional because older runs lack it.
   */
  latencyByRoute?: Record<string, RouteLatency>;
  /** The settings the run used (vus and timeouts resolved); optional because older runs lack it. */
  settings?: GeneratorSettings;
  /** The request journey's session pool; absent for the other journeys. */
  setup?: SetupFigures;
  /** The histograms behind the percentiles, for merging generator processes; optional: older runs lack them. */
  histograms?: LoadHistograms;
}

/** The histograms of a run (loadgen/latency-histogram.ts): percentiles within 1 %, mergeable by adding counts. */
export interface LoadHistograms {
  latency: HistogramData;
  success: HistogramData;
  lags: HistogramData;
  byRoute: Record<string, { all: HistogramData; success: HistogramData; failed: number }>;
}

export interface LatencySummary {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** One route's requests and their latency, ms; percentiles null when there were none. */
export interface RouteLatency {
  /** Every request of the route, failed ones included. */
  count: number;
  /** Of them, not 2xx (any error kind). Optional because older runs lack it. */
  failed?: number;
  /** Over every request of the route, failed ones timed too. */
  p50: number | null;
  p99: number | null;
  /** Over the 2xx answers only; optional because older runs lack them. */
  successP50?: number | null;
  successP99?: number | null;
}
