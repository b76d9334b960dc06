// Before a run starts anything: every external tool its strategies and
// chaos steps need is there, or the run refuses at once and says what to
// install (a missing redis-server found ten minutes into a run wastes them).
import { LabError } from '../errors.ts';
import { toolNamed } from '../tools/index.ts';
import { k6Version, requireK6 } from '../tools/k6.ts';
import { parseStrategyChoice, profileOf } from '../strategy/choice.ts';
import { STORES } from '../strategy/stores.ts';
import type { Scenario } from './scenario-schema.ts';

/** Tool names the scenario needs, with why. */
export function toolsNeeded(scenario: Scenario): Map<string, string> {
  const needed = new Map<string, string>();
  for (const strategy of scenario.strategies) {
    const { name, stores } = profileOf(parseStrategyChoice(strategy));
    for (const store of stores) needed.set(STORES[store].tool, `the ${name} strategy`);
  }
  if (scenario.balancer !== 'lab') needed.set('haproxy', `--balancer ${scenario.balancer}`);
  if (scenario.chaos.some((step) => step.action === 'network')) {
    needed.set('toxiproxy-server', 'the network chaos steps');
  }
  return needed;
}

/** Finds every tool the scenario needs; returns name -> version for summary.json. */
export async function checkRunTools(scenario: Scenario): Promise<Record<string, string>> {
  const versions: Record<string, string> = { node: process.version };
  // First, and on its own: a run asked to use k6 without one starts nothing.
  if (scenario.load.generator === 'k6') versions.k6 = k6Version((await requireK6()).version);
  const missing: string[] = [];
  for (const [name, why] of toolsNeeded(scenario)) {
    const found = await toolNamed(name)?.find();
    if (found) versions[name] = found.version;
    else missing.push(`${name} (for ${why})`);
  }
  if (missing.length > 0) {
    throw new LabError(
      'TOOLS_MISSING',
      `scenario ${scenario.name} needs ${missing.join(', ')}`,
      'run `npx lab setup`, or leave those strategies out with --strategies',
    );
  }
  return versions;
}
