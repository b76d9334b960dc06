// The one place that turns a policy name into a policy.
import type { PolicyName } from '../config.ts';
import type { StickyCookie } from '../sticky-cookie.ts';
import { LeastConnectionsPolicy } from './least-connections.ts';
import type { Policy } from './policy.ts';
import { RoundRobinPolicy } from './round-robin.ts';
import { StickyPolicy } from './sticky.ts';

export type { Policy, RoutingContext } from './policy.ts';

export interface PolicyDeps {
  readonly stickyCookie: StickyCookie;
  /** The policy sticky uses for clients without a usable cookie. */
  readonly stickyFallback: Exclude<PolicyName, 'sticky'>;
}

export function createPolicy(name: PolicyName, deps: PolicyDeps): Policy {
  switch (name) {
    case 'round-robin':
      return new RoundRobinPolicy();
    case 'least-connections':
      return new LeastConnectionsPolicy();
    case 'sticky':
      return new StickyPolicy(deps.stickyCookie, createPolicy(deps.stickyFallback, deps));
  }
}
