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

export function comparisonTable(run: RunSummary): ComparisonTable {
  const rows = run.strategies.map((strategy) => ({
    strategy: strategy.strategy,
    cells: FIGURES.map((figure) => figure.measure(strategy, run)),
  }));
  const best = FIGURES.map((figure, column) => {
    const values = rows.map((row) => row.cells[column]?.value ?? null);
    const present = values.filter((value): value is number => value !== null);
    if (present.length < 2) return [];
    const target = figure.better === 'lower' ? Math.min(...present) : Math.max(...present);
    if (present.every((value) => value === target)) return [];
    return values.flatMap((value, index) => (value === target ? [index] : []));
  });
  return { figures: FIGURES, rows, best };
}
