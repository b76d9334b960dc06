// The one catalogue of errors the balancer answers with itself (as opposed to
// responses relayed from a node). Every code has a fixed HTTP status and a
// default message; bodies are `{error: {code, message}}` and always carry
// `X-Served-By: balancer`, so a client (and k6) can tell a balancer verdict
// from a node's answer.
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';

const catalogue = {
  BAD_REQUEST: [400, 'Malformed request'],
  BAD_JSON: [400, 'Request body is not valid JSON'],
  UNKNOWN_POLICY: [400, 'Unknown routing policy'],
  UNAUTHORIZED: [401, 'Missing or wrong bearer token'],
  NOT_FOUND: [404, 'No such route'],
  UNKNOWN_NODE: [404, 'No node with this id'],
  METHOD_NOT_ALLOWED: [405, 'Method not allowed on this route'],
  REQUEST_TIMEOUT: [408, 'Request not received in time'],
  // Never sent (the response head is already out): the code under which a
  // client that stopped reading a response is counted when it is cut.
  CLIENT_STALLED: [408, 'The client stopped reading the response'],
  BODY_TOO_LARGE: [413, 'Request body exceeds the configured limit'],
  // One address over its share: that client should slow down, others are served.
  ADDRESS_CONNECTION_LIMIT: [
    429,
    'Too many open connections from this address; reuse connections or open fewer',
  ],
  HEADERS_TOO_LARGE: [431, 'Request headers exceed the configured limit'],
  INTERNAL: [500, 'Internal balancer error'],
  UPGRADE_NOT_SUPPORTED: [501, 'Protocol upgrades (WebSocket) are not supported'],
  CONNECT_NOT_SUPPORTED: [501, 'CONNECT tunnels are not supported'],
  UNSUPPORTED_TRANSFER_CODING: [501, 'Only Transfer-Encoding: chunked is supported'],
  UPSTREAM_UNREACHABLE: [502, 'No node could be reached'],
  UPSTREAM_ERROR: [502, 'The node failed while answering'],
  NO_UPSTREAM: [503, 'No node is available'],
  SHUTTING_DOWN: [503, 'The balancer is shutting down'],
  // The balancer as a whole is full: no client is at fault, retry later.
  TOO_MANY_CONNECTIONS: [503, 'The balancer holds its maximum of client connections; retry later'],
  BUFFERS_FULL: [503, 'The balancer holds its maximum of buffered request bodies; retry later'],
  UPSTREAM_TIMEOUT: [504, 'The node did not answer in time'],
  HTTP_VERSION_NOT_SUPPORTED: [505, 'Only HTTP/1.0 and HTTP/1.1 are supported'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof catalogue;

/** All codes, for metrics that pre-create one series per code. */
export const errorCodes = Object.keys(catalogue) as ErrorCode[];

export function errorStatus(code: ErrorCode): number {
  return catalogue[code][0];
}

function jsonBody(code: ErrorCode, message: string): Buffer {
  return Buffer.from(JSON.stringify({ error: { code, message } }));
}

// Default bodies are rendered once: error paths run hot under chaos (every
// request to a dead cluster is a 503), so they should not re-serialise.
const defaultBodies = new Map<ErrorCode, Buffer>(
  errorCodes.map((code) => [code, jsonBody(code, catalogue[code][1])]),
);

/**
 * Answers with a catalogue error unless the response is already under way or
 * the client has gone. Extra headers (e.g. `Allow`, `WWW-Authenticate`) go in
 * `headers`.
 */
export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message?: string,
  headers?: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed || res.writableEnded) return;
  const body = message === undefined ? defaultBodies.get(code)! : jsonBody(code, message);
  res.statusCode = catalogue[code][0];
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', body.length);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-served-by', 'balancer');
  if (headers) for (const name in headers) res.setHeader(name, headers[name]!);
  res.end(body);
}

/**
 * A complete HTTP/1.1 response as bytes, for the places that only hold a raw
 * socket (client parse errors, upgrade requests). It always closes the
 * connection: after a parse error the byte stream cannot be trusted.
 */
export function rawErrorResponse(code: ErrorCode): Buffer {
  const status = catalogue[code][0];
  const body = defaultBodies.get(code)!;
  const head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${body.length}\r\n` +
    'X-Served-By: balancer\r\n' +
    'Connection: close\r\n\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
