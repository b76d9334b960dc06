// The verdict on one case for the lab balancer: what it did wrong, if anything.
import type { AbuseCase } from './abuse-case.ts';
import type { Answer } from './runner.ts';

/** One case's answers from both balancers and what reached the nodes from each. */
export interface Row {
  readonly c: AbuseCase;
  readonly lab: Answer;
  readonly haproxy: Answer;
  readonly labForwarded: number;
  readonly haproxyForwarded: number;
}

/** What is wrong with the lab balancer's handling of one case (empty when nothing). */
export function judge(row: Row, labBytesRefusedByNode: number): string[] {
  const { c, lab, haproxy } = row;
  const problems: string[] = [];
  const where = `${c.category} / ${c.name}`;
  if (!c.expect.includes(lab.outcome)) {
    problems.push(`${where}: answered ${lab.outcome}, expected ${c.expect.join(' or ')}`);
  }
  if (labBytesRefusedByNode > 0) {
    problems.push(`${where}: forwarded bytes the node could not parse as HTTP`);
  }
  // Requests the client sent: the answers it got, or those RFC 9112 says its
  // bytes hold (a client that half-closes may lose its answer, not add a request).
  const answered = lab.outcome === 'none' ? 0 : lab.outcome.split(',').length;
  const sent = Math.max(answered, c.expect[0] === 'none' ? 0 : c.expect[0]!.split(',').length);
  if (!c.retries && row.labForwarded > sent) {
    problems.push(
      `${where}: SMUGGLING: the node parsed ${row.labForwarded} requests, the client sent ${sent}`,
    );
  }
  const haproxyRefused = row.haproxyForwarded === 0 && /^(4xx|none)/.test(haproxy.outcome);
  if (haproxyRefused && !c.limit && row.labForwarded > 0) {
    problems.push(`${where}: forwarded a request HAProxy refused (HAProxy: ${haproxy.outcome})`);
  }
  return problems;
}
