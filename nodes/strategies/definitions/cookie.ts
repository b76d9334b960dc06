import { z } from 'zod';
import { CookieStrategy } from '../cookie-strategy.ts';
import type { StrategyDefinition } from '../definition.ts';

/** 32 random bytes, base64url: 43 characters (a trailing `=` is tolerated). */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}=?$/;
const SECRET_RULE =
  'must be the base64url of 32 random bytes (43 characters), e.g. ' +
  `node -e "console.log(crypto.randomBytes(32).toString('base64url'))"`;

const cookieKey = z.strictObject(
  {
    // Goes into every cookie, so short and without the separator `.`.
    id: z
      .string('must be text')
      .regex(/^[A-Za-z0-9_-]{1,16}$/, 'must be 1–16 characters of [A-Za-z0-9_-]'),
    secret: z
      .string(SECRET_RULE)
      .regex(SECRET_PATTERN, SECRET_RULE)
      .transform((secret): Buffer => Buffer.from(secret.replace(/=$/, ''), 'base64url')),
  },
  'must be an object {id, secret}',
);

const cookieConfig = z.strictObject(
  {
    /** The first key seals new cookies; every key opens them (rotation). */
    keys: z
      .array(cookieKey, 'must be a list of {id, secret}')
      .min(1, 'must hold at least one key')
      .max(8, 'must hold at most 8 keys')
      .refine((keys) => new Set(keys.map((key) => key.id)).size === keys.length, 'ids must differ'),
  },
  'must be an object {keys}',
);

const config = z.strictObject({ name: z.literal('cookie'), cookie: cookieConfig });

export type CookieStrategyConfig = z.output<typeof cookieConfig>;

/** The whole session sealed into the client's cookie; the node keeps nothing. */
export const cookie: StrategyDefinition<'cookie', typeof config> = {
  name: 'cookie',
  config,
  create(config, deps) {
    return Promise.resolve(
      new CookieStrategy({
        keys: config.cookie.keys,
        idleTimeoutMs: deps.limits.idleTimeoutMs,
        absoluteTimeoutMs: deps.limits.absoluteTimeoutMs,
        now: deps.now,
        metrics: deps.metrics,
      }),
    );
  },
};
