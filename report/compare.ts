// `lab compare RUN_A RUN_B`: did a change make things better? Each
// strategy's figures side by side, the relative change, and a mark when it
// is beyond the noise band; claims whose verdict moved.
import type { RunSummary } from './summary-schema.ts';
import { judgeClaims, type ClaimRow } from './claims.ts';
import type { Cell, CellPart, Figure } from './figures.ts';
import { int, NONE, signedPct, utc } from './format.ts';
import { headerLine, mdCell, mdTable } from './markdown.ts';
import { readRunFolder } from './run-folder.ts';
import { comparisonTable, type ComparisonRow } from './tables.ts';
import { loadModel } from './trust.ts';

/** Changes within ±10% are noise between two runs on one machine; beyond it they are marked. */
export const COMPARE_NOISE = 0.1;

export type Change = 'better' | 'worse' | 'same' | 'n/a';

/** Whether going from `a` to `b` is better, worse or noise, for a figure where `better` is the good direction. */
export function judgeChange(
  a: number | null,
  b: number | null,
  better: Figure['better'],
): { change: Change; relative: number | null } {
  if (a === null || b === null) return { change: 'n/a', relative: null };
  if (a === b) return { change: 'same', relative: 0 };
  const relative = a === 0 ? null : (b - a) / Math.abs(a);
  if (relative !== null && Math.abs(relative) <= COMPARE_NOISE) return { change: 'same', relative };
  const up = b > a;
  return { change: up === (better === 'higher') ? 'better' : 'worse', relative };
}

export async function compareRuns(dirA: string, dirB: string): Promise<string> {
  const [a, b] = await Promise.all([readRunFolder(dirA), readRunFolder(dirB)]);
  return compareSummaries(a.summary, b.summary, { a: dirA, b: dirB });
}

/** The comparison as Markdown, from two summaries already read. */
export function compareSummaries(
  a: RunSummary,
  b: RunSummary,
  dirs: { a: string; b: string },
): string {
  const tableA = comparisonTable(a);
  const tableB = comparisonTable(b);
  const names = [...new Set([...tableA.rows, ...tableB.rows].map((row) => row.strategy))];
  const lines = [
    '# Runs compared',
    '',
    `- run A: ${mdCell(dirs.a)}: ${headerLine(a)}`,
    `- run B: ${mdCell(dirs.b)}: ${headerLine(b)}`,
    ...(loadModel(a) === loadModel(b)
      ? [`- load (both): ${mdCell(loadModel(a))}`]
      : [`- load A: ${mdCell(loadModel(a))}`, `- load B: ${mdCell(loadModel(b))}`]),
    '',
    ...differences(a, b),
    `A change beyond ±${COMPARE_NOISE * 100}% is marked **better** or **worse** (the "better" column says which direction is good); within it, "≈" is noise.`,
    '',
  ];
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  for (const name of names) {
    const rowA = tableA.rows.find((row) => row.strategy === name);
    const rowB = tableB.rows.find((row) => row.strategy === name);
    if (!rowB) onlyA.push(name);
    else if (!rowA) onlyB.push(name);
    else lines.push(`## ${mdCell(name)}`, '', ...strategyTable(tableA.figures, rowA, rowB), '');
  }
  if (onlyA.length > 0) lines.push(`Only in run A: ${onlyA.map(mdCell).join(', ')}.`, '');
  if (onlyB.length > 0) lines.push(`Only in run B: ${onlyB.map(mdCell).join(', ')}.`, '');
  lines.push('## Claims whose verdict changed', '', ...claimChanges(a, b), '');
  return lines.join('\n');
}

function strategyTable(figures: readonly Figure[], a: ComparisonRow, b: ComparisonRow): string[] {
  const rows = figures.flatMap((figure, index) => {
    const cellA: Cell | undefined = a.cells[index];
    const cellB: Cell | undefined = b.cells[index];
    if (cellA?.parts || cellB?.parts) return partRows(figure.better, cellA?.parts, cellB?.parts);
    if (figure.onlyWhenMeasured && cellA?.value == null && cellB?.value == null) return [];
    return [
      figureRow(
        figure.label,
        figure.better,
        { value: cellA?.value ?? null, text: cellA?.text ?? '' },
        { value: cellB?.value ?? null, text: cellB?.text ?? '' },
      ),
    ];
  });
  return mdTable(['figure', 'better', 'A', 'B', 'change', ''], rows, [
    'l',
    'l',
    'r',
    'r',
    'r',
    'l',
  ]);
}

/** A combined cell (the consistency counters) compared counter by counter, so a change in one is not hidden by the others. */
function partRows(
  better: Figure['better'],
  partsA: readonly CellPart[] = [],
  partsB: readonly CellPart[] = [],
): string[][] {
  const labels = [...new Set([...partsA, ...partsB].map((part) => part.label))];
  return labels.flatMap((label) => {
    const partA = partsA.find((part) => part.label === label);
    const partB = partsB.find((part) => part.label === label);
    const quiet = (partA?.quiet ?? partB?.quiet) === true;
    if (quiet && !partA?.value && !partB?.value) return [];
    const side = (part: CellPart | undefined) =>
      part ? { value: part.value, text: int(part.value) } : { value: null, text: '' };
    return [figureRow(label, better, side(partA), side(partB))];
  });
}

function figureRow(
  label: string,
  better: Figure['better'],
  a: { value: number | null; text: string },
  b: { value: number | null; text: string },
): string[] {
  const { change, relative } = judgeChange(a.value, b.value, better);
  const shown = change === 'n/a' ? '' : relative === null ? 'from 0' : signedPct(relative);
  const mark =
    change === 'better' || change === 'worse' ? `**${change}**` : change === 'same' ? '≈' : '';
  return [mdCell(label), better, mdCell(a.text), mdCell(b.text), shown, mark];
}

/** What differs between the runs besides the code: a reason to doubt a difference. */
function differences(a: RunSummary, b: RunSummary): string[] {
  const notes: string[] = [];
  if (a.scenario !== b.scenario) notes.push(`different scenarios (${a.scenario}, ${b.scenario})`);
  if (loadModel(a) !== loadModel(b)) notes.push('different load');
  if (a.machine.cores !== b.machine.cores || a.machine.cpuModel !== b.machine.cpuModel) {
    notes.push('different machines');
  }
  if (a.load.generator !== b.load.generator) notes.push('different load generators');
  if (notes.length === 0) return [];
  return [
    `**Caution:** ${mdCell(notes.join(', '))}: a difference may come from that rather than from a change to the code (run A ${utc(a.startedAt)}, run B ${utc(b.startedAt)}).`,
    '',
  ];
}

function verdictText(claim: ClaimRow): string {
  return claim.measured === NONE ? claim.verdict : `${claim.verdict}: ${mdCell(claim.measured)}`;
}

function claimChanges(a: RunSummary, b: RunSummary): string[] {
  const claimsB = new Map(judgeClaims(b).map((claim) => [claim.id, claim]));
  const changed = judgeClaims(a).flatMap((claimA) => {
    const claimB = claimsB.get(claimA.id);
    if (!claimB || claimB.verdict === claimA.verdict) return [];
    return [[`${claimA.id} ${mdCell(claimA.title)}`, verdictText(claimA), verdictText(claimB)]];
  });
  if (changed.length === 0) return ['No claim changed its verdict.'];
  return mdTable(['claim', 'run A', 'run B'], changed, ['l', 'l', 'l']);
}
