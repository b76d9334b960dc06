// The shape of a run folder's summary.json: what `lab run` writes and what
// `lab report` / `lab compare` read. docs/run-folder.md explains each field
// for people and outside tools. Change it only by adding fields; bump
// `schemaVersion` when a field changes meaning.
import type { LoadConfig, LoadTotals, SecondPoint } from '../../loadgen/types.ts';

export const SUMMARY_SCHEMA_VERSION = 1;

export interface RunSummary {
  schemaVersion: typeof SUMMARY_SCHEMA_VERSION;
  /** Scenario name (`quick`, `failover`, ...); the resolved scenario is in scenario.json. */
  scenario: string;
  startedAt: string;
  finishedAt: string;
  /** `completed`, or `interrupted` (Ctrl-C: strategies not reached are absent). */
  outcome: 'completed' | 'interrupted';
  machine: {
    cores: number;
    cpuModel: string;
    memoryBytes: number;
    os: string;
    /** Cores used by processes outside the lab just before the run (a noisy machine skews figures). */
    otherLoadCores: number | null;
  };
  /** Name -> version of every tool the run used (node, redis-server, hazelcast, java, toxiproxy, load generator). */
  tools: Record<string, string>;
  load: LoadSettings;
  strategies: StrategySummary[];
  /** Strategies that failed to run (their topology did not start, ...), with why; the others were measured. */
  notMeasured?: { strategy: string; error: string }[];
  /** Warnings about the whole run (each strategy has its own too). */
  warnings: string[];
}

export interface LoadSettings {
  generator: string;
  model: LoadConfig['model'];
  journey: LoadConfig['journey'];
  /** open: journeys per second; closed: users. */
  rate: number;
  vus: number;
  durationS: number;
  warmupS: number;
  steps: number;
  thinkMs: number;
  parallelWrites: number;
  nodes: number;
}

export interface ThresholdResult {
  /** e.g. `errorRate`, `p99Ms`, `sessionsLost`. */
  name: string;
  limit: number;
  /** null when there was nothing to measure (no request answered): that fails the threshold. */
  value: number | null;
  ok: boolean;
}

/** Per-process resource use over the measured load. */
export interface ProcessSeries {
  /** `balancer`, `node-1`, `redis`, `hz-1`, `toxiproxy`, `loadgen`. */
  name: string;
  kind: 'balancer' | 'node' | 'store' | 'loadgen' | 'proxy';
  /** Per second, aligned with `timeline[i].t`: cores used (1.0 = one core busy) and resident memory in MiB; null while the process was not running. */
  cores: (number | null)[];
  rssMiB: (number | null)[];
  /** CPU time over the whole measured load, microseconds. */
  cpuMicros: number;
}

/** What one chaos or control event did to the users, measured from the client's series. */
export interface EventEffect {
  at: string;
  /** Seconds since the load started. */
  t: number;
  action: string;
  target: string;
  detail: string;
  /** `skipped`: its target is not part of this strategy (redis under sticky); nothing measured. */
  status: 'done' | 'failed' | 'skipped';
  /** Set when the action itself failed (its error code). */
  error?: string;
  /** Seconds the action itself took: a start until the process served again, a timed pause or fault its duration. */
  tookS?: number;
  /** Seconds looked at after the event (up to the next event or the end of the load). */
  windowS: number;
  /** Client-visible errors in the window above the rate before the event. */
  errors: number;
  sessionsLost: number;
  staleReads: number;
  lostUpdates: number;
  /** The window's lost sessions by the node that served them last (sticky: the node they were pinned to). */
  sessionsLostByNode: Record<string, number>;
  /** The window's errors by the node that caused them (not net of the level before): which users the event hurt. */
  errorsByNode: Record<string, number>;
  /** Seconds until the balancer marked the target node down; null when it never did or the target is no node. */
  ejectedAfterS: number | null;
  /** Seconds until the error rate was back to its level before the event; null when it never was in the window. */
  recoveredAfterS: number | null;
}

/**
 * Claim probes: short request sequences the run makes after the load (see
 * docs/run-folder.md; lab/run/probes). A field is absent when its probe
 * does not apply to the strategy or failed; a failure is in `probeErrors`.
 */
export interface ProbeResults {
  /**
   * C2: distinct 20-character SKUs added one by one until a node answered 413
   * COOKIE_TOO_LARGE: the items the cart held then, and the bytes of the last
   * accepted Set-Cookie header value (name, sealed value, attributes; the
   * node's bound is 4096). Both null when nothing was refused within 500 items.
   */
  cookieLimit?: { itemsAtRefusal: number | null; cookieBytesAtRefusal: number | null };
  /**
   * C2 in the machine's Chromium (lab/run/probes/browser-cookie.ts). Against
   * the probe's own loopback server: the largest cookie (name + value bytes)
   * Chromium kept and sent back, its fate at 4,096 and 4,097 bytes, and
   * whether a dropped oversized write left the previous value in place.
   * `lab`: one cookie session grown from the page through the balancer until
   * a write was refused: the largest session cookie Chromium held (name +
   * value bytes), the refusal (null when none within 500 items) and whether
   * the session and its cart were intact after it.
   */
  browserCookie?: {
    browser: string;
    largestKeptBytes: number;
    at4096: 'kept' | 'dropped';
    at4097: 'kept' | 'dropped';
    previousKeptOnDrop: boolean;
    lab: {
      largestHeldBytes: number;
      itemsAccepted: number;
      refusal: { status: number; code?: string } | null;
      sessionAfterRefusal: 'kept' | 'lost' | null;
    };
  };
  /** C3/C13: forged or tampered credentials sent to GET /me; accepted = answered 200 (must be 0). */
  tampering?: { tried: number; accepted: number; kinds: string[]; acceptedKinds?: string[] };
  /**
   * C10: a copy of the credential kept across logout, tried every 100 ms.
   * `windowS`: seconds until it was refused (0 when refused at once; to within
   * 0.1 s). When `stillAcceptedAtBound`, it was never refused within `boundS`
   * and `windowS` is only a lower bound (the last accepted try).
   * `accessTokenLifetimeS`: the jwt login's expiresIn, null for other strategies.
   */
  revocation?: {
    windowS: number;
    accessTokenLifetimeS: number | null;
    boundS: number;
    stillAcceptedAtBound?: boolean;
  };
  /** C14: replayed refresh tokens detected (401 REFRESH_REUSED and the newest token of the family refused too), of those tried. */
  refreshReplay?: { tried: number; detected: number };
  /**
   * C7: write on one node, read on another directly: ms from the write's
   * answer to the answer of the first read showing it (includes one read's
   * round trip). `missing`: writes not seen within 2 s, not in the figures.
   */
  replicationLagMs?: { p50: number; max: number; samples: number; missing?: number };
  /**
   * C4/C9: memory growth per 1,000 new live sessions where the strategy keeps
   * them (`where`: redis used_memory, Hazelcast members' heap, node RSS, or
   * `none server-side` for cookie, checked); `sessions`: how many were
   * created to measure it; `note`: how it was checked or how rough it is.
   */
  memoryPerThousandSessions?: { kib: number; where: string; sessions: number; note?: string };
  /** C12: Redis commands per refresh (INFO commandstats: EVALSHA and the commands its script runs), background subtracted; 0 when none was counted (a figure, not an error). */
  storeOpsPerRefresh?: number;
  /** Probes that ran and failed, with a stable code; their fields are absent (no figure is guessed). */
  probeErrors?: { probe: string; code: string; message: string }[];
}

/** One generator process of a strategy's load. */
export interface LoadPartSummary {
  /** As in `processes`: `loadgen`, or `loadgen-1`, `loadgen-2`... */
  name: string;
  requests: number;
  /** Its CPU over the load, from /proc, µs; and per request it sent. */
  cpuMicros: number;
  cpuPerRequestMicros: number | null;
}

export interface StrategySummary {
  /** As the user names it: `sticky`, `redis:cas`, `clustered:partitioned`. */
  strategy: string;
  /** Epoch ms of t = 0 of the measured load (after warm-up). */
  loadStartedAtMs: number;
  durationS: number;
  /** What the load generator counted over the measured load. */
  totals: LoadTotals;
  /** Requests per second achieved (requests / elapsed). */
  throughput: number;
  errorRate: number;
  bytesPerRequest: { sent: number; received: number };
  /** CPU microseconds per request, by process kind; null where no such process ran. */
  cpuPerRequestMicros: {
    balancer: number | null;
    nodes: number | null;
    stores: number | null;
    /** Every generator process together (bench/generator measures it against wrk). Optional: older runs lack it. */
    generator?: number | null;
  };
  /** The generator's processes (load.processes): each part's requests and CPU. Optional: older runs lack it. */
  load?: { processes: number; parts: LoadPartSummary[] };
  /** Share of one core the load generator used: near 1 means the client limited the run. */
  loadgenCores: number;
  /** Second-by-second client view. */
  timeline: SecondPoint[];
  processes: ProcessSeries[];
  /** Every chaos and control event of this strategy's load, with its measured effect. */
  events: EventEffect[];
  probes: ProbeResults;
  thresholds: ThresholdResult[];
  /** The load generator's exit status (0: all thresholds held; non-zero is reported, not hidden). */
  loadgenExitCode: number | null;
  warnings: string[];
}
