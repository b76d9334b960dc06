import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../errors.ts';
import type { LinkEntry } from '../network/links.ts';
import type { ServiceSpec } from '../process/supervisor.ts';
import type { RedisPersistence, RedisUsers } from '../services/redis-server.ts';
import type { DockerEngineRecord } from '../engine/docker-engine.ts';

export interface NodeEntry {
  id: string;
  url: string;
  pid: number;
  spec: ServiceSpec;
}

/** A server the lab started for a strategy (redis-server, a Hazelcast member). */
export interface ServiceEntry {
  id: string;
  /** `redis://host:port` or `host:port`, as the nodes take it. */
  address: string;
  pid: number;
  spec: ServiceSpec;
}

/** What `lab up` leaves behind for the other commands: pids, ports, tokens. */
export interface LabState {
  version: 1;
  startedAt: string;
  strategy: string;
  /** The variant or mode of the strategy (`replicated`, `lww`, ...), when it has one. */
  variant?: string;
  services?: {
    /**
     * `address` carries no credentials; `users` are its ACL users (the nodes
     * log in as `app`, the lab's probes as `probe`). Absent in the state of
     * an older lab, whose Redis had no password: the lab refuses to use it.
     */
    redis?: ServiceEntry & {
      persistence: RedisPersistence;
      users?: RedisUsers;
      /**
       * The compose topology's Redis, which has no users or password yet (it
       * listens on 127.0.0.1 only): its nodes connect with `allowNoPassword`.
       */
      noPassword?: true;
    };
    hazelcast?: { clusterName: string; members: ServiceEntry[] };
    /**
     * The toxiproxy-server in front of the stores (`address` is its API URL)
     * and its node → store links; absent when it is not installed, and then
     * the nodes reach their stores directly.
     */
    toxiproxy?: ServiceEntry & { links: LinkEntry[] };
  };
  /** Per-topology keys the nodes need for the cookie and jwt strategies. */
  secrets?: { cookieKeys: { id: string; secret: string }[]; jwtKeys: unknown };
  /** Strategy settings a scenario chose (a short access-token life for the revocation scenario). */
  tuning?: { jwtAccessTtlSeconds?: number | undefined };
  balancer: { url: string; adminUrl: string; adminToken: string; pid: number; spec: ServiceSpec };
  /** HAProxy in front of the same nodes, when a run measures through it; `socket` is its runtime API. */
  haproxy?: { url: string; pid: number; socket: string };
  nodeAdminToken: string;
  nodes: NodeEntry[];
  /**
   * Where the topology runs when it is not local processes: the engine's
   * record (`lab up --engine docker`). Its pids are the containers' host
   * pids (sampling, process state); chaos and `lab down` go through the
   * engine. Absent: the process engine.
   */
  engine?: DockerEngineRecord;
}

export function stateFile(stateDir: string): string {
  return path.join(stateDir, 'state.json');
}

export async function readState(stateDir: string): Promise<LabState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile(stateDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as LabState;
  } catch {
    throw new LabError(
      'STATE_CORRUPT',
      `${stateFile(stateDir)} is not valid JSON`,
      'stop leftover processes by hand and delete that file',
    );
  }
}

/** The state of a running topology, or a LabError telling the user to start one. */
export async function requireState(stateDir: string): Promise<LabState> {
  const state = await readState(stateDir);
  if (!state) {
    throw new LabError('NOT_UP', 'no topology is running', 'start one with `lab up`');
  }
  return state;
}

export async function writeState(stateDir: string, state: LabState): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  // Tokens live in here: readable by the owner only. Written aside and renamed
  // into place, so a crash mid-write never leaves a torn file (and orphans).
  const file = stateFile(stateDir);
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await rename(partial, file);
}

/**
 * Forgets a stopped topology: its state file and its secrets files (the
 * nodes' token and strategy files: keys and passwords nothing uses any more).
 */
export async function clearState(stateDir: string): Promise<void> {
  await rm(stateFile(stateDir), { force: true });
  await rm(path.join(stateDir, 'secrets'), { recursive: true, force: true });
}

export function findNode(state: LabState, id: string): NodeEntry {
  const node = state.nodes.find((entry) => entry.id === id);
  if (!node) {
    const known = state.nodes.map((entry) => entry.id).join(', ');
    throw new LabError('UNKNOWN_NODE', `unknown node "${id}"`, `known nodes: ${known}`);
  }
  return node;
}

/** Every server the lab started for the strategies (redis, Hazelcast members, toxiproxy). */
export function recordedServices(state: LabState): ServiceEntry[] {
  return [
    ...(state.services?.redis ? [state.services.redis] : []),
    ...(state.services?.hazelcast?.members ?? []),
    ...(state.services?.toxiproxy ? [state.services.toxiproxy] : []),
  ];
}
