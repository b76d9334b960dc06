// Where a run reads the nodes' states (up, down, draining, disabled) while
// the load runs: from the balancer the client traffic crosses. Through the
// lab balancer, its admin API; through HAProxy, HAProxy's own runtime API,
// not the lab balancer beside it: that one carries no client traffic then,
// so it ejects a dead node only by its active checks, while HAProxy also
// ejects on the errors of the traffic (`observe layer4`), often sooner.
import type { NodeView } from '../chaos/balancer-view.ts';
import { readServerStates } from '../services/haproxy-server-states.ts';
import { balancerAdmin } from '../topology/admin-client.ts';
import type { LabState } from '../topology/state.ts';

export interface NodeStateSource {
  /** The balancer whose view this is (summary.json `nodeStatesFrom`). */
  readonly from: 'lab' | 'haproxy';
  /** What is read, for a warning: "HAProxy's runtime API (/run/.../haproxy.sock)". */
  readonly what: string;
  /** Every node's view now; rejects when the balancer does not answer or answers nonsense. */
  read(): Promise<NodeView[]>;
}

/** The source for `state`: HAProxy's runtime API when the load goes through HAProxy, else the lab balancer's admin API. */
export function nodeStateSource(state: LabState): NodeStateSource {
  const haproxy = state.haproxy;
  if (!haproxy) {
    const { adminUrl, adminToken } = state.balancer;
    return {
      from: 'lab',
      what: `the lab balancer's admin API (${adminUrl})`,
      read: () => balancerAdmin<NodeView[]>(adminUrl, adminToken, 'GET', '/nodes'),
    };
  }
  return {
    from: 'haproxy',
    what: `HAProxy's runtime API (${haproxy.socket})`,
    read: async () => {
      const servers = await readServerStates(haproxy.socket);
      // HAProxy reports states only: no per-node counters or slow-start weight here.
      return servers.map(({ id, state: nodeState }) => ({
        id,
        url: state.nodes.find((node) => node.id === id)?.url ?? '',
        state: nodeState,
      }));
    },
  };
}
