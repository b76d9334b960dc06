// How the run was made and whether to trust it: scenario, machine, tools,
// load model, what the client could not do, every warning, the raw events.
import type { RunSummary } from '../summary-schema.ts';
import { byName, gib, int, NONE, num, utc } from '../format.ts';
import type { RecordedEvent } from '../run-folder.ts';
import {
  allWarnings,
  droppedText,
  generatorCostText,
  failedThresholds,
  generatorNote,
  loadModel,
  openModelScope,
  timeoutsNote,
  trustRows,
} from '../trust.ts';
import { esc } from './escape.ts';
import { list, table } from './markup.ts';

export function runSection(
  run: RunSummary,
  scenario: unknown,
  events: RecordedEvent[] | undefined,
): string {
  const { machine } = run;
  const facts: [string, string][] = [
    ['scenario', run.scenario],
    ['started', utc(run.startedAt)],
    ['finished', `${utc(run.finishedAt)} (${run.outcome})`],
    [
      'machine',
      `${int(machine.cores)} cores, ${machine.cpuModel}, ${gib(machine.memoryBytes)}, ${machine.os}`,
    ],
    [
      'other load before the run',
      machine.otherLoadCores === null ? 'unknown' : `${num(machine.otherLoadCores)} cores`,
    ],
    ['load generator', run.load.generator],
    ['load model', loadModel(run)],
  ];
  const scope = openModelScope(run);
  if (scope) facts.push(['open model covers', scope]);
  const timeouts = timeoutsNote(run);
  if (timeouts) facts.push(['timeouts', timeouts]);
  const tools = Object.entries(run.tools)
    .sort(([a], [b]) => byName(a, b))
    .map(([name, version]) => [esc(name), esc(version)]);
  const trust = trustRows(run).map((row) => [
    esc(row.strategy),
    esc(droppedText(row)),
    esc(num(row.loadgenCores)),
    esc(generatorCostText(row)),
    esc(num(row.schedulingLagP99Ms)),
    esc(row.loadgenExitCode === null ? 'none (stopped)' : String(row.loadgenExitCode)),
    esc(row.failed.map((t) => `${t.name} ${num(t.value)} over ${num(t.limit)}`).join('; ') || NONE),
  ]);
  const warnings = allWarnings(run);
  const failed = failedThresholds(run);
  return `<section id="run">
<h2>How the run was made, and whether to trust it</h2>
<p><b>${esc(generatorNote(run))}</b></p>
${table(
  [{ label: 'what' }, { label: 'value' }],
  facts.map(([what, value]) => [esc(what), esc(value)]),
)}
<h3>Did the client keep up?</h3>
<p class="muted">Dropped journeys: the open model could not start them (too many in flight); latency then understates the load. Each drop is given its cause: the in-flight cap (the scenario's <code>vus</code>), the generator's own schedule (its CPU), or the system's latency (journeys lasting twice their expected length). A load generator near one core, or starting work late, limited the run itself; its CPU per request is what it took from the cores it shares with the system under test (with several generator processes, the sum and each part).</p>
${table(
  [
    { label: 'strategy' },
    { label: 'journeys dropped', numeric: true },
    { label: 'load generator cores', numeric: true },
    { label: 'generator CPU per request', numeric: true },
    { label: 'scheduling lag p99 ms', numeric: true },
    { label: 'generator exit status', numeric: true },
    { label: 'thresholds failed' },
  ],
  trust,
)}
<h3>Warnings</h3>
${warnings.length > 0 ? list(warnings) : '<p>None.</p>'}
<p>${esc(failed.length > 0 ? `Thresholds failed: ${failed.join('; ')}.` : 'Every threshold held.')}</p>
<h3>Tools</h3>
${table([{ label: 'tool' }, { label: 'version' }], tools)}
<h3>Events of the run</h3>
${eventsLog(events)}
<details><summary>The resolved scenario (scenario.json)</summary>
<pre>${scenario === undefined ? 'scenario.json is not in the run folder.' : esc(JSON.stringify(scenario, null, 2))}</pre>
</details>
</section>`;
}

/** events.ndjson as recorded: every chaos and control event, including those between loads. */
function eventsLog(events: RecordedEvent[] | undefined): string {
  if (events === undefined) {
    return '<p class="muted">events.ndjson is not in the run folder: the events of each strategy are in its section above.</p>';
  }
  if (events.length === 0) return '<p class="muted">events.ndjson is empty.</p>';
  const text = (value: unknown) =>
    value === undefined || value === null
      ? ''
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  const rows = events.map((event) => {
    const { at, strategy, type, action, target, ...rest } = event;
    const detail = Object.entries(rest)
      .map(([key, value]) => `${key}=${text(value)}`)
      .join(' ');
    return [text(at), text(strategy), text(type), text(action), text(target), detail].map((cell) =>
      esc(cell),
    );
  });
  return table(
    [
      { label: 'at' },
      { label: 'strategy' },
      { label: 'type' },
      { label: 'action' },
      { label: 'target' },
      { label: 'detail' },
    ],
    rows,
  );
}
