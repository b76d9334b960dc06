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
 * Every figure, in the same columns for every run (`lab compare` lines two
 * runs up by column); `shown` leaves out the columns no strategy of this
 * run measures that only some runs have (capacity), as the reports do.
 */
export function comparisonTable(
  run: RunSummary,
  columns: 'all' | 'shown' = 'all',
): ComparisonTable {
  const figures = FIGURES.filter(
    (figure) =>
      columns === 'all' ||
      !figure.onlyWhenMeasured ||
      run.strategies.some((strategy) => figure.measure(strategy, run).value !== null),
  );
  const rows = run.strategies.map((strategy) => ({
    strategy: strategy.strategy,
    cells: figures.map((figure) => figure.measure(strategy, run)),
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
