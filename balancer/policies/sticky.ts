import type { StickyCookie } from '../sticky-cookie.ts';
import type { Upstream } from '../upstream.ts';
import type { Policy, RoutingContext } from './policy.ts';

/**
 * Cookie affinity, as HAProxy `cookie ... insert indirect nocache`: a valid
 * cookie naming a node that is up or draining wins; anything else (no cookie,
 * a forged or stale value, a node down or disabled) is redispatched with the
 * fallback policy among the up nodes, and the response gets a new cookie.
 * Draining nodes therefore keep their clients but get no new ones.
 */
export class StickyPolicy implements Policy {
  readonly name = 'sticky';
  private readonly cookie: StickyCookie;
  private readonly fallback: Policy;

  constructor(cookie: StickyCookie, fallback: Policy) {
    this.cookie = cookie;
    this.fallback = fallback;
  }

  pick(candidates: readonly Upstream[], ctx: RoutingContext): Upstream | undefined {
    const value = ctx.stickyValue;
    if (value !== undefined) {
      const named = this.cookie.lookup(value);
      if (named !== undefined && honourable(named, ctx)) return named;
      // Counted once per request even if retries pass through here again.
      if (!ctx.redispatched) {
        ctx.redispatched = true;
        if (named !== undefined) named.stickyRedispatches++;
      }
    }
    const chosen = this.fallback.pick(candidates, ctx);
    ctx.insertCookieFor = chosen;
    return chosen;
  }
}

function honourable(node: Upstream, ctx: RoutingContext): boolean {
  const state = node.state;
  return (state === 'up' || state === 'draining') && !ctx.tried?.includes(node);
}
