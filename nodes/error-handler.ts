import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { CartConflictError, StoreUnavailableError } from '../store/errors.ts';
import { ERRORS, HttpError, codeForStatus } from './errors.ts';

/**
 * The one place where errors become responses: every failure, and every
 * error status left without a body (Koa's 404, the router's 405/501), turns
 * into JSON `{error: {code, message}}`. Headers already set stay, so
 * X-Served-By and a cleared session cookie survive an error.
 */
export function errorHandler(logger: Logger): Middleware {
  return async function handleErrors(ctx, next) {
    try {
      await next();
      if (ctx.body == null && ctx.status >= 400) throw new HttpError(codeForStatus(ctx.status));
    } catch (error) {
      const httpError = toHttpError(error);
      if (httpError.status >= 500) {
        logger.error({ err: error, method: ctx.method, path: ctx.path }, 'request failed');
      }
      // Too late to answer; let Koa tear the response down.
      if (ctx.headerSent) throw error;
      ctx.status = httpError.status;
      ctx.set(httpError.headers);
      const message = httpError.expose ? httpError.message : ERRORS[httpError.code].message;
      ctx.body = { error: { code: httpError.code, message } };
    }
  };
}

/** Maps any thrown value onto the catalogue; unknown errors become INTERNAL and keep their message private. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof StoreUnavailableError) {
    return new HttpError('STORE_UNAVAILABLE', error.message, { cause: error, expose: false });
  }
  if (error instanceof CartConflictError)
    return new HttpError('CART_CONFLICT', undefined, { cause: error });
  const status = statusOf(error);
  if (status !== undefined) {
    // Errors from Koa and the router (http-errors) say whether their message is public.
    const expose = status < 500 && (error as { expose?: unknown }).expose === true;
    const message = expose ? (error as Error).message : undefined;
    return new HttpError(codeForStatus(status), message, { cause: error, expose });
  }
  return new HttpError('INTERNAL', undefined, { cause: error });
}

function statusOf(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const { status } = error as { status?: unknown };
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : undefined;
}
