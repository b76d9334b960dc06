import { LabError } from '../errors.ts';
import type { LabState } from '../topology/state.ts';
import { currentChoice, profileOf, type StrategyChoice } from '../strategy/choice.ts';

/**
 * One node → store connection routed through its own Toxiproxy proxy, so a
 * fault can hit one node's path to one store and nothing else. Recorded in
 * the state; the node is configured with `listen` instead of the store.
 */
export interface LinkEntry {
  /** `node-1->redis`, `node-2->hz-2`. */
  name: string;
  node: string;
  /** The store's id in the state: `redis`, `hz-1`, ... */
  store: string;
  /** What answers behind it; Hazelcast clients reconnect around a link (see run-fault.ts). */
  storeKind: 'redis' | 'hazelcast';
  /** Where the node connects: the proxy's `127.0.0.1:PORT`. */
  listen: string;
  /** The store's real `host:port`. */
  upstream: string;
}

/** A link before its proxy exists (no port yet). */
export type LinkPlan = Omit<LinkEntry, 'listen'>;

export function linkName(node: string, store: string): string {
  return `${node}->${store}`;
}

/** The member beside node number `index` (0-based): the replicated variant's only one. */
export function ownMember<T>(members: readonly T[], index: number): T {
  return members[index % members.length]!;
}

/**
 * The links the nodes need to reach the store of `choice` that its profile
 * links (`linkedStore`). Redis: every node → redis. Hazelcast
 * (`clustered:replicated`): node-i → its own member, the only one its client
 * is given. `clustered:partitioned` links none: its smart client opens a
 * connection to every member at the address the member announces, whatever
 * it was first given, so a proxy would carry only the first handshake, and a
 * member announces one address for all nodes, so per-node links cannot
 * exist: its nodes reach the members directly and take no network faults.
 */
export function plannedLinks(state: LabState, choice: StrategyChoice): LinkPlan[] {
  const nodes = state.nodes.map((node) => node.id);
  const redis = state.services?.redis;
  const members = state.services?.hazelcast?.members ?? [];
  const store = profileOf(choice).linkedStore(choice.variant);
  if (store === 'redis' && redis) {
    const upstream = new URL(redis.address).host;
    return nodes.map((node) => ({
      name: linkName(node, redis.id),
      node,
      store: redis.id,
      storeKind: 'redis' as const,
      upstream,
    }));
  }
  if (store === 'hazelcast' && members.length > 0) {
    return nodes.map((node, index) => {
      const member = ownMember(members, index);
      return {
        name: linkName(node, member.id),
        node,
        store: member.id,
        storeKind: 'hazelcast' as const,
        upstream: member.address,
      };
    });
  }
  return [];
}

/** Recorded links. */
export function recordedLinks(state: LabState): LinkEntry[] {
  return state.services?.toxiproxy?.links ?? [];
}

/** The `host:port` node `node` must use for store `store`: its link if there is one. */
export function linkAddress(state: LabState, node: string, store: string): string | undefined {
  return recordedLinks(state).find((link) => link.node === node && link.store === store)?.listen;
}

/** Links the running strategy's nodes connect through (faults on others change nothing). */
export function linksInUse(state: LabState): LinkEntry[] {
  const used = new Set(plannedLinks(state, currentChoice(state)).map((plan) => plan.name));
  return recordedLinks(state).filter((link) => used.has(link.name));
}

/**
 * The links a fault target names: a link (`node-1->redis`), a node (all its
 * links) or a store (`redis`, `hz-2`: all links to it). Unknown names fail
 * with the known ones listed.
 */
export function resolveTarget(links: readonly LinkEntry[], target: string): LinkEntry[] {
  const exact = links.filter((link) => link.name === target);
  if (exact.length > 0) return exact;
  const byNode = links.filter((link) => link.node === target);
  if (byNode.length > 0) return byNode;
  const byStore = links.filter((link) => link.store === target);
  if (byStore.length > 0) return byStore;
  const known = [
    ...new Set([
      ...links.map((link) => link.store),
      ...links.map((link) => link.node),
      ...links.map((link) => link.name),
    ]),
  ];
  throw new LabError(
    'UNKNOWN_TARGET',
    `no network link matches "${target}"`,
    known.length > 0
      ? `targets: ${known.join(', ')}`
      : 'the current strategy has no links (switch to redis, jwt or clustered:replicated)',
  );
}
