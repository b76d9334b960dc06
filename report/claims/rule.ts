// What a claim rule is and the small helpers every rule uses, so each rule
// reads as its stated condition and nothing else.
import type { RunSummary, StrategySummary } from '../summary-schema.ts';
import { NONE } from '../format.ts';
import { family, SERVER_SESSION_FAMILIES } from '../strategy-facts.ts';

export type Verdict = 'holds' | 'does not hold' | 'depends' | 'not measured';

/** The verdicts a rule reaches from figures; "not measured" is what it says without them. */
export type MeasuredVerdict = Exclude<Verdict, 'not measured'>;

/** What a rule says about one claim, from this run's numbers. */
export interface Judgement {
  verdict: Verdict;
  /** The figures the verdict rests on, as a reader would quote them. */
  measured: string;
  /** What the verdict means here, and what it leaves out. */
  why: string;
}

/**
 * One claim's rule: a function of the run's measured figures only, and,
 * for each verdict it can reach, the condition in words with its
 * thresholds (the report prints the one reached beside the verdict;
 * docs/claims.md lists them all).
 */
export interface ClaimRule {
  readonly when: Readonly<Partial<Record<MeasuredVerdict, string>>>;
  judge(run: RunSummary): Judgement;
}

/**
 * Two figures closer than this (relative) are the same: run-to-run noise on
 * a shared machine is a few percent, so a smaller gap proves nothing.
 */
export const NOISE = 0.05;

export function notMeasured(why: string, measured: string = NONE): Judgement {
  return { verdict: 'not measured', measured, why };
}

/** Where `a` stands against `b` beyond the noise band; null when either is missing. */
export function side(
  a: number | null | undefined,
  b: number | null | undefined,
): 'lower' | 'higher' | 'same' | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (b === 0) return a === 0 ? 'same' : 'higher';
  const change = (a - b) / b;
  if (change < -NOISE) return 'lower';
  if (change > NOISE) return 'higher';
  return 'same';
}

export function first(run: RunSummary, familyName: string): StrategySummary | undefined {
  return run.strategies.find((strategy) => family(strategy.strategy) === familyName);
}

/** sticky, redis:*, clustered:*: the strategies that hand the client a session id. */
export function serverSessions(run: RunSummary): StrategySummary[] {
  return run.strategies.filter((strategy) =>
    SERVER_SESSION_FAMILIES.includes(family(strategy.strategy)),
  );
}

export function names(strategies: readonly StrategySummary[]): string {
  return strategies.map((strategy) => strategy.strategy).join(', ') || NONE;
}

/** `5%` for 0.05, as thresholds are printed. */
export function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}
