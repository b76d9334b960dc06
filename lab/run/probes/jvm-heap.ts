// A Hazelcast member's memory as the sessions it holds see it: the bytes of
// live objects in its JVM, counted by `jcmd PID GC.class_histogram` (which
// runs a full GC first). Used by the memory probe and the strategies bench.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** jcmd beside the members' java binary, so it matches their JVM; else the one on PATH. */
async function jcmdFor(javaBinary: string): Promise<string> {
  const beside = path.join(path.dirname(javaBinary), 'jcmd');
  return access(beside).then(
    () => beside,
    () => 'jcmd',
  );
}

/**
 * Bytes of live objects in one JVM: `GC.class_histogram` runs a full GC and
 * counts what survives, in one call. (GC.run then GC.heap_info would also
 * count what the member allocated in between, megabytes of noise.)
 */
export async function jvmLiveBytes(pid: number, javaBinary: string): Promise<number> {
  const jcmd = await jcmdFor(javaBinary);
  const { stdout } = await execFileAsync(jcmd, [String(pid), 'GC.class_histogram'], {
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  // Last line: "Total        123456       7890123" (instances, bytes).
  const total = /^Total\s+\d+\s+(\d+)\s*$/m.exec(stdout);
  if (!total) throw new Error(`jcmd GC.class_histogram of ${pid}: no Total line`);
  return Number(total[1]);
}

/** Live heap bytes summed over the members. */
export async function membersHeap(members: { pid: number; javaBinary: string }[]): Promise<number> {
  const heaps = await Promise.all(members.map((m) => jvmLiveBytes(m.pid, m.javaBinary)));
  return heaps.reduce((sum, heap) => sum + heap, 0);
}
