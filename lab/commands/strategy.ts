import type { RedisPersistence } from '../services/redis-server.ts';
import { requireState, writeState } from '../topology/state.ts';
import { parseStrategyChoice } from '../strategy/choice.ts';
import { switchStrategy } from '../strategy/switch.ts';

/** `lab strategy NAME[:VARIANT]`: switches the running topology live. */
export async function strategy(
  stateDir: string,
  text: string,
  redisPersistence: RedisPersistence | undefined,
  print: (line: string) => void,
): Promise<void> {
  const choice = parseStrategyChoice(text);
  const state = await requireState(stateDir);
  try {
    const outcome = await switchStrategy(stateDir, state, choice, {
      detached: true,
      redisPersistence,
    });
    const shown = choice.variant ? `${choice.name} (${choice.variant})` : choice.name;
    print(
      `switched to ${shown} in ${outcome.tookMs} ms; sessions do not migrate: clients log in again`,
    );
    for (const { id, reason } of outcome.skipped) print(`  ${id}: ${reason}`);
    for (const note of outcome.notes) print(`  ${note}`);
  } finally {
    // Services started and per-node configs changed even if a node refused.
    await writeState(stateDir, state);
  }
}
