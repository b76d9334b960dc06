// Where the run's figures go: the series file gets one SecondPoint per line
// as each second ends (written synchronously, so the file is whole whenever
// the process stops), the totals file one LoadTotals at the end (written
// aside and renamed, so a reader never sees half of it).
import { closeSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import type { LoadTotals, SecondPoint } from './types.ts';

export class SeriesFile {
  readonly #fd: number;

  /** Creates (or empties) `file`. */
  constructor(file: string) {
    this.#fd = openSync(file, 'w');
  }

  /** Appends the point's line and returns it (the same line goes to stdout). */
  append(point: SecondPoint): string {
    const line = `${JSON.stringify(point)}\n`;
    writeSync(this.#fd, line);
    return line;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

export function writeTotals(file: string, totals: LoadTotals): void {
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify(totals, null, 2)}\n`);
  renameSync(aside, file);
}
