// HAProxy as the reference balancer, started from a topology's node list:
// round-robin, connection reuse to the nodes (`http-reuse always`), one
// thread, so its CPU per request compares with the single-threaded Node
// balancer. Used by the balancer benchmark and the abuse suite; it lives in
// lab/ so neither needs the other, and nothing here imports bench/ or test/.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { waitFor } from '../process/wait.ts';

/** HAProxy timeouts in ms; the defaults suit load (the benchmark). */
export interface HaproxyTimeouts {
  readonly connect: number;
  readonly client: number;
  readonly server: number;
  readonly keepAlive: number;
  /** Time to receive a whole request head (`timeout http-request`); default: client. */
  readonly httpRequest?: number;
}

const loadTimeouts: HaproxyTimeouts = {
  connect: 2000,
  client: 30000,
  server: 30000,
  keepAlive: 30000,
};

export interface HaproxyOptions {
  readonly binary: string;
  /** Folder for haproxy.cfg. */
  readonly dir: string;
  readonly port: number;
  readonly nodes: readonly { id: string; url: string }[];
  readonly timeouts?: HaproxyTimeouts;
  /** Path answered 2xx by the nodes, polled until HAProxy relays it (default /healthz). */
  readonly readyPath?: string;
  /** Affinity by an inserted cookie (`cookie NAME insert indirect nocache`); round-robin alone without it. */
  readonly stickyCookie?: string;
  /** Active and passive health checks, as the lab balancer's config states them; none without it. */
  readonly health?: HaproxyHealth;
  /** Extra attempts on another node after a failed connection (`retries` with `option redispatch`). */
  readonly retries?: number;
  /** A runtime API socket (`set server nodes/node-1 state drain`), admin level. */
  readonly statsSocket?: string;
}

/** The lab balancer's health settings, in the units HAProxy takes them. */
export interface HaproxyHealth {
  readonly path: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly fall: number;
  readonly rise: number;
  /** 0: no slow start. */
  readonly slowStartMs: number;
  /** Consecutive connection errors before a node is marked down (`observe layer4`). */
  readonly errorLimit: number;
}

export interface RunningHaproxy {
  readonly process: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

/** The haproxy.cfg for `options`, without writing it. */
export function haproxyConfig(options: HaproxyOptions): string {
  const t = options.timeouts ?? loadTimeouts;
  const health = options.health;
  const serverOptions = [
    health ? 'check' : '',
    health
      ? `observe layer4 error-limit ${health.errorLimit} on-error mark-down${health.slowStartMs > 0 ? ` slowstart ${health.slowStartMs}ms` : ''}`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  const servers = options.nodes
    .map(({ id, url }) =>
      [
        `  server ${id} ${new URL(url).host}`,
        options.stickyCookie ? `cookie ${id}` : '',
        serverOptions,
      ]
        .filter(Boolean)
        .join(' '),
    )
    .join('\n');
  const backendExtra = [
    options.stickyCookie ? `  cookie ${options.stickyCookie} insert indirect nocache` : '',
    options.retries !== undefined ? `  retries ${options.retries}\n  option redispatch` : '',
    health ? `  option httpchk GET ${health.path}` : '',
    health ? `  timeout check ${health.timeoutMs}ms` : '',
    health
      ? `  default-server inter ${health.intervalMs}ms fall ${health.fall} rise ${health.rise}`
      : '',
  ]
    .filter(Boolean)
    .map((line) => `${line}\n`)
    .join('');
  const socket = options.statsSocket
    ? `  stats socket ${options.statsSocket} mode 600 level admin\n`
    : '';
  return `global
  nbthread 1
  maxconn 4096
${socket}defaults
  mode http
  timeout connect ${t.connect}ms
  timeout client ${t.client}ms
  timeout server ${t.server}ms
  timeout http-keep-alive ${t.keepAlive}ms
  timeout http-request ${t.httpRequest ?? t.client}ms
frontend lab
  bind 127.0.0.1:${options.port}
  default_backend nodes
backend nodes
  balance roundrobin
  http-reuse always
${backendExtra}${servers}
`;
}

/** Writes the config, starts HAProxy in the foreground and waits until it relays a request. */
export async function startHaproxy(options: HaproxyOptions): Promise<RunningHaproxy> {
  const file = path.join(options.dir, 'haproxy.cfg');
  await writeFile(file, haproxyConfig(options));
  const child = spawn(options.binary, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
        const response = await fetch(`${url}${options.readyPath ?? '/healthz'}`);
        await response.body?.cancel();
        return response.ok;
      },
      { timeoutMs: 10000, what: 'haproxy to answer' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { process: child, url, stop };
}
