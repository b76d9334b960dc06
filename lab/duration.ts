import { LabError } from './errors.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;
const MAX_MS = 3_600_000;

/**
 * A duration option of the CLI in milliseconds: `10` or `2.5` (seconds),
 * `500ms`, `5s`, `1m`; at most an hour. One parser, so `--for 5` means the
 * same in every command.
 */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d{1,7}(?:\.\d{1,3})?)(ms|s|m)?$/.exec(text.trim());
  const unit = UNIT_MS[(match?.[2] as keyof typeof UNIT_MS | undefined) ?? 's'];
  const ms = match ? Math.round(Number(match[1]) * unit) : 0;
  if (!(ms >= 1 && ms <= MAX_MS)) {
    throw new LabError(
      'BAD_OPTION',
      `--${option} must be a duration up to 1 hour such as 10 (seconds), 2.5, 500ms or 1m, got "${text}"`,
    );
  }
  return ms;
}
