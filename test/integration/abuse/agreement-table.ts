// The table printed at the end of the suite: per category, how often the lab
// balancer and HAProxy gave the same answer.
import type { Category } from './abuse-case.ts';
import type { Row } from './judge.ts';

export function printAgreement(rows: readonly Row[], elapsedMs: number): void {
  const byCategory = new Map<Category, { cases: number; agree: number }>();
  for (const row of rows) {
    const entry = byCategory.get(row.c.category) ?? { cases: 0, agree: 0 };
    entry.cases++;
    if (row.lab.outcome === row.haproxy.outcome) entry.agree++;
    byCategory.set(row.c.category, entry);
  }
  const lines = ['', '      abuse suite: the lab balancer and HAProxy 2.x on the same nodes'];
  lines.push(
    `      ${'category'.padEnd(20)} ${'cases'.padStart(5)} ${'agree'.padStart(5)} ${'differ'.padStart(6)}`,
  );
  let cases = 0;
  let agree = 0;
  for (const [category, entry] of byCategory) {
    cases += entry.cases;
    agree += entry.agree;
    lines.push(
      `      ${category.padEnd(20)} ${String(entry.cases).padStart(5)} ${String(entry.agree).padStart(5)} ${String(entry.cases - entry.agree).padStart(6)}`,
    );
  }
  lines.push(
    `      ${'all'.padEnd(20)} ${String(cases).padStart(5)} ${String(agree).padStart(5)} ${String(cases - agree).padStart(6)}`,
  );
  lines.push(
    `      (agree: the same status classes in the same order, or both no answer; ${(elapsedMs / 1000).toFixed(1)} s)`,
  );
  if (process.env.ABUSE_DIFFERENCES) {
    for (const row of rows.filter((r) => r.lab.outcome !== r.haproxy.outcome)) {
      lines.push(
        `      differs: ${row.c.category} / ${row.c.name}: lab ${row.lab.outcome}, haproxy ${row.haproxy.outcome}`,
      );
    }
  }
  console.log(lines.join('\n'));
}
