// Memory readings of the processes that hold sessions, each taken after a
// garbage collection where the runtime allows one, so the difference
// before/after N logins is what the sessions retain, not garbage:
// - Node processes: through the inspector (the bench starts them with
//   `--inspect=127.0.0.1:0`): HeapProfiler.collectGarbage, then
//   process.memoryUsage(); RSS is read from /proc as well.
// - redis-server: INFO memory, used_memory (its allocator's own count).
// - Hazelcast members (JVM): `jcmd PID GC.class_histogram`, which runs a
//   full GC and totals the bytes of the objects that survive.
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import type { RedisAuth } from '../../store/redis/client.ts';
import { redisInfo } from '../../store/redis/probe.ts';
import path from 'node:path';
import { promisify } from 'node:util';
import { readProcessStats } from '../../lab/proc-stats.ts';

const execFileAsync = promisify(execFile);

/** The inspector's WebSocket URL that a Node process printed into its log, if any. */
export async function inspectorUrl(logFile: string): Promise<string | undefined> {
  const log = await readFile(logFile, 'utf8').catch(() => '');
  const matches = [...log.matchAll(/Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/g)];
  return matches.at(-1)?.[1];
}

/** Heap used after a full GC, in bytes, of the Node process behind `wsUrl`. */
export async function nodeHeapAfterGc(wsUrl: string, timeoutMs = 15_000): Promise<number> {
  const socket = new WebSocket(wsUrl);
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 1;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  const timer = setTimeout(() => socket.close(), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve());
      socket.addEventListener('error', () => reject(new Error(`inspector ${wsUrl} unreachable`)));
    });
    const closed = new Promise<never>((_, reject) =>
      socket.addEventListener('close', () => reject(new Error(`inspector ${wsUrl} closed`))),
    );
    // Closing is also how this function ends: that rejection is nobody's error.
    closed.catch(() => {});
    socket.addEventListener('message', (event: MessageEvent) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
      if (message.id !== undefined) pending.get(message.id)?.(message.result);
    });
    // Twice: the first collection can leave objects that only die once finalizers or weak callbacks ran.
    await Promise.race([call('HeapProfiler.collectGarbage'), closed]);
    await Promise.race([call('HeapProfiler.collectGarbage'), closed]);
    const result = (await Promise.race([
      call('Runtime.evaluate', {
        expression: 'process.memoryUsage().heapUsed',
        returnByValue: true,
      }),
      closed,
    ])) as { result?: { value?: unknown } };
    const value = result.result?.value;
    if (typeof value !== 'number') throw new Error(`inspector ${wsUrl} gave no heap figure`);
    return value;
  } finally {
    clearTimeout(timer);
    socket.close();
  }
}

export interface NodeMemory {
  /** Sum over the nodes of heap used after GC; undefined when an inspector was not reachable. */
  heapBytes: number | undefined;
  rssBytes: number;
}

/** Heap (after GC) and RSS summed over the node processes. */
export async function nodesMemory(nodes: { pid: number; logFile: string }[]): Promise<NodeMemory> {
  const readings = await Promise.all(
    nodes.map(async (node) => {
      const url = await inspectorUrl(node.logFile);
      const heap = url ? await nodeHeapAfterGc(url).catch(() => undefined) : undefined;
      const stats = await readProcessStats(node.pid);
      return { heap, rss: stats?.rssBytes ?? 0 };
    }),
  );
  const heaps = readings.map((reading) => reading.heap);
  return {
    heapBytes: heaps.every((heap) => heap !== undefined)
      ? heaps.reduce((sum, heap) => sum + heap, 0)
      : undefined,
    rssBytes: readings.reduce((sum, reading) => sum + reading.rss, 0),
  };
}

// INFO of the lab's redis-server, logged in as its probe user.
export { redisInfo };

export function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*?)\\r?$`, 'm').exec(info)?.[1];
}

/** `used_memory` of the redis-server at `redis://127.0.0.1:PORT`. */
export async function redisUsedMemory(address: string, auth: RedisAuth): Promise<number> {
  const info = await redisInfo(Number(new URL(address).port), 'memory', auth);
  return Number(infoField(info, 'used_memory'));
}

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
