// A journey is what one simulated user does from login to logout. Each one
// gets its own user (a fresh name, so it is its cart's only writer) and its
// own seeded random draws, so journey n asks for the same things whatever
// the strategy under load.
import type { LoadConfig } from '../../types.ts';
import type { VirtualUser } from '../virtual-user.ts';

export interface JourneyPlan {
  steps: number;
  parallelWrites: number;
  /** Seeded draws in [0, 1): the same sequence for journey n in every run of one seed. */
  random: () => number;
}

/** Plays one journey; resolves true when it ran to its end, false when the load ended first. */
export type Journey = (user: VirtualUser, plan: JourneyPlan) => Promise<boolean>;

/** What a journey reads from the config. */
export type JourneySettings = Pick<LoadConfig, 'steps' | 'parallelWrites'>;

/** Few SKUs, so carts (and the cookie strategy's cookie) stay small and never hit 413. */
export const SKUS = 10;

export function pickSku(random: () => number): string {
  return `sku-${Math.floor(random() * SKUS)}`;
}
