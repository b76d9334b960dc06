import { describeOutcome, runChaos, type ChaosParams } from '../chaos/index.ts';
import { LabError } from '../errors.ts';
import { requireState } from '../state.ts';

/** `5s`, `500ms`, `2m` or plain milliseconds, as `--for` takes it. */
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
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const context = { stateDir, state, detached: true, signal: controller.signal };
    print(describeOutcome(await runChaos(context, action, targetId, params)));
  } catch (error) {
    if (!(error instanceof LabError && error.code === 'INTERRUPTED')) throw error;
    process.stderr.write(`lab: ${error.toLine()}\n`);
    process.exitCode = 130;
  } finally {
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }
}
