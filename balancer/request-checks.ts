// Requests Node's parser accepts but a proxy must not forward as they are
// (RFC 9112), each found by the abuse suite (test/integration/abuse): the
// node behind would read them differently from the balancer, or lose part of
// their meaning on the way.
import type { IncomingMessage } from 'node:http';
import type { ErrorCode } from './errors.ts';

export interface Refusal {
  readonly code: ErrorCode;
  readonly message: string;
}

function count(rawHeaders: readonly string[], lowerName: string): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) n++;
  }
  return n;
}

/** Why `req` must be refused before anything is read or forwarded, or undefined. */
export function refusal(req: IncomingMessage): Refusal | undefined {
  // HTTP/0.9 lines and other major versions: Node would forward them as HTTP/1.1.
  if (req.httpVersionMajor !== 1) {
    return {
      code: 'HTTP_VERSION_NOT_SUPPORTED',
      message: `HTTP/${req.httpVersion} is not supported`,
    };
  }
  // The balancer decodes chunked itself and sends the node a length; any other
  // coding (gzip, chunked) would reach the node with its label stripped.
  const coding = req.headers['transfer-encoding'];
  if (coding !== undefined && coding.trim().toLowerCase() !== 'chunked') {
    return {
      code: 'UNSUPPORTED_TRANSFER_CODING',
      message: 'Only Transfer-Encoding: chunked is supported',
    };
  }
  // Node keeps the first of several Host fields; another server may keep the
  // last. RFC 9112 §3.2: a server MUST answer 400.
  if (req.headers.host !== undefined && count(req.rawHeaders, 'host') > 1) {
    return { code: 'BAD_REQUEST', message: 'More than one Host field' };
  }
  const url = req.url ?? '';
  // A fragment is never part of a request target (RFC 9112 §3.2).
  if (url.includes('#')) return { code: 'BAD_REQUEST', message: 'Fragment in the request target' };
  return undefined;
}
