// The seam between the lab and where a topology runs. The process engine
// (lab/topology.ts, lab/strategy-services.ts) spawns local processes; the
// docker engine (docker-engine.ts) runs docker-compose.yml; a Kubernetes
// engine would be one more implementation (nodes as a Deployment, stores as
// StatefulSets, chaos on pods). Everything past start-up talks to the
// topology by address: strategy switches through the admin APIs, faults
// through Toxiproxy's API, load through the balancer. Only the life cycle
// and the chaos on members go through an engine.

/** `process` is the default; `docker` runs the same topology as containers. */
export type EngineName = 'process' | 'docker';
export const ENGINE_NAMES: readonly EngineName[] = ['process', 'docker'];

/**
 * What chaos can do to one member of a topology (`node-2`, `redis`, `hz-1`,
 * `toxiproxy`): kill (no goodbye), stop (graceful), pause and resume (frozen,
 * connections kept open), start (a stopped or killed one, waiting until it is
 * healthy).
 */
export type MemberAction = 'kill' | 'stop' | 'pause' | 'resume' | 'start';

/** A member's state as the engine sees it. */
export type MemberState = 'running' | 'paused' | 'dead';

/** Where the parts of a started topology answer, all on 127.0.0.1. */
export interface TopologyAddresses {
  balancer: { url: string; adminUrl: string; adminToken: string };
  nodeAdminToken: string;
  nodes: { id: string; url: string }[];
  /** `redis://127.0.0.1:P` for Redis, `127.0.0.1:P` for Hazelcast members. */
  stores: { id: string; address: string }[];
  /** Toxiproxy's API and its node → store links, named as `lab net` names them. */
  toxiproxy?: {
    apiUrl: string;
    links: { name: string; node: string; store: string; listen: string; upstream: string }[];
  };
  hazelcastClusterName?: string;
}

export interface EngineStartOptions {
  nodes: number;
  /** The strategy the nodes start on (`sticky`, `redis:lww`, ...); others are live switches. */
  strategy: string;
  /** Start the Hazelcast members too (the clustered strategy, or a run that will switch to it). */
  hazelcast: boolean;
}

/**
 * One topology on one engine. `start` resolves once every member is healthy;
 * `members` reports each member's state and the host pid the lab samples
 * (CPU, memory) for it; `act` is the chaos primitive; `stop` leaves nothing
 * of the topology behind.
 */
export interface Engine {
  readonly name: EngineName;
  start(options: EngineStartOptions): Promise<TopologyAddresses>;
  members(): Promise<{ id: string; state: MemberState; pid: number | undefined }[]>;
  act(member: string, action: MemberAction): Promise<void>;
  stop(): Promise<void>;
  /** What another lab command needs to find this topology again (kept in the lab's state). */
  record(): unknown;
}
