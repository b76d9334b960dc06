import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../errors.ts';
import { assertPortFree, freePort } from '../process/ports.ts';
import { ROOT } from '../paths.ts';
import { writeSecretFile } from '../../nodes/secrets.ts';
import { secretFileAsLabError, writeLabSecret } from './secret-files.ts';
import { policyFor } from '../strategy/config.ts';
import {
  processState,
  spawnService,
  stopService,
  type ServiceSpec,
} from '../process/supervisor.ts';
import type { LabState, NodeEntry } from './state.ts';
import { waitFor } from '../process/wait.ts';

export interface TopologyOptions {
  stateDir: string;
  nodes: number;
  /** Public port of the balancer; 0 picks a free one. */
  port: number;
  /** Admin port of the balancer; 0 picks a free one. */
  adminPort: number;
  /** Detached processes outlive the lab command (`lab up`); tests keep them attached. */
  detached: boolean;
  readyTimeoutMs?: number;
  /**
   * Ctrl-C during start-up stops what was started and exits 130 (default);
   * false leaves the interrupt to the caller (`lab run` still writes its results).
   */
  exitOnInterrupt?: boolean;
  /** Extra environment of every node (a run opens each node's inspector on loopback to weigh its heap). */
  nodeEnv?: Record<string, string>;
}

const NODE_SCRIPT = path.join(ROOT, 'nodes', 'main.ts');
const BALANCER_SCRIPT = path.join(ROOT, 'balancer', 'main.ts');

/**
 * Nodes start on node-local sessions (their NODE_STRATEGY_CONFIG default);
 * any other strategy is a live switch afterwards (lab/strategy/switch.ts).
 */
const START_STRATEGY = 'sticky';

function token(): string {
  return randomBytes(24).toString('base64url');
}

async function lastLines(file: string, count = 5): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Waits until `url` answers 200, failing fast (with the end of the log) if the
 * process dies first, so a crash at start-up is reported, not waited out.
 */
export async function waitReady(
  url: string,
  pid: number,
  spec: ServiceSpec,
  timeoutMs: number,
): Promise<void> {
  let outcome: 'ready' | 'dead';
  try {
    outcome = await waitFor<'ready' | 'dead'>(
      async () => {
        // A crash at start-up ends the wait at once instead of at the deadline.
        if ((await processState(pid)) === 'dead') return 'dead';
        const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await response.body?.cancel();
        return response.status === 200 ? 'ready' : false;
      },
      { timeoutMs, what: `${spec.name} at ${url}`, intervalMs: 100 },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new LabError(
      'NOT_READY',
      `${spec.name} did not become ready: ${message}`,
      `log ${spec.logFile}:\n${await lastLines(spec.logFile)}`,
    );
  }
  if (outcome === 'dead') {
    throw new LabError(
      'DIED',
      `${spec.name} exited during start-up`,
      `log ${spec.logFile}:\n${await lastLines(spec.logFile)}`,
    );
  }
}

/**
 * How node `id` is started. Its admin token is in `adminTokenFile` (0600):
 * a secret stays out of the node's environment and command line.
 */
export function nodeSpec(
  id: string,
  port: number,
  adminTokenFile: string,
  logDir: string,
  extraEnv: Record<string, string> = {},
): ServiceSpec {
  return {
    name: id,
    command: NODE_SCRIPT,
    // Unused by the node; it makes this process's command line unique (its
    // log path names the topology), so ownership checks tell nodes apart.
    args: [`--lab-node=${path.join(logDir, id)}`],
    env: {
      NODE_ID: id,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ADMIN_TOKEN_FILE: adminTokenFile,
      ...extraEnv,
    },
    logFile: path.join(logDir, `${id}.log`),
  };
}

/** Starts a node from its recorded spec and waits until it is live. */
export async function startNode(
  spec: ServiceSpec,
  url: string,
  detached: boolean,
  timeoutMs = 15000,
): Promise<number> {
  const pid = spawnService(spec, { detached });
  await waitReady(`${url}/healthz`, pid, spec, timeoutMs);
  return pid;
}

/**
 * Starts N nodes and the balancer in front of them, waits until each answers,
 * and returns the state to record. If anything fails, whatever was started is
 * stopped again before the error propagates.
 */
export async function startTopology(options: TopologyOptions): Promise<LabState> {
  const timeoutMs = options.readyTimeoutMs ?? 20000;
  const logDir = path.join(options.stateDir, 'logs');
  // A state folder made here is its user's alone (one chosen by LAB_STATE_DIR is left as it is).
  await mkdir(logDir, { recursive: true, mode: 0o700 });
  if (options.port !== 0) await assertPortFree(options.port);
  if (options.adminPort !== 0) await assertPortFree(options.adminPort);
  const port = options.port || (await freePort());
  const adminPort = options.adminPort || (await freePort());

  const nodeAdminToken = token();
  const adminTokenFile = await writeLabSecret(options.stateDir, 'node-admin-token', nodeAdminToken);
  const started: { pid: number; spec: ServiceSpec }[] = [];
  const stopStarted = async () => {
    await Promise.all(started.map(({ pid, spec }) => stopService(pid, spec, 2000)));
  };
  const onInterrupt = () => {
    // Ctrl-C during start-up: leave nothing behind, then exit as interrupted.
    void stopStarted().finally(() => process.exit(130));
  };
  if (options.exitOnInterrupt !== false) process.once('SIGINT', onInterrupt);
  try {
    const nodes: NodeEntry[] = [];
    for (let index = 1; index <= options.nodes; index += 1) {
      const id = `node-${index}`;
      const nodePort = await freePort();
      const url = `http://127.0.0.1:${nodePort}`;
      const spec = nodeSpec(id, nodePort, adminTokenFile, logDir, options.nodeEnv);
      const pid = spawnService(spec, { detached: options.detached });
      started.push({ pid, spec });
      nodes.push({ id, url, pid, spec });
    }
    await Promise.all(
      nodes.map((node) => waitReady(`${node.url}/healthz`, node.pid, node.spec, timeoutMs)),
    );

    const adminToken = token();
    const configFile = path.join(options.stateDir, 'balancer.json');
    const config = {
      listen: { host: '127.0.0.1', port },
      admin: { host: '127.0.0.1', port: adminPort, token: adminToken },
      nodes: nodes.map(({ id, url }) => ({ id, url })),
      policy: policyFor(START_STRATEGY),
      sticky: { cookieName: 'SLB', secret: randomBytes(32).toString('base64url') },
    };
    // Holds the balancer's admin token and sticky-cookie key.
    await writeSecretFile(configFile, JSON.stringify(config, null, 2) + '\n').catch(
      secretFileAsLabError,
    );
    const spec: ServiceSpec = {
      name: 'balancer',
      command: BALANCER_SCRIPT,
      args: [configFile],
      env: {},
      logFile: path.join(logDir, 'balancer.log'),
    };
    const pid = spawnService(spec, { detached: options.detached });
    started.push({ pid, spec });
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    await waitReady(`${adminUrl}/healthz`, pid, spec, timeoutMs);

    return {
      version: 1,
      startedAt: new Date().toISOString(),
      strategy: START_STRATEGY,
      balancer: { url: `http://127.0.0.1:${port}`, adminUrl, adminToken, pid, spec },
      nodeAdminToken,
      nodes,
    };
  } catch (error) {
    await stopStarted();
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/** Stops the balancer first (no new requests), then every node. */
export async function stopTopology(state: LabState): Promise<void> {
  await stopService(state.balancer.pid, state.balancer.spec);
  await Promise.all(state.nodes.map((node) => stopService(node.pid, node.spec)));
}

/**
 * Records the strategy configuration node `node` starts with next time
 * (`lab start`): in `<stateDir>/secrets/<id>.strategy.json` (0600), which its
 * spec names in NODE_STRATEGY_CONFIG_FILE. Never in its environment: the
 * body holds cookie keys, jwt signing keys and the Redis password.
 */
export async function recordNodeStrategy(
  stateDir: string,
  node: NodeEntry,
  body: unknown,
): Promise<void> {
  const file = await writeLabSecret(stateDir, `${node.id}.strategy.json`, JSON.stringify(body));
  delete node.spec.env.NODE_STRATEGY_CONFIG;
  node.spec.env.NODE_STRATEGY_CONFIG_FILE = file;
}
