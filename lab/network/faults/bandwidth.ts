import { checkOptions, ToxicFault, TOXIC_PREFIX, whole, type FaultOptions } from './fault.ts';

/** Caps the link at `rate` KB/s in each direction, as a thin pipe would. */
export function bandwidthFault(options: FaultOptions): ToxicFault {
  checkOptions('bandwidth', options, ['rate']);
  const rate = whole('rate', options.rate, { min: 1, max: 10_000_000 });
  return new ToxicFault({
    kind: 'bandwidth',
    label: `bandwidth ${rate} KB/s`,
    params: { rateKBps: rate },
    breaksConnections: false,
    toxics: (['upstream', 'downstream'] as const).map((stream) => ({
      name: `${TOXIC_PREFIX}bandwidth-${stream}`,
      type: 'bandwidth',
      stream,
      attributes: { rate },
    })),
  });
}
