import { LabError } from '../errors.ts';
import { readState, writeState } from '../state.ts';
import { processState } from '../process-supervisor.ts';
import { startTopology } from '../topology.ts';

export interface UpOptions {
  stateDir: string;
  strategy: string;
  nodes: number;
  port: number;
}

const STRATEGIES_AVAILABLE = ['sticky'] as const;

/** Starts a topology in the background and prints its endpoints. */
export async function up(options: UpOptions, print: (line: string) => void): Promise<void> {
  if (!(STRATEGIES_AVAILABLE as readonly string[]).includes(options.strategy)) {
    throw new LabError(
      'UNKNOWN_STRATEGY',
      `strategy "${options.strategy}" is not available`,
      `available: ${STRATEGIES_AVAILABLE.join(', ')}`,
    );
  }
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
    const alive = await Promise.all(
      [existing.balancer.pid, ...existing.nodes.map((node) => node.pid)].map(processState),
    );
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
    strategy: 'sticky',
    detached: true,
  });
  await writeState(options.stateDir, state);
  print(`strategy  ${state.strategy}`);
  print(
    `balancer  ${state.balancer.url}  (admin ${state.balancer.adminUrl}, pid ${state.balancer.pid})`,
  );
  for (const node of state.nodes) print(`${node.id.padEnd(9)} ${node.url}  (pid ${node.pid})`);
  print(`logs      ${options.stateDir}/logs`);
}
