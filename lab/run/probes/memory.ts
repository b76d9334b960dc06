import { LabError } from '../../errors.ts';
import { nodeStrategyConfig } from '../../strategy/config.ts';
import { profileOf } from '../../strategy/choice.ts';
import type { ProbeResults } from '../../../report/summary-schema.ts';
import { measureMemory, type MemoryResult } from './memory-growth.ts';
import { inspectorUrl } from './node-heap.ts';
import type { Probe, ProbeRunContext } from './probe.ts';
import { expectStatus, ProbeClient, probeUser } from './probe-client.ts';

const SESSIONS = 1000;
/** More failed logins than this and the figure is not per 1,000 sessions any more. */
const MAX_FAILED_SHARE = 0.01;

type Figure = NonNullable<ProbeResults['memoryPerThousandSessions']>;

const kib = (bytes: number) => Math.round(bytes / 1024);

/** Logs in SESSIONS new users through the balancer and reads memory before and after (memory-growth.ts). */
async function measured(context: ProbeRunContext, sessions = SESSIONS): Promise<MemoryResult> {
  const result = await measureMemory(context.state, context.strategy, sessions);
  if (result.loginFailures > sessions * MAX_FAILED_SHARE) {
    throw new LabError(
      'PROBE_LOGINS_FAILED',
      `${result.loginFailures} of ${sessions} logins failed; memory per session would be wrong`,
    );
  }
  return result;
}

async function inStore(
  context: ProbeRunContext,
  where: string,
  sessions?: number,
): Promise<Figure> {
  const result = await measured(context, sessions);
  if (!result.store) throw new LabError('PROBE_NO_STORE', `could not read ${where}`);
  const figure = kib(result.store.per1000);
  // Sessions cannot take no memory: a reading that says so is noise, not a figure.
  if (figure <= 0) {
    throw new LabError(
      'PROBE_NOISY',
      `${where} grew by ${figure} KiB per 1,000 sessions over ${result.sessions}: below the noise of the reading`,
      'npm run bench:strategies -- --sessions 5000 measures with more sessions',
    );
  }
  return { kib: figure, where, sessions: result.sessions };
}

/**
 * The cookie strategy keeps nothing on the server. Checked, not assumed: no
 * node is configured with a store, and a cookie issued by one node is served
 * by another that never saw the session.
 */
async function cookieHoldsNothing({ state, strategy, signal }: ProbeRunContext): Promise<Figure> {
  const stores = state.nodes.filter((_, index) => {
    const config = nodeStrategyConfig(state, strategy, index);
    return 'redis' in config || 'hazelcast' in config;
  });
  if (stores.length > 0 || state.nodes.length < 2) {
    throw new LabError(
      'PROBE_UNMEASURABLE',
      'cannot show that cookie sessions live in the client alone (a store is configured, or fewer than two nodes)',
    );
  }
  const [a, b] = [state.nodes[0]!, state.nodes[1]!];
  const client = new ProbeClient(a.url, signal);
  await client.login(probeUser('memory'));
  expectStatus(
    await client.copy(b.url).request('GET', '/me', { keepCookies: false }),
    200,
    `GET /me on ${b.id} with a cookie issued by ${a.id}`,
  );
  return {
    kib: 0,
    where: 'none server-side',
    sessions: 1,
    note: `no store configured; a cookie issued by ${a.id} is served by ${b.id}: the session is in the cookie`,
  };
}

/**
 * Sticky sessions live in the nodes' heaps. Only a heap reading after a
 * full GC is honest: RSS and heap-used without a GC moved by anything from
 * -7 to +33 MiB per 1,000 logins in trials, garbage swamping sessions of a
 * few hundred bytes. That reading needs the node's inspector, which the lab
 * opens only when a node was started with --inspect (bench/strategies does).
 */
async function nodeHeap(context: ProbeRunContext): Promise<Figure> {
  const { nodes } = context.state;
  const inspectors = await Promise.all(nodes.map((node) => inspectorUrl(node.spec.logFile)));
  if (inspectors.some((url) => url === undefined)) {
    throw new LabError(
      'PROBE_UNMEASURABLE',
      'node heap after GC needs each node started with --inspect; RSS or heap without a GC is noise at this size',
    );
  }
  const result = await measured(context);
  if (result.nodesHeapPer1000 === null) {
    throw new LabError(
      'PROBE_UNMEASURABLE',
      "could not read the nodes' heap through their inspectors",
    );
  }
  if (kib(result.nodesHeapPer1000) <= 0) {
    throw new LabError(
      'PROBE_NOISY',
      `the nodes' heap grew by ${kib(result.nodesHeapPer1000)} KiB per 1,000 sessions: below the noise of the reading`,
    );
  }
  return {
    kib: kib(result.nodesHeapPer1000),
    where: `node heap after GC, summed over ${nodes.length} nodes`,
    sessions: result.sessions,
  };
}

/** Reads the place the strategy's profile says its sessions live. */
function measure(context: ProbeRunContext): Promise<Figure> {
  const memory = profileOf(context.strategy).memory;
  switch (memory.kind) {
    case 'store':
      return inStore(context, memory.where(context.state), memory.sessions);
    case 'node-heap':
      return nodeHeap(context);
    case 'none':
      return cookieHoldsNothing(context);
  }
}

/**
 * C4/C9: memory growth per 1,000 new live sessions where the strategy keeps
 * them: Redis used_memory (redis; jwt's refresh-token families), the
 * Hazelcast members' live heap (clustered), the nodes' heap after GC
 * (sticky; only when the nodes have an inspector), nothing server-side
 * (cookie, checked).
 */
export const memoryProbe: Probe<'memoryPerThousandSessions'> = {
  name: 'memoryPerThousandSessions',
  claims: 'C4/C9',
  appliesTo: () => true,
  budgetMs: (context) => profileOf(context.strategy).memoryBudgetMs,
  run: measure,
};
