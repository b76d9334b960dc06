// report.html: one self-contained page (uPlot, styles, data and script
// inlined) whose Content-Security-Policy forbids every request, so it works
// offline and a run folder cannot make it fetch anything.
import type { RunSummary } from '../summary-schema.ts';
import { judgeClaims } from '../claims.ts';
import { utc } from '../format.ts';
import type { RunFolder } from '../run-folder.ts';
import { allWarnings } from '../trust.ts';
import type { ChartLibrary } from './assets.ts';
import { strategyCharts, type ChartSpec } from './chart-specs.ts';
import { CHARTS_SCRIPT } from './charts-script.ts';
import { capacityChart, capacitySection } from './capacity-section.ts';
import { claimsSection } from './claims-section.ts';
import { comparisonSection } from './comparison-section.ts';
import { esc, inlineCode, jsonForScript } from './escape.ts';
import { domId } from './markup.ts';
import { runSection } from './run-section.ts';
import { strategySection } from './strategy-section.ts';
import { STYLES } from './styles.ts';

const POLICY =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/** Every chart of the page, strategy by strategy, in the order they appear. */
export function pageCharts(run: RunSummary): ChartSpec[] {
  const capacity = capacityChart(run);
  return [
    ...(capacity ? [capacity] : []),
    ...run.strategies.flatMap((strategy, index) =>
      strategyCharts(strategy, domId(strategy.strategy, index)),
    ),
  ];
}

export function renderPage(folder: RunFolder, library: ChartLibrary): string {
  const run = folder.summary;
  const warnings = allWarnings(run);
  const strategies = run.strategies
    .map((strategy, index) => {
      const id = domId(strategy.strategy, index);
      return strategySection(strategy, id, strategyCharts(strategy, id));
    })
    .join('\n');
  const nav = run.strategies
    .map((s, index) => `<a href="#${esc(domId(s.strategy, index))}">${esc(s.strategy)}</a>`)
    .join('');
  const banner =
    warnings.length > 0 || run.outcome !== 'completed'
      ? `<p class="banner">${esc(`${warnings.length} warning${warnings.length === 1 ? '' : 's'}${run.outcome === 'completed' ? '' : `; the run was ${run.outcome}`}`)}: read <a href="#run">how the run was made</a> before trusting close figures.</p>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`Session strategies: ${run.scenario}, ${utc(run.startedAt)}`)}</title>
<style>${inlineCode(library.css, 'style')}</style>
<style>${inlineCode(STYLES, 'style')}</style>
</head>
<body>
<main>
<h1>${esc(`Session strategies: ${run.scenario} run`)}</h1>
<p class="muted">${esc(`${utc(run.startedAt)} · ${run.machine.cores} cores · ${run.strategies.length} strategies · load from ${run.load.generator}`)}</p>
${banner}
<nav><a href="#answer">Comparison</a>${capacityChart(run) ? '<a href="#capacity">Capacity</a>' : ''}${nav}<a href="#claims">Claims</a><a href="#run">How the run was made</a></nav>
${comparisonSection(run)}
${capacitySection(run)}
<section id="strategies">
<h2>Each strategy over time</h2>
${strategies}
</section>
${claimsSection(judgeClaims(run))}
${runSection(run, folder.scenario, folder.events)}
<p class="muted">Charts drawn with uPlot ${esc(library.version)} (MIT), inlined in this file.</p>
</main>
<script type="application/json" id="report-data">${jsonForScript({ charts: pageCharts(run) })}</script>
<script>${inlineCode(library.js, 'script')}</script>
<script>${inlineCode(CHARTS_SCRIPT, 'script')}</script>
</body>
</html>
`;
}
