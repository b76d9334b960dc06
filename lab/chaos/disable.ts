import type { ChaosAction } from './action.ts';
import { changeMode, haproxyNote } from './balancer-view.ts';

/** The balancer sends a node nothing at all; its pinned clients are redispatched. */
export const disable: ChaosAction = {
  name: 'disable',
  summary: 'the balancer sends it nothing; pinned clients move to other nodes',
  targets: ['node'],
  params: [],
  async run(context, target) {
    const change = await changeMode(context, target.id, 'disable');
    const { before, after, policy } = change;
    return {
      action: 'disable',
      target: target.id,
      before: before.state,
      after: after.state,
      detail:
        (policy === 'sticky'
          ? 'every client moves to other nodes; sessions kept in its memory are out of reach'
          : 'every request goes to other nodes') + haproxyNote(change),
    };
  },
};
