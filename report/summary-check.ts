// The checks summary.json must pass before a report is drawn from it: only
// the fields the report reads, so an older or hand-edited file fails with
// the path of the first bad field instead of a TypeError deep in a chart.
// Fields added after the first runs (per-node counts, event status, probe
// errors, answers from each session's node, latency per route) are optional here: the report says "not known" without them.
import { z } from 'zod';
import { SUMMARY_SCHEMA_VERSION, type RunSummary } from '../lab/run/summary.ts';

const count = z.number();
const maybe = z.number().nullable();
const counts = z.record(z.string(), z.number());
/** Added to schema version 1 later: absent in the first runs. */
const later = <T extends z.ZodType>(schema: T) => schema.optional();

const SecondPoint = z.object({
  t: count,
  requests: count,
  errors: count,
  errorsByKind: counts,
  p50Ms: maybe,
  p95Ms: maybe,
  p99Ms: maybe,
  servedBy: counts,
  errorsByNode: later(counts),
  sessionsLostByNode: later(counts),
  journeysStarted: count,
  journeysCompleted: count,
  dropped: count,
  sessionsLost: count,
  staleReads: count,
  lostUpdates: count,
  pinnedServed: later(count),
  pinnedTotal: later(count),
});

const Event = z.object({
  t: count,
  action: z.string(),
  target: z.string(),
  detail: z.string(),
  status: later(z.enum(['done', 'failed', 'skipped'])),
  error: z.string().optional(),
  windowS: count,
  errors: count,
  sessionsLost: count,
  staleReads: count,
  lostUpdates: count,
  sessionsLostByNode: later(counts),
  errorsByNode: later(counts),
  ejectedAfterS: maybe,
  recoveredAfterS: maybe,
});

/** Each probe's figure is optional (absent when it does not apply or failed); present, it must be whole. */
const Probes = z.object({
  cookieLimit: z.object({ itemsAtRefusal: maybe, cookieBytesAtRefusal: maybe }).optional(),
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
  tampering: z
    .object({
      tried: count,
      accepted: count,
      kinds: z.array(z.string()),
      acceptedKinds: z.array(z.string()).optional(),
    })
    .optional(),
  revocation: z
    .object({
      windowS: count,
      accessTokenLifetimeS: maybe,
      boundS: count,
      stillAcceptedAtBound: z.boolean().optional(),
    })
    .optional(),
  refreshReplay: z
    .object({ tried: count, detected: count, graceWindowS: count.optional() })
    .optional(),
  replicationLagMs: z
    .object({ p50: count, max: count, samples: count, missing: count.optional() })
    .optional(),
  memoryPerThousandSessions: z
    .object({ kib: count, where: z.string(), sessions: count, note: z.string().optional() })
    .optional(),
  storeOpsPerRefresh: count.optional(),
  probeErrors: later(
    z.array(z.object({ probe: z.string(), code: z.string(), message: z.string() })),
  ),
});

const Strategy = z.object({
  strategy: z.string().min(1),
  loadStartedAtMs: count,
  durationS: count,
  totals: z.object({
    requests: count,
    errors: count,
    latencyMs: z.object({ p50: maybe, p95: maybe, p99: maybe, max: maybe }),
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
    schedulingLagP99Ms: count,
    pinnedServed: later(count),
    pinnedTotal: later(count),
    latencyByRoute: later(z.record(z.string(), z.object({ count, p50: maybe, p99: maybe }))),
  }),
  throughput: count,
  errorRate: count,
  bytesPerRequest: z.object({ sent: count, received: count }),
  cpuPerRequestMicros: z.object({ balancer: maybe, nodes: maybe, stores: maybe }),
  loadgenCores: count,
  timeline: z.array(SecondPoint),
  processes: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['balancer', 'node', 'store', 'loadgen', 'proxy']),
      cores: z.array(maybe),
      rssMiB: z.array(maybe),
      cpuMicros: count,
    }),
  ),
  events: z.array(Event),
  probes: Probes,
  thresholds: z.array(
    z.object({ name: z.string(), limit: count, value: count.nullable(), ok: z.boolean() }),
  ),
  loadgenExitCode: maybe,
  warnings: z.array(z.string()),
});

const Summary = z.object({
  scenario: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  outcome: z.enum(['completed', 'interrupted']),
  machine: z.object({
    cores: count,
    cpuModel: z.string(),
    memoryBytes: count,
    os: z.string(),
    otherLoadCores: maybe,
  }),
  tools: z.record(z.string(), z.string()),
  load: z.object({
    generator: z.string(),
    model: z.enum(['open', 'closed']),
    journey: z.string(),
    rate: count,
    vus: count,
    durationS: count,
    warmupS: count,
    steps: count,
    thinkMs: count,
    parallelWrites: count,
    nodes: count,
  }),
  strategies: z.array(Strategy),
  warnings: z.array(z.string()),
});

/**
 * Checks `data` (parsed summary.json) and returns it typed, or a list of
 * problems, each `path: what is wrong`.
 */
export function checkSummary(
  data: unknown,
): { ok: true; summary: RunSummary } | { ok: false; problems: string[] } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, problems: ['the file holds no JSON object'] };
  }
  const version = (data as { schemaVersion?: unknown }).schemaVersion;
  if (version !== SUMMARY_SCHEMA_VERSION) {
    return {
      ok: false,
      problems: [
        `schemaVersion is ${JSON.stringify(version)}; this lab reads version ${SUMMARY_SCHEMA_VERSION}`,
      ],
    };
  }
  const result = Summary.safeParse(data);
  if (result.success) return { ok: true, summary: data as RunSummary };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`),
  };
}

/** `strategies[1].timeline[3].p95Ms`, as a reader would look it up in the file. */
function fieldPath(parts: readonly PropertyKey[]): string {
  let text = '';
  for (const part of parts) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text || '(top level)';
}
