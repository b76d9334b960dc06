import { checkOptions, ToxicFault, TOXIC_PREFIX, whole, type FaultOptions } from './fault.ts';

/**
 * Adds `ms` (± `jitter`) to every reply from the store: on the downstream
 * only, so a request/response round trip gets slower by `ms`, not twice that.
 */
export function latencyFault(options: FaultOptions): ToxicFault {
  checkOptions('latency', options, ['ms', 'jitter']);
  const latency = whole('ms', options.ms, { min: 1, max: 60000 });
  const jitter = whole('jitter', options.jitter, { min: 0, max: latency, fallback: 0 });
  return new ToxicFault({
    kind: 'latency',
    label: jitter > 0 ? `latency ${latency}±${jitter} ms` : `latency ${latency} ms`,
    params: { latencyMs: latency, jitterMs: jitter },
    breaksConnections: false,
    toxics: [
      {
        name: `${TOXIC_PREFIX}latency`,
        type: 'latency',
        stream: 'downstream',
        attributes: { latency, jitter },
      },
    ],
  });
}
