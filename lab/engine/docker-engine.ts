import { randomBytes } from 'node:crypto';
import { LabError } from '../errors.ts';
import { docker } from './docker/cli.ts';
import {
  COMPOSE_NODES,
  composeDown,
  composeUp,
  containerName,
  planProject,
  type ComposeProject,
} from './docker/compose-project.ts';
import { inspectContainers, waitHealthy } from './docker/containers.ts';
import { ensureDaemon, stopDaemon, type DockerDaemon } from './docker/daemon.ts';
import { ensureImages } from './docker/images.ts';
import type {
  Engine,
  EngineStartOptions,
  MemberAction,
  MemberState,
  TopologyAddresses,
} from './engine.ts';

/** What `lab up --engine docker` records so `lab status`, chaos and `lab down` find the project. */
export interface DockerEngineRecord {
  engine: 'docker';
  project: ComposeProject;
  daemon: DockerDaemon;
}

const loopback = (port: number) => `127.0.0.1:${port}`;

/**
 * The topology of docker-compose.yml on the lab's engine: one compose project
 * per topology (its own name, free ports, fresh tokens), started with
 * `compose up --wait`, chaos through `docker kill|stop|pause|unpause|start`
 * on its containers, `compose down` at the end. The daemon this engine
 * started (none was running) is stopped with the topology.
 */
export class DockerEngine implements Engine {
  readonly name = 'docker';
  readonly #detached: boolean;
  #daemon: DockerDaemon | undefined;
  #project: ComposeProject | undefined;

  /** `detached`: the daemon outlives this command (`lab up`); a run or a test keeps it attached. */
  constructor(options: { detached: boolean; record?: DockerEngineRecord }) {
    this.#detached = options.detached;
    this.#daemon = options.record?.daemon;
    this.#project = options.record?.project;
  }

  record(): DockerEngineRecord {
    return { engine: 'docker', project: this.#running().project, daemon: this.#running().daemon };
  }

  async start(options: EngineStartOptions): Promise<TopologyAddresses> {
    if (this.#project) throw new LabError('ALREADY_UP', 'this engine already runs a topology');
    if (options.nodes !== COMPOSE_NODES) {
      throw new LabError(
        'ENGINE_NODES',
        `docker-compose.yml declares ${COMPOSE_NODES} nodes, not ${options.nodes}`,
        `use --nodes ${COMPOSE_NODES} with --engine docker`,
      );
    }
    this.#daemon ??= await ensureDaemon({ detached: this.#detached });
    const project = await planProject({
      name: `lab-${randomBytes(4).toString('hex')}`,
      strategy: options.strategy,
      hazelcast: options.hazelcast,
    });
    try {
      await ensureImages(this.#daemon, { hazelcast: options.hazelcast });
      this.#project = project;
      await composeUp(this.#daemon, project);
    } catch (error) {
      await this.stop();
      throw error;
    }
    return addresses(project);
  }

  async members(): Promise<{ id: string; state: MemberState; pid: number | undefined }[]> {
    const { daemon, project } = this.#running();
    const ids = memberIds(project);
    const views = await inspectContainers(
      daemon,
      ids.map((id) => containerName(project, id)),
    );
    return ids.map((id, index) => {
      const view = views[index]!;
      return { id, state: view.state, pid: view.pid > 0 ? view.pid : undefined };
    });
  }

  async act(member: string, action: MemberAction): Promise<void> {
    const { daemon, project } = this.#running();
    const known = memberIds(project);
    if (!known.includes(member)) {
      throw new LabError('UNKNOWN_TARGET', `no member "${member}"`, `members: ${known.join(', ')}`);
    }
    const container = containerName(project, member);
    const command = {
      kill: 'kill',
      stop: 'stop',
      pause: 'pause',
      resume: 'unpause',
      start: 'start',
    };
    await docker(daemon, [command[action], container]);
    if (action === 'start') await waitHealthy(daemon, container);
  }

  /** Removes every container of the project, then stops the daemon if this engine started it. */
  async stop(): Promise<void> {
    const daemon = this.#daemon;
    if (!daemon) return;
    try {
      if (this.#project) await composeDown(daemon, this.#project);
      this.#project = undefined;
    } finally {
      if (daemon.startedHere) {
        await stopDaemon(daemon);
        this.#daemon = undefined;
      }
    }
  }

  #running(): { daemon: DockerDaemon; project: ComposeProject } {
    if (!this.#daemon || !this.#project) {
      throw new LabError('NOT_UP', 'no container topology is running', 'start one first');
    }
    return { daemon: this.#daemon, project: this.#project };
  }
}

/** The services of the project, as chaos targets: the names the process engine uses. */
function memberIds(project: ComposeProject): string[] {
  const nodes = project.ports.nodes.map((_, index) => `node-${index + 1}`);
  const members = project.hazelcast ? project.ports.members.map((_, i) => `hz-${i + 1}`) : [];
  return ['balancer', ...nodes, 'redis', 'toxiproxy', ...members];
}

function addresses(project: ComposeProject): TopologyAddresses {
  const { ports } = project;
  const nodeIds = ports.nodes.map((_, index) => `node-${index + 1}`);
  const links = nodeIds.flatMap((node, index) => [
    {
      name: `${node}->redis`,
      node,
      store: 'redis',
      listen: loopback(ports.redisLinks[index]!),
      upstream: loopback(ports.redis),
    },
    {
      name: `${node}->hz-${index + 1}`,
      node,
      store: `hz-${index + 1}`,
      listen: loopback(ports.memberLinks[index]!),
      upstream: loopback(ports.members[index]!),
    },
  ]);
  const members = project.hazelcast
    ? ports.members.map((port, index) => ({ id: `hz-${index + 1}`, address: loopback(port) }))
    : [];
  return {
    balancer: {
      url: `http://${loopback(ports.balancer)}`,
      adminUrl: `http://${loopback(ports.admin)}`,
      adminToken: project.adminToken,
    },
    nodeAdminToken: project.nodeAdminToken,
    nodes: nodeIds.map((id, index) => ({ id, url: `http://${loopback(ports.nodes[index]!)}` })),
    stores: [{ id: 'redis', address: `redis://${loopback(ports.redis)}` }, ...members],
    toxiproxy: { apiUrl: `http://${loopback(ports.toxiproxy)}`, links },
    ...(project.hazelcast ? { hazelcastClusterName: project.name } : {}),
  };
}
