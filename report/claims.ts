// The claims of docs/claims.md put to this run's numbers: one rule per claim
// (report/claims/), a pure function of measured figures with its thresholds
// stated, so every verdict it names is unit-tested. A rule that lacks its
// inputs says "not measured" and the scenario that would measure it.
import type { RunSummary } from './summary-schema.ts';
import { c1, c2, c3 } from './claims/cookie-rules.ts';
import type { ClaimRule, Verdict } from './claims/rule.ts';
import { c4, c5, c6, c7, c8 } from './claims/server-rules.ts';
import { c9, c10, c11, c12, c13, c14 } from './claims/token-rules.ts';

export type { MeasuredVerdict, Verdict } from './claims/rule.ts';
export { NOISE } from './claims/rule.ts';

export interface ClaimRow {
  id: string;
  /** A few words to name it in a table. */
  title: string;
  /** The claim as docs/claims.md states it. */
  claim: string;
  measured: string;
  verdict: Verdict;
  /** The condition of the verdict reached, with its thresholds; '' when not measured. */
  rule: string;
  why: string;
  /** The built-in scenario that measures it, when this run did not. */
  scenario?: string;
}

interface ClaimDefinition {
  id: string;
  title: string;
  claim: string;
  /** The built-in scenario whose strategies, chaos and probes measure it. */
  scenario: string;
  rule: ClaimRule;
}

/** docs/claims.md, in its order; ids are stable (reports and tests refer to them). */
export const CLAIMS: readonly ClaimDefinition[] = [
  {
    id: 'C1',
    title: 'Cookie state is faster',
    claim:
      'A cookie lives in the client and is sent with every request, so the server needs no lookup: cookie-held state is faster than a server session.',
    scenario: 'compare',
    rule: c1,
  },
  {
    id: 'C2',
    title: 'A cookie holds about 4 KB',
    claim:
      'A cookie holds little: about 4 KB each, a few dozen per domain. A server session has no such limit.',
    scenario: 'compare',
    rule: c2,
  },
  {
    id: 'C3',
    title: 'Clients can change cookies',
    claim:
      'The client can read and change a cookie; a server session can only be changed by the server, so sessions are safer.',
    scenario: 'compare',
    rule: c3,
  },
  {
    id: 'C4',
    title: 'Sessions cost memory per user',
    claim: 'Server sessions take server memory in proportion to the number of users.',
    scenario: 'compare',
    rule: c4,
  },
  {
    id: 'C5',
    title: 'Sticky keeps clients on their node',
    claim:
      'Sticky sessions keep each client on the node that holds its session; without session info the balancer falls back to its normal algorithm.',
    scenario: 'compare',
    rule: c5,
  },
  {
    id: 'C6',
    title: 'A dead sticky node loses its sessions',
    claim: 'With sticky sessions, a node that dies takes its sessions with it.',
    scenario: 'failover',
    rule: c6,
  },
  {
    id: 'C7',
    title: 'Clustering loses nothing, at a price',
    claim:
      'Session clustering copies every session to every server, so any node can serve any client and a node loss loses nothing, at the price of memory on every node and replication traffic.',
    scenario: 'failover',
    rule: c7,
  },
  {
    id: 'C8',
    title: 'A shared store costs a round trip',
    claim:
      'A separate session store (Redis) is shared by every server; every request then pays a round trip to the store.',
    scenario: 'compare',
    rule: c8,
  },
  {
    id: 'C9',
    title: 'Tokens keep nothing on the server',
    claim: 'Tokens move state to the client, so the server keeps nothing and scales freely.',
    scenario: 'compare',
    rule: c9,
  },
  {
    id: 'C10',
    title: 'Tokens cannot be withdrawn',
    claim:
      'An issued access token cannot be withdrawn before it expires; short lifetimes and refresh tokens limit the damage.',
    scenario: 'revocation',
    rule: c10,
  },
  {
    id: 'C11',
    title: 'Tokens add network load',
    claim: 'Tokens are long, so they add network load.',
    scenario: 'compare',
    rule: c11,
  },
  {
    id: 'C12',
    title: 'Refresh tokens bring back I/O',
    claim: 'Refresh tokens must be stored server-side, which brings back the I/O that JWTs avoid.',
    scenario: 'revocation',
    rule: c12,
  },
  {
    id: 'C13',
    title: 'Forged tokens are rejected',
    claim: 'A tampered or forged token is rejected because the signature no longer matches.',
    scenario: 'revocation',
    rule: c13,
  },
  {
    id: 'C14',
    title: 'Refresh-token reuse is detected',
    claim: 'A stolen refresh token can be detected when it is used twice.',
    scenario: 'revocation',
    rule: c14,
  },
];

/** One row per claim of docs/claims.md, in its order, judged from this run's figures. */
export function judgeClaims(run: RunSummary): ClaimRow[] {
  return CLAIMS.map(({ id, title, claim, scenario, rule }) => {
    const judgement = rule.judge(run);
    const row: ClaimRow = {
      id,
      title,
      claim,
      ...judgement,
      rule: condition(rule, judgement.verdict),
    };
    if (judgement.verdict === 'not measured') row.scenario = scenario;
    return row;
  });
}

/** `holds: <its condition>`, as the report prints it beside the verdict; '' when not measured. */
function condition(rule: ClaimRule, verdict: Verdict): string {
  if (verdict === 'not measured') return '';
  const when = rule.when[verdict];
  if (when === undefined) throw new Error(`a rule reached "${verdict}" without stating when`);
  return `${verdict}: ${when}`;
}
