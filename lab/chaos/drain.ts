import type { ChaosAction } from './action.ts';
import { changeMode, haproxyNote } from './balancer-view.ts';

/** The balancer sends a node no new clients; clients pinned to it stay (sticky). */
export const drain: ChaosAction = {
  name: 'drain',
  summary: 'the balancer sends it no new clients; pinned (sticky) clients stay',
  targets: ['node'],
  params: [],
  async run(context, target) {
    const change = await changeMode(context, target.id, 'drain');
    const { before, after, policy } = change;
    return {
      action: 'drain',
      target: target.id,
      before: before.state,
      after: after.state,
      detail:
        (after.state === 'down'
          ? 'it fails its health checks, so it takes nothing; drained once they pass'
          : policy === 'sticky'
            ? 'clients pinned to it stay; new clients go to other nodes'
            : `no new requests: ${policy} pins no client to it`) + haproxyNote(change),
    };
  },
};
