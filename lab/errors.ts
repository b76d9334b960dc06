/**
 * An error the CLI prints as one line: what went wrong and what to do.
 * `code` is stable so scripts and tests can match on it.
 */
export class LabError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.name = 'LabError';
    this.code = code;
    this.hint = hint;
  }

  /** The single line the CLI prints. */
  toLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}
