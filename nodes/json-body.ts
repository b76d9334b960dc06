import type { Context } from 'koa';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.ts';

/** Largest JSON body a node reads; the workload's bodies are a few dozen bytes. */
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024;

/**
 * Reads the request body as JSON, never more than `limitBytes`.
 * 400 BAD_JSON for a missing body, a wrong Content-Type, bad UTF-8 or bad
 * JSON; 413 BODY_TOO_LARGE past the limit; 415 for compressed bodies.
 */
export async function readJsonBody(
  ctx: Context,
  limitBytes = DEFAULT_BODY_LIMIT_BYTES,
): Promise<unknown> {
  // null (no body at all) and false (another type) are both refused.
  if (!ctx.is('application/json')) throw new HttpError('BAD_JSON');
  const encoding = ctx.get('Content-Encoding').toLowerCase();
  if (encoding !== '' && encoding !== 'identity') throw new HttpError('UNSUPPORTED_ENCODING');
  const declared = ctx.request.length;
  if (declared !== undefined && declared > limitBytes) throw tooLarge(ctx, limitBytes);

  const bytes = await readLimited(ctx.req, limitBytes, () => tooLarge(ctx, limitBytes));
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new HttpError('BAD_JSON', 'the body is not valid UTF-8 JSON');
  }
}

function tooLarge(ctx: Context, limitBytes: number): HttpError {
  // The rest of the body is not read: close the connection after answering
  // instead of draining an arbitrary amount of data.
  ctx.set('Connection', 'close');
  return new HttpError('BODY_TOO_LARGE', `the request body exceeds ${limitBytes} bytes`);
}

// Listeners instead of `for await`: leaving a for-await loop destroys the
// request, and with it the socket the 413 must be written to.
function readLimited(
  request: IncomingMessage,
  limitBytes: number,
  onTooLarge: () => Error,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        reject(onTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new HttpError('REQUEST_ABORTED', undefined, { cause: error }));
    };
    const onClose = () => {
      cleanup();
      reject(new HttpError('REQUEST_ABORTED'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}
