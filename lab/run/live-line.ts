// The status a person watches during `lab run`: strategy, phase, elapsed and
// remaining time, request rate and errors of the last second. On a terminal
// it is one line rewritten in place; in a log (CI, a pipe) a line every five
// seconds, so the log stays readable.
import type { SecondPoint } from '../../loadgen/types.ts';
import type { Scenario } from './scenario-schema.ts';

const LOG_EVERY_S = 5;

export class LiveLine {
  readonly #out: NodeJS.WriteStream;
  #shown = false;

  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
  }

  show(strategy: string, phase: string, point: SecondPoint, scenario: Scenario): void {
    const length = phase === 'load' ? scenario.load.durationS : scenario.load.warmupS;
    const elapsed = point.t + 1;
    const left = Math.max(0, Math.ceil(length - elapsed));
    const errors = point.errors > 0 ? `, ${point.errors} errors` : '';
    const lost = point.sessionsLost > 0 ? `, ${point.sessionsLost} sessions lost` : '';
    const text = `  ${strategy} ${phase} ${elapsed}s/${length}s (${left}s left): ${point.requests} req/s${errors}${lost}`;
    if (this.#out.isTTY) {
      this.#out.write(`\r\x1b[2K${text}`);
      this.#shown = true;
    } else if (elapsed % LOG_EVERY_S === 0) {
      this.#out.write(`${text}\n`);
    }
  }

  /** Removes the status line before other output. */
  clear(): void {
    if (this.#shown) this.#out.write('\r\x1b[2K');
    this.#shown = false;
  }
}
