// What the lab knows about one strategy, in one record: the variants it
// takes, how the balancer routes it, the store servers its nodes talk to,
// what losing a node costs, how its memory is measured and the configuration
// each node is sent. Everything in the lab that differs by strategy reads it.
import type { StrategyConfigInput } from '../../nodes/strategies/config.ts';
import type { StrategyName } from '../../nodes/strategies/strategy.ts';
import type { LabState } from '../topology/state.ts';

/** A store server the lab starts for a strategy; see `STORES` in stores.ts. */
export type StoreKind = 'redis' | 'hazelcast';

/** The balancer's routing: only a strategy whose sessions live in one node pins clients to it. */
export type BalancerPolicy = 'sticky' | 'round-robin';

/**
 * Where the memory probe (C4/C9) reads a strategy's sessions: a store's
 * memory, the nodes' heap after a full GC, or nothing (checked: no store is
 * configured and another node serves the session).
 */
export type MemoryMeasure =
  | {
      readonly kind: 'store';
      /** The reading, as the report prints it: `redis used_memory`. */
      where(state: LabState): string;
      /** Sessions to create for the reading (default 1,000). */
      readonly sessions?: number;
    }
  | { readonly kind: 'node-heap' }
  | { readonly kind: 'none' };

/**
 * What one node needs to build its strategy, addresses already resolved
 * for that node (through its network link where the lab made one). Each
 * getter throws when the lab has not started what it reads.
 */
export interface NodeConfigContext {
  /** `redis://host:port` of the Redis this node uses. */
  redisUrl(): string;
  /**
   * The Hazelcast cluster: `ownLinked` is the member beside this node, through
   * its link when there is one; `ownFirst` every member's real address, that
   * member first.
   */
  hazelcast(): { clusterName: string; ownLinked: string; ownFirst: string[] };
  secrets(): {
    cookieKeys: { id: string; secret: string }[];
    jwtKeys: Extract<StrategyConfigInput, { name: 'jwt' }>['jwt']['keys'];
  };
  /** Access-token life the scenario asks for (undefined: the node's default). */
  jwtAccessTtlSeconds: number | undefined;
  /** The Redis has no password (the container topology's): the node must be told it may connect so. */
  redisNoPassword?: boolean;
}

/**
 * What a client of the strategy holds, and so what the tampering probe
 * (C3/C13) forges: a session id, a sealed cookie, or signed tokens.
 */
export type Credential = 'session-id' | 'sealed-cookie' | 'signed-token';

/** The body of `PUT /admin/strategy` for strategy `N`, typed from the node's own schema. */
export type NodeConfigOf<N extends StrategyName> = Extract<StrategyConfigInput, { name: N }>;

export interface StrategyProfile<N extends StrategyName, V extends string> {
  readonly name: N;
  /** Variants the user may name (`redis:lww`); the first is the default. Empty: none. */
  readonly variants: readonly V[];
  readonly policy: BalancerPolicy;
  /** Store servers the nodes connect to; each brings its tool and its service (stores.ts). */
  readonly stores: readonly StoreKind[];
  /**
   * The store each node reaches through its own Toxiproxy link under this
   * variant, or undefined when its client cannot be put behind one (see
   * network/links.ts: the partitioned smart client).
   */
  linkedStore(variant: V | undefined): StoreKind | undefined;
  /** Where sessions live when a node dies; undefined: in the node, so they die with it. */
  readonly sessionsSurviveIn: string | undefined;
  readonly memory: MemoryMeasure;
  readonly credential: Credential;
  /** The memory probe's time budget: the JVM members need a full GC each. */
  readonly memoryBudgetMs: number;
  /** What node `context` is sent to run this strategy. */
  nodeConfig(context: NodeConfigContext, variant: V | undefined): NodeConfigOf<N>;
}

/** A profile, whichever strategy it is for: what code that handles every strategy reads. */
export type AnyProfile = { [N in StrategyName]: StrategyProfile<N, string> }[StrategyName];
