// common/ is the bottom floor: primitives several floors need (the loopback
// rule, the route names a summary carries, this error). It imports nothing of
// the project, so any floor can read it without an edge pointing up.

/**
 * An error a command prints as one line: what went wrong and what to do.
 * `code` is stable so scripts and tests can match on it. Each floor's own
 * error (the lab's, the report's) is this shape.
 */
export class CodedError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.name = 'CodedError';
    this.code = code;
    this.hint = hint;
  }

  /** The single line a command prints. */
  toLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}
