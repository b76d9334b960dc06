import { percentile } from '../../../loadgen/samples.ts';
import { LabError } from '../../errors.ts';
import type { LabState, NodeEntry } from '../../topology/state.ts';
import type { Probe } from './probe.ts';
import { expectStatus, ProbeClient, probeUser } from './probe-client.ts';

const SAMPLES = 20;
/** A write not seen on the other node after this long counts as missing. */
const SAMPLE_BOUND_MS = 2000;

/** The first two nodes that answer /healthz: a killed node must not pass for a slow replica. */
async function twoLiveNodes(state: LabState, signal: AbortSignal): Promise<[NodeEntry, NodeEntry]> {
  const live: NodeEntry[] = [];
  for (const node of state.nodes) {
    const answer = await fetch(`${node.url}/healthz`, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(1000)]),
    }).catch(() => undefined);
    await answer?.body?.cancel();
    if (answer?.ok) live.push(node);
    if (live.length === 2) return [live[0]!, live[1]!];
  }
  throw new LabError(
    'PROBE_NEEDS_TWO_NODES',
    `only ${live.length} node(s) answer /healthz; replication lag needs two`,
  );
}

/**
 * Reads GET /cart back to back until it shows at least `version` (any cart
 * when omitted) and returns it, or undefined after `boundMs`. A 401 is a
 * session the node does not know yet; any other refusal fails the probe.
 */
async function readVersion(
  reader: ProbeClient,
  boundMs: number,
  version = 0,
): Promise<number | undefined> {
  const started = performance.now();
  while (performance.now() - started < boundMs) {
    const read = await reader.request('GET', '/cart', { keepCookies: false });
    if (read.status === 401) continue;
    const seen = (
      expectStatus(read, 200, `GET /cart on ${reader.baseUrl}`).body as { version: number }
    ).version;
    if (seen >= version) return seen;
  }
  return undefined;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * C7: one session (logged in through the balancer) writes its cart on node
 * A directly, then reads GET /cart on node B directly, back to back, until
 * B shows the new version. A sample is the time from A's answer to the
 * answer of B's first read that shows the write, so it includes one read's
 * round trip (about a millisecond on loopback): an upper bound on the lag.
 */
export const replicationLagProbe: Probe<'replicationLagMs'> = {
  name: 'replicationLagMs',
  claims: 'C7',
  appliesTo: (strategy) => strategy.name === 'redis' || strategy.name === 'clustered',
  budgetMs: () => 15_000,
  async run({ state, signal }) {
    const [a, b] = await twoLiveNodes(state, signal);
    // Logged in on A itself: A must hold the session before it is written there.
    const writer = new ProbeClient(a.url, signal);
    await writer.login(probeUser('replication'));
    const reader = writer.copy(b.url);
    // The session's own arrival on B is not an update's lag: wait for it first.
    if ((await readVersion(reader, SAMPLE_BOUND_MS)) === undefined) {
      throw new LabError(
        'PROBE_NOT_OBSERVED',
        `a session created on ${a.id} was unknown to ${b.id} after ${SAMPLE_BOUND_MS} ms`,
      );
    }
    const lags: number[] = [];
    let missing = 0;
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      const write = expectStatus(
        await writer.request('POST', '/cart/items', { json: { sku: `lag-${sample}`, qty: 1 } }),
        200,
        `POST /cart/items on ${a.id}`,
      );
      const written = (write.body as { version: number }).version;
      const writtenAt = performance.now();
      let seenAt: number | undefined;
      while (performance.now() - writtenAt < SAMPLE_BOUND_MS) {
        const read = expectStatus(
          await reader.request('GET', '/cart'),
          200,
          `GET /cart on ${b.id}`,
        );
        if ((read.body as { version: number }).version >= written) {
          seenAt = performance.now();
          break;
        }
      }
      if (seenAt === undefined) missing += 1;
      else lags.push(seenAt - writtenAt);
    }
    if (lags.length === 0) {
      throw new LabError(
        'PROBE_NOT_OBSERVED',
        `none of ${SAMPLES} writes on ${a.id} became visible on ${b.id} within ${SAMPLE_BOUND_MS} ms`,
      );
    }
    const sorted = Float64Array.from(lags).sort();
    return {
      p50: round(percentile(sorted, 0.5)),
      max: round(sorted.at(-1)!),
      samples: lags.length,
      missing,
    };
  },
};
