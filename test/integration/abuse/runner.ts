// Runs one abuse case against one balancer and reduces the answer to an
// outcome: the status classes of the final responses, or `none`.
import { rawRequest, type Ending } from '../../unit/balancer/raw-client.ts';
import type { AbuseCase, Outcome } from './abuse-case.ts';
import { classOf, fill } from './abuse-case.ts';

export interface Answer {
  readonly outcome: Outcome;
  readonly ending: Ending;
}

/** Tags are one letter and three digits, so every filled case has the same length per run. */
export function tagFor(balancer: 'L' | 'H', index: number): string {
  if (index > 999) throw new Error('at most 1000 abuse cases: tags have three digits');
  return `${balancer}${String(index).padStart(3, '0')}`;
}

export async function runCase(c: AbuseCase, tag: string, port: number): Promise<Answer> {
  const expected = c.expect[0]!;
  const result = await rawRequest({
    port,
    pieces: c.pieces.map((piece) => fill(piece, tag)),
    responses: expected === 'none' ? undefined : expected.split(',').length,
    // Long enough for a smuggled extra answer to show up after the awaited ones.
    settleMs: 80,
    timeoutMs: c.timeoutMs ?? 1500,
    headResponses: c.head ?? false,
  });
  const finals = result.responses.filter((r) => r.status >= 200);
  const outcome = finals.length === 0 ? 'none' : finals.map((r) => classOf(r.status)).join(',');
  return { outcome, ending: result.ending };
}
