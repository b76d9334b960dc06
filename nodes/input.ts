import type { z } from 'zod';
import { HttpError } from './errors.ts';

/** Checks a request body against a schema; 400 BAD_INPUT naming each bad field otherwise. */
export function parseInput<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
    return `${field}: ${issue.message}`;
  });
  throw new HttpError('BAD_INPUT', problems.join('; '));
}
