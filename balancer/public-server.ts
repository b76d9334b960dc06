// The client-facing HTTP server and its defences: bounded headers and
// request times, a JSON answer to requests Node cannot parse, and a refusal of
// protocol upgrades. None of these may crash the process or leave a socket open.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { LimitsConfig } from './config.ts';
import type { ErrorCode } from './errors.ts';
import { rawErrorResponse, sendError } from './errors.ts';

export interface PublicServerHooks {
  readonly onRequest: (req: IncomingMessage, res: ServerResponse) => void;
  /** Every accepted client connection, before its first byte is parsed (for the caps). */
  readonly onConnection: (socket: Socket) => void;
  /** Called for answers given outside the request handler (for metrics). */
  readonly onRejected: (code: ErrorCode) => void;
}

function clientErrorCode(code: string | undefined): ErrorCode {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 'HEADERS_TOO_LARGE';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'REQUEST_TIMEOUT';
    default:
      return 'BAD_REQUEST';
  }
}

// Rendered once: a flood of malformed requests should cost as little as possible.
const rawResponses = new Map<ErrorCode, Buffer>(
  (
    [
      'HEADERS_TOO_LARGE',
      'REQUEST_TIMEOUT',
      'BAD_REQUEST',
      'UPGRADE_NOT_SUPPORTED',
      'CONNECT_NOT_SUPPORTED',
    ] as const
  ).map((code) => [code, rawErrorResponse(code)]),
);

/** Writes a raw error and closes: after a parse error the byte stream cannot be trusted. */
function refuse(socket: Duplex, code: ErrorCode): void {
  // Same order as Node's own default handler: the write is queued before the
  // destroy, so small answers reach the client.
  if (socket.writable) socket.write(rawResponses.get(code)!);
  socket.destroy();
}

export function createPublicServer(limits: LimitsConfig, hooks: PublicServerHooks): Server {
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node enforces the two timeouts above on this cadence (default 30 s,
      // which would make a 10 s header timeout up to 40 s).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    hooks.onRequest,
  );

  server.on('connection', hooks.onConnection);

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // The client already hung up: nothing to answer.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const code = clientErrorCode(err.code);
    hooks.onRejected(code);
    // A pipelined request broke while an earlier one is still being answered:
    // that answer goes out first (it is the client's, and the node already
    // acted on it), then the refusal, never raw bytes inside it.
    const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
    // Data after a `Connection: close` request: the client was told the
    // connection ends with that answer, so it ends without another one.
    const answer = err.code === 'HPE_CLOSED_CONNECTION' ? undefined : code;
    if (inFlight && !inFlight.writableFinished) {
      // The broken bytes belong to the request being answered (its body):
      // it can never complete, so it is refused now, or cut if its answer began.
      if (!inFlight.req.complete) {
        if (inFlight.headersSent || !answer) socket.destroy();
        else refuse(socket, answer);
        return;
      }
      const after = () => (answer ? refuse(socket, answer) : socket.destroy());
      inFlight.once('finish', after).once('close', () => socket.destroy());
      return;
    }
    if (answer) refuse(socket, answer);
    else socket.destroy();
  });

  // No tunnels: a CONNECT would otherwise be dropped without an answer.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {});
    hooks.onRejected('CONNECT_NOT_SUPPORTED');
    refuse(socket, 'CONNECT_NOT_SUPPORTED');
  });

  server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {});
    hooks.onRejected('UPGRADE_NOT_SUPPORTED');
    refuse(socket, 'UPGRADE_NOT_SUPPORTED');
  });

  // Answering `Expect: 100-continue` ourselves lets an oversized upload be
  // refused before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limits.maxBodyBytes) {
      hooks.onRejected('BODY_TOO_LARGE');
      sendError(res, 'BODY_TOO_LARGE', undefined, { connection: 'close' });
      return;
    }
    res.writeContinue();
    hooks.onRequest(req, res);
  });

  return server;
}
