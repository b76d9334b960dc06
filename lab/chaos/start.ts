import type { ChaosAction } from './action.ts';
import { ownedState, requireState, spawnTarget } from './process.ts';

/** Starts a dead target again from its recorded spec and waits until it is back in service. */
export const start: ChaosAction = {
  name: 'start',
  summary: 'start a dead process again from its recorded command',
  targets: ['node', 'store'],
  params: [],
  async run(context, target) {
    const previousPid = target.entry.pid;
    const before = await ownedState(target.entry);
    requireState(target, 'start', before, ['dead']);
    const pid = await spawnTarget(context, target);
    const back = await target.whenBack(context);
    return {
      action: 'start',
      target: target.id,
      pid,
      previousPid,
      before,
      after: 'running',
      detail: back,
    };
  },
};
