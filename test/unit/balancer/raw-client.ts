// A raw HTTP/1.1 client on net.Socket: it sends exactly the bytes it is given
// (Node's http client and fetch refuse most malformed requests), in pieces
// with pauses if asked, and reads every response the connection carries until
// the server closes it or a deadline passes.
import net from 'node:net';

/** A piece of the request: bytes to write, a pause before the next piece, or a half-close (FIN). */
export type Piece = string | Buffer | { readonly pauseMs: number } | { readonly halfClose: true };

export interface RawRequest {
  readonly port: number;
  readonly host?: string;
  /** Source address (any of 127.0.0.0/8 works on Linux), to act as another client. */
  readonly localAddress?: string;
  readonly pieces: readonly Piece[];
  /** How long to wait for the server to close after the last piece (default 2000 ms). */
  readonly timeoutMs?: number;
  /** Stop waiting once this many final (non-1xx) responses arrived (and settleMs passed). */
  readonly responses?: number;
  /** After the awaited responses, how long to keep listening for more (default 0). */
  readonly settleMs?: number;
  /** Responses to HEAD carry no body even with a Content-Length. */
  readonly headResponses?: boolean;
}

export interface RawResponse {
  readonly status: number;
  readonly head: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/** How the connection ended: the server closed it, reset it, or was still open at the deadline. */
export type Ending = 'closed' | 'reset' | 'open';

export interface RawResult {
  readonly responses: readonly RawResponse[];
  readonly ending: Ending;
  /** Bytes after the last complete response (a truncated or unparsable answer). */
  readonly leftover: Buffer;
}

export async function rawRequest(request: RawRequest): Promise<RawResult> {
  const socket = net.connect({
    port: request.port,
    host: request.host ?? '127.0.0.1',
    ...(request.localAddress ? { localAddress: request.localAddress } : {}),
  });
  const received: Buffer[] = [];
  let ending: Ending = 'open';
  const finished = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (request.responses !== undefined) {
        const parsed = parseResponses(Buffer.concat(received), request.headResponses ?? false);
        if (parsed.responses.filter((r) => r.status >= 200).length >= request.responses) {
          setTimeout(resolve, request.settleMs ?? 0);
        }
      }
    });
    // ECONNRESET or EPIPE: the server dropped the connection under us.
    socket.on('error', () => {
      ending = 'reset';
      resolve();
    });
    socket.on('close', () => {
      if (ending === 'open') ending = 'closed';
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  for (const piece of request.pieces) {
    if (socket.destroyed) break;
    if (typeof piece === 'object' && 'pauseMs' in piece) {
      await new Promise((resolve) => setTimeout(resolve, piece.pauseMs));
    } else if (typeof piece === 'object' && 'halfClose' in piece) {
      socket.end();
    } else {
      socket.write(piece);
    }
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    finished,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, request.timeoutMs ?? 2000))),
  ]);
  clearTimeout(timer);
  socket.destroy();
  const parsed = parseResponses(Buffer.concat(received), request.headResponses ?? false);
  return { ...parsed, ending };
}

/** Splits a byte stream into HTTP/1.1 responses (Content-Length, chunked, or until close). */
export function parseResponses(
  data: Buffer,
  headResponses: boolean,
): { responses: RawResponse[]; leftover: Buffer } {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const head = data.subarray(at, end).toString('latin1');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (!match) break;
    const status = Number(match[1]);
    const headers = new Map<string, string>();
    for (const line of head.split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0)
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    let bodyStart = end + 4;
    let body: Buffer;
    const noBody = status < 200 || status === 204 || status === 304 || headResponses;
    if (noBody) {
      body = Buffer.alloc(0);
    } else if (headers.get('transfer-encoding')?.toLowerCase().includes('chunked')) {
      const chunks: Buffer[] = [];
      let complete = false;
      for (;;) {
        const lineEnd = data.indexOf('\r\n', bodyStart);
        if (lineEnd < 0) break;
        const size = parseInt(data.subarray(bodyStart, lineEnd).toString('latin1'), 16);
        if (Number.isNaN(size)) break;
        if (size === 0) {
          const trailerEnd = data.indexOf('\r\n\r\n', lineEnd);
          if (trailerEnd < 0) break;
          bodyStart = trailerEnd + 4;
          complete = true;
          break;
        }
        if (lineEnd + 2 + size + 2 > data.length) break;
        chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        bodyStart = lineEnd + 2 + size + 2;
      }
      if (!complete) break;
      body = Buffer.concat(chunks);
    } else if (headers.has('content-length')) {
      const length = Number(headers.get('content-length'));
      if (bodyStart + length > data.length) break;
      body = data.subarray(bodyStart, bodyStart + length);
      bodyStart += length;
    } else {
      body = data.subarray(bodyStart);
      bodyStart = data.length;
    }
    responses.push({ status, head, headers, body });
    at = bodyStart;
  }
  return { responses, leftover: data.subarray(at) };
}
