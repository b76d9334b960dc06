import { LabError } from '../../errors.ts';
import { bandwidthFault } from './bandwidth.ts';
import { downFault } from './down.ts';
import { FAULT_KINDS, type FaultKind, type FaultOptions, type NetworkFault } from './fault.ts';
import { latencyFault } from './latency.ts';
import { resetPeerFault } from './reset-peer.ts';
import { timeoutFault } from './timeout.ts';

export { FAULT_KINDS, type FaultKind, type FaultOptions, type NetworkFault } from './fault.ts';

const FACTORIES: Record<FaultKind, (options: FaultOptions) => NetworkFault> = {
  latency: latencyFault,
  bandwidth: bandwidthFault,
  timeout: timeoutFault,
  reset_peer: resetPeerFault,
  down: downFault,
};

/** Parses a fault's name (`reset-peer` is taken for `reset_peer`). */
export function parseFaultKind(text: string): FaultKind {
  const kind = text.replace('-', '_');
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new LabError(
      'UNKNOWN_FAULT',
      `unknown network fault "${text}"`,
      `use one of ${FAULT_KINDS.join(', ')}`,
    );
  }
  return kind as FaultKind;
}

/** The one place that picks a fault implementation by kind; checks its options. */
export function makeFault(kind: FaultKind, options: FaultOptions): NetworkFault {
  return FACTORIES[kind](options);
}
