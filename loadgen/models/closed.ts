// Closed model (k6 constant-vus): `vus` users, each starting its next
// journey as soon as the last one ended. The load follows the system: a slow
// system gets fewer journeys, which is what a fixed user population does.
import type { ModelContext } from './model.ts';

export async function closedModel(context: ModelContext): Promise<void> {
  const { config, stopping, runJourney } = context;
  const user = async () => {
    while (!stopping.aborted) await runJourney();
  };
  await Promise.all(Array.from({ length: config.vus }, user));
}
