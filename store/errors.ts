/**
 * Errors raised by session stores. Each carries a stable `code` so callers
 * (the session layer, the node's error handler, the lab) branch on the code,
 * never on the message.
 */
export class StoreError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/**
 * The store cannot be reached or has been closed. Nodes turn it into a fast
 * 503 `STORE_UNAVAILABLE`, so a dead store never makes requests hang.
 */
export class StoreUnavailableError extends StoreError {
  constructor(message: string, options?: ErrorOptions) {
    super('STORE_UNAVAILABLE', message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** `create` was given an id that is already live; ids are never reused. */
export class SessionExistsError extends StoreError {
  constructor(id: string) {
    // Only a prefix of the id: the full id is a bearer credential.
    super('SESSION_EXISTS', `a session with id ${id.slice(0, 6)}… already exists`);
    this.name = 'SessionExistsError';
  }
}

/** A store was constructed with a bad option; the message says what to fix. */
export class StoreOptionError extends StoreError {
  constructor(message: string) {
    super('STORE_BAD_OPTION', message);
    this.name = 'StoreOptionError';
  }
}

/**
 * A compare-and-set write lost the race every time it was tried. The node
 * answers 409 `CART_CONFLICT`: the write was refused, and the client is told.
 */
export class CartConflictError extends StoreError {
  constructor(attempts: number) {
    super('CART_CONFLICT', `the cart changed concurrently in each of ${attempts} attempts`);
    this.name = 'CartConflictError';
  }
}
