// Where a user's observations go. The lab's generator aggregates them per
// second (loadgen/recorder.ts); a k6 script turns them into k6 metrics
// (k6/lib/k6-recorder.ts). Both take the same calls, so both count the same
// things the same way.
import type { RouteName } from '../../common/routes.ts';

/** One ended request, as the recorders count it. */
export interface RequestEnd {
  /** From send to end of body, or to the failure when no answer came (a timeout: its full wait). */
  latencyMs: number;
  /** Undefined for 2xx; else the kind (error-kinds.ts): the status (`503`) or `timeout`, `reset`... */
  errorKind: string | undefined;
  /** X-Served-By of the answer (`none` when absent); undefined when no answer came. */
  servedBy: string | undefined;
  /** For an error: the node that caused it (see SecondPoint.errorsByNode). */
  errorNode?: string | undefined;
  /** Which route it was, for the latency per route. */
  route?: RouteName | undefined;
}

/** The event counters a user moves (each one a SecondPoint field of the same name). */
export const USER_COUNTERS = [
  'relogins',
  'uncertainWrites',
  'staleReads',
  'lostUpdates',
  'lostUpdatesLowerBound',
  'uncertainRounds',
  'doubledUpdates',
  'conflicts',
  'refreshes',
  'refreshFailures',
  'refreshRetries',
  'refreshRevokedByReuse',
  'refreshLost',
] as const;

export type UserCounter = (typeof USER_COUNTERS)[number];

export interface UserRecorder {
  /** An ended request; `networkCode` the error code when no answer came. */
  request(end: RequestEnd, networkCode?: string): void;
  /** An answer (any status) to a held session after its login, from `servedBy`, its home node or not. */
  heldAnswer(servedBy: string, onHome: boolean): void;
  // A property, not a method, so tsc checks every recorder takes every UserCounter.
  count: (name: UserCounter, n?: number) => void;
  /** A lost session, with the node that served it last (`none` if none had). */
  sessionLost(node: string): void;
  /** A login started a session. */
  sessionStarted(): void;
  /** How late scheduled work (a think time) started, ms. */
  lag(ms: number): void;
}
