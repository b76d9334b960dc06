import type { ChaosAction } from './action.ts';
import { changeMode, haproxyNote, describeView } from './balancer-view.ts';

/** Ends a drain or disable; the health verdict decides, then slow start ramps the node up. */
export const enable: ChaosAction = {
  name: 'enable',
  summary: 'ends a drain or disable; the node comes back through slow start',
  targets: ['node'],
  params: [],
  async run(context, target) {
    const change = await changeMode(context, target.id, 'enable');
    const { before, after } = change;
    return {
      action: 'enable',
      target: target.id,
      before: before.state,
      after: after.state,
      detail:
        (after.state === 'down'
          ? 'failing its health checks: back once they pass'
          : `balancer: ${describeView(after)}`) + haproxyNote(change),
    };
  },
};
