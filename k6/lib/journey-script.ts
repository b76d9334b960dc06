// What every journey script does per iteration: a user (a fresh one per
// journey, or one kept by the VU for the request journey), journey n's
// seeded draws, and the journey itself from loadgen/core, as the lab's
// generator plays it.
import exec from 'k6/execution';
import type { Journey } from '../../loadgen/core/journeys/journey.ts';
import { journeySeed, seededRandom } from '../../loadgen/core/seeded-random.ts';
import { VirtualUser } from '../../loadgen/core/virtual-user.ts';
import { journeysCompleted, journeysStarted, K6Recorder, touchCounters } from './k6-recorder.ts';
import { k6Platform } from './k6-platform.ts';
import type { Settings } from './settings.ts';

// Names unique across runs too: jwt carts are kept per user in Redis.
const RUN_ID = Date.now().toString(36);
const recorder = new K6Recorder();
let platform: ReturnType<typeof k6Platform> | undefined;
/** The request journey's session: one per VU, kept across its iterations. */
let kept: VirtualUser | undefined;

function newUser(settings: Settings, name: string): VirtualUser {
  platform ??= k6Platform(settings);
  return new VirtualUser(name, {
    platform,
    recorder,
    thinkMs: settings.thinkMs,
    refreshRetry: settings.refreshRetry,
  });
}

/**
 * One iteration. `users`: `fresh`, a new user (and login) per journey, so it
 * is its cart's only writer; `kept`, the VU's own session, logged in by its
 * first arrival and lent to one arrival at a time (a VU runs one iteration at a time).
 */
export async function playJourney(
  settings: Settings,
  journey: Journey,
  users: 'fresh' | 'kept',
): Promise<void> {
  touchCounters();
  const index = exec.scenario.iterationInTest;
  const prefix = `k6-${settings.seed}-${RUN_ID}-`;
  const user =
    users === 'kept'
      ? (kept ??= newUser(settings, `${prefix}vu-${exec.vu.idInTest}`))
      : newUser(settings, `${prefix}${exec.vu.idInTest}-${index}`);
  journeysStarted.add(1);
  const plan = {
    steps: settings.steps,
    parallelWrites: settings.parallelWrites,
    random: seededRandom(journeySeed(settings.seed, index)),
  };
  if (await journey(user, plan)) journeysCompleted.add(1);
}
