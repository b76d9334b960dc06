import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { waitFor } from '../../lab/wait.ts';

/**
 * HAProxy as the reference balancer: round-robin, connection reuse to the
 * nodes (`http-reuse always`), one thread, so its CPU per request compares
 * with the single-threaded Node balancer.
 */
export async function startHaproxy(options: {
  binary: string;
  dir: string;
  port: number;
  nodes: { id: string; url: string }[];
}): Promise<{ process: ChildProcess; url: string; stop: () => Promise<void> }> {
  const servers = options.nodes
    .map(({ id, url }) => `  server ${id} ${new URL(url).host}`)
    .join('\n');
  const config = `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 30s
frontend lab
  bind 127.0.0.1:${options.port}
  default_backend nodes
backend nodes
  balance roundrobin
  http-reuse always
${servers}
`;
  const file = path.join(options.dir, 'haproxy.cfg');
  await writeFile(file, config);
  const child = spawn(options.binary, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
      const response = await fetch(`http://127.0.0.1:${options.port}/healthz`);
      await response.body?.cancel();
      return response.ok;
    },
    { timeoutMs: 10000, what: 'haproxy to answer' },
  );
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { process: child, url: `http://127.0.0.1:${options.port}`, stop };
}
