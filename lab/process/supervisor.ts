import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LabError } from '../errors.ts';
import { NODE_BIN } from '../paths.ts';
import { waitFor } from './wait.ts';

/** How the lab starts one of its own processes, kept so `lab start` can do it again. */
export interface ServiceSpec {
  name: string;
  /** Absolute path of the script (run with the lab's Node) or of a binary. */
  command: string;
  args: string[];
  env: Record<string, string>;
  logFile: string;
  /**
   * Substrings of /proc/PID/cmdline that identify the process; default the
   * command and its arguments. For programs that rewrite their process
   * title (redis-server shows `redis-server 127.0.0.1:PORT`).
   */
  identity?: string[];
}

/** What /proc says of a process the lab started. */
export type ProcessState = 'running' | 'paused' | 'dead';

/**
 * Starts a service in its own process group with stdout and stderr appended
 * to its log file. The lab records the pid; chaos only ever signals pids it
 * recorded and that still run the recorded command (see `assertOwned`).
 */
export function spawnService(spec: ServiceSpec, { detached }: { detached: boolean }): number {
  const log = fs.openSync(spec.logFile, 'a');
  try {
    const isScript = spec.command.endsWith('.ts') || spec.command.endsWith('.js');
    const file = isScript ? NODE_BIN : spec.command;
    const args = isScript
      ? ['--disable-warning=ExperimentalWarning', spec.command, ...spec.args]
      : spec.args;
    const child = spawn(file, args, {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', log, log],
      detached,
    });
    if (child.pid === undefined) {
      throw new LabError('SPAWN_FAILED', `could not start ${spec.name} (${file})`);
    }
    // A spawn error (e.g. ENOENT) arrives as an event; the readiness wait reports it.
    child.on('error', () => {});
    if (detached) child.unref();
    return child.pid;
  } finally {
    fs.closeSync(log);
  }
}

/** Reads the state letter of /proc/PID/stat; undefined when the process is gone. */
async function procStateLetter(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may contain spaces: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

export async function processState(pid: number): Promise<ProcessState> {
  const letter = await procStateLetter(pid);
  if (letter === undefined || letter === 'Z' || letter === 'X') return 'dead';
  return letter === 'T' || letter === 't' ? 'paused' : 'running';
}

/**
 * Refuses to signal a pid unless it is alive and still runs the command the lab
 * recorded: a pid can be reused by an unrelated process after ours died.
 */
export async function assertOwned(pid: number, spec: ServiceSpec): Promise<void> {
  let cmdline: string;
  try {
    cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
  } catch {
    throw new LabError('NOT_RUNNING', `${spec.name} (pid ${pid}) is not running`);
  }
  // The command alone (say /usr/bin/java) can match unrelated processes: the
  // arguments (config file, script) must match too, or what the spec names.
  const identity = spec.identity ?? [spec.command, ...spec.args];
  if (!identity.every((part) => cmdline.includes(part))) {
    throw new LabError(
      'NOT_OURS',
      `pid ${pid} no longer runs ${spec.name}; the lab will not signal it`,
      'run `lab status` to see what the lab still owns',
    );
  }
}

export async function signalService(
  pid: number,
  spec: ServiceSpec,
  signal: NodeJS.Signals,
): Promise<void> {
  await assertOwned(pid, spec);
  process.kill(pid, signal);
}

/**
 * Stops a service: resumes it if paused (a stopped process cannot handle
 * SIGTERM), asks it to finish gracefully, and kills it after `graceMs`.
 */
export async function stopService(pid: number, spec: ServiceSpec, graceMs = 5000): Promise<void> {
  if ((await processState(pid)) === 'dead') return;
  try {
    await assertOwned(pid, spec);
  } catch {
    return; // gone, or the pid now belongs to someone else: nothing of ours to stop
  }
  process.kill(pid, 'SIGCONT');
  process.kill(pid, 'SIGTERM');
  try {
    await waitFor(async () => (await processState(pid)) === 'dead', {
      timeoutMs: graceMs,
      what: `${spec.name} to exit`,
    });
  } catch {
    // It may have exited (and the pid been reused) during the grace period.
    if ((await processState(pid)) === 'dead') return;
    await assertOwned(pid, spec);
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (await processState(pid)) === 'dead', {
      timeoutMs: 2000,
      what: `${spec.name} to die after SIGKILL`,
    });
  }
}
