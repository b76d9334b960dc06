// The machine is shared: other jobs (test runs, other benchmarks) steal the
// cores the strategies are measured on. This reads how busy all cores are
// (/proc/stat), so a run can wait for a quiet machine and say when it was not.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Background CPU (kernel, idle stores) stays below this many cores on a quiet machine; more means another job runs. */
export const QUIET_CORES = 0.15;

/** Busy and total ticks of all cores so far, from the first line of /proc/stat. */
export async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!;
  // cpu  user nice system idle iowait irq softirq steal ...
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, total: busy + idle! + iowait! };
}

/** Cores' worth of CPU used between two readings (tick-free: busy share times the core count). */
export function busyCores(
  before: { busy: number; total: number },
  after: { busy: number; total: number },
): number {
  return ((after.busy - before.busy) / Math.max(1, after.total - before.total)) * os.cpus().length;
}

/**
 * Waits until the machine is quiet (less than `limitCores` busy over a
 * second) for at most `timeoutMs`. Returns the last reading: the caller
 * reports it when the wait ran out.
 */
export async function waitQuiet(limitCores: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = await machineTicks();
    await sleep(1000);
    const cores = busyCores(before, await machineTicks());
    if (cores < limitCores || Date.now() >= deadline) return cores;
  }
}
