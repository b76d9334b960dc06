import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { probeMember } from '../../store/hazelcast/client.ts';
import { LabError } from '../errors.ts';
import { freePort } from '../process/ports.ts';
import { writeSecretFile } from '../../nodes/secrets.ts';
import { secretFileAsLabError } from '../topology/secret-files.ts';
import {
  processState,
  signalService,
  spawnService,
  stopService,
  type ServiceSpec,
} from '../process/supervisor.ts';
import { findJava, HAZELCAST_JAR } from '../tools/hazelcast.ts';
import { waitFor } from '../process/wait.ts';
import { HAZELCAST_LOGGING_PROPERTIES, hazelcastMemberYaml } from './hazelcast-config.ts';

const MAIN_CLASS = 'com.hazelcast.core.server.HazelcastMemberStarter';
const DEFAULT_HEAP_MB = 256;
const DEFAULT_READY_TIMEOUT_MS = 60000;
// A graceful stop hands partitions over; the member config caps that at 10 s.
const DEFAULT_STOP_GRACE_MS = 15000;
/**
 * The JVM flags Hazelcast asks for on Java 17 (else it warns and falls back
 * to slower paths), plus a small heap and a quick-starting JVM: the lab runs
 * several members on a machine of a few cores.
 */
const JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.net.preferIPv4Stack=true',
  '-Dhazelcast.phone.home.enabled=false',
  '--add-modules',
  'java.se',
  '--add-exports',
  'java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-opens',
  'java.base/java.lang=ALL-UNNAMED',
  '--add-opens',
  'java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens',
  'java.management/sun.management=ALL-UNNAMED',
  '--add-opens',
  'jdk.management/com.sun.management.internal=ALL-UNNAMED',
];

export interface HazelcastMemberOptions {
  /** Service name, e.g. `hz-1`; names the config and log files. */
  id: string;
  /** Folder for the generated config and the log. */
  dir: string;
  port: number;
  clusterName: string;
  /** Ports of every member of the cluster, this one included. */
  memberPorts: number[];
  /** Detached members outlive the lab command (`lab up`); tests keep them attached. */
  detached: boolean;
  /** Maximum heap. Default 256. */
  heapMb?: number;
}

/**
 * One Hazelcast member the lab started and owns: its own generated config
 * (`<dir>/<id>.yaml`), its log, a fixed port on 127.0.0.1. A restart reuses
 * the same config, so the member rejoins the same cluster.
 */
export class HazelcastMember {
  readonly id: string;
  readonly port: number;
  /** `127.0.0.1:port`, as clients and stores take it. */
  readonly address: string;
  readonly clusterName: string;
  /** How it is started, kept so the lab (or `lab start`) can start it again. */
  readonly spec: ServiceSpec;
  readonly #detached: boolean;
  #pid = 0;

  /** Writes the config and checks Java and the jar; does not start anything. */
  static async prepare(options: HazelcastMemberOptions): Promise<HazelcastMember> {
    const java = await javaAndJar();
    const heapMb = options.heapMb ?? DEFAULT_HEAP_MB;
    if (!Number.isInteger(heapMb) || heapMb < 64) {
      throw new LabError('BAD_OPTION', `hazelcast heap must be at least 64 MB, got ${heapMb}`);
    }
    const yaml = hazelcastMemberYaml(options);
    const dir = path.resolve(options.dir);
    // The config holds the cluster name, all it takes to join or connect.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    const configFile = path.join(dir, `${options.id}.yaml`);
    const loggingFile = path.join(dir, 'hazelcast-logging.properties');
    await writeSecretFile(configFile, yaml).catch(secretFileAsLabError);
    await writeFile(loggingFile, HAZELCAST_LOGGING_PROPERTIES);
    const spec: ServiceSpec = {
      name: options.id,
      command: java,
      args: [
        `-Xms64m`,
        `-Xmx${heapMb}m`,
        ...JVM_FLAGS,
        `-Djava.util.logging.config.file=${loggingFile}`,
        `-Dhazelcast.config=${configFile}`,
        '-cp',
        HAZELCAST_JAR,
        MAIN_CLASS,
      ],
      env: {},
      logFile: path.join(dir, `${options.id}.log`),
    };
    return new HazelcastMember(options, spec);
  }

  private constructor(options: HazelcastMemberOptions, spec: ServiceSpec) {
    this.id = options.id;
    this.port = options.port;
    this.address = `127.0.0.1:${options.port}`;
    this.clusterName = options.clusterName;
    this.spec = spec;
    this.#detached = options.detached;
  }

  /** Pid of the current process (it changes on restart); 0 before the first start. */
  get pid(): number {
    return this.#pid;
  }

  /** Spawns the JVM without waiting; see `waitReady`. Fails if it still runs. */
  async spawn(): Promise<void> {
    if (this.#pid !== 0 && (await processState(this.#pid)) !== 'dead') {
      throw new LabError('STILL_RUNNING', `${this.id} (pid ${this.#pid}) still runs`);
    }
    this.#pid = spawnService(this.spec, { detached: this.#detached });
  }

  /**
   * Waits until the member accepts a client and sees `clusterSize` members
   * (so it has joined, not formed a cluster of its own). Fails at once, with
   * the end of its log, if the process dies first; stops it on timeout.
   */
  async waitReady(clusterSize: number, timeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    let seen = 0;
    let outcome: 'ready' | 'died';
    try {
      outcome = await waitFor(
        async () => {
          if ((await processState(this.#pid)) === 'dead') return 'died' as const;
          await tcpConnect(this.port, 500);
          seen = await probeMember(this.clusterName, this.address, 2000);
          return seen >= clusterSize ? ('ready' as const) : false;
        },
        { timeoutMs, intervalMs: 100, what: `${this.id} to see ${clusterSize} members` },
      );
    } catch (error) {
      // Whoever started it stops it: a member that never got ready must not linger.
      await this.stop(2000);
      throw new LabError(
        'NOT_READY',
        `${(error as Error).message} (it saw ${seen})`,
        `log ${this.spec.logFile}:\n${await tail(this.spec.logFile)}`,
      );
    }
    if (outcome === 'died') {
      throw new LabError(
        'DIED',
        `${this.id} exited during start-up`,
        `log ${this.spec.logFile}:\n${await tail(this.spec.logFile)}`,
      );
    }
  }

  /** Spawns it again with the same config and waits until it has rejoined. */
  async restart(clusterSize: number, timeoutMs?: number): Promise<void> {
    await this.spawn();
    await this.waitReady(clusterSize, timeoutMs);
  }

  /**
   * SIGTERM: the member hands its partitions to the others and leaves
   * (planned stop, no loss); SIGKILL after `graceMs`. Idempotent.
   */
  async stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
    if (this.#pid !== 0) await stopService(this.#pid, this.spec, graceMs);
  }

  /** SIGKILL (the unplanned loss of a member); resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.#pid === 0 || (await processState(this.#pid)) === 'dead') return;
    await signalService(this.#pid, this.spec, 'SIGKILL');
    await waitFor(async () => (await processState(this.#pid)) === 'dead', {
      timeoutMs: 5000,
      what: `${this.id} to die after SIGKILL`,
    });
  }
}

export interface HazelcastClusterOptions {
  /** Number of members, 1 or more. */
  size: number;
  /** Folder for the members' configs and logs. */
  dir: string;
  detached: boolean;
  /** Default `session-lab-<128 random bits>`: unique per topology, not guessable. */
  clusterName?: string;
  /** Per member; default 60 s (JVMs start slowly on a small machine). */
  readyTimeoutMs?: number;
  heapMb?: number;
}

/** Members the lab started together as one cluster. */
export class HazelcastCluster {
  readonly clusterName: string;
  readonly members: readonly HazelcastMember[];

  constructor(clusterName: string, members: HazelcastMember[]) {
    this.clusterName = clusterName;
    this.members = members;
  }

  /** `host:port` of every member, as the stores take them. */
  get addresses(): string[] {
    return this.members.map((member) => member.address);
  }

  /** Starts every member that is not running, in parallel, and waits until all have joined. */
  async start(readyTimeoutMs?: number): Promise<void> {
    const states = await Promise.all(this.members.map((member) => processState(member.pid)));
    const stopped = this.members.filter(
      (member, index) => member.pid === 0 || states[index] === 'dead',
    );
    await Promise.all(stopped.map((member) => member.spawn()));
    try {
      await Promise.all(
        this.members.map((member) => member.waitReady(this.members.length, readyTimeoutMs)),
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * Stops every member at once. A graceful stop of all members has nobody to
   * hand partitions to, so they get a short grace before SIGKILL.
   */
  async stop(graceMs = 3000): Promise<void> {
    await Promise.all(this.members.map((member) => member.stop(graceMs)));
  }
}

/**
 * Starts a cluster of `size` members on free loopback ports, in parallel, and
 * resolves once every member accepts clients and sees all the others. On any
 * failure, whatever was started is stopped before the error propagates.
 */
export async function startHazelcastCluster(
  options: HazelcastClusterOptions,
): Promise<HazelcastCluster> {
  if (!Number.isInteger(options.size) || options.size < 1) {
    throw new LabError('BAD_OPTION', `a hazelcast cluster needs at least 1 member`);
  }
  const clusterName = options.clusterName ?? `session-lab-${randomBytes(16).toString('hex')}`;
  const ports: number[] = [];
  while (ports.length < options.size) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const members = await Promise.all(
    ports.map((port, index) =>
      HazelcastMember.prepare({
        id: `hz-${index + 1}`,
        dir: options.dir,
        port,
        clusterName,
        memberPorts: ports,
        detached: options.detached,
        ...(options.heapMb !== undefined && { heapMb: options.heapMb }),
      }),
    ),
  );
  const cluster = new HazelcastCluster(clusterName, members);
  await cluster.start(options.readyTimeoutMs);
  return cluster;
}

/** The Java that runs members (findJava), once it and the Hazelcast jar are both there. */
async function javaAndJar(): Promise<string> {
  const java = await findJava();
  if (!java) {
    throw new LabError(
      'TOOL_MISSING',
      'java is not installed (Java 17+ runs Hazelcast)',
      'run `npx lab setup`',
    );
  }
  try {
    await access(HAZELCAST_JAR);
  } catch {
    throw new LabError(
      'TOOL_MISSING',
      `the Hazelcast jar is missing (${HAZELCAST_JAR})`,
      'run `npx lab setup`',
    );
  }
  return java;
}

function tcpConnect(port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no TCP connect in ${timeoutMs} ms`)),
    );
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

async function tail(file: string, count = 8): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}
