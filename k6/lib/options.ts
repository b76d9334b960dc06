// The k6 options of a journey script: one scenario with k6's own executor
// for the model, the scenario's thresholds, and the trend statistics the
// lab reads. Plain data, no k6 import: each script assigns the result to
// its typed `options`, so tsc checks it against @types/k6 there.
import type { JourneyName } from '../../loadgen/types.ts';
import { TREND_STATS } from './metric-names.ts';
import type { Settings } from './settings.ts';
import { k6Thresholds } from './thresholds.ts';

/** k6 takes whole iterations per time unit: a rate of 0.5/s is 50 per 100 s, spread evenly. */
function perTimeUnit(rate: number): { rate: number; timeUnit: string } {
  return Number.isInteger(rate)
    ? { rate, timeUnit: '1s' }
    : { rate: Math.round(rate * 100), timeUnit: '100s' };
}

/** The executor of the model (see Model in settings.ts). */
export function executorFor(settings: Settings) {
  // Requests stop at the end of the load (the platform's `stopped`); the
  // last ones in flight get their timeout and a second to end.
  const gracefulStop = `${settings.timeoutMs + 1000}ms`;
  switch (settings.model) {
    case 'open':
      return {
        executor: 'constant-arrival-rate' as const,
        ...perTimeUnit(settings.rate),
        duration: settings.duration,
        // As in the lab's generator, vus is the most journeys in flight: one more is dropped and counted.
        preAllocatedVUs: settings.vus,
        maxVUs: settings.vus,
        gracefulStop,
      };
    case 'ramping':
      return {
        executor: 'ramping-arrival-rate' as const,
        startRate: 0,
        timeUnit: '1s',
        stages: settings.stages,
        preAllocatedVUs: settings.vus,
        maxVUs: settings.vus,
        gracefulStop,
      };
    case 'closed':
      return {
        executor: 'constant-vus' as const,
        vus: settings.vus,
        duration: settings.duration,
        gracefulStop,
      };
  }
}

export function k6Options(settings: Settings, journey: JourneyName) {
  return {
    scenarios: { [journey]: executorFor(settings) },
    thresholds: k6Thresholds(settings.thresholds, settings.nodes),
    summaryTrendStats: TREND_STATS,
  };
}
