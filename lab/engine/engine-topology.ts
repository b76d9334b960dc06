// Starting and stopping a topology on an engine other than local processes,
// for `lab up --engine docker` and each strategy of `lab run --engine docker`.
import { stopService, type ProcessState } from '../process/supervisor.ts';
import { recordedServices, type LabState } from '../topology/state.ts';
import { DockerEngine } from './docker-engine.ts';
import { CONTAINER_COMMAND, engineState } from './engine-state.ts';

export interface EngineTopologyOptions {
  nodes: number;
  /** Start the Hazelcast members too (the strategy is, or will be switched to, clustered). */
  hazelcast: boolean;
  /** The daemon outlives the command (`lab up`); a run keeps it attached and stops it. */
  detached: boolean;
}

/**
 * Starts docker-compose.yml on the lab's engine with the nodes on sticky (as
 * the process engine starts them; another strategy is a live switch) and
 * returns its state. If the state cannot be built, the topology is stopped.
 */
export async function startEngineTopology(options: EngineTopologyOptions): Promise<LabState> {
  const engine = new DockerEngine({ detached: options.detached });
  const addresses = await engine.start({
    nodes: options.nodes,
    strategy: 'sticky',
    hazelcast: options.hazelcast,
  });
  try {
    return await engineState(engine, addresses);
  } catch (error) {
    await engine.stop();
    throw error;
  }
}

/**
 * Removes every container of the topology, then the daemon if the engine
 * started it, and stops any store a later live switch started as a local
 * process beside the containers (Hazelcast members on a topology started
 * without them).
 */
export async function stopEngineTopology(state: LabState): Promise<void> {
  if (!state.engine) return;
  try {
    await new DockerEngine({ detached: false, record: state.engine }).stop();
  } finally {
    const local = recordedServices(state).filter(
      (entry) => entry.spec.command !== CONTAINER_COMMAND,
    );
    await Promise.all(local.map((entry) => stopService(entry.pid, entry.spec, 3000)));
  }
}

/** Each member's state as the engine sees it (a paused container still looks alive in /proc). */
export async function engineMemberStates(state: LabState): Promise<Map<string, ProcessState>> {
  if (!state.engine) return new Map();
  const members = await new DockerEngine({ detached: false, record: state.engine }).members();
  return new Map(members.map((member) => [member.id, member.state]));
}
