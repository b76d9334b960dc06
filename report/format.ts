// How numbers read in both reports: a fixed locale (reports must not change
// with the machine that renders them), few digits, and one mark for "no value".

/** Shown where a figure was not measured. */
export const NONE = '—';

const formatters = new Map<number, Intl.NumberFormat>();

function formatter(digits: number): Intl.NumberFormat {
  let found = formatters.get(digits);
  if (!found) {
    found = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits });
    formatters.set(digits, found);
  }
  return found;
}

/** Three significant figures or so: 0.0123, 1.23, 12.3, 123, 1,234. */
export function num(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  const size = Math.abs(value);
  const digits = size >= 100 ? 0 : size >= 10 ? 1 : size >= 1 ? 2 : 3;
  return formatter(digits).format(value);
}

export function int(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return formatter(0).format(value);
}

/** A fraction as a percentage: 0.0123 -> 1.23%. */
export function pct(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return NONE;
  return fraction === 0 ? '0%' : `${num(fraction * 100)}%`;
}

/** A relative change with its sign: +12.3%, -4.5%. */
export function signedPct(fraction: number): string {
  const text = pct(fraction);
  return fraction > 0 ? `+${text}` : text;
}

export function gib(bytes: number): string {
  return `${num(bytes / 1024 ** 3)} GiB`;
}

/** An ISO time as `2025-11-27 10:00:05 UTC`: the same on every machine. */
export function utc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `node-1`, `node-10`, `node-2` in the order a person expects. */
export function byName(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
