// report.md: the decisions of the run, short enough to paste into a pull
// request: one header line, the comparison table, the claims, the warnings.
import type { RunSummary } from './summary-schema.ts';
import { judgeClaims } from './claims.ts';
import { gib, int, utc } from './format.ts';
import { comparisonTable } from './tables.ts';
import { CAPACITY_HEADERS, capacityRows } from './capacity-facts.ts';
import {
  allWarnings,
  failedThresholds,
  generatorNote,
  loadModel,
  openModelScope,
  timeoutsNote,
} from './trust.ts';

/** Makes text safe inside a Markdown table cell (and inert as HTML where Markdown allows it). */
export function mdCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\s*\n\s*/g, ' ');
}

/**
 * A Markdown table with its columns padded to one width, as Prettier lays
 * it out: it reads in a terminal (`lab compare`) and the stored snapshot
 * passes `prettier --check`.
 */
export function mdTable(head: string[], rows: string[][], align: ('l' | 'r')[]): string[] {
  const cells = [head.map(mdCell), ...rows];
  const widths = align.map((_, column) =>
    Math.max(3, ...cells.map((row) => width(row[column] ?? ''))),
  );
  const line = (row: string[]) =>
    `| ${widths
      .map((size, column) => {
        const text = row[column] ?? '';
        const pad = ' '.repeat(size - width(text));
        return align[column] === 'r' ? pad + text : text + pad;
      })
      .join(' | ')} |`;
  const rule = `| ${widths.map((size, column) => (align[column] === 'r' ? `${'-'.repeat(size - 1)}:` : '-'.repeat(size))).join(' | ')} |`;
  return [line(cells[0] ?? []), rule, ...cells.slice(1).map(line)];
}

/** Characters as a monospace terminal shows them (the report's text has no double-width ones). */
function width(text: string): number {
  return [...text].length;
}

/** One line naming the run: scenario, date, machine, load generator, outcome. */
export function headerLine(run: RunSummary): string {
  const { machine } = run;
  return [
    `scenario **${mdCell(run.scenario)}**`,
    utc(run.startedAt),
    `${int(machine.cores)} cores (${mdCell(machine.cpuModel)}), ${gib(machine.memoryBytes)}, ${mdCell(machine.os)}`,
    `load: ${mdCell(run.load.generator)}`,
    run.outcome,
  ].join(' · ');
}

/** The comparison table, then the notes its short cells leave out (where memory was measured, bounds). */
export function comparisonMarkdown(run: RunSummary): string[] {
  const table = comparisonTable(run, { dropEmpty: true });
  const rows = table.rows.map((row, index) => [
    mdCell(row.strategy),
    ...row.cells.map((cell, column) =>
      table.best[column]?.includes(index) ? `**${mdCell(cell.text)}**` : mdCell(cell.text),
    ),
  ]);
  const notes = table.figures.flatMap((figure, column) => {
    const noted = table.rows.flatMap((row) => {
      const note = row.cells[column]?.note;
      return note ? [`${mdCell(row.strategy)} (${mdCell(note)})`] : [];
    });
    return noted.length > 0 ? [`- ${mdCell(figure.label)}: ${noted.join(', ')}`] : [];
  });
  return [
    ...mdTable(['strategy', ...table.figures.map((figure) => figure.label)], rows, [
      'l',
      ...table.figures.map(() => 'r' as const),
    ]),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ];
}

/** The capacity searches, when the run made any: what each strategy sustained and what ran out first. */
function capacityMarkdown(run: RunSummary): string[] {
  const rows = capacityRows(run);
  if (rows.length === 0) return [];
  return [
    '## Capacity',
    '',
    ...mdTable(
      [...CAPACITY_HEADERS],
      rows.map((row) => row.map(mdCell)),
      CAPACITY_HEADERS.map((_, index) => (index > 0 && index < 5 ? 'r' : 'l')),
    ),
    '',
    'Every step, and latency against achieved rate on one chart: report.html.',
    '',
  ];
}

export function renderMarkdown(run: RunSummary): string {
  const claims = judgeClaims(run).map((claim) => [
    `${claim.id} ${mdCell(claim.title)}`,
    claim.verdict === 'not measured'
      ? `not measured (scenario \`${claim.scenario ?? '?'}\`)`
      : `**${claim.verdict}**`,
    mdCell(claim.rule ? claim.rule.slice(claim.verdict.length + 2) : claim.why),
    mdCell(claim.measured),
  ]);
  const warnings = allWarnings(run);
  const failed = failedThresholds(run);
  const lines = [
    `# Session strategies: ${mdCell(run.scenario)} run`,
    '',
    headerLine(run),
    '',
    '## Comparison',
    '',
    ...comparisonMarkdown(run),
    '',
    'Best of each column in bold. Details, charts and how each figure is measured: report.html.',
    '',
    ...capacityMarkdown(run),
    '## Claims',
    '',
    ...mdTable(
      ['claim', 'verdict', 'because (rule, docs/claims.md)', 'measured in this run'],
      claims,
      ['l', 'l', 'l', 'l'],
    ),
    '',
    '## Warnings',
    '',
    ...(warnings.length > 0 ? warnings.map((w) => `- ${mdCell(w)}`) : ['None.']),
    '',
    failed.length > 0
      ? `Thresholds failed: ${failed.map(mdCell).join('; ')}.`
      : 'Every threshold held.',
    '',
    `_${mdCell(generatorNote(run))}_`,
    '',
    `Load: ${mdCell(loadModel(run))}.`,
    ...[openModelScope(run), timeoutsNote(run)].flatMap((note) => (note ? ['', mdCell(note)] : [])),
    '',
  ];
  return lines.join('\n');
}
