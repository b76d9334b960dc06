// Open model (k6 constant-arrival-rate): journey i starts at t = i / rate
// whatever the system does, so a slow system cannot slow its own load
// (coordinated omission). With `vus` journeys in flight a new one is dropped
// and counted with its cause (drop-cause.ts), not queued. Only journey
// starts are open: the requests inside a journey go one after the other.
import { dropCause } from './drop-cause.ts';
import type { ModelContext } from './model.ts';

/** Journeys that ended this long ago or less tell how long journeys take now. */
const RECENT_MS = 2000;

export async function openModel(context: ModelContext): Promise<void> {
  const { config, recorder, stopping, runJourney, expectedJourneyMs } = context;
  const intervalMs = 1000 / config.rate;
  // In flight, with the time each started.
  const running = new Map<Promise<void>, number>();
  const ended: { at: number; durationMs: number }[] = [];
  let next = 0;
  const forgetOld = (now: number) => {
    while (ended.length > 0 && ended[0]!.at < now - RECENT_MS) ended.shift();
  };
  const evidence = (now: number, lateMs: number) => {
    forgetOld(now);
    const recentDurationsMs = [
      ...ended.map((journey) => journey.durationMs),
      ...[...running.values()].map((started) => now - started),
    ];
    return { lateMs, recentDurationsMs, expectedJourneyMs };
  };
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      stopping.removeEventListener('abort', finish);
      resolve();
    };
    const tick = () => {
      // Everything due by now starts now, so a late timer does not lower the rate.
      const now = recorder.elapsed();
      while (next * intervalMs <= now && next * intervalMs < config.durationMs) {
        const due = next * intervalMs;
        next += 1;
        if (running.size >= config.vus) {
          recorder.dropped(dropCause(evidence(now, now - due)));
          continue;
        }
        recorder.lag(now - due);
        const journey = runJourney().finally(() => {
          const at = recorder.elapsed();
          forgetOld(at);
          ended.push({ at, durationMs: at - (running.get(journey) ?? at) });
          running.delete(journey);
        });
        running.set(journey, now);
      }
      if (next * intervalMs >= config.durationMs || stopping.aborted) finish();
      else timer = setTimeout(tick, Math.max(0, next * intervalMs - recorder.elapsed()));
    };
    stopping.addEventListener('abort', finish);
    tick();
  });
  await Promise.all(running.keys());
}
