// A Node process's memory as the sessions it holds see it: heap used after
// a garbage collection, read through its inspector (a node started with
// `--inspect=127.0.0.1:0` prints the inspector's URL into its log), and RSS
// from /proc. Without the collection the difference before/after N logins
// is mostly garbage, not sessions. Used by the memory probe and the
// strategies bench.
import { readFile } from 'node:fs/promises';
import { readProcessStats } from '../../process/proc-stats.ts';

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
