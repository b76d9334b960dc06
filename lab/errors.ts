import type { LabErrorCode } from './error-codes.ts';

export { LAB_ERROR_CODES, LAB_ERRORS, type LabErrorCode } from './error-codes.ts';

/**
 * An error the CLI prints as one line: what went wrong and what to do.
 * `code` is one of the catalogue's (error-codes.ts), stable so scripts and
 * tests can match on it.
 */
export class LabError extends Error {
  readonly code: LabErrorCode;
  readonly hint: string | undefined;

  constructor(code: LabErrorCode, message: string, hint?: string) {
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
