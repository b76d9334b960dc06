// A load model decides when journeys start; the journeys themselves, and
// what they record, are the same under every model.
import type { Recorder } from '../recorder.ts';
import type { ResolvedLoadConfig } from '../types.ts';

export interface ModelContext {
  config: ResolvedLoadConfig;
  /** A journey's duration when the system keeps up (drop causes). */
  expectedJourneyMs: number;
  recorder: Recorder;
  /** Aborted at the end of the load (or on interrupt): start no journey after it. */
  stopping: AbortSignal;
  /** Plays one whole journey; never rejects for what the system under test does. */
  runJourney: () => Promise<void>;
}

/** Starts journeys until `stopping`; resolves once every journey it started has ended. */
export type LoadModel = (context: ModelContext) => Promise<void>;
