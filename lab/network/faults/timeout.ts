import { checkOptions, ToxicFault, TOXIC_PREFIX, whole, type FaultOptions } from './fault.ts';

/**
 * A black hole: requests to the store go nowhere and no reply comes back,
 * the connection stays open (the hardest case for a client: no error, just
 * silence). With `ms` > 0 the connection is closed after that long instead.
 * Acting on the upstream is enough: the store never sees a request to answer.
 */
export function timeoutFault(options: FaultOptions): ToxicFault {
  checkOptions('timeout', options, ['ms']);
  const timeout = whole('ms', options.ms, { min: 0, max: 600000, fallback: 0 });
  return new ToxicFault({
    kind: 'timeout',
    label: timeout === 0 ? 'timeout (black hole)' : `timeout, closed after ${timeout} ms`,
    params: { timeoutMs: timeout },
    // Silence makes clients give the connection up and dial again.
    breaksConnections: true,
    toxics: [
      {
        name: `${TOXIC_PREFIX}timeout`,
        type: 'timeout',
        stream: 'upstream',
        attributes: { timeout },
      },
    ],
  });
}
