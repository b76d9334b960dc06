// A child process whose whole CPU time is known after it exits. /proc/PID/stat
// is gone once a process is reaped, so the command runs under a small `sh`
// that waits for it and then prints its own stat line, whose cutime and
// cstime are the CPU of the children it waited for (proc(5), fields 16-17).
// The pid comes first, so a caller can also read the child's CPU while it runs.
import { execFileSync, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

const WRAPPER = '"$@" & echo "$!" >&3; wait "$!"; status=$?; cat /proc/$$/stat >&3; exit $status';

export interface MeasuredChild {
  pid: number;
  stdout: Readable;
  stderr: Readable;
  /** Resolves once the command ended: its exit status and every µs of CPU it used. */
  done: Promise<{ status: number; cpu: Cpu }>;
}

let ticksPerSecond: number | undefined;
/** /proc counts CPU in clock ticks (CLK_TCK, usually 100 a second). */
function clockTicks(): number {
  ticksPerSecond ??=
    Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/** CPU time, µs: user, system (the kernel's work for the process: syscalls, loopback TCP). */
export interface Cpu {
  user: number;
  system: number;
}

/** `fields` from after the command name of a stat line; `at` the index of the user-time field. */
function cpuAt(fields: string[], at: number): Cpu {
  const micros = (ticks: string | undefined) => (Number(ticks) * 1_000_000) / clockTicks();
  return { user: micros(fields[at]), system: micros(fields[at + 1]) };
}

function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The CPU a live process used so far (utime, stime: fields 14 and 15), or undefined when it is gone. */
export async function cpuOf(pid: number): Promise<Cpu | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined ? undefined : cpuAt(statFields(stat), 11);
}

export async function spawnMeasured(command: string, args: string[]): Promise<MeasuredChild> {
  const child = spawn('sh', ['-c', WRAPPER, 'sh', command, ...args], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const report = createInterface({ input: child.stdio[3] as Readable });
  const lines: string[] = [];
  let gotPid: (pid: number) => void = () => undefined;
  const pid = new Promise<number>((resolve) => (gotPid = resolve));
  report.on('line', (line) => {
    if (lines.push(line) === 1) gotPid(Number(line));
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
  const done = exited.then((status) => {
    const stat = lines[1];
    if (stat === undefined)
      throw new Error(`${command} ended without a CPU report (status ${status})`);
    // Fields after the command name; fields[0] is field 3, so cutime (16) and cstime (17) are 13 and 14.
    return { status, cpu: cpuAt(statFields(stat), 13) };
  });
  const first = await Promise.race([pid, exited.then(() => undefined)]);
  if (first === undefined) throw new Error(`${command} did not start`);
  // Both are pipes (stdio above), never null.
  return { pid: first, stdout: child.stdout!, stderr: child.stderr!, done };
}
