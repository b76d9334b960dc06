import { LabError } from '../errors.ts';
import { signalService } from '../process/supervisor.ts';
import type { ChaosAction, ChaosTarget } from './action.ts';
import { awaitProcessState, hold, ownedState, requireState, signalAndWait } from './process.ts';

/**
 * SIGSTOP: the process hangs with its sockets open (a GC pause, a stuck VM).
 * With `forMs` it is resumed afterwards. Whatever ends the command early
 * (Ctrl-C, an error) resumes what this command paused: no paused process is
 * left behind by accident.
 */
export const pause: ChaosAction = {
  name: 'pause',
  summary: 'SIGSTOP: the process hangs (--for D: resumed after D)',
  targets: ['node', 'store'],
  params: ['forMs'],
  async run(context, target, params) {
    const before = await ownedState(target.entry);
    requireState(target, 'pause', before, ['running']);
    const { forMs } = params;
    const outcome = { action: 'pause', target: target.id, pid: target.entry.pid, before };
    await signalService(target.entry.pid, target.entry.spec, 'SIGSTOP');
    try {
      await awaitProcessState(context, target, 'paused');
      if (forMs === undefined) {
        return {
          ...outcome,
          after: 'paused',
          detail: `requests to it hang until \`lab resume ${target.id}\``,
        };
      }
      await hold(context, forMs, `${target.id} was paused for ${forMs} ms`);
    } catch (error) {
      const resumed = await resumeQuietly(target);
      if (resumed && error instanceof LabError && error.code === 'INTERRUPTED') {
        throw new LabError('INTERRUPTED', `${error.message}; resumed it`);
      }
      throw error;
    }
    await signalAndWait(context, target, 'SIGCONT', 'running');
    return { ...outcome, after: 'running', detail: `paused for ${forMs} ms, then resumed` };
  },
};

/** Best effort on the way out: the original error is what the user must see. */
async function resumeQuietly(target: ChaosTarget): Promise<boolean> {
  try {
    await signalService(target.entry.pid, target.entry.spec, 'SIGCONT');
    return true;
  } catch {
    return false; // gone, or the pid is no longer ours: nothing of ours is left paused
  }
}
