import { randomBytes } from 'node:crypto';
import { freePort } from '../../process/ports.ts';
import { docker } from './cli.ts';
import { composeFileArgs } from './compose-file.ts';
import type { DockerDaemon } from './daemon.ts';

/** The nodes docker-compose.yml declares (node-1 … node-3), each with its own member. */
export const COMPOSE_NODES = 3;

/** Where the services of one compose project listen, all on 127.0.0.1. */
export interface ComposePorts {
  balancer: number;
  admin: number;
  nodes: number[];
  redis: number;
  toxiproxy: number;
  members: number[];
  /** Toxiproxy links node-i → redis and node-i → hz-i. */
  redisLinks: number[];
  memberLinks: number[];
}

/** One running (or planned) copy of docker-compose.yml: its name, ports, secrets. */
export interface ComposeProject {
  /** Compose project name: prefixes every container, so copies never collide. */
  name: string;
  /** LAB_STRATEGY at start-up, e.g. `sticky`, `redis`, `clustered:partitioned`. */
  strategy: string;
  /** The `hazelcast` profile: one member per node. */
  hazelcast: boolean;
  ports: ComposePorts;
  adminToken: string;
  nodeAdminToken: string;
  stickySecret: string;
  cookieSecret: string;
}

function secret(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

async function ports(count: number): Promise<number[]> {
  const found = new Set<number>();
  while (found.size < count) found.add(await freePort());
  return [...found];
}

/**
 * A project on free loopback ports with fresh tokens (the compose file's
 * defaults are for a person's `docker compose up`; the lab never uses them).
 */
export async function planProject(options: {
  name: string;
  strategy: string;
  hazelcast: boolean;
}): Promise<ComposeProject> {
  const n = COMPOSE_NODES;
  const all = await ports(4 + n * 4);
  const take = (count: number) => all.splice(0, count);
  const [balancer, admin, redis, toxiproxy] = take(4) as [number, number, number, number];
  return {
    ...options,
    ports: {
      balancer,
      admin,
      redis,
      toxiproxy,
      nodes: take(n),
      members: take(n),
      redisLinks: take(n),
      memberLinks: take(n),
    },
    adminToken: secret(24),
    nodeAdminToken: secret(24),
    stickySecret: secret(32),
    cookieSecret: secret(32),
  };
}

/** The variables docker-compose.yml reads, for this project. */
export function projectEnv(project: ComposeProject): Record<string, string> {
  const { ports } = project;
  const env: Record<string, string> = {
    LAB_STRATEGY: project.strategy,
    LAB_PORT: String(ports.balancer),
    LAB_ADMIN_PORT: String(ports.admin),
    LAB_ADMIN_TOKEN: project.adminToken,
    LAB_NODE_ADMIN_TOKEN: project.nodeAdminToken,
    LAB_STICKY_SECRET: project.stickySecret,
    LAB_COOKIE_SECRET: project.cookieSecret,
    LAB_REDIS_PORT: String(ports.redis),
    LAB_TOXIPROXY_PORT: String(ports.toxiproxy),
    LAB_HZ_CLUSTER_NAME: project.name,
  };
  for (let i = 1; i <= COMPOSE_NODES; i += 1) {
    env[`LAB_NODE_${i}_PORT`] = String(ports.nodes[i - 1]);
    env[`LAB_HZ_${i}_PORT`] = String(ports.members[i - 1]);
    env[`LAB_LINK_${i}_REDIS_PORT`] = String(ports.redisLinks[i - 1]);
    env[`LAB_LINK_${i}_HZ_PORT`] = String(ports.memberLinks[i - 1]);
  }
  return env;
}

/**
 * `docker compose up --wait`: every service of the project started and
 * healthy (health checks and depends_on in the file), images never pulled
 * nor built here (ensureImages built them).
 */
export async function composeUp(
  daemon: DockerDaemon,
  project: ComposeProject,
  timeoutMs = 180000,
): Promise<void> {
  const profiles = project.hazelcast ? ['hazelcast'] : [];
  await docker(
    daemon,
    [
      ...composeFileArgs(profiles, project.name),
      'up',
      '--detach',
      '--wait',
      '--no-build',
      '--pull',
      'never',
      '--wait-timeout',
      String(Math.ceil(timeoutMs / 1000)),
    ],
    { env: projectEnv(project), timeoutMs: timeoutMs + 30000 },
  );
}

/** Stops and removes every container of the project, whatever its profile. */
export async function composeDown(daemon: DockerDaemon, project: ComposeProject): Promise<void> {
  await docker(
    daemon,
    [...composeFileArgs(['*'], project.name), 'down', '--timeout', '10', '--remove-orphans'],
    { env: projectEnv(project), timeoutMs: 120000 },
  );
}

/** The container of one service (`node-2`, `redis`, `hz-1`) of the project. */
export function containerName(project: ComposeProject, service: string): string {
  return `${project.name}-${service}-1`;
}
