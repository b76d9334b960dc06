import type { ChaosAction } from './action.ts';
import { ownedState, requireState, stopGracefully } from './process.ts';

/** SIGTERM: a planned stop; the process finishes what it can (SIGKILL after its grace). */
export const stop: ChaosAction = {
  name: 'stop',
  summary: 'SIGTERM: a graceful stop (SIGKILL after the grace period)',
  targets: ['node', 'store'],
  params: [],
  async run(context, target) {
    const before = await ownedState(target.entry);
    requireState(target, 'stop', before, ['running', 'paused']);
    const loss = await target.lossNote(context, true);
    const how = await stopGracefully(context, target);
    return {
      action: 'stop',
      target: target.id,
      pid: target.entry.pid,
      before,
      after: 'dead',
      detail: `${how}; ${loss}`,
    };
  },
};
