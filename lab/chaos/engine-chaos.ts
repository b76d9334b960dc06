// The process actions (kill, stop, pause, resume, start, restart) on a
// topology an engine runs: the engine's act() instead of signals, the
// engine's view of a member instead of /proc. What an action means for
// sessions, and the waits for the balancer to notice, are the target's, as
// for local processes.
import { DockerEngine } from '../engine/docker-engine.ts';
import { refreshPids } from '../engine/engine-state.ts';
import type { MemberState } from '../engine/engine.ts';
import { LabError } from '../errors.ts';
import { reapplyCurrentStrategy } from '../strategy/switch.ts';
import { writeState } from '../topology/state.ts';
import type { ChaosContext, ChaosOutcome, ChaosParams, ChaosTarget } from './action.ts';
import { hold, requireState } from './process.ts';

/** The actions an engine carries out; drain, disable and enable go to the balancer as always. */
export const ENGINE_ACTIONS: readonly string[] = [
  'kill',
  'stop',
  'pause',
  'resume',
  'start',
  'restart',
];

const ALLOWED: Record<string, readonly MemberState[]> = {
  kill: ['running', 'paused'],
  stop: ['running', 'paused'],
  pause: ['running'],
  resume: ['paused'],
  start: ['dead'],
  restart: ['running', 'paused', 'dead'],
};

export async function runOnEngine(
  context: ChaosContext,
  name: string,
  target: ChaosTarget,
  params: ChaosParams,
): Promise<ChaosOutcome> {
  const record = context.state.engine;
  if (!record) throw new LabError('UNEXPECTED', 'runOnEngine needs a topology an engine runs');
  const engine = new DockerEngine({ detached: context.detached, record });
  const stateOf = async (): Promise<MemberState> =>
    (await engine.members()).find((member) => member.id === target.id)?.state ?? 'dead';
  const before = await stateOf();
  requireState(target, name, before, ALLOWED[name] ?? []);
  const outcome = { action: name, target: target.id, before };
  // A paused container is unfrozen first: a graceful stop needs it to run.
  const stopNow = async () => {
    if ((await stateOf()) === 'paused') await engine.act(target.id, 'resume');
    await engine.act(target.id, 'stop');
  };
  const startNow = async () => {
    await engine.act(target.id, 'start');
    await refreshPids(engine, context.state);
    await writeState(context.stateDir, context.state);
    // A node container boots on its compose file's strategy: give it the current one.
    const node = context.state.nodes.find((entry) => entry.id === target.id);
    if (!node) return;
    const problem = await reapplyCurrentStrategy(context.state, node);
    if (problem) {
      throw new LabError(
        'SWITCH_FAILED',
        `${node.id} started, but did not take the current strategy ${context.state.strategy}: ${problem}`,
      );
    }
  };
  switch (name) {
    case 'kill': {
      const detail = await target.lossNote(context, false);
      await engine.act(target.id, 'kill');
      return { ...outcome, pid: target.entry.pid, after: 'dead', detail: `docker kill; ${detail}` };
    }
    case 'stop': {
      const detail = await target.lossNote(context, true);
      await stopNow();
      return { ...outcome, pid: target.entry.pid, after: 'dead', detail: `docker stop; ${detail}` };
    }
    case 'pause':
      return pauseMember(context, engine, target, params, outcome);
    case 'resume':
      await engine.act(target.id, 'resume');
      return {
        ...outcome,
        pid: target.entry.pid,
        after: 'running',
        detail: 'docker unpause; requests it held are answered now, late',
      };
    case 'start': {
      const previousPid = target.entry.pid;
      await startNow();
      const back = await target.whenBack(context);
      return { ...outcome, pid: target.entry.pid, previousPid, after: 'running', detail: back };
    }
    default: {
      // restart
      const previousPid = target.entry.pid;
      const steps: string[] = [];
      if (before !== 'dead') {
        const loss = await target.lossNote(context, true);
        await stopNow();
        steps.push('docker stop', loss);
      }
      const gone = await target.whenGone(context);
      if (gone) steps.push(gone);
      await startNow();
      steps.push(await target.whenBack(context));
      return {
        ...outcome,
        action: 'restart',
        pid: target.entry.pid,
        previousPid,
        after: 'running',
        detail: steps.join('; '),
      };
    }
  }
}

/** docker pause; with `forMs`, unpaused after it, and unpaused too if the wait is cut short. */
async function pauseMember(
  context: ChaosContext,
  engine: DockerEngine,
  target: ChaosTarget,
  params: ChaosParams,
  outcome: { action: string; target: string; before: MemberState },
): Promise<ChaosOutcome> {
  await engine.act(target.id, 'pause');
  const { forMs } = params;
  if (forMs === undefined) {
    return {
      ...outcome,
      pid: target.entry.pid,
      after: 'paused',
      detail: `docker pause; requests to it hang until \`lab resume ${target.id}\``,
    };
  }
  try {
    await hold(context, forMs, `${target.id} was paused for ${forMs} ms`);
  } finally {
    // Whatever ends the wait, nothing this command paused stays paused.
    await engine.act(target.id, 'resume');
  }
  return {
    ...outcome,
    pid: target.entry.pid,
    after: 'running',
    detail: `docker pause for ${forMs} ms, then unpause`,
  };
}
