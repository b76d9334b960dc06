import { LabError } from '../../errors.ts';
import { waitFor } from '../../process/wait.ts';
import type { MemberState } from '../engine.ts';
import { docker } from './cli.ts';
import type { DockerDaemon } from './daemon.ts';

/** One container as `docker inspect` reports it. */
export interface ContainerView {
  name: string;
  state: MemberState;
  /** Host pid of the container's main process (0 when it does not run). */
  pid: number;
  health: string;
}

const SEPARATOR = '|';

function memberState(status: string, paused: string): MemberState {
  if (paused === 'true') return 'paused';
  return status === 'running' ? 'running' : 'dead';
}

/** The containers named, in that order; a missing one is a LabError naming it. */
export async function inspectContainers(
  daemon: DockerDaemon,
  names: string[],
): Promise<ContainerView[]> {
  const format = ['{{.Name}}', '{{.State.Status}}', '{{.State.Paused}}', '{{.State.Pid}}'];
  format.push('{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}');
  let output: string;
  try {
    output = await docker(daemon, ['inspect', '--format', format.join(SEPARATOR), ...names]);
  } catch (error) {
    throw new LabError(
      'CONTAINER_MISSING',
      `a container of the topology is gone: ${names.join(', ')}`,
      `${(error as Error).message}; run \`lab down\`, then \`lab up --engine docker\``,
    );
  }
  return output.split('\n').map((line) => {
    const [name = '', status = '', paused = '', pid = '0', health = ''] = line.split(SEPARATOR);
    return {
      name: name.replace(/^\//, ''),
      state: memberState(status, paused),
      pid: Number(pid),
      health,
    };
  });
}

/** Waits until the container's health check passes (its image defines one for every service). */
export async function waitHealthy(
  daemon: DockerDaemon,
  name: string,
  timeoutMs = 60000,
): Promise<void> {
  const outcome = await waitFor(
    async () => {
      const [view] = await inspectContainers(daemon, [name]);
      // An exit ends the wait at once instead of at the deadline.
      if (view?.state === 'dead') return 'dead' as const;
      return view?.health === 'healthy' ? ('healthy' as const) : false;
    },
    { timeoutMs, what: `${name} to be healthy`, intervalMs: 200 },
  );
  if (outcome === 'dead') {
    const logs = await docker(daemon, ['logs', '--tail', '5', name]).catch(() => '(no log)');
    throw new LabError('DIED', `${name} exited while starting`, `its last lines:\n${logs}`);
  }
}
