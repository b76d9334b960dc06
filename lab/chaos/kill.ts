import type { ChaosAction } from './action.ts';
import { ownedState, requireState, signalAndWait } from './process.ts';

/** SIGKILL: the unplanned loss of a process; nothing it holds in memory survives. */
export const kill: ChaosAction = {
  name: 'kill',
  summary: 'SIGKILL: a crash, nothing flushed',
  targets: ['node', 'store'],
  params: [],
  async run(context, target) {
    const before = await ownedState(target.entry);
    requireState(target, 'kill', before, ['running', 'paused']);
    // Measured while the process still answers (Redis key count).
    const detail = await target.lossNote(context, false);
    await signalAndWait(context, target, 'SIGKILL', 'dead');
    return {
      action: 'kill',
      target: target.id,
      pid: target.entry.pid,
      before,
      after: 'dead',
      detail,
    };
  },
};
