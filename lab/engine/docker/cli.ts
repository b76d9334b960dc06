import { access } from 'node:fs/promises';
import { LabError } from '../../errors.ts';
import { run } from '../../tools/exec.ts';
import { COMPOSE_PLUGIN, DOCKER_CONFIG_DIR } from '../../tools/compose.ts';
import type { DockerDaemon } from './daemon.ts';

/**
 * The environment of every docker and compose command of the lab: the
 * engine's socket, and the lab's CLI plugins folder (its Compose) when
 * `lab setup` installed it; otherwise the user's own Docker configuration.
 */
export async function dockerEnv(
  daemon: DockerDaemon,
  extra: Record<string, string> = {},
): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, DOCKER_HOST: daemon.host };
  try {
    await access(COMPOSE_PLUGIN);
    env.DOCKER_CONFIG = DOCKER_CONFIG_DIR;
  } catch {
    // No Compose of the lab's: the user's plugins (Docker Desktop, packages) apply.
  }
  return env;
}

/**
 * Runs `docker ARGS` against the daemon and resolves with its output; a
 * failure becomes a LabError that quotes the end of what docker printed.
 */
export async function docker(
  daemon: DockerDaemon,
  args: string[],
  options: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {},
): Promise<string> {
  const result = await run('docker', args, {
    env: await dockerEnv(daemon, options.env),
    timeoutMs: options.timeoutMs ?? 60000,
    cwd: options.cwd,
  });
  if (result.ok) return result.output;
  const tail = result.output.split('\n').slice(-6).join('\n');
  if (/ENOENT/.test(tail)) {
    throw new LabError(
      'DOCKER_MISSING',
      'the docker command is not on PATH',
      'run `lab setup --require dockerd` (Debian docker.io brings the CLI)',
    );
  }
  throw new LabError('DOCKER_FAILED', `docker ${args.slice(0, 3).join(' ')} failed`, tail);
}
