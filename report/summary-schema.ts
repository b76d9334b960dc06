// The run-folder schema: the one definition of summary.json, what `lab run`
// writes and what `lab report` / `lab compare` read. The report floor owns
// it (the lab types its output from it; the report imports nothing of the
// lab); docs/run-folder.md explains each field for people and outside tools.
// Change it only by adding fields, optional ones: a field added after the
// first runs (marked `later`) is absent in older summaries, and the report
// says "not known" without it. Bump SUMMARY_SCHEMA_VERSION when a field
// changes meaning.
import { z } from 'zod';

export const SUMMARY_SCHEMA_VERSION = 1;

const count = z.number();
const maybe = z.number().nullable();
const counts = z.record(z.string(), z.number());
/** Added to schema version 1 later: absent in the first runs. */
const later = <T extends z.ZodType>(schema: T) => schema.optional();

/** Journeys dropped, by cause: the vus cap, a late generator, or latency (docs/loadgen-figures.md). */
const DropCausesSchema = z.object({ cap: count, generator: count, latency: count });
/** Per node: answers to held sessions, and those given by the session's home node (C5). */
const HeldAnswersSchema = z.record(z.string(), z.object({ answers: count, home: count }));
const LatencySchema = z.object({ p50: maybe, p95: maybe, p99: maybe, max: maybe });
/** The consistency and jwt refresh figures the generator added later (docs/loadgen-figures.md). */
const laterCounters = {
  droppedBy: later(DropCausesSchema),
  lostUpdatesLowerBound: later(count),
  uncertainWrites: later(count),
  uncertainRounds: later(count),
  refreshRetries: later(count),
  refreshRevokedByReuse: later(count),
  refreshLost: later(count),
  heldAnswersByNode: later(HeldAnswersSchema),
};

/**
 * What the client counted, the same in each second and in the totals (the
 * totals are the sums of the seconds): where requests went, journeys, and
 * the consistency figures.
 */
const clientCounters = {
  /** Responses per serving node (`none` when the balancer answered itself). */
  servedBy: counts,
  errorsByNode: later(counts),
  sessionsLostByNode: later(counts),
  journeysStarted: count,
  journeysCompleted: count,
  dropped: count,
  sessionsLost: count,
  staleReads: count,
  lostUpdates: count,
  doubledUpdates: count,
  conflicts: count,
  relogins: count,
  refreshes: count,
  refreshFailures: count,
  /** Answers of any status from the session's home node, of all answers to held sessions after their login. */
  pinnedServed: later(count),
  pinnedTotal: later(count),
  ...laterCounters,
};

/** One second of the client's view (the load generator's series); counted by the second a request ended. */
const SecondPointSchema = z.object({
  /** Whole seconds since the load started. */
  t: count,
  requests: count,
  errors: count,
  /** By kind: HTTP status (`503`) or error code (`ECONNRESET`, `timeout`). */
  errorsByKind: counts,
  p50Ms: maybe,
  p95Ms: maybe,
  p99Ms: maybe,
  /** The same over the 2xx answers only. */
  successP50Ms: later(maybe),
  successP95Ms: later(maybe),
  successP99Ms: later(maybe),
  /** errors / requests of this second; null when no request ended. */
  failedRate: later(maybe),
  ...clientCounters,
});

/** What the load generator counted over the measured load. */
const LoadTotalsSchema = z.object({
  /** Wall-clock time (epoch ms) of t = 0. */
  startedAtMs: count,
  elapsedMs: count,
  requests: count,
  errors: count,
  errorsByKind: counts,
  latencyMs: LatencySchema,
  /** The 2xx answers only. */
  successLatencyMs: later(LatencySchema),
  failedRate: later(maybe),
  /** The codes behind the network error kinds (ECONNRESET, EPIPE, ...). */
  networkErrorCodes: later(counts),
  ...clientCounters,
  sessionsStarted: count,
  bytesSent: count,
  bytesReceived: count,
  /** How late the generator started scheduled work (p99, ms): large means the client was the bottleneck. */
  schedulingLagP99Ms: count,
  /** Latency per route (common/routes.ts names), failed requests timed too; `success*` over 2xx only. */
  latencyByRoute: later(
    z.record(
      z.string(),
      z.object({
        count,
        failed: later(count),
        p50: maybe,
        p99: maybe,
        successP50: later(maybe),
        successP99: later(maybe),
      }),
    ),
  ),
  /** The settings the generator ran with (vus and timeouts resolved). */
  settings: later(
    z.object({
      journey: z.enum(['shop', 'concurrency', 'request']),
      model: z.enum(['open', 'closed']),
      rate: count,
      vus: count,
      vusSource: z.enum(['configured', 'sized']),
      expectedJourneyMs: count,
      expectedRequestMs: count,
      vusSafetyFactor: count,
      timeoutMs: count,
      balancerUpstreamTimeoutMs: count,
      refreshRetry: z.object({ retries: count, windowMs: count }),
    }),
  ),
  /** The request journey's session pool; absent for the other journeys. */
  setup: z
    .object({ wanted: count, loggedIn: count, requests: count, errors: count, elapsedMs: count })
    .optional(),
});

/** What one chaos or control event did to the users, measured from the client's series. */
const EventEffectSchema = z.object({
  at: z.string(),
  /** Seconds since the load started. */
  t: count,
  action: z.string(),
  target: z.string(),
  detail: z.string(),
  /** `skipped`: its target is not part of this strategy (redis under sticky); nothing measured. */
  status: later(z.enum(['done', 'failed', 'skipped'])),
  /** Set when the action itself failed (its error code). */
  error: z.string().optional(),
  /** Seconds the action itself took: a start until the process served again, a timed pause or fault its duration. */
  tookS: z.number().optional(),
  /** Seconds looked at after the event (up to the next event or the end of the load). */
  windowS: count,
  /** Client-visible errors in the window above the rate before the event. */
  errors: count,
  sessionsLost: count,
  staleReads: count,
  lostUpdates: count,
  /** The window's lost sessions by the node that served them last. */
  sessionsLostByNode: later(counts),
  /** The window's errors by the node that caused them (not net of the level before). */
  errorsByNode: later(counts),
  /**
   * Seconds until the balancer marked the target node down (kill, stop, pause); null when it
   * never did or the target is no node. The balancer is the one named by the strategy's `nodeStatesFrom`.
   */
  ejectedAfterS: maybe,
  /** Seconds until that balancer marked the target node up again (start, restart, resume, enable); null otherwise. */
  returnedAfterS: later(maybe),
  /** Seconds until the error rate was back to its level before the event; null when it never was in the window. */
  recoveredAfterS: maybe,
});

/**
 * Claim probes: short request sequences the run makes after the load (see
 * docs/run-folder.md; lab/run/probes). A field is absent when its probe
 * does not apply to the strategy or failed; a failure is in `probeErrors`.
 */
const ProbeResultsSchema = z.object({
  /**
   * C2: distinct 20-character SKUs added one by one until a node answered 413
   * COOKIE_TOO_LARGE: the items the cart held then, and the bytes of the last
   * accepted Set-Cookie header value (the node's bound is 4096). Both null
   * when nothing was refused within 500 items.
   */
  cookieLimit: z.object({ itemsAtRefusal: maybe, cookieBytesAtRefusal: maybe }).optional(),
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
  browserCookie: z
    .object({
      browser: z.string(),
      largestKeptBytes: count,
      at4096: z.enum(['kept', 'dropped']),
      at4097: z.enum(['kept', 'dropped']),
      previousKeptOnDrop: z.boolean(),
      lab: z.object({
        largestHeldBytes: count,
        itemsAccepted: count,
        refusal: z.object({ status: count, code: z.string().optional() }).nullable(),
        sessionAfterRefusal: z.enum(['kept', 'lost']).nullable(),
      }),
    })
    .optional(),
  /** C3/C13: forged or tampered credentials sent to GET /me; accepted = answered 200 (must be 0). */
  tampering: z
    .object({
      tried: count,
      accepted: count,
      kinds: z.array(z.string()),
      acceptedKinds: z.array(z.string()).optional(),
    })
    .optional(),
  /**
   * C10: a copy of the credential kept across logout, tried every 100 ms.
   * `windowS`: seconds until it was refused. When `stillAcceptedAtBound`, it
   * was never refused within `boundS` and `windowS` is only a lower bound.
   * `accessTokenLifetimeS`: the jwt login's expiresIn, null for other strategies.
   */
  revocation: z
    .object({
      windowS: count,
      accessTokenLifetimeS: maybe,
      boundS: count,
      stillAcceptedAtBound: z.boolean().optional(),
    })
    .optional(),
  /**
   * C14: replayed refresh tokens detected (401 REFRESH_REUSED and the
   * family's newest token refused too), of those tried. Each replay is of a
   * token two rotations old, outside any grace window. `graceWindowS`: the
   * nodes' reuse grace window, within which a replay of the immediately
   * preceding token is NOT detected and not measured (absent in older runs).
   */
  refreshReplay: z.object({ tried: count, detected: count, graceWindowS: later(count) }).optional(),
  /**
   * C7: write on one node, read on another directly: ms from the write's
   * answer to the answer of the first read showing it. `missing`: writes not
   * seen within 2 s, not in the figures.
   */
  replicationLagMs: z
    .object({ p50: count, max: count, samples: count, missing: count.optional() })
    .optional(),
  /**
   * C4/C9: memory growth per 1,000 new live sessions where the strategy keeps
   * them (`where`); `sessions`: how many were created to measure it; `note`:
   * how it was checked or how rough it is.
   */
  memoryPerThousandSessions: z
    .object({ kib: count, where: z.string(), sessions: count, note: z.string().optional() })
    .optional(),
  /** C12: Redis commands per refresh (INFO commandstats), background subtracted; 0 when none was counted (a figure, not an error). */
  storeOpsPerRefresh: count.optional(),
  /** Probes that ran and failed, with a stable code; their fields are absent (no figure is guessed). */
  probeErrors: later(
    z.array(z.object({ probe: z.string(), code: z.string(), message: z.string() })),
  ),
});

const ThresholdResultSchema = z.object({
  /** e.g. `errorRate`, `p99Ms`, `sessionsLost`. */
  name: z.string(),
  limit: count,
  /** null when there was nothing to measure (no request answered): that fails the threshold. */
  value: count.nullable(),
  ok: z.boolean(),
});

/** Per-process resource use over the measured load. */
const ProcessSeriesSchema = z.object({
  /** `balancer`, `node-1`, `redis`, `hz-1`, `toxiproxy`, `loadgen`. */
  name: z.string(),
  kind: z.enum(['balancer', 'node', 'store', 'loadgen', 'proxy']),
  /** Per second, aligned with `timeline[i].t`: cores used and resident MiB; null while the process was not running. */
  cores: z.array(maybe),
  rssMiB: z.array(maybe),
  /** CPU time over the whole measured load, microseconds. */
  cpuMicros: count,
});

/** CPU microseconds per request of one capacity step, by process kind; null where none ran. */
const StepCpuSchema = z.object({
  balancer: maybe,
  nodes: maybe,
  stores: maybe,
  loadgen: maybe,
});

/** One step of a capacity search: a fresh generator at one offered rate (docs/run-folder.md). */
const CapacityStepSchema = z.object({
  /** `step` of the search, or `confirm`: the rerun at the last good rate. */
  phase: z.enum(['step', 'confirm']),
  /** Arrivals per second offered (one request each on the `request` journey). */
  offeredRate: count,
  /** Arrivals per second completed (journeys ended / elapsed), and requests per second. */
  achievedRate: count,
  requestRate: count,
  durationS: count,
  requests: count,
  /** Every request, failed ones included (a timeout at its full wait), ms. */
  p50Ms: maybe,
  p99Ms: maybe,
  /** The 2xx answers only, ms. */
  successP50Ms: maybe,
  successP99Ms: maybe,
  failedRate: count,
  /** Arrivals not started (every vus in flight). */
  dropped: count,
  cpuPerRequestMicros: StepCpuSchema,
  /** Mean cores each process used over the step (`balancer`, `node-1`, `redis`, `loadgen`, ...). */
  cores: z.record(z.string(), count),
  /** p99 event-loop delay over the step, ms, of each process that exposes it (the nodes). */
  eventLoopLagP99Ms: z.record(z.string(), count),
  /** Cores used by processes outside the run over the step (machine busy minus ours); null when unknown. */
  otherCores: maybe,
  /** How late the generator started scheduled work (p99, ms). */
  generatorLagP99Ms: count,
  verdict: z.enum(['ok', 'broke']),
  /** Which service-level limits the step broke, in words; empty when ok. */
  reasons: z.array(z.string()),
});

/** The limit a capacity search found for one strategy (lab/run/capacity-controller.ts). */
const CapacitySchema = z.object({
  journey: z.string(),
  /** The service level each step was held to. */
  serviceLevel: z.object({ p99Ms: count, failedRate: count, achievedShare: count }),
  /** Highest request rate sustained within the service level (the confirmation's, else the last good step's); null when even the first step broke. */
  sustainedRequestRate: maybe,
  /** The offered arrival rate of that step. */
  sustainedOfferedRate: maybe,
  /** Whether the confirmation at that rate held the service level too (null: not run). */
  confirmed: z.boolean().nullable(),
  p50Ms: maybe,
  p99Ms: maybe,
  cpuPerRequestMicros: StepCpuSchema.nullable(),
  /** Why the search stopped: the broken limits, or that max steps ran out first. */
  stoppedBecause: z.string(),
  /** What ran out first at the breaking (else the last) step: a process, `generator` or `machine`, and why. */
  limitedBy: z.object({ what: z.string(), kind: z.string(), detail: z.string() }).nullable(),
  stepsRun: count,
  steps: z.array(CapacityStepSchema),
  warnings: z.array(z.string()),
});

const StrategySummarySchema = z.object({
  /** As the user names it: `sticky`, `redis:cas`, `clustered:partitioned`. */
  strategy: z.string().min(1),
  /** Epoch ms of t = 0 of the measured load (after warm-up). */
  loadStartedAtMs: count,
  durationS: count,
  totals: LoadTotalsSchema,
  /** Requests per second achieved (requests / elapsed). */
  throughput: count,
  errorRate: count,
  bytesPerRequest: z.object({ sent: count, received: count }),
  /** CPU microseconds per request, by process kind; null where no such process ran. */
  cpuPerRequestMicros: z.object({
    balancer: maybe,
    nodes: maybe,
    stores: maybe,
    /** Every generator process together (bench/generator measures it against wrk). */
    generator: later(maybe),
  }),
  /** The generator's processes (load.processes): each part's requests and CPU. */
  load: later(
    z.object({
      processes: count,
      parts: z.array(
        z.object({
          /** As in `processes`: `loadgen`, or `loadgen-1`, `loadgen-2`... */
          name: z.string(),
          requests: count,
          /** Its CPU over the load, from /proc, µs; and per request it sent. */
          cpuMicros: count,
          cpuPerRequestMicros: maybe,
        }),
      ),
    }),
  ),
  /** Share of one core the load generator used: near 1 means the client limited the run. */
  loadgenCores: count,
  timeline: z.array(SecondPointSchema),
  processes: z.array(ProcessSeriesSchema),
  /** Every chaos and control event of this strategy's load, with its measured effect. */
  events: z.array(EventEffectSchema),
  probes: ProbeResultsSchema,
  thresholds: z.array(ThresholdResultSchema),
  /** The load generator's exit status (0: all thresholds held; non-zero is reported, not hidden). */
  loadgenExitCode: maybe,
  warnings: z.array(z.string()),
  /** The balancer the load went through (`lab` when absent: runs before HAProxy could be chosen). */
  balancer: later(z.enum(['lab', 'haproxy'])),
  /**
   * Whose view of the nodes timed the ejections and returns of `events`: the lab balancer's
   * admin API, or HAProxy's runtime API (`show servers state`). Absent: older runs (the lab
   * balancer's) and capacity searches (no node states read).
   */
  nodeStatesFrom: later(z.enum(['lab', 'haproxy'])),
  /** A capacity search's result; the other figures are then the confirmation step's (else the last good one's). */
  capacity: later(CapacitySchema),
});

const LoadSettingsSchema = z.object({
  generator: z.string(),
  model: z.enum(['open', 'closed']),
  journey: z.enum(['shop', 'concurrency', 'request']),
  /** open: journeys per second; closed: users. */
  rate: count,
  /**
   * The in-flight cap (open) or users (closed) the scenario set; absent when
   * the generator sized it per strategy (each strategy's `totals.settings`).
   */
  vus: later(count),
  durationS: count,
  warmupS: count,
  steps: count,
  thinkMs: count,
  parallelWrites: count,
  nodes: count,
});

export const RunSummarySchema = z.object({
  schemaVersion: z.literal(SUMMARY_SCHEMA_VERSION),
  /** Scenario name (`quick`, `failover`, ...); the resolved scenario is in scenario.json. */
  scenario: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** `completed`, or `interrupted` (Ctrl-C: strategies not reached are absent). */
  outcome: z.enum(['completed', 'interrupted']),
  machine: z.object({
    cores: count,
    cpuModel: z.string(),
    memoryBytes: count,
    os: z.string(),
    /** Cores used by processes outside the lab just before the run (a noisy machine skews figures). */
    otherLoadCores: maybe,
  }),
  /** Name -> version of every tool the run used. */
  tools: z.record(z.string(), z.string()),
  load: LoadSettingsSchema,
  strategies: z.array(StrategySummarySchema),
  /** Strategies that failed to run (their topology did not start, ...), with why; the others were measured. */
  notMeasured: z.array(z.object({ strategy: z.string(), error: z.string() })).optional(),
  /** Warnings about the whole run (each strategy has its own too). */
  warnings: z.array(z.string()),
});

export type RunSummary = z.infer<typeof RunSummarySchema>;
export type StrategySummary = z.infer<typeof StrategySummarySchema>;
export type LoadSettings = z.infer<typeof LoadSettingsSchema>;
export type LoadTotals = z.infer<typeof LoadTotalsSchema>;
export type SecondPoint = z.infer<typeof SecondPointSchema>;
export type EventEffect = z.infer<typeof EventEffectSchema>;
export type ProbeResults = z.infer<typeof ProbeResultsSchema>;
export type ThresholdResult = z.infer<typeof ThresholdResultSchema>;
export type ProcessSeries = z.infer<typeof ProcessSeriesSchema>;
export type CapacitySummary = z.infer<typeof CapacitySchema>;
export type CapacityStep = z.infer<typeof CapacityStepSchema>;
