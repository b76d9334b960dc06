import type { RoutingContext } from '../../../../balancer/policies/index.ts';
import { UpstreamPool } from '../../../../balancer/upstream-pool.ts';

/** A fresh routing context, as the request handler builds one per request. */
export function ctx(stickyValue?: string): RoutingContext {
  return { stickyValue, tried: undefined, insertCookieFor: undefined, redispatched: false };
}

/** `count` nodes n1..nN on made-up ports (policies never connect). */
export function makePool(count: number): UpstreamPool {
  return new UpstreamPool(
    Array.from({ length: count }, (_, i) => ({
      id: `n${i + 1}`,
      url: `http://127.0.0.1:${9001 + i}`,
    })),
  );
}
