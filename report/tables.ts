// The comparison table as data (one row per strategy, one cell per figure),
// so the HTML page, report.md and `lab compare` lay out the same numbers.
import type { RunSummary } from './summary-schema.ts';
import { FIGURES, type Cell, type Figure } from './figures.ts';

export interface ComparisonRow {
  strategy: string;
  cells: Cell[];
}

export interface ComparisonTable {
  figures: readonly Figure[];
  rows: ComparisonRow[];
  /** Per figure, the row indexes holding its best value (none when fewer than two strategies have it). */
  best: number[][];
}

/**
 * `dropEmpty`: leave out the figures no strategy of this run measured (a
 * refresh count in a run without jwt), so the page shows what was measured;
 * `lab compare` keeps every figure so two runs line up.
 */
export function comparisonTable(
  run: RunSummary,
  options: { dropEmpty?: boolean } = {},
): ComparisonTable {
  const measured = run.strategies.map((strategy) =>
    FIGURES.map((figure) => figure.measure(strategy, run)),
  );
  const keep = FIGURES.map(
    (_, column) => !options.dropEmpty || measured.some((cells) => cells[column]?.value !== null),
  );
  const figures = FIGURES.filter((_, column) => keep[column]);
  const rows = run.strategies.map((strategy, index) => ({
    strategy: strategy.strategy,
    cells: (measured[index] ?? []).filter((_, column) => keep[column]),
  }));
  const best = figures.map((figure, column) => {
    const values = rows.map((row) => row.cells[column]?.value ?? null);
    const present = values.filter((value): value is number => value !== null);
    if (present.length < 2) return [];
    const target = figure.better === 'lower' ? Math.min(...present) : Math.max(...present);
    if (present.every((value) => value === target)) return [];
    return values.flatMap((value, index) => (value === target ? [index] : []));
  });
  return { figures, rows, best };
}
