import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** CPU time and memory of one process, read from /proc (Linux). */
export interface ProcessStats {
  /** User + system CPU time consumed so far, in microseconds. */
  cpuMicros: number;
  rssBytes: number;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  // /proc/PID/stat counts CPU time in clock ticks; usually 100 per second, but ask.
  ticksPerSecond ??=
    Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

const PAGE_SIZE = 4096;

/** Stats of a live process, or undefined when it is gone. */
export async function readProcessStats(pid: number): Promise<ProcessStats | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which sits in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime, stime, rss are fields 14, 15, 24.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  return {
    cpuMicros: ((utime + stime) * 1_000_000) / clockTicks(),
    rssBytes: rssPages * PAGE_SIZE,
  };
}
