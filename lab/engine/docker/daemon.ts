import { mkdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { LabError } from '../../errors.ts';
import {
  assertOwned,
  processState,
  spawnService,
  stopService,
  type ServiceSpec,
} from '../../process/supervisor.ts';
import { dockerEngineTool } from '../../tools/containers.ts';
import { run } from '../../tools/exec.ts';
import { waitFor } from '../../process/wait.ts';
import {
  DAEMON_DATA_ROOT,
  DAEMON_DIR,
  DAEMON_EXEC_ROOT,
  DAEMON_LOG,
  DAEMON_PIDFILE,
  DAEMON_SOCKET,
} from './paths.ts';

/** Where a Docker engine answers, and whether this process started it (and so stops it). */
export interface DockerDaemon {
  /** DOCKER_HOST for the CLI, Compose and Testcontainers. */
  readonly host: string;
  /** The daemon's pid when the lab runs it; undefined for an engine the user brought. */
  readonly pid: number | undefined;
  /** True when this call started the daemon: its caller stops it with {@link stopDaemon}. */
  readonly startedHere: boolean;
}

const READY_TIMEOUT_MS = 30000;
/** Containers get dockerd's own shutdown timeout (15 s) before it exits; a margin on top. */
const STOP_GRACE_MS = 25000;

/**
 * No bridge network and no firewall changes: every container of the lab uses
 * host networking on 127.0.0.1, so nothing ever sends traffic to the private
 * addresses a bridge would hand out, and the host's iptables stay untouched.
 */
export function daemonSpec(binary: string): ServiceSpec {
  return {
    name: 'dockerd',
    command: binary,
    args: [
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
      `--data-root=${DAEMON_DATA_ROOT}`,
      `--exec-root=${DAEMON_EXEC_ROOT}`,
      `--pidfile=${DAEMON_PIDFILE}`,
      `--host=unix://${DAEMON_SOCKET}`,
      '--log-level=warn',
    ],
    env: {},
    logFile: DAEMON_LOG,
    identity: ['dockerd', `--data-root=${DAEMON_DATA_ROOT}`],
  };
}

/** GET /_ping on a unix socket: true when a Docker engine answers OK. */
export function pingSocket(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

async function recordedPid(): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(DAEMON_PIDFILE, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function logTail(): Promise<string> {
  try {
    return (await readFile(DAEMON_LOG, 'utf8')).trimEnd().split('\n').slice(-5).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * A Docker engine to talk to. LAB_DOCKER_HOST names one the user runs (never
 * started or stopped here). Otherwise the lab's own daemon: reused when it
 * already answers (another lab command started it), else started now from
 * Debian's dockerd with its folders under .lab/docker.
 */
export async function ensureDaemon(options: { detached: boolean }): Promise<DockerDaemon> {
  const external = process.env.LAB_DOCKER_HOST;
  if (external) return { host: external, pid: undefined, startedHere: false };
  const host = `unix://${DAEMON_SOCKET}`;
  const running = await recordedPid();
  if (running !== undefined && (await pingSocket(DAEMON_SOCKET))) {
    return { host, pid: running, startedHere: false };
  }
  const found = await dockerEngineTool().find();
  if (!found) {
    throw new LabError(
      'DOCKER_MISSING',
      'no Docker engine: dockerd is not installed',
      'run `lab setup --require dockerd`, or set LAB_DOCKER_HOST to an engine you run',
    );
  }
  const spec = daemonSpec(found.path);
  await mkdir(DAEMON_DIR, { recursive: true });
  if (running !== undefined && (await processState(running)) !== 'dead') {
    // Alive but not answering: a daemon of ours that hangs is stopped first.
    await stopService(running, spec, STOP_GRACE_MS);
  }
  // A socket left by a daemon that died would make the new one fail to bind.
  await rm(DAEMON_SOCKET, { force: true });
  await rm(DAEMON_PIDFILE, { force: true });
  const pid = spawnService(spec, { detached: options.detached });
  let problem: string | undefined;
  try {
    const outcome = await waitFor(
      async () => {
        // An exit at start-up ends the wait at once instead of at the deadline.
        if ((await processState(pid)) === 'dead') return 'exited' as const;
        return (await pingSocket(DAEMON_SOCKET, 1000)) && ('ready' as const);
      },
      { timeoutMs: READY_TIMEOUT_MS, what: 'dockerd to answer on its socket', intervalMs: 100 },
    );
    if (outcome === 'exited') problem = 'dockerd exited';
  } catch (error) {
    problem = (error as Error).message;
  }
  if (problem) {
    await stopService(pid, spec, STOP_GRACE_MS);
    await unmountLeftovers();
    throw new LabError(
      'DOCKER_NOT_READY',
      `dockerd did not start: ${problem}`,
      `log ${DAEMON_LOG}:\n${await logTail()}`,
    );
  }
  return { host, pid, startedHere: true };
}

/**
 * Stops the lab's daemon by its pid (SIGTERM: it stops its containers within
 * its own shutdown timeout, then exits; SIGKILL after the grace period). Only
 * a pid that still runs dockerd on the lab's data root is signalled.
 */
export async function stopDaemon(daemon: DockerDaemon): Promise<void> {
  if (daemon.pid === undefined) return;
  const found = await dockerEngineTool().find();
  const spec = daemonSpec(found?.path ?? 'dockerd');
  if ((await processState(daemon.pid)) !== 'dead') {
    await assertOwned(daemon.pid, spec);
    await stopService(daemon.pid, spec, STOP_GRACE_MS);
  }
  await unmountLeftovers();
}

/**
 * dockerd leaves the mount of its default network namespace (exec root
 * /netns/default) behind when it exits; unmounted here so the folder can be
 * removed and nothing of the daemon outlives it. Only mounts inside the
 * lab's daemon folder are touched.
 */
async function unmountLeftovers(): Promise<void> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  const ours = mounts
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((target) => target.startsWith(`${DAEMON_DIR}/`))
    .reverse();
  for (const target of ours) {
    const result = await run('umount', [target]);
    if (!result.ok) {
      throw new LabError('DOCKER_LEFTOVER', `could not unmount ${target}`, result.output);
    }
  }
}
