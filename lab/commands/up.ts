import { LabError } from '../errors.ts';
import type { RedisPersistence } from '../services/redis-server.ts';
import { startUpLive } from '../live/live-run.ts';
import {
  clearState,
  readState,
  recordedServices,
  writeState,
  type LabState,
} from '../topology/state.ts';
import { processState } from '../process/supervisor.ts';
import { startTopology, stopTopology } from '../topology/topology.ts';
import { parseStrategyChoice } from '../strategy/choice.ts';
import { stopServices } from '../strategy/services.ts';
import { switchStrategy } from '../strategy/switch.ts';

export interface UpOptions {
  stateDir: string;
  strategy: string;
  nodes: number;
  port: number;
  redisPersistence?: RedisPersistence | undefined;
  /** Then serve the live page on this loopback port (0: a free one) until Ctrl-C. */
  livePort?: number | undefined;
}

/** Starts a topology in the background and prints its endpoints. */
export async function up(options: UpOptions, print: (line: string) => void): Promise<void> {
  const choice = parseStrategyChoice(options.strategy);
  if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 16) {
    throw new LabError(
      'BAD_OPTION',
      `--nodes must be an integer from 1 to 16, got ${options.nodes}`,
    );
  }
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65534) {
    throw new LabError(
      'BAD_OPTION',
      `--port must be an integer from 1 to 65534, got ${options.port}`,
    );
  }
  const existing = await readState(options.stateDir);
  if (existing) {
    // Stores count too: a live redis-server or member left by a half-dead
    // topology would be orphaned if a new state replaced the old one.
    const pids = [existing.balancer, ...existing.nodes, ...recordedServices(existing)].map(
      (entry) => entry.pid,
    );
    const alive = await Promise.all(pids.map(processState));
    if (alive.some((state) => state !== 'dead')) {
      throw new LabError(
        'ALREADY_UP',
        `a topology is already running (balancer ${existing.balancer.url})`,
        'stop it with `lab down` first',
      );
    }
  }
  const state = await startTopology({
    stateDir: options.stateDir,
    nodes: options.nodes,
    port: options.port,
    adminPort: options.port + 1,
    detached: true,
  });
  // Recorded at once, so whatever happens during the switch below (an
  // interrupt included), `lab down` can still find every process.
  await writeState(options.stateDir, state);
  let notes: string[] = [];
  try {
    // Nodes start on sticky; any other strategy is a live switch like `lab strategy`.
    if (choice.name !== 'sticky') {
      ({ notes } = await switchStrategy(options.stateDir, state, choice, {
        detached: true,
        redisPersistence: options.redisPersistence,
      }));
    }
  } catch (error) {
    await stopServices(state);
    await stopTopology(state);
    await clearState(options.stateDir);
    throw error;
  }
  await writeState(options.stateDir, state);
  print(`strategy  ${state.variant ? `${state.strategy} (${state.variant})` : state.strategy}`);
  print(
    `balancer  ${state.balancer.url}  (admin ${state.balancer.adminUrl}, pid ${state.balancer.pid})`,
  );
  for (const node of state.nodes) print(`${node.id.padEnd(9)} ${node.url}  (pid ${node.pid})`);
  const toxiproxy = state.services?.toxiproxy;
  for (const service of recordedServices(state)) {
    const links =
      service === toxiproxy ? `, ${toxiproxy.links.length} links: \`lab net status\`` : '';
    print(`${service.id.padEnd(9)} ${service.address}  (pid ${service.pid}${links})`);
  }
  for (const note of notes) print(note);
  print(`logs      ${options.stateDir}/logs`);
  if (options.livePort !== undefined)
    await serveLive(options.stateDir, state, options.livePort, print);
}

/** Serves the live page until Ctrl-C; the topology keeps running after (`lab down` stops it). */
async function serveLive(
  stateDir: string,
  state: LabState,
  port: number,
  print: (line: string) => void,
): Promise<void> {
  const live = await startUpLive(stateDir, state, port);
  print(`live page ${live.url}  (Ctrl-C stops the page; the topology runs on until \`lab down\`)`);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let stop: () => void = () => undefined;
  await new Promise<void>((resolve) => {
    stop = resolve;
    for (const signal of signals) process.on(signal, stop);
  });
  for (const signal of signals) process.off(signal, stop);
  await live.close('lab up --live was stopped');
}
