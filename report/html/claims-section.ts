// The claims of docs/claims.md, each with this run's figure, its verdict and
// the rule's condition for that verdict, thresholds included.
import type { ClaimRow } from '../claims.ts';
import { esc } from './escape.ts';
import { table } from './markup.ts';

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

export function claimsSection(claims: readonly ClaimRow[]): string {
  const rows = claims.map((claim) => [
    `<b>${esc(claim.id)}</b>`,
    `${esc(claim.title)}<div class="claim-text">${esc(claim.claim)}</div>`,
    esc(claim.measured),
    `<span class="verdict ${esc(claim.verdict.replace(/ /g, '-'))}">${esc(claim.verdict)}</span>`,
    (claim.rule ? `<b>${esc(sentence(claim.rule))}</b> ` : '') +
      esc(sentence(claim.why)) +
      (claim.scenario ? ` <b>Measured by:</b> <code>lab run ${esc(claim.scenario)}</code>.` : ''),
  ]);
  return `<section id="claims">
<h2>The claims, put to this run</h2>
<p class="muted">Each verdict follows the rule stated beside it, a function of this run's figures with its thresholds (all rules: docs/claims.md); two figures within 5% of each other count as equal (noise).</p>
${table([{ label: 'id' }, { label: 'claim' }, { label: 'measured in this run' }, { label: 'verdict' }, { label: 'rule and why' }], rows)}
</section>`;
}
