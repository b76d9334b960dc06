import { setTimeout as sleep } from 'node:timers/promises';
import { LabError } from '../errors.ts';
import { recordEvent } from '../topology/events.ts';
import type { NetworkFault } from './faults/index.ts';
import type { LinkEntry } from './links.ts';
import type { LinkControl } from './toxiproxy-client.ts';

export interface FaultRequest {
  fault: NetworkFault;
  /** What the user named (a link, a node or a store), for output and events. */
  target: string;
  links: readonly LinkEntry[];
  durationMs: number;
}

export interface FaultOutcome {
  /** `time`: it ran its duration; `interrupt`: the signal cut it short. */
  endedBy: 'time' | 'interrupt';
  tookMs: number;
}

const MAX_DURATION_MS = 3_600_000;

/**
 * Refuses a fault that would not do what it says. A Hazelcast client whose
 * connection ends dials the members again, trying the member list first
 * (hazelcast-client 5.7 ConnectionManager.tryConnectingToAddresses) with the
 * addresses the members announce, their own: it is connected around the
 * link and stays so (measured: with node-1->hz-1 down, node-1 served again
 * after ~100 ms, and a second `down` later did not touch it).
 * `down`, `reset_peer` and `timeout` would be a blip, not an outage, and would
 * leave the node off its link, so only faults that keep the connection
 * (latency, bandwidth) go on Hazelcast links.
 */
export function assertFaultApplies(fault: NetworkFault, links: readonly LinkEntry[]): void {
  const bypassed = links.filter((link) => link.storeKind === 'hazelcast');
  if (fault.breaksConnections && bypassed.length > 0) {
    throw new LabError(
      'FAULT_BYPASSED',
      `${fault.kind} cannot hold on ${bypassed.map((link) => link.name).join(', ')}: a Hazelcast client whose connection ends reconnects to the members directly, around the link`,
      'on Hazelcast links use latency or bandwidth; for an outage, kill or pause the member (`lab pause hz-1`)',
    );
  }
}

/**
 * Applies a fault to every link of the request, keeps it for `durationMs`
 * (or until `signal` aborts: Ctrl-C), then removes it from every link,
 * whatever happened in between, so a finished or interrupted run leaves no
 * fault behind. Applying is all or nothing. Records a `chaos`/`network` event
 * at start and at end. `onStarted` runs once the fault is in place.
 */
export async function runFault(
  stateDir: string,
  client: LinkControl,
  request: FaultRequest,
  options: { signal?: AbortSignal; onStarted?: () => void } = {},
): Promise<FaultOutcome> {
  const { fault, target, links, durationMs } = request;
  if (!Number.isInteger(durationMs) || durationMs < 1 || durationMs > MAX_DURATION_MS) {
    throw new LabError(
      'BAD_OPTION',
      `a fault lasts 1 ms to 1 hour, got ${durationMs} ms`,
      'e.g. --for 10 (seconds)',
    );
  }
  assertFaultApplies(fault, links);
  const names = links.map((link) => link.name);
  const event = {
    type: 'chaos',
    action: 'network',
    fault: fault.kind,
    target,
    links: names,
    durationMs,
    ...fault.params,
  };
  const applied: string[] = [];
  const started = performance.now();
  let endedBy: FaultOutcome['endedBy'] = 'time';
  try {
    for (const name of names) {
      await fault.apply(client, name);
      applied.push(name);
    }
    await recordEvent(stateDir, { ...event, phase: 'start' });
    options.onStarted?.();
    endedBy = await sleep(durationMs, 'time' as const, { signal: options.signal }).catch(
      (error: unknown) => {
        if (options.signal?.aborted) return 'interrupt' as const;
        throw error;
      },
    );
  } finally {
    await removeAll(client, fault, applied);
  }
  const tookMs = Math.round(performance.now() - started);
  await recordEvent(stateDir, { ...event, phase: 'end', endedBy, tookMs });
  return { endedBy, tookMs };
}

/** Removes the fault from every link; one that fails does not stop the others. */
async function removeAll(
  client: LinkControl,
  fault: NetworkFault,
  links: readonly string[],
): Promise<void> {
  const results = await Promise.allSettled(links.map((link) => fault.remove(client, link)));
  const failed = links.filter((_, index) => results[index]!.status === 'rejected');
  if (failed.length > 0) {
    const first = results.find((result) => result.status === 'rejected');
    const why = first?.reason instanceof Error ? first.reason.message : String(first?.reason);
    throw new LabError(
      'FAULT_NOT_REMOVED',
      `could not remove ${fault.kind} from ${failed.join(', ')}: ${why}`,
      'run `lab net clear`',
    );
  }
}
