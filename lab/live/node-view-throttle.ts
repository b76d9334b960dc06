// The sampler reads the balancer's view four times a second; the page needs a
// change of health at once (a node going down) but the counters only once a
// second. This decides which readings are worth a message.
import type { NodeView } from '../chaos/balancer-view.ts';
import type { LiveNode } from './messages.ts';

const COUNTERS_EVERY_MS = 1000;

/** The page's form of the balancer's view of one node. */
export function liveNode(view: NodeView): LiveNode {
  const count = (value: unknown) => (typeof value === 'number' ? value : null);
  return {
    id: view.id,
    state: view.state,
    weight: view.weight ?? null,
    slowStartRemainingMs: view.slowStartRemainingMs ?? null,
    active: count(view.active),
    requests: count(view.requests),
    errors: count(view.errors),
  };
}

/** What a node's health is: its state and its slow-start weight. */
function health(nodes: readonly LiveNode[]): string {
  return nodes.map((node) => `${node.id}:${node.state}:${node.weight ?? ''}`).join(',');
}

export class NodeViewThrottle {
  #lastHealth = '';
  #lastAt = -Infinity;

  /** The nodes to send now, or undefined when this reading adds nothing the page needs yet. */
  next(views: readonly NodeView[], nowMs: number): LiveNode[] | undefined {
    const nodes = views.map(liveNode);
    const now = health(nodes);
    if (now === this.#lastHealth && nowMs - this.#lastAt < COUNTERS_EVERY_MS) return undefined;
    this.#lastHealth = now;
    this.#lastAt = nowMs;
    return nodes;
  }
}
