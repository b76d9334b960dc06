// The checks summary.json must pass before a report is drawn from it: only
// the fields the report reads, so an older or hand-edited file fails with
// the path of the first bad field instead of a TypeError deep in a chart.
import { z } from 'zod';
import { SUMMARY_SCHEMA_VERSION, type RunSummary } from '../lab/run/summary.ts';

const count = z.number();
const maybe = z.number().nullable();
const counts = z.record(z.string(), z.number());

const SecondPoint = z.object({
  t: count,
  requests: count,
  errors: count,
  errorsByKind: counts,
  p50Ms: maybe,
  p95Ms: maybe,
  p99Ms: maybe,
  servedBy: counts,
  journeysStarted: count,
  journeysCompleted: count,
  dropped: count,
  sessionsLost: count,
  staleReads: count,
  lostUpdates: count,
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
    journeysStarted: count,
    journeysCompleted: count,
    dropped: count,
    sessionsLost: count,
    staleReads: count,
    lostUpdates: count,
    schedulingLagP99Ms: count,
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
      kind: z.string(),
      cores: z.array(maybe),
      rssMiB: z.array(maybe),
      cpuMicros: count,
    }),
  ),
  events: z.array(
    z.object({
      t: count,
      action: z.string(),
      target: z.string(),
      detail: z.string(),
      windowS: count,
      errors: count,
      sessionsLost: count,
      staleReads: count,
      lostUpdates: count,
      ejectedAfterS: maybe,
      recoveredAfterS: maybe,
    }),
  ),
  probes: z.record(z.string(), z.unknown()),
  thresholds: z.array(z.object({ name: z.string(), limit: count, value: count, ok: z.boolean() })),
  loadgenExitCode: maybe,
  warnings: z.array(z.string()),
});

const Summary = z.object({
  scenario: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  outcome: z.string(),
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
    model: z.string(),
    journey: z.string(),
    rate: count,
    vus: count,
    durationS: count,
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
