import { LabError } from '../errors.ts';
import { recordEvent } from '../events.ts';
import { processState, signalService, type ProcessState } from '../process-supervisor.ts';
import { findNode, requireState, writeState } from '../state.ts';
import { startNode } from '../topology.ts';
import { waitFor } from '../wait.ts';

export type ChaosAction = 'kill' | 'pause' | 'resume' | 'start';

const SIGNAL_OF: Record<Exclude<ChaosAction, 'start'>, NodeJS.Signals> = {
  kill: 'SIGKILL',
  pause: 'SIGSTOP',
  resume: 'SIGCONT',
};

const EXPECTED_STATE: Record<Exclude<ChaosAction, 'start'>, ProcessState> = {
  kill: 'dead',
  pause: 'paused',
  resume: 'running',
};

/** Chaos by hand on one node the lab started (never on any other process). */
export async function chaos(
  stateDir: string,
  action: ChaosAction,
  nodeId: string,
  print: (line: string) => void,
): Promise<void> {
  const state = await requireState(stateDir);
  const node = findNode(state, nodeId);
  const before = await processState(node.pid);
  if (action === 'start') {
    if (before !== 'dead') {
      throw new LabError(
        'ALREADY_RUNNING',
        `${nodeId} is ${before} (pid ${node.pid})`,
        before === 'paused' ? `use \`lab resume ${nodeId}\`` : 'kill it first to restart it',
      );
    }
    node.pid = await startNode(node.spec, node.url, true);
    await writeState(stateDir, state);
  } else {
    if (before === 'dead') {
      throw new LabError('NOT_RUNNING', `${nodeId} is not running`, `use \`lab start ${nodeId}\``);
    }
    await signalService(node.pid, node.spec, SIGNAL_OF[action]);
    const expected = EXPECTED_STATE[action];
    await waitFor(async () => (await processState(node.pid)) === expected, {
      timeoutMs: 3000,
      what: `${nodeId} to be ${expected}`,
    });
  }
  await recordEvent(stateDir, { type: 'chaos', action, target: nodeId, pid: node.pid });
  print(
    `${action} ${nodeId} (pid ${node.pid}): was ${before}, now ${await processState(node.pid)}`,
  );
}
