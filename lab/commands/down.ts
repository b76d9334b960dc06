import { stopEngineTopology } from '../engine/engine-topology.ts';
import { clearState, readState } from '../topology/state.ts';
import { stopServices } from '../strategy/services.ts';
import { stopTopology } from '../topology/topology.ts';

/** Stops everything `lab up` started and forgets it. */
export async function down(stateDir: string, print: (line: string) => void): Promise<void> {
  const state = await readState(stateDir);
  if (!state) {
    print('nothing is running');
    return;
  }
  if (state.engine) {
    // Containers: `compose down` removes every one, stores included.
    await stopEngineTopology(state);
    await clearState(stateDir);
    print(
      `removed the containers of ${state.engine.project.name}: balancer, ${state.nodes.length} node(s), stores`,
    );
    return;
  }
  await stopTopology(state);
  await stopServices(state);
  await clearState(stateDir);
  print(`stopped the balancer, ${state.nodes.length} node(s) and their stores`);
}
