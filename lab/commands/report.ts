import { compareRuns } from '../../report/compare.ts';
import { renderRun } from '../../report/render.ts';

/** `lab report RUN_DIR`: renders report.html and report.md again from the run's raw data. */
export async function report(runDir: string, print: (line: string) => void): Promise<void> {
  const { htmlPath, mdPath } = await renderRun(runDir);
  print(`report    ${htmlPath}`);
  print(`summary   ${mdPath}`);
}

/** `lab compare RUN_A RUN_B`: prints the Markdown comparison of two runs. */
export async function compare(
  runA: string,
  runB: string,
  print: (line: string) => void,
): Promise<void> {
  print(await compareRuns(runA, runB));
}
