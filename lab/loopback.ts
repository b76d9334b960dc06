// The lab's loopback guards: the rule itself is common/loopback.ts (shared
// with the load generator); here its refusals become LabErrors, because lab
// code tells a known failure from an unexpected one by `instanceof LabError`
// (a chaos step records its code, the CLI prints one line).
import * as rule from '../common/loopback.ts';
import { LabError } from './errors.ts';

export type { LoopbackAddress } from '../common/loopback.ts';
export { isLoopbackHost } from '../common/loopback.ts';

function asLabError<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof rule.LoopbackError)
      throw new LabError(error.code, error.message, error.hint);
    throw error;
  }
}

/** See common/loopback.ts: `host:port` on loopback, else LabError BAD_ADDRESS or NOT_LOOPBACK. */
export function assertLoopback(
  address: string,
  what: string,
  allowAnyPort = false,
): rule.LoopbackAddress {
  return asLabError(() => rule.assertLoopback(address, what, allowAnyPort));
}

/** See common/loopback.ts: LabError NOT_LOOPBACK for a host off this machine. */
export function assertLoopbackHost(what: string, host: string): void {
  asLabError(() => rule.assertLoopbackHost(what, host));
}
