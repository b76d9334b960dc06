// The one place that picks a journey by name.
import type { JourneyName } from '../types.ts';
import { concurrency } from './concurrency.ts';
import type { Journey } from './journey.ts';
import { shop } from './shop.ts';

const JOURNEYS: Record<JourneyName, Journey> = { shop, concurrency };

export function journeyFor(name: JourneyName): Journey {
  return JOURNEYS[name];
}
