import { LabError } from '../errors.ts';
import type { LabState } from '../topology/state.ts';
import { linksInUse, recordedLinks, resolveTarget, type LinkEntry } from './links.ts';

/**
 * The links `target` (a link, a node or a store) names among those the
 * running strategy uses. A link that exists but carries nothing now is named
 * as such, rather than "unknown": a fault there would change nothing.
 */
export function targetLinks(state: LabState, target: string): LinkEntry[] {
  try {
    return resolveTarget(linksInUse(state), target);
  } catch (error) {
    const idle = (() => {
      try {
        return resolveTarget(recordedLinks(state), target);
      } catch {
        return undefined;
      }
    })();
    if (!idle) throw error;
    const current = state.variant ? `${state.strategy}:${state.variant}` : state.strategy;
    throw new LabError(
      'LINK_UNUSED',
      `${target}: no node connects through it under ${current}, a fault would change nothing`,
      current === 'clustered:partitioned'
        ? 'the partitioned smart client reaches every member at the address it announces, so it has no links'
        : 'switch to a strategy that uses that store first',
    );
  }
}
