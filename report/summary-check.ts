// The check summary.json must pass before a report is drawn from it, so an
// older, newer or hand-edited file fails with the path of the first bad
// field instead of a TypeError deep in a chart. The version is checked
// first: a file of another version is named as such, not as a list of
// fields that moved.
import { RunSummarySchema, SUMMARY_SCHEMA_VERSION, type RunSummary } from './summary-schema.ts';

/**
 * Checks `data` (parsed summary.json) and returns it typed, or a list of
 * problems, each `path: what is wrong`.
 */
export function checkSummary(
  data: unknown,
): { ok: true; summary: RunSummary } | { ok: false; problems: string[] } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, problems: ['the file holds no JSON object'] };
  }
  const version = (data as { schemaVersion?: unknown }).schemaVersion;
  if (version !== SUMMARY_SCHEMA_VERSION) {
    return {
      ok: false,
      problems: [
        `schemaVersion is ${JSON.stringify(version)}; this lab reads version ${SUMMARY_SCHEMA_VERSION}`,
      ],
    };
  }
  const result = RunSummarySchema.safeParse(data);
  // The file as written, not zod's copy: a field the schema does not know yet
  // (one the generator is adding) is kept for whoever reads it; the fields
  // the schema knows were checked above.
  if (result.success) return { ok: true, summary: data as RunSummary };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`),
  };
}

/** `strategies[1].timeline[3].p95Ms`, as a reader would look it up in the file. */
function fieldPath(parts: readonly PropertyKey[]): string {
  let text = '';
  for (const part of parts) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text || '(top level)';
}
