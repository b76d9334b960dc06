import type { LabState } from '../../topology/state.ts';
import type { StrategyChoice } from '../../strategy/config.ts';
import type { ProbeResults } from '../../../report/summary-schema.ts';

/** What `runProbes` needs: the live topology and the strategy it runs now. */
export interface ProbeContext {
  state: LabState;
  strategy: StrategyChoice;
  /** Aborts the probes (Ctrl-C): the probe in flight stops, the rest are skipped. */
  signal?: AbortSignal;
  /** How long the revocation probe keeps trying an old credential. Default 3000 ms. */
  revocationBoundMs?: number;
}

/** The context a probe runs with: its signal fires at the probe's own deadline too. */
export interface ProbeRunContext extends ProbeContext {
  signal: AbortSignal;
}

/** A field of ProbeResults that one probe fills. */
export type ProbeName = Exclude<keyof ProbeResults, 'probeErrors'>;

/**
 * One claim probe: a short, bounded request sequence against the live
 * topology that measures one figure. `run` resolves with the figure or
 * throws (a LabError with a code where the cause is known); it never
 * returns a guess.
 */
export interface Probe<K extends ProbeName = ProbeName> {
  readonly name: K;
  /** The claim ids of docs/claims.md it answers (`C2`, `C3/C13`). */
  readonly claims: string;
  appliesTo(strategy: StrategyChoice): boolean;
  /** The most this probe may take; past it the probe is aborted and reported as an error. */
  budgetMs(context: ProbeContext): number;
  run(context: ProbeRunContext): Promise<NonNullable<ProbeResults[K]>>;
}

/** Any one probe, whichever field it fills. */
export type AnyProbe = { [K in ProbeName]: Probe<K> }[ProbeName];
