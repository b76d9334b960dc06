import { describeOutcome, runChaos, type ChaosParams } from '../chaos/index.ts';
import { LabError } from '../errors.ts';
import { requireState } from '../state.ts';

/** `5s`, `500ms`, `2m` or plain milliseconds, as `--for` takes it. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(text.trim());
  const ms = match ? Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000 }[match[2] ?? 'ms'] ?? 1) : 0;
  if (!match || ms < 1) {
    throw new LabError(
      'BAD_OPTION',
      `--${option} must be a duration such as 5s or 500ms, got "${text}"`,
    );
  }
  return ms;
}

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
