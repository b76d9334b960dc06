// A topology an engine started, as the lab's state (lab/topology/state.ts):
// the same addresses and tokens the process engine records, with each
// member's host pid, so everything that goes by address (strategy switches,
// `lab net`, load) or by pid (sampling /proc, process state) works
// unchanged. Chaos and `lab down` see `state.engine` and go through the
// engine instead of signals.
import { LabError } from '../errors.ts';
import type { ServiceSpec } from '../process/supervisor.ts';
import { linkName, type LinkEntry } from '../network/links.ts';
import type { LabState, NodeEntry, ServiceEntry } from '../topology/state.ts';
import type { DockerEngine } from './docker-engine.ts';
import type { TopologyAddresses } from './engine.ts';

/** The `command` of a member that is a container, not a process the lab started. */
export const CONTAINER_COMMAND = 'docker';

/**
 * What a container member records where a process records how it was
 * started: nothing the lab runs itself; its log is `docker logs`.
 */
function containerSpec(engine: DockerEngine, id: string): ServiceSpec {
  const container = engine.containerOf(id);
  return {
    name: id,
    command: CONTAINER_COMMAND,
    args: [container],
    env: {},
    logFile: `docker logs ${container}`,
  };
}

/**
 * The state of a topology `engine` has just started: every member running
 * with a host pid (a member without one fails: sampling would miss it).
 * The strategy is the one the nodes started on (`sticky`); any other is a
 * live switch afterwards, as with local processes.
 */
export async function engineState(
  engine: DockerEngine,
  addresses: TopologyAddresses,
): Promise<LabState> {
  const members = await engine.members();
  const pidOf = (id: string): number => {
    const member = members.find((entry) => entry.id === id);
    if (member?.state !== 'running' || member.pid === undefined) {
      throw new LabError(
        'ENGINE_MEMBER',
        `container member ${id} is ${member?.state ?? 'missing'} right after start-up`,
        `see \`docker logs ${engine.containerOf(id)}\``,
      );
    }
    return member.pid;
  };
  const entry = (id: string, address: string): ServiceEntry => ({
    id,
    address,
    pid: pidOf(id),
    spec: containerSpec(engine, id),
  });
  const nodes: NodeEntry[] = addresses.nodes.map(({ id, url }) => ({
    id,
    url,
    pid: pidOf(id),
    spec: containerSpec(engine, id),
  }));
  const redis = addresses.stores.find((store) => store.id === 'redis');
  const hazelcast = addresses.stores.filter((store) => store.id.startsWith('hz-'));
  const toxiproxy = addresses.toxiproxy;
  const storeKind = (store: string): LinkEntry['storeKind'] =>
    store === 'redis' ? 'redis' : 'hazelcast';
  // Only links to members that run: without the hazelcast profile there are none.
  const links: LinkEntry[] = (toxiproxy?.links ?? [])
    .filter((link) => link.store === 'redis' || hazelcast.some((m) => m.id === link.store))
    .map((link) => ({
      ...link,
      name: linkName(link.node, link.store),
      storeKind: storeKind(link.store),
    }));
  return {
    version: 1,
    startedAt: new Date().toISOString(),
    strategy: 'sticky',
    balancer: {
      ...addresses.balancer,
      pid: pidOf('balancer'),
      spec: containerSpec(engine, 'balancer'),
    },
    nodeAdminToken: addresses.nodeAdminToken,
    nodes,
    services: {
      ...(redis
        ? {
            redis: {
              ...entry('redis', redis.address),
              persistence: 'none' as const,
              noPassword: true as const,
            },
          }
        : {}),
      ...(hazelcast.length > 0 && addresses.hazelcastClusterName
        ? {
            hazelcast: {
              clusterName: addresses.hazelcastClusterName,
              members: hazelcast.map((member) => entry(member.id, member.address)),
            },
          }
        : {}),
      ...(toxiproxy ? { toxiproxy: { ...entry('toxiproxy', toxiproxy.apiUrl), links } } : {}),
    },
    engine: engine.record(),
  };
}

/** After a member's start: its new host pid, recorded where sampling reads it. */
export async function refreshPids(engine: DockerEngine, state: LabState): Promise<void> {
  const members = await engine.members();
  const balancer = members.find((member) => member.id === 'balancer')?.pid;
  if (balancer !== undefined) state.balancer.pid = balancer;
  const entries: { id: string; pid: number }[] = [
    ...state.nodes,
    ...(state.services?.redis ? [state.services.redis] : []),
    ...(state.services?.hazelcast?.members ?? []),
    ...(state.services?.toxiproxy ? [state.services.toxiproxy] : []),
  ];
  for (const entry of entries) {
    const pid = members.find((member) => member.id === entry.id)?.pid;
    if (pid !== undefined) entry.pid = pid;
  }
}
