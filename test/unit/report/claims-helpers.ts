// What the claim tests read off the fixture, through the report's own facts
// where the rule under test is not the thing computing them.
import type { RunSummary, StrategySummary } from '../../../report/summary-schema.ts';
import { family, SERVER_SESSION_FAMILIES } from '../../../report/strategy-facts.ts';

export { before, nodeKills } from '../../../report/strategy-facts.ts';

export function serverSessionsOf(run: RunSummary): StrategySummary[] {
  return run.strategies.filter((s) => SERVER_SESSION_FAMILIES.includes(family(s.strategy)));
}
