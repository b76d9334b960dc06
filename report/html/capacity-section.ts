// A run's capacity searches: latency against achieved rate with every
// strategy on one chart, what each strategy sustained and what ran out
// first, and each step's figures. Absent when no strategy ran a search.
import {
  CAPACITY_HEADERS,
  capacityRows,
  STEP_HEADERS,
  stepRows,
  withCapacity,
} from '../capacity-facts.ts';
import type { RunSummary } from '../summary-schema.ts';
import { color, type ChartSeries, type ChartSpec } from './chart-specs.ts';
import { esc } from './escape.ts';
import { table } from './markup.ts';

export const CAPACITY_CHART_ID = 'capacity-curve';

/** p99 and p50 of every request against the achieved request rate, one pair of lines per strategy. */
export function capacityChart(run: RunSummary): ChartSpec | null {
  const strategies = withCapacity(run);
  if (strategies.length === 0) return null;
  // The search steps only: the confirmation repeats a rate already drawn.
  const stepsOf = strategies.map((strategy) =>
    (strategy.capacity?.steps ?? []).filter((step) => step.phase === 'step'),
  );
  const x = [...new Set(stepsOf.flat().map((step) => step.requestRate))].sort((a, b) => a - b);
  const series: ChartSeries[] = strategies.flatMap((strategy, index) => {
    const at = (pick: (step: (typeof stepsOf)[number][number]) => number | null) =>
      x.map((rate) => {
        const step = stepsOf[index]!.find((candidate) => candidate.requestRate === rate);
        return step ? pick(step) : null;
      });
    return [
      { label: `${strategy.strategy} p99`, color: color(index), values: at((s) => s.p99Ms) },
      {
        label: `${strategy.strategy} p50`,
        color: color(index),
        dash: [5, 4],
        values: at((s) => s.p50Ms),
      },
    ];
  });
  return {
    id: CAPACITY_CHART_ID,
    title: 'Latency of every request against the achieved request rate',
    unit: 'ms',
    xLabel: 'requests per second achieved',
    x,
    xMax: Math.max(1, ...x) * 1.05,
    series,
    markers: [],
  };
}

export function capacitySection(run: RunSummary): string {
  const strategies = withCapacity(run);
  if (strategies.length === 0) return '';
  const level = strategies[0]!.capacity!.serviceLevel;
  const cells = (rows: string[][]) => rows.map((row) => row.map((cell) => esc(cell)));
  const steps = strategies
    .map(
      (strategy) =>
        `<h4>${esc(strategy.strategy)}</h4>\n${table(
          STEP_HEADERS.map((label, index) => ({ label, numeric: index > 0 && index < 8 })),
          cells(stepRows(strategy)),
        )}`,
    )
    .join('\n');
  return `<section id="capacity">
<h2>Capacity: how far each strategy goes</h2>
<p class="muted">${esc(`Service level: p99 of every request at most ${level.p99Ms} ms, at most ${level.failedRate * 100}% failed, at least ${level.achievedShare * 100}% of the offered rate achieved. Journey: ${strategies[0]!.capacity!.journey}.`)}</p>
<div class="charts"><div class="chart" id="${CAPACITY_CHART_ID}" data-chart></div></div>
${table(
  CAPACITY_HEADERS.map((label, index) => ({ label, numeric: index > 0 && index < 5 })),
  cells(capacityRows(run)),
)}
<details><summary>Every step</summary>
${steps}
</details>
</section>`;
}
