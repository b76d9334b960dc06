import { balancerAdmin, nodeAdmin, type BalancerNodeView } from '../topology/admin-client.ts';
import { processState, type ProcessState } from '../process/supervisor.ts';
import { recordedServices, requireState } from '../topology/state.ts';

/** The shape of `lab status --json`; scripts rely on it (the README, "The `lab` CLI"). */
export interface StatusReport {
  strategy: string;
  variant?: string;
  /** Servers the strategies use (redis-server, Hazelcast members) and their process state. */
  services: { id: string; address: string; pid: number; state: ProcessState }[];
  balancer: { url: string; adminUrl: string; pid: number; state: ProcessState; policy?: string };
  nodes: {
    id: string;
    url: string;
    pid: number;
    /** Process state: running, paused (SIGSTOP) or dead. */
    state: ProcessState;
    /** The balancer's view: up, down, draining, disabled (absent if it does not answer). */
    health?: string;
    /** The balancer's routing weight, below 1 during slow start. */
    weight?: number;
    sessions?: number;
  }[];
}

async function nodeSessions(url: string, token: string): Promise<number | undefined> {
  try {
    const answer = await nodeAdmin(url, token, 'GET', '/admin/status', { timeoutMs: 1000 });
    // null when the strategy cannot count (cookie) or its store is down.
    const sessions = (answer.body as { sessions?: number | null } | undefined)?.sessions;
    return answer.ok && typeof sessions === 'number' ? sessions : undefined;
  } catch {
    return undefined; // paused or dead: the process state says which
  }
}

export async function collectStatus(stateDir: string): Promise<StatusReport> {
  const state = await requireState(stateDir);
  const balancerState = await processState(state.balancer.pid);
  let views: BalancerNodeView[] = [];
  let policy: string | undefined;
  if (balancerState === 'running') {
    const { adminUrl, adminToken } = state.balancer;
    try {
      views = await balancerAdmin<BalancerNodeView[]>(adminUrl, adminToken, 'GET', '/nodes');
      policy = (await balancerAdmin<{ policy: string }>(adminUrl, adminToken, 'GET', '/policy'))
        .policy;
    } catch {
      views = [];
    }
  }
  const nodes = await Promise.all(
    state.nodes.map(async (node) => {
      const processNow = await processState(node.pid);
      const sessions =
        processNow === 'running' ? await nodeSessions(node.url, state.nodeAdminToken) : undefined;
      const view = views.find((candidate) => candidate.id === node.id);
      const health = view?.state;
      // Below 1 while the balancer ramps a readmitted node up (slow start).
      const weight = typeof view?.weight === 'number' ? view.weight : undefined;
      return {
        id: node.id,
        url: node.url,
        pid: node.pid,
        state: processNow,
        health,
        weight,
        sessions,
      };
    }),
  );
  const services = await Promise.all(
    recordedServices(state).map(async ({ id, address, pid }) => ({
      id,
      address,
      pid,
      state: await processState(pid),
    })),
  );
  return {
    strategy: state.strategy,
    variant: state.variant,
    services,
    balancer: {
      url: state.balancer.url,
      adminUrl: state.balancer.adminUrl,
      pid: state.balancer.pid,
      state: balancerState,
      policy,
    },
    nodes,
  };
}

export async function status(
  stateDir: string,
  json: boolean,
  print: (line: string) => void,
): Promise<void> {
  const report = await collectStatus(stateDir);
  if (json) {
    print(JSON.stringify(report, null, 2));
    return;
  }
  const { balancer } = report;
  print(`strategy  ${report.variant ? `${report.strategy} (${report.variant})` : report.strategy}`);
  print(
    `balancer  ${balancer.url}  ${balancer.state}  policy=${balancer.policy ?? '?'}  (admin ${balancer.adminUrl}, pid ${balancer.pid})`,
  );
  for (const node of report.nodes) {
    const sessions = node.sessions === undefined ? '-' : String(node.sessions);
    print(
      `${node.id.padEnd(9)} ${node.url}  process=${node.state.padEnd(7)} balancer=${(node.health ?? '?').padEnd(8)}${weightText(node.weight)} sessions=${sessions}  (pid ${node.pid})`,
    );
  }
  for (const service of report.services) {
    print(
      `${service.id.padEnd(9)} ${service.address}  process=${service.state}  (pid ${service.pid})`,
    );
  }
}

/** Shown only while the balancer ramps a node up again (slow start). */
function weightText(weight: number | undefined): string {
  return weight !== undefined && weight < 1 ? ` weight=${weight.toFixed(2)}` : '';
}
