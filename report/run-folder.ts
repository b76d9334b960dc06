// Reads a run folder written by `lab run`: summary.json (required and
// checked), scenario.json and events.ndjson (shown when present).
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ReportError } from './errors.ts';
import type { RunSummary } from './summary-schema.ts';
import { checkSummary } from './summary-check.ts';

/** One line of events.ndjson: every chaos and control event of the run, as recorded. */
export type RecordedEvent = Record<string, unknown>;

export interface RunFolder {
  dir: string;
  summary: RunSummary;
  /** The resolved scenario, as `lab run` wrote it; undefined when the file is absent. */
  scenario: unknown;
  /** events.ndjson; undefined when the file is absent (a summary copied on its own). */
  events: RecordedEvent[] | undefined;
}

const HINT = 'a run folder is what `lab run` writes under runs/';
/** At most this many problems are listed: the first few tell what to fix. */
const MAX_PROBLEMS = 5;

export async function readRunFolder(dir: string): Promise<RunFolder> {
  const isDir = await stat(dir).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!isDir) throw new ReportError('BAD_RUN_DIR', `${dir} is not a folder`, HINT);
  const summaryFile = path.join(dir, 'summary.json');
  const text = await readOptional(summaryFile);
  if (text === undefined) {
    throw new ReportError('BAD_RUN_DIR', `${summaryFile} is missing`, HINT);
  }
  const checked = checkSummary(parseJson(text, summaryFile));
  if (!checked.ok) {
    const more = checked.problems.length - MAX_PROBLEMS;
    throw new ReportError(
      'BAD_RUN_DIR',
      `${summaryFile} is not a run summary: ${checked.problems.slice(0, MAX_PROBLEMS).join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
      'was it written by another version of the lab? re-run the scenario',
    );
  }
  const scenarioFile = path.join(dir, 'scenario.json');
  const scenarioText = await readOptional(scenarioFile);
  const eventsFile = path.join(dir, 'events.ndjson');
  const eventsText = await readOptional(eventsFile);
  return {
    dir,
    summary: checked.summary,
    scenario: scenarioText === undefined ? undefined : parseJson(scenarioText, scenarioFile),
    events: eventsText === undefined ? undefined : parseEvents(eventsText, eventsFile),
  };
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ReportError('BAD_RUN_DIR', `cannot read ${file}: ${(error as Error).message}`);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ReportError('BAD_RUN_DIR', `${file} is not JSON: ${(error as Error).message}`);
  }
}

function parseEvents(text: string, file: string): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const event = parseJson(line, `${file} line ${index + 1}`);
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new ReportError('BAD_RUN_DIR', `${file} line ${index + 1} is not a JSON object`);
    }
    events.push(event as RecordedEvent);
  });
  return events;
}
