// HAProxy put in front of a running topology's nodes, for a run that
// measures through the reference balancer: configured from the lab
// balancer's own config (the same nodes, health checks, passive ejection,
// slow start and upstream timeout; an inserted cookie for sticky), with a
// runtime API socket in the state folder for drain, disable and enable. The
// lab balancer keeps running beside it: the strategy switch and the chaos
// targets still use its admin API, and it carries no client traffic.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadBalancerConfig } from '../../balancer/config.ts';
import { LabError } from '../errors.ts';
import { freePort } from '../process/ports.ts';
import { startHaproxy, type RunningHaproxy } from '../services/haproxy.ts';
import { toolNamed } from '../tools/index.ts';
import type { LabState } from './state.ts';

export interface HaproxyFront {
  running: RunningHaproxy;
  /** Stops HAProxy and removes its socket's folder. */
  stop(): Promise<void>;
  /** What the state records (`state.haproxy`) while it runs. */
  entry: NonNullable<LabState['haproxy']>;
}

/** Starts HAProxy before the nodes of `state`, routing as `policy` (the lab balancer's policy name). */
export async function startHaproxyFront(
  stateDir: string,
  state: LabState,
  policy: string,
): Promise<HaproxyFront> {
  const binary = await toolNamed('haproxy')?.find();
  if (!binary) {
    throw new LabError(
      'TOOLS_MISSING',
      'the run asks for HAProxy (--balancer haproxy or both), and haproxy is not installed',
      'run `npx lab setup`',
    );
  }
  const config = await loadBalancerConfig(path.join(stateDir, 'balancer.json'));
  const port = await freePort();
  // HAProxy takes a socket path of 97 bytes at most: in the run folder when it fits, else a
  // short private folder under the system's temporary one, removed when HAProxy stops.
  const inRunFolder = path.join(stateDir, 'haproxy.sock');
  const socketDir =
    inRunFolder.length <= 97 ? undefined : await mkdtemp(path.join(os.tmpdir(), 'lab-hap-'));
  const socket = socketDir ? path.join(socketDir, 'haproxy.sock') : inRunFolder;
  const removeSocket = () => rm(socketDir ?? inRunFolder, { recursive: true, force: true });
  const running = await startHaproxy({
    binary: binary.path,
    dir: stateDir,
    port,
    nodes: state.nodes.map(({ id, url }) => ({ id, url })),
    timeouts: {
      connect: config.limits.connectTimeoutMs,
      client: 30000,
      server: config.limits.upstreamTimeoutMs,
      keepAlive: 30000,
    },
    ...(policy === 'sticky' ? { stickyCookie: config.sticky.cookieName } : {}),
    health: {
      path: config.health.path,
      intervalMs: config.health.intervalMs,
      timeoutMs: config.health.timeoutMs,
      fall: config.health.fall,
      rise: config.health.rise,
      slowStartMs: config.health.slowStartMs,
      errorLimit: config.health.errorLimit,
    },
    retries: config.limits.retries,
    statsSocket: socket,
  }).catch(async (error: unknown) => {
    await removeSocket();
    throw error;
  });
  const pid = running.process.pid;
  const stop = async () => {
    await running.stop();
    await removeSocket();
  };
  if (pid === undefined) {
    await stop();
    throw new LabError('SPAWN_FAILED', 'haproxy started without a pid');
  }
  return { running, stop, entry: { url: running.url, pid, socket } };
}
