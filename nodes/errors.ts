/**
 * The one catalogue of errors a node answers with: a stable code, its HTTP
 * status and the message a client sees. Clients (k6 journeys, the lab)
 * branch on `code`; nothing else in the node invents a status.
 */
export const ERRORS = {
  BAD_INPUT: { status: 400, message: 'invalid input' },
  BAD_JSON: { status: 400, message: 'the body must be JSON (Content-Type: application/json)' },
  REQUEST_ABORTED: { status: 400, message: 'the request body did not arrive in full' },
  BAD_CREDENTIALS: { status: 401, message: 'wrong user name or password' },
  NO_SESSION: { status: 401, message: 'no valid session; log in first' },
  SESSION_EXPIRED: { status: 401, message: 'the session has expired; log in again' },
  REFRESH_REUSED: {
    status: 401,
    message: 'refresh token reuse detected; the token family is revoked',
  },
  ADMIN_UNAUTHORIZED: { status: 401, message: 'send Authorization: Bearer <NODE_ADMIN_TOKEN>' },
  ADMIN_FORBIDDEN: { status: 403, message: 'wrong admin token' },
  NOT_FOUND: { status: 404, message: 'no such route' },
  NOT_SUPPORTED: { status: 404, message: 'the current session strategy has no such operation' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed on this route' },
  CART_CONFLICT: { status: 409, message: 'the cart changed concurrently too often; retry' },
  BODY_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  CART_FULL: { status: 413, message: 'the cart holds the maximum number of distinct items' },
  COOKIE_TOO_LARGE: {
    status: 413,
    message: 'the session cookie would exceed 4096 bytes; the cart was not changed',
  },
  UNSUPPORTED_ENCODING: { status: 415, message: 'Content-Encoding is not supported' },
  INTERNAL: { status: 500, message: 'internal error' },
  NOT_IMPLEMENTED: { status: 501, message: 'method not implemented' },
  STORE_UNAVAILABLE: { status: 503, message: 'the session store is unavailable' },
  NOT_READY: { status: 503, message: 'the node is not ready' },
  STRATEGY_UNAVAILABLE: {
    status: 503,
    message: 'the new session strategy is not ready; the previous one stays',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface HttpErrorOptions extends ErrorOptions {
  /** Whether `message` may reach the client; defaults to true below 500. */
  expose?: boolean;
  /** Headers the error response carries (e.g. WWW-Authenticate). */
  headers?: Record<string, string>;
}

/**
 * An error that knows its HTTP answer. When `expose` is false the client
 * gets the catalogue message and `message` only reaches the log.
 */
export class HttpError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, options: HttpErrorOptions = {}) {
    super(message ?? ERRORS[code].message, options);
    this.name = 'HttpError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.expose = options.expose ?? this.status < 500;
    this.headers = options.headers ?? {};
  }
}

const CODE_BY_STATUS = new Map<number, ErrorCode>(
  (Object.keys(ERRORS) as ErrorCode[])
    // First code listed for a status wins, e.g. 400 → BAD_INPUT.
    .reverse()
    .map((code) => [ERRORS[code].status, code]),
);

/** The catalogue code for a bare status (set by Koa or the router), INTERNAL if none fits. */
export function codeForStatus(status: number): ErrorCode {
  return CODE_BY_STATUS.get(status) ?? (status < 500 ? 'BAD_INPUT' : 'INTERNAL');
}
