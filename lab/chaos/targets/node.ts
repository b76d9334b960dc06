import type { LabState, NodeEntry } from '../../topology/state.ts';
import { currentChoice, profileOf } from '../../strategy/choice.ts';
import type { ChaosTarget } from '../action.ts';
import { awaitBalancerState, describeView } from '../balancer-view.ts';

// The lab's balancer checks every second and needs 2 failures to mark a node
// down and 2 successes to take it back; these bounds leave room for both.
const NOTICE_DOWN_MS = 10_000;
const READMIT_MS = 15_000;

/** A Koa node: ready when it answers /healthz; back when the balancer takes it again. */
export function nodeTarget(state: LabState, node: NodeEntry): ChaosTarget {
  return {
    kind: 'node',
    id: node.id,
    entry: node,
    stopGraceMs: 5000,
    readyTimeoutMs: 15_000,
    async isReady() {
      const response = await fetch(`${node.url}/healthz`, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      return response.status === 200;
    },
    lossNote() {
      // The profile says whether sessions outlive their node, and where.
      const where = profileOf(currentChoice(state)).sessionsSurviveIn;
      return Promise.resolve(
        where
          ? `sessions live ${where} under ${state.strategy}: none lost with the node`
          : `its sessions lived in its memory (${state.strategy}): lost; its clients are redispatched and log in again`,
      );
    },
    async whenGone(context) {
      // A restart the balancer never noticed tests nothing: wait until it has.
      const seen = await awaitBalancerState(context, node.id, ['down', 'disabled'], NOTICE_DOWN_MS);
      return typeof seen === 'string' ? seen : `the balancer saw it ${seen.state}`;
    },
    async whenBack(context) {
      const seen = await awaitBalancerState(
        context,
        node.id,
        ['up', 'draining', 'disabled'],
        READMIT_MS,
      );
      return typeof seen === 'string' ? seen : `balancer: ${describeView(seen)}`;
    },
  };
}
