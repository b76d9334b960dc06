// The report floor's errors: report/ imports nothing of the lab, so it does
// not throw LabError; the lab CLI prints a ReportError the same way, as one
// line `lab: message (hint)`.
import { CodedError } from '../common/coded-error.ts';

/** The codes a report can fail with; stable, for scripts and tests. */
export type ReportErrorCode =
  /** The folder, its summary.json or events.ndjson cannot be read or is not what `lab run` writes. */
  'BAD_RUN_DIR';

export class ReportError extends CodedError {
  declare readonly code: ReportErrorCode;

  constructor(code: ReportErrorCode, message: string, hint?: string) {
    super(code, message, hint);
    this.name = 'ReportError';
  }
}
