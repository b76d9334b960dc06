import type { Client } from 'hazelcast-client';
import type { HazelcastConnection } from './client.ts';
import { PING_KEY } from './options.ts';

/** What the shared part needs of a map; IMap and ReplicatedMap both have it. */
export interface CountableMap {
  size(): Promise<number>;
  containsKey(key: string): Promise<boolean>;
}

// A ping must answer faster than a request may take, for readiness checks.
const PING_TIMEOUT_MS = 1000;

/**
 * What both Hazelcast session stores share, whatever their map type: the
 * connection's life (connect, close), `count`, `ping`, and `call`, which runs
 * one store operation on the map through the connection's deadline and error
 * translation. A store says how to open its map and implements the rest.
 */
export abstract class HazelcastMapStore<Sessions extends CountableMap> {
  readonly #connection: HazelcastConnection;
  readonly #mapName: string;

  protected constructor(connection: HazelcastConnection, mapName: string) {
    this.#connection = connection;
    this.#mapName = mapName;
  }

  /** The store's map on the cluster (a proxy; the client creates it on first use). */
  protected abstract openMap(client: Client, mapName: string): Promise<Sessions>;

  /** Starts the client; see HazelcastConnection.connect. */
  connect(): Promise<void> {
    return this.#connection.connect();
  }

  /** Entries in the map as the store's member(s) see it. */
  count(): Promise<number> {
    return this.call('count', (sessions) => sessions.size());
  }

  ping(): Promise<void> {
    return this.call(
      'ping',
      async (sessions) => {
        await sessions.containsKey(PING_KEY);
      },
      PING_TIMEOUT_MS,
    );
  }

  /** Shuts the client down; later calls reject with StoreUnavailableError. Idempotent. */
  close(): Promise<void> {
    return this.#connection.close();
  }

  /** Runs `use` on the map, bounded by the connection's deadline (or `timeoutMs`); failures become store errors. */
  protected call<T>(
    what: string,
    use: (sessions: Sessions) => Promise<T>,
    timeoutMs?: number,
  ): Promise<T> {
    const run = async (client: Client) => use(await this.openMap(client, this.#mapName));
    return this.#connection.run(what, run, timeoutMs);
  }
}
