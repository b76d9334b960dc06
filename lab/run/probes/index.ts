// The claim probes `lab run` makes after each strategy's load, against the
// same live topology: one file per probe, each bounded in time. A probe
// that fails leaves its field out and adds an entry to `probeErrors`
// (stable code, message): runProbes itself never throws for a probe, and
// never fills a field with a figure it did not measure.
import { LabError } from '../../errors.ts';
import type { ProbeResults } from '../../../report/summary-schema.ts';
import { browserCookieProbe } from './browser-cookie.ts';
import { cookieLimitProbe } from './cookie-limit.ts';
import { memoryProbe } from './memory.ts';
import type { AnyProbe, ProbeContext, ProbeRunContext } from './probe.ts';
import { refreshReplayProbe } from './refresh-replay.ts';
import { replicationLagProbe } from './replication-lag.ts';
import { revocationProbe } from './revocation.ts';
import { storeOpsProbe } from './store-ops.ts';
import { tamperingProbe } from './tampering.ts';

export type { ProbeContext } from './probe.ts';
export { DEFAULT_REVOCATION_BOUND_MS } from './revocation.ts';

type ProbeError = NonNullable<ProbeResults['probeErrors']>[number];

/** In run order: the 1,000-session memory probe last, so its logins do not slow the others. */
export const PROBES: readonly AnyProbe[] = [
  tamperingProbe,
  cookieLimitProbe,
  browserCookieProbe,
  revocationProbe,
  refreshReplayProbe,
  storeOpsProbe,
  replicationLagProbe,
  memoryProbe,
];

/**
 * Runs every probe that applies to `context.strategy`, one after another,
 * each within its own budget. When `context.signal` aborts, the probe in
 * flight stops (PROBE_ABORTED), the rest are skipped, and what was measured
 * so far is returned. Throws (LabError BAD_PROBE_OPTION) only for a bad
 * option, before any probe runs.
 */
export async function runProbes(context: ProbeContext): Promise<ProbeResults> {
  const bound = context.revocationBoundMs;
  if (bound !== undefined && !(Number.isFinite(bound) && bound >= 0)) {
    throw new LabError(
      'BAD_PROBE_OPTION',
      `revocationBoundMs must be a number of ms >= 0, not ${bound}`,
      'e.g. 3000',
    );
  }
  const results: ProbeResults = {};
  const errors: ProbeError[] = [];
  for (const probe of PROBES) {
    if (!probe.appliesTo(context.strategy)) continue;
    if (context.signal?.aborted) break;
    const budgetMs = probe.budgetMs(context);
    const deadline = AbortSignal.timeout(budgetMs);
    const signal = context.signal ? AbortSignal.any([context.signal, deadline]) : deadline;
    try {
      const value = await bounded(probe, { ...context, signal });
      Object.assign(results, { [probe.name]: value });
    } catch (error) {
      errors.push({ probe: probe.name, ...failure(error, context.signal, deadline, budgetMs) });
    }
  }
  if (errors.length > 0) results.probeErrors = errors;
  return results;
}

/**
 * The probe's result, or a rejection as soon as its signal aborts: a probe
 * whose work does not follow the signal everywhere (a jcmd, a batch of
 * logins) cannot hold the run past its budget. Such leftover work ends on
 * its own bounds; its late outcome is dropped.
 */
function bounded(probe: AnyProbe, context: ProbeRunContext): Promise<unknown> {
  const { signal } = context;
  const running = probe.run(context);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      running.catch(() => {});
      reject(signal.reason as Error);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    running.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function failure(
  error: unknown,
  interrupted: AbortSignal | undefined,
  deadline: AbortSignal,
  budgetMs: number,
): Omit<ProbeError, 'probe'> {
  if (interrupted?.aborted) return { code: 'PROBE_ABORTED', message: 'the run was interrupted' };
  if (deadline.aborted) {
    return { code: 'PROBE_TIMEOUT', message: `did not finish within ${budgetMs} ms` };
  }
  if (error instanceof LabError) return { code: error.code, message: error.message };
  return { code: 'PROBE_FAILED', message: error instanceof Error ? error.message : String(error) };
}
