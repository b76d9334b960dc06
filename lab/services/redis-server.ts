import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeSecretFile } from '../../nodes/secrets.ts';
import type { RedisAuth } from '../../store/redis/client.ts';
import * as redisProbe from '../../store/redis/probe.ts';
import { LabError } from '../errors.ts';
import { freePort } from '../process/ports.ts';
import { secretFileAsLabError } from '../topology/secret-files.ts';
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

/**
 * The server's ACL users, each with a password of 32 random bytes. `app`:
 * what the nodes log in as; every command but the @admin ones (CONFIG, ACL,
 * SHUTDOWN, DEBUG, MONITOR, MODULE, replication), on keys under `sl:` only.
 * `probe`: the lab's own looks (readiness, key counts, memory and command
 * statistics): PING, INFO and DBSIZE, no key. The `default` user is off, so
 * a client that gives no password gets NOAUTH for every command.
 */
export interface RedisUsers {
  app: RedisAuth;
  probe: RedisAuth;
}

/** The prefix of every key the nodes write (sessions, refresh tokens, carts). */
export const APP_KEY_PATTERN = 'sl:*';

/** Fresh users for one server: the lab makes new ones for every Redis it starts. */
export function newRedisUsers(): RedisUsers {
  const password = () => randomBytes(32).toString('base64url');
  return {
    app: { username: 'session-lab', password: password() },
    probe: { username: 'lab-probe', password: password() },
  };
}

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
  /** Its ACL users; default: fresh ones (newRedisUsers). */
  users?: RedisUsers;
}

const DEFAULT_READY_TIMEOUT_MS = 10000;

/**
 * A redis-server the lab started and owns: its own config (nothing from
 * /etc), its own folder, loopback only, ACL users with passwords and the
 * default user off. The config holds the passwords, so it is written 0600 in
 * a 0700 folder and passed as a file: nothing secret is on the command line.
 * Stopping and starting it again reuses the port, the folder and the config,
 * so AOF data survives a restart and the passwords stay the same.
 */
export class RedisServer {
  /**
   * `redis://session-lab:PASSWORD@127.0.0.1:PORT`: what a client of the
   * sessions connects with. Holds the app user's password: never print it.
   */
  readonly url: string;
  /** `redis://127.0.0.1:PORT`, without credentials: for messages and the lab's state. */
  readonly address: string;
  readonly users: RedisUsers;
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
    const users = options.users ?? newRedisUsers();
    checkUsers(users);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode only applies to a folder it creates; the AOF lives here too.
    await chmod(dir, 0o700);
    const configFile = path.join(dir, 'redis.conf');
    await writeSecretFile(configFile, redisConfig(port, dir, persistence, users)).catch(
      secretFileAsLabError,
    );
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
    const server = new RedisServer(spec, port, dir, persistence, users, options);
    await server.#spawn();
    return server;
  }

  private constructor(
    spec: ServiceSpec,
    port: number,
    dir: string,
    persistence: RedisPersistence,
    users: RedisUsers,
    options: RedisServerOptions,
  ) {
    this.spec = spec;
    this.port = port;
    this.users = users;
    this.address = `redis://127.0.0.1:${port}`;
    this.url = redisUrlFor(this.address, users.app);
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
    await waitRedisReady(this.port, this.users.probe, this.#pid, this.spec, this.#readyTimeoutMs);
  }
}

/**
 * The recorded Redis's users; a Redis recorded without any (an older lab) is refused.
 */
export function requireRedisUsers(entry: { id: string; users?: RedisUsers }): RedisUsers {
  if (!entry.users) {
    throw new LabError(
      'REDIS_NO_AUTH',
      `${entry.id} has no users or password (the container topology's Redis, or one an older lab started): the lab does not log in to a Redis any local user could write to`,
      'on the process engine: `lab down`, then `lab up` again (the lab starts Redis with ACL users); the container Redis has no password yet (docs/security.md)',
    );
  }
  return entry.users;
}

/** `address` (`redis://host:port`) with `auth` in it, as ioredis reads it. */
export function redisUrlFor(address: string, auth: RedisAuth): string {
  const url = new URL(address);
  url.username = encodeURIComponent(auth.username);
  url.password = encodeURIComponent(auth.password);
  return url.toString().replace(/\/$/, '');
}

// Names and passwords go into the config file unquoted: keep them to one word.
function checkUsers(users: RedisUsers): void {
  for (const { username, password } of [users.app, users.probe]) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(username) || !/^[A-Za-z0-9_-]{16,128}$/.test(password)) {
      throw new LabError(
        'BAD_OPTION',
        'redis users need a name of 1-64 and a password of 16-128 characters [A-Za-z0-9_-]',
      );
    }
  }
}

function redisConfig(
  port: number,
  dir: string,
  persistence: RedisPersistence,
  users: RedisUsers,
): string {
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
    // No one gets in without a password: the default user is off and has
    // no rights left, should anything turn it on again.
    'user default off resetpass resetkeys resetchannels -@all',
    `user ${users.app.username} on resetpass >${users.app.password} resetkeys ~${APP_KEY_PATTERN} resetchannels +@all -@admin`,
    `user ${users.probe.username} on resetpass >${users.probe.password} resetkeys resetchannels -@all +ping +info +dbsize`,
  ];
  return `${lines.join('\n')}\n`;
}

export type { RedisProbe } from '../../store/redis/probe.ts';

/**
 * PING and INFO server to the redis-server on a loopback port, logged in as
 * `auth` (the probe user): its reply (`+PONG` when ready) and its pid, which
 * tells our server apart from another one that already held the port. A
 * server that is dead, or does not answer within `timeoutMs`, gives a
 * LabError REDIS_UNREACHABLE.
 */
export function probeRedis(
  port: number,
  auth: RedisAuth | undefined,
  timeoutMs = 1000,
): Promise<redisProbe.RedisProbe> {
  return unreachableAsLabError(port, redisProbe.probeRedis(port, auth, timeoutMs));
}

/** The number of keys (sessions among them); REDIS_UNREACHABLE as for probeRedis. */
export function redisKeyCount(port: number, auth: RedisAuth, timeoutMs = 1000): Promise<number> {
  return unreachableAsLabError(port, redisProbe.redisKeyCount(port, auth, timeoutMs));
}

/** INFO `section` as the probe user; REDIS_UNREACHABLE as for probeRedis. */
export function redisInfo(
  port: number,
  section: string,
  auth: RedisAuth,
  timeoutMs = 2000,
): Promise<string> {
  return unreachableAsLabError(port, redisProbe.redisInfo(port, section, auth, timeoutMs));
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
 * Waits until our process answers +PONG to the probe user, failing at once
 * (with the end of its log) if it dies first, e.g. because another server
 * holds the port (that one's PONG does not count: its pid differs). Then
 * checks that a client without a password is refused: the lab never leaves
 * a Redis open to every local user.
 */
export async function waitRedisReady(
  port: number,
  probe: RedisAuth,
  pid: number,
  spec: ServiceSpec,
  timeoutMs: number,
): Promise<void> {
  let outcome: 'ready' | 'died';
  try {
    outcome = await waitFor(
      async () => {
        if ((await processState(pid)) === 'dead') return 'died' as const;
        const seen = await probeRedis(port, probe);
        return seen.reply === '+PONG' && seen.pid === pid ? ('ready' as const) : false;
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
  try {
    await refuseOpenRedis(port, spec.name);
  } catch (error) {
    await stopService(pid, spec);
    throw error;
  }
}

/**
 * LabError REDIS_NO_AUTH when the server on `port` serves a client that
 * gives no password (a config from an older lab, or someone else's server).
 */
export async function refuseOpenRedis(port: number, name = 'redis'): Promise<void> {
  const open = await unreachableAsLabError(
    port,
    redisProbe.answersWithoutPassword('127.0.0.1', port, 1000),
  );
  if (open) {
    throw new LabError(
      'REDIS_NO_AUTH',
      `${name} on port ${port} answers clients that give no password: any local user could forge sessions`,
      'stop it (`lab down`) and start a topology again: the lab starts Redis with ACL users',
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
