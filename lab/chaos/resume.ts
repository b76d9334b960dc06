import type { ChaosAction } from './action.ts';
import { ownedState, requireState, signalAndWait } from './process.ts';

/** SIGCONT: a paused process carries on; requests it held are answered late. */
export const resume: ChaosAction = {
  name: 'resume',
  summary: 'SIGCONT: a paused process carries on',
  targets: ['node', 'store'],
  params: [],
  async run(context, target) {
    const before = await ownedState(target.entry);
    requireState(target, 'resume', before, ['paused']);
    await signalAndWait(context, target, 'SIGCONT', 'running');
    return {
      action: 'resume',
      target: target.id,
      pid: target.entry.pid,
      before,
      after: 'running',
      detail: 'requests it held are answered now, late',
    };
  },
};
