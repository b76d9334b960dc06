// The extension point for routing: given the nodes that may take new traffic,
// choose one. Implementations live one per file; `index.ts` is the only place
// that chooses between them by name.
import type { PolicyName } from '../config.ts';
import type { Upstream } from '../upstream.ts';

/** Per-request routing facts in, routing side effects out. */
export interface RoutingContext {
  /** The balancer cookie's value as the client sent it (sticky only reads it). */
  readonly stickyValue: string | undefined;
  /** Nodes this request already failed on; a retry must go elsewhere. */
  tried: Upstream[] | undefined;
  /** Set by the sticky policy when the response must carry a new cookie for this node. */
  insertCookieFor: Upstream | undefined;
  /** Set by the sticky policy when the client's cookie could not be honoured. */
  redispatched: boolean;
}

export interface Policy {
  readonly name: PolicyName;
  /**
   * Chooses a node among `candidates` (the nodes in state `up`, minus those
   * already tried), or returns undefined when none will do.
   */
  pick(candidates: readonly Upstream[], ctx: RoutingContext): Upstream | undefined;
}
