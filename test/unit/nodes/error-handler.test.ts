import assert from 'node:assert/strict';
import { toHttpError } from '../../../nodes/error-handler.ts';
import { HttpError } from '../../../nodes/errors.ts';
import { CartConflictError, StoreUnavailableError } from '../../../store/errors.ts';

// Shaped like the http-errors that Koa (ctx.throw) and the router raise.
function libraryError(status: number, message: string, expose: boolean): Error {
  return Object.assign(new Error(message), { status, expose });
}

describe('nodes/error-handler toHttpError', () => {
  it('keeps an HttpError as it is', () => {
    const error = new HttpError('CART_FULL');
    assert.equal(toHttpError(error), error);
  });

  it('turns a StoreUnavailableError into a 503 whose detail stays private', () => {
    const error = toHttpError(new StoreUnavailableError('redis at 10.0.0.7 refused'));
    assert.deepEqual([error.code, error.status, error.expose], ['STORE_UNAVAILABLE', 503, false]);
  });

  it("turns the cart store's CartConflictError into 409 CART_CONFLICT with the catalogue message", () => {
    const error = toHttpError(new CartConflictError(10));
    assert.deepEqual(
      { status: error.status, code: error.code, message: error.message, expose: error.expose },
      {
        status: 409,
        code: 'CART_CONFLICT',
        message: 'the cart changed concurrently too often; retry',
        expose: true,
      },
    );
  });

  it('maps a library error onto the catalogue by status, keeping a public message', () => {
    const error = toHttpError(libraryError(405, 'Method Not Allowed', true));
    assert.deepEqual(
      [error.code, error.status, error.message],
      ['METHOD_NOT_ALLOWED', 405, 'Method Not Allowed'],
    );
  });

  it('never exposes a library 5xx message', () => {
    const error = toHttpError(libraryError(502, 'upstream 10.0.0.7 died', true));
    assert.equal(error.status, 500);
    assert.equal(error.expose, false);
  });

  it('turns anything else into 500 INTERNAL without exposing it', () => {
    for (const thrown of [new Error('secret'), 'a string', undefined, { status: 400 }]) {
      const error = toHttpError(thrown);
      assert.deepEqual([error.code, error.status, error.expose], ['INTERNAL', 500, false]);
    }
  });
});
