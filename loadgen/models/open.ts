// Open model (k6 constant-arrival-rate): journey i starts at t = i / rate
// whatever the system does, so a slow system cannot slow its own load
// (coordinated omission). With `vus` journeys in flight a new one is dropped
// and counted, not queued.
import type { ModelContext } from './model.ts';

export async function openModel(context: ModelContext): Promise<void> {
  const { config, recorder, stopping, runJourney } = context;
  const intervalMs = 1000 / config.rate;
  const running = new Set<Promise<void>>();
  let next = 0;
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
          recorder.count('dropped');
          continue;
        }
        recorder.lag(now - due);
        const journey = runJourney().finally(() => running.delete(journey));
        running.add(journey);
      }
      if (next * intervalMs >= config.durationMs || stopping.aborted) finish();
      else timer = setTimeout(tick, Math.max(0, next * intervalMs - recorder.elapsed()));
    };
    stopping.addEventListener('abort', finish);
    tick();
  });
  await Promise.all(running);
}
