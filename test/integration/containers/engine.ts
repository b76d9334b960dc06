// The Docker engine of the container tests: the lab's own daemon (started
// here when none runs, stopped by its pid at the end), the base image and the
// images of docker-compose.yml, and Testcontainers pointed at it.
import { existsSync } from 'node:fs';
import { docker } from '../../../lab/engine/docker/cli.ts';
import { ensureDaemon, stopDaemon, type DockerDaemon } from '../../../lab/engine/docker/daemon.ts';
import { ensureImages } from '../../../lab/engine/docker/images.ts';

/**
 * Why the container tests cannot run here, or undefined when they can. Known
 * synchronously (mocha names the suites before any hook runs): an engine the
 * user points at, or Debian's dockerd installed (`lab setup` installs it);
 * LAB_NO_CONTAINERS=1 turns containers off on a machine that has them.
 * An installed engine that then fails to start fails the tests: it is not a
 * reason to fall back.
 */
export function engineUnavailable(): string | undefined {
  if (process.env.LAB_NO_CONTAINERS) return 'LAB_NO_CONTAINERS is set';
  if (process.env.LAB_DOCKER_HOST) return undefined;
  if (!['/usr/sbin/dockerd', '/usr/bin/dockerd'].some((file) => existsSync(file))) {
    return 'dockerd is not installed (`lab setup --require dockerd`)';
  }
  if (process.getuid?.() !== 0) return 'the lab starts its own dockerd, which needs root';
  return undefined;
}

export interface TestEngine {
  daemon: DockerDaemon;
  /** Seconds the images took (0 when every image was current), for the suite's log. */
  imagesSeconds: number;
  close(): Promise<void>;
}

/**
 * Starts (or joins) the engine, builds what is stale, and points
 * Testcontainers at it: no reaper (Ryuk is an image from a registry), and
 * containers reached on 127.0.0.1 (this machine looks like a container to it).
 */
export async function startEngine(options: { hazelcast: boolean }): Promise<TestEngine> {
  const daemon = await ensureDaemon({ detached: false });
  try {
    const images = await ensureImages(daemon, options);
    process.env.DOCKER_HOST = daemon.host;
    process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    return {
      daemon,
      imagesSeconds: Math.round(images.tookMs / 100) / 10,
      close: () => closeEngine(daemon),
    };
  } catch (error) {
    await closeEngine(daemon);
    throw error;
  }
}

/**
 * What Ryuk would have done: removes every container Testcontainers started
 * (they carry its `org.testcontainers` label), then stops the daemon if this
 * process started it.
 */
async function closeEngine(daemon: DockerDaemon): Promise<void> {
  try {
    const ids = await docker(daemon, [
      'ps',
      '--all',
      '--quiet',
      '--filter',
      'label=org.testcontainers=true',
    ]);
    if (ids) await docker(daemon, ['rm', '--force', '--volumes', ...ids.split('\n')]);
  } finally {
    if (daemon.startedHere) await stopDaemon(daemon);
  }
}
