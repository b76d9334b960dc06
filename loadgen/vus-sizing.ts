// How many journeys may be in flight at once when the config leaves `vus`
// out: Little's law (in flight = arrival rate × time in the system) over the
// journey's expected duration, with a safety factor, so the generator's own
// cap is not what drops journeys while the system keeps up.
import type { JourneyName } from './types.ts';

/** A sized `vus` is this many times what Little's law gives for a system that keeps up. */
export const VUS_SAFETY_FACTOR = 2;
/** No sized `vus` below this: a handful of slow requests must not drop arrivals at low rates. */
export const MIN_SIZED_VUS = 10;
export const MAX_VUS = 10_000;

export interface JourneyShape {
  journey: JourneyName;
  steps: number;
  thinkMs: number;
  expectedRequestMs: number;
}

/**
 * One journey's duration when every request takes expectedRequestMs: its
 * think times plus its requests one after the other (parallel writes of a
 * concurrency round count once). jwt refreshes are left out: one every
 * token lifetime is small beside a journey.
 */
export function expectedJourneyMs(shape: JourneyShape): number {
  const { steps, thinkMs, expectedRequestMs } = shape;
  switch (shape.journey) {
    case 'shop': // login, steps requests, logout; a think before each step and before logout
      return (steps + 2) * expectedRequestMs + (steps + 1) * thinkMs;
    case 'concurrency': // login, steps rounds of read + writes + read, logout
      return (3 * steps + 2) * expectedRequestMs + (steps + 1) * thinkMs;
    case 'request':
      return expectedRequestMs;
  }
}

/** `vus` for `rate` journeys per second lasting `journeyMs` each: rate × duration × safety factor. */
export function sizeVus(rate: number, journeyMs: number): number {
  const littles = rate * (journeyMs / 1000);
  return Math.min(MAX_VUS, Math.max(MIN_SIZED_VUS, Math.ceil(littles * VUS_SAFETY_FACTOR)));
}
