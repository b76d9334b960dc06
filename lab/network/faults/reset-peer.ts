import { checkOptions, ToxicFault, TOXIC_PREFIX, whole, type FaultOptions } from './fault.ts';

/**
 * Connections are reset (TCP RST, "connection reset by peer"), at once or
 * after `ms`: what a crashed store host or a firewall that rejects does.
 */
export function resetPeerFault(options: FaultOptions): ToxicFault {
  checkOptions('reset_peer', options, ['ms']);
  const timeout = whole('ms', options.ms, { min: 0, max: 600000, fallback: 0 });
  return new ToxicFault({
    kind: 'reset_peer',
    label: timeout === 0 ? 'reset_peer' : `reset_peer after ${timeout} ms`,
    params: { timeoutMs: timeout },
    breaksConnections: true,
    toxics: [
      {
        name: `${TOXIC_PREFIX}reset-peer`,
        type: 'reset_peer',
        stream: 'upstream',
        attributes: { timeout },
      },
    ],
  });
}
