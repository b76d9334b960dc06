import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as redisProbe from '../../store/redis/probe.ts';
import { LabError } from '../errors.ts';
import { freePort } from '../process/ports.ts';
import {
  processState,
  spawnService,
  stopService,
  type ServiceSpec,
} from '../process/supervisor.ts';
import { toolNamed } from '../tools/index.ts';
import { waitFor } from '../process/wait.ts';

/**
 * How the server keeps data across a restart. `none`: memory only, a restart
 * loses everything. `aof-everysec`: append-only file fsynced once a second, a
 * crash loses at most about the last second. `aof-always`: fsync on every write.
 */
export type RedisPersistence = 'none' | 'aof-everysec' | 'aof-always';

export const REDIS_PERSISTENCE_MODES: readonly RedisPersistence[] = [
  'none',
  'aof-everysec',
  'aof-always',
];

export interface RedisServerOptions {
  /** Folder the server owns: its generated config, its log and its data files. */
  dir: string;
  /** Loopback port; 0 (the default) picks a free one. */
  port?: number;
  persistence?: RedisPersistence;
  /** Detached servers outlive the lab command (`lab up`); tests keep them attached. */
  detached: boolean;
  /** Service name in logs and errors. Default `redis`. */
  name?: string;
  readyTimeoutMs?: number;
}

const DEFAULT_READY_TIMEOUT_MS = 10000;

/**
 * A redis-server the lab started and owns: its own config (nothing from
 * /etc), its own folder, loopback only. Stopping and starting it again reuses
 * the port, the folder and the config, so AOF data survives a restart.
 */
export class RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly persistence: RedisPersistence;
  /** How it is started, kept so the lab (or `lab start`) can start it again. */
  readonly spec: ServiceSpec;
  readonly #detached: boolean;
  readonly #readyTimeoutMs: number;
  #pid: number;

  /** Writes the config, starts the server and resolves once it answers PING. */
  static async start(options: RedisServerOptions): Promise<RedisServer> {
    const persistence = options.persistence ?? 'none';
    if (!REDIS_PERSISTENCE_MODES.includes(persistence)) {
      throw new LabError(
        'BAD_OPTION',
        `unknown redis persistence "${String(persistence)}"`,
        `use one of ${REDIS_PERSISTENCE_MODES.join(', ')}`,
      );
    }
    const requestedPort = options.port ?? 0;
    if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
      throw new LabError('BAD_OPTION', `redis port must be 0..65535, got ${requestedPort}`);
    }
    const dir = path.resolve(options.dir);
    // The path goes into the config file quoted; control characters cannot be.
    if ([...dir].some((char) => char.charCodeAt(0) < 0x20)) {
      throw new LabError('BAD_OPTION', 'the redis folder path contains control characters');
    }
    const binary = await toolNamed('redis-server')?.find();
    if (!binary) {
      throw new LabError(
        'TOOL_MISSING',
        'redis-server is not installed',
        'run `npx lab setup` to install it',
      );
    }
    const port = requestedPort === 0 ? await freePort() : requestedPort;
    await mkdir(dir, { recursive: true });
    const configFile = path.join(dir, 'redis.conf');
    await writeFile(configFile, redisConfig(port, dir, persistence));
    const name = options.name ?? 'redis';
    const spec: ServiceSpec = {
      name,
      command: binary.path,
      args: [configFile],
      env: {},
      logFile: path.join(dir, `${name}.log`),
      // redis-server replaces its command line with `redis-server 127.0.0.1:PORT`.
      identity: ['redis-server', `127.0.0.1:${port}`],
    };
    const server = new RedisServer(spec, port, dir, persistence, options);
    await server.#spawn();
    return server;
  }

  private constructor(
    spec: ServiceSpec,
    port: number,
    dir: string,
    persistence: RedisPersistence,
    options: RedisServerOptions,
  ) {
    this.spec = spec;
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.dir = dir;
    this.persistence = persistence;
    this.#detached = options.detached;
    this.#readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    this.#pid = 0;
  }

  /** Pid of the current process (it changes on restart). */
  get pid(): number {
    return this.#pid;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Redis fsyncs its AOF on SIGTERM. Idempotent. */
  async stop(graceMs?: number): Promise<void> {
    await stopService(this.#pid, this.spec, graceMs);
  }

  /** Starts it again on the same port, folder and config; fails if it still runs. */
  async restart(): Promise<void> {
    if ((await processState(this.#pid)) !== 'dead') {
      throw new LabError('STILL_RUNNING', `${this.spec.name} (pid ${this.#pid}) still runs`);
    }
    await this.#spawn();
  }

  async #spawn(): Promise<void> {
    this.#pid = spawnService(this.spec, { detached: this.#detached });
    await waitRedisReady(this.port, this.#pid, this.spec, this.#readyTimeoutMs);
  }
}

function redisConfig(port: number, dir: string, persistence: RedisPersistence): string {
  const lines = [
    '# Generated by session-lab; rewritten at every start.',
    'bind 127.0.0.1',
    `port ${port}`,
    'protected-mode yes',
    'daemonize no',
    // Logs go to stdout, which the supervisor appends to the service log.
    'logfile ""',
    `dir ${JSON.stringify(dir)}`,
    // No RDB snapshots: only the chosen AOF mode persists anything, so the
    // lab's persistence claims hold for that mode alone.
    'save ""',
    `appendonly ${persistence === 'none' ? 'no' : 'yes'}`,
    `appendfsync ${persistence === 'aof-always' ? 'always' : 'everysec'}`,
  ];
  return `${lines.join('\n')}\n`;
}

export type { RedisProbe } from '../../store/redis/probe.ts';

/**
 * PING and INFO server to the redis-server on a loopback port: its reply
 * (`+PONG` when ready) and its pid, which tells our server apart from another
 * one that already held the port. A server that is dead, or does not answer
 * within `timeoutMs`, gives a LabError REDIS_UNREACHABLE.
 */
export function probeRedis(port: number, timeoutMs = 1000): Promise<redisProbe.RedisProbe> {
  return unreachableAsLabError(port, redisProbe.probeRedis(port, timeoutMs));
}

/** The number of keys (sessions among them); REDIS_UNREACHABLE as for probeRedis. */
export function redisKeyCount(port: number, timeoutMs = 1000): Promise<number> {
  return unreachableAsLabError(port, redisProbe.redisKeyCount(port, timeoutMs));
}

async function unreachableAsLabError<T>(port: number, asked: Promise<T>): Promise<T> {
  try {
    return await asked;
  } catch (error) {
    throw new LabError(
      'REDIS_UNREACHABLE',
      (error as Error).message,
      `is the redis-server on port ${port} running? \`lab status\``,
    );
  }
}

/**
 * Waits until our process answers +PONG, failing at once (with the end of its
 * log) if it dies first, e.g. because another server holds the port (that
 * one's PONG does not count: its pid differs).
 */
async function waitRedisReady(
  port: number,
  pid: number,
  spec: ServiceSpec,
  timeoutMs: number,
): Promise<void> {
  let outcome: 'ready' | 'died';
  try {
    outcome = await waitFor(
      async () => {
        if ((await processState(pid)) === 'dead') return 'died' as const;
        const probe = await probeRedis(port);
        return probe.reply === '+PONG' && probe.pid === pid ? ('ready' as const) : false;
      },
      { timeoutMs, intervalMs: 50, what: `${spec.name} on port ${port} to answer PING` },
    );
  } catch (error) {
    await stopService(pid, spec);
    throw new LabError(
      'NOT_READY',
      (error as Error).message,
      `log ${spec.logFile}:\n${await tail(spec.logFile)}`,
    );
  }
  if (outcome === 'died') {
    throw new LabError(
      'DIED',
      `${spec.name} exited during start-up`,
      `log ${spec.logFile}:\n${await tail(spec.logFile)}`,
    );
  }
}

async function tail(file: string, count = 5): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}
