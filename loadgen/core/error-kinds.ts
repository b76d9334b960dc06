// The kinds a failed request is counted under (SecondPoint.errorsByKind): a
// short, stable vocabulary, so a report can name what went wrong without
// knowing Node's error codes. The codes themselves are kept beside it
// (LoadTotals.networkErrorCodes), so nothing is hidden.

/** A request without an answer: the generator's deadline passed. */
export const TIMEOUT = 'timeout';
/** The connection was cut under the request (ECONNRESET, EPIPE, "socket hang up"). */
export const RESET = 'reset';
/** Nobody listened: the connection was refused (ECONNREFUSED). */
export const REFUSED = 'refused';
/** Any other network failure (its code is in networkErrorCodes). */
export const NETWORK = 'network';

const BY_CODE: Readonly<Record<string, string>> = {
  timeout: TIMEOUT,
  ECONNRESET: RESET,
  EPIPE: RESET,
  ECONNABORTED: RESET,
  ECONNREFUSED: REFUSED,
};

/** The kind of a request that got no answer, from its error code. */
export function networkKind(code: string): string {
  return BY_CODE[code] ?? NETWORK;
}

/** The kind of an answer outside 2xx: its status, as three digits (`401`, `503`). */
export function statusKind(status: number): string {
  return String(status);
}
