// The one place that picks a journey by name, and says where its users come from.
import type { JourneyName } from '../types.ts';
import { concurrency } from '../core/journeys/concurrency.ts';
import type { Journey } from '../core/journeys/journey.ts';
import { request } from '../core/journeys/request.ts';
import { shop } from '../core/journeys/shop.ts';

export interface JourneyKind {
  play: Journey;
  /** `fresh`: a new user (and login) per journey; `pool`: sessions logged in before t = 0, lent per arrival. */
  users: 'fresh' | 'pool';
}

const JOURNEYS: Record<JourneyName, JourneyKind> = {
  shop: { play: shop, users: 'fresh' },
  concurrency: { play: concurrency, users: 'fresh' },
  request: { play: request, users: 'pool' },
};

export function journeyFor(name: JourneyName): JourneyKind {
  return JOURNEYS[name];
}
