import http from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  elapsedMs: number;
  /** Share of responses each X-Served-By value got. */
  servedBy: Map<string, number>;
}

/**
 * A closed-loop load: `concurrency` workers on keep-alive connections send
 * `requests` GETs in all, then stop. Bounded in count by construction and in
 * time by a per-request timeout. Loopback only.
 */
export async function runLoad(options: {
  url: string;
  requests: number;
  concurrency: number;
  timeoutMs?: number;
}): Promise<LoadResult> {
  const target = new URL(options.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`the benchmark only loads loopback addresses, not ${target.hostname}`);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const servedBy = new Map<string, number>();
  let remaining = options.requests;
  let errors = 0;

  const once = () =>
    new Promise<void>((resolve) => {
      const request = http.get(
        target,
        { agent, timeout: options.timeoutMs ?? 5000 },
        (response) => {
          const node = String(response.headers['x-served-by'] ?? '?');
          servedBy.set(node, (servedBy.get(node) ?? 0) + 1);
          if (response.statusCode !== 200) errors += 1;
          response.resume();
          response.on('end', resolve);
          response.on('error', () => {
            errors += 1;
            resolve();
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', () => {
        errors += 1;
        resolve();
      });
    });

  const worker = async () => {
    while (remaining > 0) {
      remaining -= 1;
      await once();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { requests: options.requests, errors, elapsedMs, servedBy };
}
