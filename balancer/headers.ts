// Header rules of a reverse proxy (RFC 9110 §7.6.1): hop-by-hop headers are
// about one connection and must not cross the proxy in either direction, and
// the X-Forwarded-* headers describe the client as the balancer saw it,
// replacing whatever the client claimed about itself.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  // Node decodes chunked bodies and re-frames what it sends; the framing of
  // one side says nothing about the other.
  'transfer-encoding',
  'upgrade',
]);

const HOP_BY_HOP_LENGTHS = new Set([...HOP_BY_HOP].map((name) => name.length));

/** Lower-cased names listed in a Connection header: they are hop-by-hop too. */
function connectionTokens(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  // What nearly every message carries; no need to split it.
  if (joined === 'keep-alive' || joined === 'close') return undefined;
  const names: string[] = [];
  for (const token of joined.split(',')) {
    const name = token.trim().toLowerCase();
    if (name && !HOP_BY_HOP.has(name)) names.push(name);
  }
  return names.length ? names : undefined;
}

export interface ForwardedRequest {
  /** Cookie header to send to the node (the balancer cookie already removed). */
  readonly cookie: string | undefined;
  /** Length of the buffered body, or undefined for a request without one. */
  readonly bodyLength: number | undefined;
}

// Request headers never copied from the client: hop-by-hop ones, and those
// the balancer sets itself below.
const NOT_COPIED = new Set([
  ...HOP_BY_HOP,
  // The body is already buffered: the client got its 100 Continue from Node
  // and the node should not wait for one.
  'expect',
  'cookie',
  // Replaced, never appended: a client-supplied X-Forwarded-For would
  // otherwise let any client choose the address the nodes log and rate-limit by.
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  // RFC 7239 carries the same claims; nothing in the lab reads it, so a
  // client-written one must not reach the nodes either.
  'forwarded',
]);

/**
 * The headers the node receives, as a new object that replaces `req.headers`
 * (http-proxy copies `req.headers` for the outgoing request). Built by
 * copying rather than by deleting in place: `delete` turns the object into a
 * slow dictionary that every later reader (http-proxy, Node's ClientRequest)
 * pays for on every request.
 */
export function forwardedHeaders(req: IncomingMessage, fwd: ForwardedRequest): IncomingHttpHeaders {
  const source = req.headers;
  const listed = connectionTokens(source.connection);
  const headers: IncomingHttpHeaders = {};
  for (const name in source) {
    if (NOT_COPIED.has(name) || listed?.includes(name)) continue;
    headers[name] = source[name];
  }
  if (fwd.bodyLength !== undefined) headers['content-length'] = String(fwd.bodyLength);
  if (fwd.cookie !== undefined) headers.cookie = fwd.cookie;
  const address = req.socket.remoteAddress;
  if (address !== undefined) headers['x-forwarded-for'] = address;
  headers['x-forwarded-proto'] = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  if (source.host !== undefined) headers['x-forwarded-host'] = source.host;
  return headers;
}

/**
 * The node's response headers as a flat `[name, value, ...]` list for
 * `writeHead`, hop-by-hop headers removed and `extra` appended. The flat form
 * keeps the node's header case and repeated headers (Set-Cookie) as they were.
 */
export function responseHeaders(
  rawHeaders: readonly string[],
  connection: string | string[] | undefined,
  extra: readonly string[] | undefined,
): string[] {
  const listed = connectionTokens(connection);
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    // Only a name of a hop-by-hop length can be one: most are kept without
    // allocating a lower-cased copy.
    if (listed !== undefined || HOP_BY_HOP_LENGTHS.has(name.length)) {
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower) || listed?.includes(lower)) continue;
    }
    out.push(name, rawHeaders[i + 1]!);
  }
  if (extra) for (const item of extra) out.push(item);
  return out;
}
