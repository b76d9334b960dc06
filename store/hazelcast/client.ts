import {
  Client,
  HazelcastError,
  HazelcastSerializationError,
  IllegalArgumentError,
  ReconnectMode,
  type ClientConfig,
  type NearCacheConfig,
} from 'hazelcast-client';
import { StoreError, StoreOptionError, StoreUnavailableError } from '../errors.ts';

/** Levels of the client's own console logger. */
export type HazelcastLogLevel = 'OFF' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';

/** Connection options shared by both Hazelcast session stores; checked in the constructor. */
export interface HazelcastClientOptions {
  /** The cluster's name; members of another cluster refuse the client. */
  clusterName: string;
  /** How long one TCP connect plus authentication to a member may take. Default 2000. */
  connectionTimeoutMs?: number;
  /** How long one store call may take before it fails with StoreUnavailableError. Default 2000. */
  operationTimeoutMs?: number;
  /** How long `connect()` waits for the first connection. Default 10 000. */
  connectWaitMs?: number;
  /** The client's console logger. Default `ERROR`: reconnect attempts are not news. */
  logLevel?: HazelcastLogLevel;
  /** Called on every client state change (CONNECTED, DISCONNECTED, ...), e.g. to log or count it. */
  onStateChange?: (state: string) => void;
}

/** What the stores add: which members to reach and how. */
export interface ConnectionSettings extends HazelcastClientOptions {
  /** `host:port` of the members to contact first. */
  members: string[];
  /** Smart: one connection per member, key operations go to the key's owner. Else one connection. */
  smartRouting: boolean;
  /** Maps whose reads go through a client-side Near Cache. */
  nearCacheMaps?: string[];
}

const DEFAULTS = { connectionTimeoutMs: 2000, operationTimeoutMs: 2000, connectWaitMs: 10000 };
const LOG_LEVELS: readonly HazelcastLogLevel[] = ['OFF', 'ERROR', 'WARN', 'INFO', 'DEBUG'];
// close() must finish even when the client's shutdown does not.
const SHUTDOWN_LIMIT_MS = 5000;
/**
 * How stale a near-cached session may get even when an invalidation is late
 * (members batch invalidations, up to 10 s by default).
 */
const NEAR_CACHE_TTL_SECONDS = 5;

/**
 * One hazelcast-client owned by one store, set up to fail fast and heal by itself:
 *
 * - The constructor only builds the config; `connect()` starts the client.
 * - `asyncStart` + reconnect mode `ON` + an infinite cluster-connect timeout:
 *   the client never gives up; it keeps reconnecting in the background (backoff
 *   capped at 2 s), so a store recovers from an outage without a restart.
 * - Every call has a hard deadline (`operationTimeoutMs`, also the client's
 *   invocation timeout). The client's own timeout is only checked between
 *   retries: a call to a paused member would otherwise wait for the heartbeat
 *   timeout. Once the cluster has been unreachable for longer than the deadline,
 *   calls fail at once instead of each waiting it out.
 * - `redoOperation` off: a write cut off mid-flight is reported (503), not
 *   silently sent twice.
 * - Heartbeat timeout 10 s (default 60 s): a frozen member is given up and the
 *   client moves to another one.
 */
export class HazelcastConnection {
  readonly #owner: string;
  readonly #config: ClientConfig;
  readonly #operationTimeoutMs: number;
  readonly #connectWaitMs: number;
  readonly #onStateChange: ((state: string) => void) | undefined;
  readonly #waiters = new Set<() => void>();
  #starting: Promise<Client> | undefined;
  #client: Client | undefined;
  #connected = false;
  #disconnectedSince = Date.now();
  #shutDown = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(owner: string, settings: ConnectionSettings) {
    this.#owner = owner;
    const checked = checkSettings(owner, settings);
    this.#operationTimeoutMs = checked.operationTimeoutMs;
    this.#connectWaitMs = checked.connectWaitMs;
    this.#onStateChange = settings.onStateChange;
    this.#config = clientConfig(settings, checked, (state) => this.#onState(state));
  }

  /**
   * Starts the client and waits up to `connectWaitMs` for its first connection.
   * On timeout it rejects with StoreUnavailableError, but the client keeps
   * trying in the background until `close()`. Idempotent.
   */
  async connect(): Promise<void> {
    if (this.#closed) throw this.#unavailable('is closed');
    if (!this.#starting) this.#disconnectedSince = Date.now();
    this.#starting ??= Client.newHazelcastClient(this.#config).then((client) => {
      this.#client = client;
      return client;
    });
    try {
      await this.#starting;
    } catch (error) {
      throw this.#unavailable(`could not start its Hazelcast client`, error);
    }
    if (this.#closed) throw this.#unavailable('was closed while connecting');
    if (this.#connected) return;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        if (this.#connected) resolve();
        else reject(this.#unavailable(this.#closed ? 'was closed while connecting' : 'gave up'));
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(done);
        const members = (this.#config.network?.clusterMembers ?? []).join(', ');
        reject(
          this.#unavailable(
            // Not the cluster name: it is all a stranger needs to join, and
            // this message reaches clients (/readyz).
            `reached no member (${members}) in ${this.#connectWaitMs} ms, or none took ` +
              'its cluster name; it keeps retrying in the background',
          ),
        );
      }, this.#connectWaitMs);
      this.#waiters.add(done);
    });
  }

  /**
   * Runs one store call on the client within `timeoutMs`. Cluster trouble
   * (no connection, timeout, member gone) becomes StoreUnavailableError.
   */
  run<T>(what: string, call: (client: Client) => Promise<T>, timeoutMs?: number): Promise<T> {
    const limit = timeoutMs ?? this.#operationTimeoutMs;
    if (this.#closed) return Promise.reject(this.#unavailable('is closed'));
    const client = this.#client;
    if (!client || this.#shutDown) {
      const why = this.#shutDown ? 'has a client that shut down' : 'is not connected yet';
      return Promise.reject(this.#unavailable(why));
    }
    const offlineMs = this.#connected ? 0 : Date.now() - this.#disconnectedSince;
    if (offlineMs >= limit) {
      return Promise.reject(this.#unavailable(`has had no cluster connection for ${offlineMs} ms`));
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.#unavailable(`${what} took over ${limit} ms`)), limit);
    });
    // Promise.race subscribes to both, so a call that fails after the
    // deadline won is still handled, never an unhandled rejection.
    const work = Promise.resolve().then(() => call(client));
    return Promise.race([work, deadline])
      .catch((error: unknown) => {
        throw this.#translate(what, error);
      })
      .finally(() => clearTimeout(timer));
  }

  /** Shuts the client down (bounded, also when the cluster is gone). Idempotent. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    for (const wake of [...this.#waiters]) wake();
    const starting = this.#starting;
    this.#closing = starting
      ? starting.then(
          (client) => withLimit(client.shutdown(), SHUTDOWN_LIMIT_MS, `${this.#owner} shutdown`),
          // Never started: connect() already reported why; nothing to shut down.
          () => undefined,
        )
      : Promise.resolve();
    return this.#closing;
  }

  #onState(state: string): void {
    if (state === 'CONNECTED') {
      this.#connected = true;
    } else if (state === 'DISCONNECTED' || state === 'SHUTTING_DOWN' || state === 'SHUTDOWN') {
      if (this.#connected) this.#disconnectedSince = Date.now();
      this.#connected = false;
      if (state === 'SHUTDOWN') this.#shutDown = true;
    }
    if (state === 'CONNECTED' || state === 'SHUTDOWN') {
      for (const wake of [...this.#waiters]) wake();
    }
    // Outside the client's own call stack: a throwing callback is the
    // owner's error to see, not something to break the client's reconnect.
    const notify = this.#onStateChange;
    if (notify) queueMicrotask(() => notify(state));
  }

  #translate(what: string, error: unknown): unknown {
    if (error instanceof StoreError) return error;
    // Serialization and argument errors are bugs on our side, not an outage.
    if (
      error instanceof HazelcastError &&
      !(error instanceof HazelcastSerializationError) &&
      !(error instanceof IllegalArgumentError)
    ) {
      return this.#unavailable(`${what} failed: ${error.message}`, error);
    }
    return error;
  }

  #unavailable(what: string, cause?: unknown): StoreUnavailableError {
    return new StoreUnavailableError(`${this.#owner} ${what}`, { cause });
  }
}

function clientConfig(
  settings: ConnectionSettings,
  checked: typeof DEFAULTS,
  onState: (state: string) => void,
): ClientConfig {
  const nearCache: NearCacheConfig = {
    invalidateOnChange: true,
    timeToLiveSeconds: NEAR_CACHE_TTL_SECONDS,
  };
  return {
    clusterName: settings.clusterName,
    network: {
      clusterMembers: [...settings.members],
      smartRouting: settings.smartRouting,
      connectionTimeout: checked.connectionTimeoutMs,
      redoOperation: false,
    },
    connectionStrategy: {
      asyncStart: true,
      reconnectMode: ReconnectMode.ON,
      connectionRetry: {
        initialBackoffMillis: 100,
        maxBackoffMillis: 2000,
        multiplier: 1.5,
        jitter: 0.2,
        clusterConnectTimeoutMillis: -1,
      },
    },
    lifecycleListeners: [onState],
    // The owner member waits for the synchronous backup before it answers,
    // instead of the backup member acking to the client. With asyncStart this
    // client missed those acks for some partitions (seen here: every write to
    // them waited the 5 s backup timeout; cf. hazelcast-nodejs-client#680).
    backupAckToClientEnabled: false,
    nearCaches: Object.fromEntries((settings.nearCacheMaps ?? []).map((map) => [map, nearCache])),
    properties: {
      'hazelcast.client.invocation.timeout.millis': checked.operationTimeoutMs,
      // Default 1 s: a call retried after a failover would miss its deadline.
      'hazelcast.client.invocation.retry.pause.millis': 100,
      'hazelcast.client.heartbeat.interval': 2000,
      'hazelcast.client.heartbeat.timeout': 10000,
      'hazelcast.client.statistics.enabled': false,
      'hazelcast.logging.level': settings.logLevel ?? 'ERROR',
    },
  };
}

function checkSettings(owner: string, settings: ConnectionSettings): typeof DEFAULTS {
  if (typeof settings.clusterName !== 'string' || settings.clusterName === '') {
    throw new StoreOptionError(`${owner}: clusterName must be a non-empty string`);
  }
  if (
    !Array.isArray(settings.members) ||
    settings.members.length === 0 ||
    !settings.members.every((member) => typeof member === 'string' && /^[^\s:]+:\d+$/.test(member))
  ) {
    throw new StoreOptionError(`${owner}: members must be "host:port" strings, at least one`);
  }
  if (settings.logLevel !== undefined && !LOG_LEVELS.includes(settings.logLevel)) {
    throw new StoreOptionError(`${owner}: logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (settings.onStateChange !== undefined && typeof settings.onStateChange !== 'function') {
    throw new StoreOptionError(`${owner}: onStateChange must be a function`);
  }
  const checked = { ...DEFAULTS };
  for (const name of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const value = settings[name] ?? DEFAULTS[name];
    if (!Number.isInteger(value) || value < 1 || value > 600000) {
      throw new StoreOptionError(`${owner}: ${name} must be an integer from 1 to 600000`);
    }
    checked[name] = value;
  }
  return checked;
}

/** Resolves or rejects as `work` does, or rejects with a StoreError after `ms`. */
function withLimit<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreError('STORE_CLOSE_TIMEOUT', `${what} took over ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/**
 * Connects a throw-away client to one member and returns how many members
 * that member sees; for the lab's readiness checks. Rejects when the member
 * does not accept a client within `timeoutMs`.
 */
export async function probeMember(
  clusterName: string,
  address: string,
  timeoutMs: number,
): Promise<number> {
  const starting = Client.newHazelcastClient({
    clusterName,
    network: { clusterMembers: [address], smartRouting: false, connectionTimeout: timeoutMs },
    connectionStrategy: { connectionRetry: { clusterConnectTimeoutMillis: timeoutMs } },
    properties: { 'hazelcast.logging.level': 'OFF' },
  });
  let client: Client;
  try {
    client = await withLimit(starting, timeoutMs * 2, `client connect to ${address}`);
  } catch (error) {
    // A client that connects after we gave up must not stay behind.
    starting.then((late) => late.shutdown()).catch(() => undefined);
    throw error;
  }
  try {
    return client.getCluster().getMembers().length;
  } finally {
    await client.shutdown();
  }
}
