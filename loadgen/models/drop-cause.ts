// Why the open model dropped an arrival (all `vus` journeys in flight), so a
// report can say whose limit it was: the generator's own cap while the
// system kept up, the generator being late (its CPU), or the system making
// journeys last longer than expected.
import type { DropCause } from '../second-series.ts';

/** An arrival started this late means the generator itself could not keep its schedule. */
export const GENERATOR_LATE_MS = 100;
/** A journey lasting more than this many times the expected duration is overdue. */
export const SLOW_JOURNEY_FACTOR = 2;
/** When at least this share of the recent and in-flight journeys is overdue, the system slowed them. */
export const OVERDUE_SHARE = 0.25;

export interface DropEvidence {
  /** How late the dropped arrival was handled, ms. */
  lateMs: number;
  /** Durations of the journeys that ended lately, and the ages of those in flight (lower bounds), ms. */
  recentDurationsMs: readonly number[];
  /** A journey's duration when every request takes expectedRequestMs. */
  expectedJourneyMs: number;
}

export function dropCause(evidence: DropEvidence): DropCause {
  if (evidence.lateMs > GENERATOR_LATE_MS) return 'generator';
  const durations = evidence.recentDurationsMs;
  const limit = evidence.expectedJourneyMs * SLOW_JOURNEY_FACTOR;
  const overdue = durations.filter((ms) => ms > limit).length;
  return durations.length > 0 && overdue >= durations.length * OVERDUE_SHARE ? 'latency' : 'cap';
}
