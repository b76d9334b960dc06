import type { ChaosAction } from './action.ts';
import { ownedState, spawnTarget, stopGracefully } from './process.ts';

/**
 * A graceful stop (if it runs), then a start from the same spec: a deploy or
 * a supervisor restarting a crashed process. A node is only started again
 * once the balancer has noticed it gone, so the restart exercises failover
 * and readmission (with slow start), not a blip nobody saw.
 */
export const restart: ChaosAction = {
  name: 'restart',
  summary: 'stop gracefully (if running), then start again from the same command',
  targets: ['node', 'store'],
  params: [],
  async run(context, target) {
    const previousPid = target.entry.pid;
    const before = await ownedState(target.entry);
    const steps: string[] = [];
    if (before !== 'dead') {
      const loss = await target.lossNote(context, true);
      steps.push(await stopGracefully(context, target), loss);
    }
    const gone = await target.whenGone(context);
    if (gone) steps.push(gone);
    const pid = await spawnTarget(context, target);
    steps.push(await target.whenBack(context));
    return {
      action: 'restart',
      target: target.id,
      pid,
      previousPid,
      before,
      after: 'running',
      detail: steps.join('; '),
    };
  },
};
