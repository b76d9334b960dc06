// The answer first: one row per strategy, the figures that decide. Cells
// stay short so the table fits a laptop screen; what a figure needs to be
// read right (where memory was measured, a bound) is a smaller second line.
import type { RunSummary } from '../summary-schema.ts';
import type { Cell } from '../figures.ts';
import { comparisonTable } from '../tables.ts';
import { esc } from './escape.ts';
import { domId, table, type TableCell } from './markup.ts';

function cellHtml(cell: Cell): string {
  return esc(cell.text) + (cell.note ? `<div class="note">${esc(cell.note)}</div>` : '');
}

export function comparisonSection(run: RunSummary): string {
  const model = comparisonTable(run, { dropEmpty: true });
  const rows: TableCell[][] = model.rows.map((row, index) => [
    `<a href="#${esc(domId(row.strategy, index))}">${esc(row.strategy)}</a>`,
    ...row.cells.map((cell, column) =>
      model.best[column]?.includes(index)
        ? { html: cellHtml(cell), className: 'best' }
        : cellHtml(cell),
    ),
  ]);
  const how = model.figures
    .filter((figure) => figure.how)
    .map(
      (figure) =>
        `<li><b>${esc(figure.label)}</b> (${figure.better} is better): ${esc(figure.how)}</li>`,
    )
    .join('');
  return `<section id="answer">
<h2>Which strategy, and what it costs</h2>
${table([{ label: 'strategy' }, ...model.figures.map((figure) => ({ label: figure.label, numeric: true }))], rows, 'comparison')}
<p class="muted">Best value of each column in green. ${esc('—')} where this run did not measure the figure.</p>
<details><summary>How each figure is measured</summary><ul>${how}</ul></details>
</section>`;
}
