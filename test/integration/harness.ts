import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { balancerAdmin, type BalancerNodeView } from '../../lab/topology/admin-client.ts';
import { processState } from '../../lab/process/supervisor.ts';
import type { LabState } from '../../lab/topology/state.ts';
import { stopServices } from '../../lab/strategy/services.ts';
import { startTopology, stopTopology } from '../../lab/topology/topology.ts';
import { waitFor } from '../../lab/process/wait.ts';

/** A topology of real processes for one describe(): its state folder and its state. */
export interface TestTopology {
  stateDir: string;
  state: LabState;
}

/**
 * Registers before/after hooks that start N real nodes and the balancer on
 * free ports (sticky), and stop them, and any store a switch started, after.
 * The after hook also checks that no node process is left.
 */
export function useTopology(nodes: number): TestTopology {
  const topology = {} as TestTopology;
  before(async () => {
    topology.stateDir = await mkdtemp(path.join(os.tmpdir(), 'lab-it-'));
    topology.state = await startTopology({
      stateDir: topology.stateDir,
      nodes,
      port: 0,
      adminPort: 0,
      detached: false,
    });
  });
  after(async () => {
    const { state, stateDir } = topology;
    if (state) {
      await stopTopology(state);
      await stopServices(state);
      const left = await Promise.all(state.nodes.map((node) => processState(node.pid)));
      assert.deepEqual(
        left,
        left.map(() => 'dead'),
        'every node process is gone after stop',
      );
    }
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });
  return topology;
}

/** Waits until the balancer reports node `id` in state `wanted` (up, down, ...). */
export async function waitNodeState(state: LabState, id: string, wanted: string): Promise<void> {
  const { adminUrl, adminToken } = state.balancer;
  await waitFor(
    async () =>
      (await balancerAdmin<BalancerNodeView[]>(adminUrl, adminToken, 'GET', '/nodes')).find(
        (node) => node.id === id,
      )?.state === wanted,
    { timeoutMs: 20000, what: `${id} to be ${wanted} in the balancer` },
  );
}
