// The balancer's view of one node, through its admin API: what the node
// target reports after a (re)start and what drain/disable/enable change.
import { balancerAdmin, type BalancerNodeView } from '../topology/admin-client.ts';
import { LabError } from '../errors.ts';
import type { LabState } from '../topology/state.ts';
import type { ChaosContext } from './action.ts';
import { waitUntil } from './process.ts';
import { assertLoopbackHost } from '../loopback.ts';
import { setServerState } from '../services/haproxy-runtime.ts';

/** Slow start as the admin API reports it (absent from balancers older than slow start). */
export interface NodeView extends BalancerNodeView {
  weight?: number;
  slowStartRemainingMs?: number;
}

/** The balancer's view of node `id`; throws BALANCER_UNREACHABLE when it does not answer. */
export async function balancerView(state: LabState, id: string): Promise<NodeView> {
  const { adminUrl, adminToken } = state.balancer;
  const views = await balancerAdmin<NodeView[]>(adminUrl, adminToken, 'GET', '/nodes');
  const view = views.find((candidate) => candidate.id === id);
  if (!view) {
    throw new LabError(
      'UNKNOWN_NODE',
      `the balancer does not know node "${id}"`,
      'the state file and the balancer disagree: `lab down`, then `lab up`',
    );
  }
  return view;
}

/** `up, weight 0.1 (slow start, 4.9 s left)` or just the state. */
export function describeView(view: NodeView): string {
  const remaining = view.slowStartRemainingMs ?? 0;
  if (remaining <= 0 || view.weight === undefined) return view.state;
  return `${view.state}, weight ${view.weight} (slow start, ${(remaining / 1000).toFixed(1)} s left)`;
}

/**
 * Waits until the balancer shows node `id` in one of `states`. Resolves to its
 * view, or to the reason it could not (the balancer does not answer, or time
 * ran out): the caller reports that instead of failing, as the node is fine.
 */
export async function awaitBalancerState(
  context: ChaosContext,
  id: string,
  states: readonly string[],
  timeoutMs: number,
): Promise<NodeView | string> {
  try {
    await balancerView(context.state, id);
  } catch (error) {
    return (error as Error).message;
  }
  try {
    return await waitUntil(
      context,
      async () => {
        const view = await balancerView(context.state, id);
        return states.includes(view.state) ? view : false;
      },
      { timeoutMs, what: `the balancer to show ${id} ${states.join(' or ')}`, intervalMs: 100 },
    );
  } catch (error) {
    if (error instanceof LabError && error.code === 'INTERRUPTED') throw error;
    return `the balancer did not show it ${states.join(' or ')} within ${timeoutMs} ms`;
  }
}

/** What a drain, disable or enable changed in the balancer. */
export interface ModeChange {
  before: NodeView;
  after: NodeView;
  /** The balancer's routing policy (sticky, round-robin, ...). */
  policy: string;
  /** The runtime API command HAProxy took too, when a run measures through it. */
  haproxyCommand?: string;
}

/** `; HAProxy: set server nodes/node-1 state drain` when the action went through HAProxy too. */
export function haproxyNote(change: ModeChange): string {
  return change.haproxyCommand ? `; HAProxy: ${change.haproxyCommand}` : '';
}

/** Asks the balancer to drain, disable or enable node `id`, through its admin API. */
export async function changeMode(
  context: ChaosContext,
  id: string,
  verb: 'drain' | 'disable' | 'enable',
): Promise<ModeChange> {
  const { adminUrl, adminToken } = context.state.balancer;
  assertLoopbackHost('the balancer', new URL(adminUrl).hostname);
  const before = await balancerView(context.state, id);
  const after = await balancerAdmin<NodeView>(adminUrl, adminToken, 'POST', `/nodes/${id}/${verb}`);
  const { policy } = await balancerAdmin<{ policy: string }>(
    adminUrl,
    adminToken,
    'GET',
    '/policy',
  );
  // A run through HAProxy: the same admin state there, through its runtime API (the lab
  // balancer, which carries no client traffic then, keeps its view for the sampler).
  const haproxy = context.state.haproxy;
  if (haproxy) {
    const haproxyCommand = await setServerState(haproxy.socket, id, verb);
    return { before, after, policy, haproxyCommand };
  }
  return { before, after, policy };
}
