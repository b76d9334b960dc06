import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../errors.ts';
import { ToxiproxyClient } from '../network/toxiproxy-client.ts';
import { freePort } from '../process/ports.ts';
import {
  processState,
  spawnService,
  stopService,
  type ServiceSpec,
} from '../process/supervisor.ts';
import { toolNamed } from '../tools/index.ts';
import { waitFor } from '../process/wait.ts';

export interface ToxiproxyServerOptions {
  /** Folder for its log. */
  dir: string;
  /** Detached servers outlive the lab command (`lab up`); tests keep them attached. */
  detached: boolean;
  /** API port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  readyTimeoutMs?: number;
}

const DEFAULT_READY_TIMEOUT_MS = 10000;

/** The toxiproxy-server binary `lab setup` installed, or undefined. */
export async function findToxiproxy(): Promise<string | undefined> {
  return (await toolNamed('toxiproxy-server')?.find())?.path;
}

/** How the lab runs toxiproxy-server: API on loopback only. */
export function toxiproxySpec(binary: string, port: number, dir: string): ServiceSpec {
  return {
    name: 'toxiproxy',
    command: binary,
    args: ['-host', '127.0.0.1', '-port', String(port)],
    // Its default level logs every byte relayed (trace); connections are enough.
    env: { LOG_LEVEL: 'info' },
    logFile: path.join(dir, 'toxiproxy.log'),
  };
}

/**
 * A toxiproxy-server the lab started and owns, its API on 127.0.0.1 only.
 * It holds no state of its own: the links (proxies) are created through the
 * API and recorded in the lab state, so a restart recreates them.
 */
export class ToxiproxyServer {
  readonly url: string;
  readonly port: number;
  readonly spec: ServiceSpec;
  readonly pid: number;

  /** Starts the server and resolves once GET /version answers from this process. */
  static async start(options: ToxiproxyServerOptions): Promise<ToxiproxyServer> {
    const binary = await findToxiproxy();
    if (!binary) {
      throw new LabError(
        'TOOL_MISSING',
        'toxiproxy-server is not installed',
        'run `npx lab setup` to install it',
      );
    }
    const dir = path.resolve(options.dir);
    await mkdir(dir, { recursive: true });
    const port = options.port || (await freePort());
    const spec = toxiproxySpec(binary, port, dir);
    const pid = await spawnToxiproxy(spec, options.detached, options.readyTimeoutMs);
    return new ToxiproxyServer(spec, port, pid);
  }

  private constructor(spec: ServiceSpec, port: number, pid: number) {
    this.spec = spec;
    this.port = port;
    this.pid = pid;
    this.url = `http://127.0.0.1:${port}`;
  }

  client(): ToxiproxyClient {
    return new ToxiproxyClient(this.url);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; its proxies (and toxics) go with it. Idempotent. */
  async stop(graceMs = 3000): Promise<void> {
    await stopService(this.pid, this.spec, graceMs);
  }
}

/**
 * Spawns toxiproxy-server from a spec (a first start, or a restart on the
 * recorded port) and waits until it answers. Fails at once, with the end of
 * its log, if it exits first (e.g. the port is taken): another server's answer
 * on that port must not pass for ours, so the process must still run after.
 */
export async function spawnToxiproxy(
  spec: ServiceSpec,
  detached: boolean,
  timeoutMs = DEFAULT_READY_TIMEOUT_MS,
): Promise<number> {
  const port = spec.args[spec.args.indexOf('-port') + 1];
  const client = new ToxiproxyClient(`http://127.0.0.1:${port}`);
  const pid = spawnService(spec, { detached });
  let outcome: 'ready' | 'died';
  try {
    outcome = await waitFor(
      async () => {
        if ((await processState(pid)) === 'dead') return 'died' as const;
        await client.version();
        return (await processState(pid)) === 'dead' ? ('died' as const) : ('ready' as const);
      },
      { timeoutMs, intervalMs: 50, what: `toxiproxy-server on port ${port} to answer` },
    );
  } catch (error) {
    await stopService(pid, spec, 1000);
    throw new LabError('NOT_READY', (error as Error).message, await logHint(spec));
  }
  if (outcome === 'died') {
    throw new LabError('DIED', 'toxiproxy-server exited during start-up', await logHint(spec));
  }
  return pid;
}

async function logHint(spec: ServiceSpec): Promise<string> {
  try {
    const lines = (await readFile(spec.logFile, 'utf8')).trimEnd().split('\n').slice(-5);
    return `log ${spec.logFile}:\n${lines.join('\n')}`;
  } catch {
    return `log ${spec.logFile}: (none)`;
  }
}
