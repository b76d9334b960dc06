import { describeOutcome, runChaos, type ChaosParams } from '../chaos/index.ts';
import { LabError } from '../errors.ts';
import { requireState } from '../topology/state.ts';

/**
 * Chaos by hand: one action on one target the lab started, one line of
 * output. Ctrl-C does not kill the command outright: it ends its waits, and
 * the action undoes what it half did (a timed pause resumes) before exiting 130.
 */
export async function chaos(
  stateDir: string,
  action: string,
  targetId: string,
  params: ChaosParams,
  print: (line: string) => void,
): Promise<void> {
  const state = await requireState(stateDir);
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  // `on`, not `once`: a second Ctrl-C (or a closed terminal) while the action
  // undoes itself must not kill the command before it resumes a paused process.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, interrupt);
  try {
    const context = { stateDir, state, detached: true, signal: controller.signal };
    print(describeOutcome(await runChaos(context, action, targetId, params)));
  } catch (error) {
    if (!(error instanceof LabError && error.code === 'INTERRUPTED')) throw error;
    process.stderr.write(`lab: ${error.toLine()}\n`);
    process.exitCode = 130;
  } finally {
    for (const signal of signals) process.removeListener(signal, interrupt);
  }
}
