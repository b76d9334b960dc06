import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface ExecResult {
  ok: boolean;
  output: string;
}

/** Runs a command to completion (bounded), never throwing: tools may be absent. */
export async function run(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<ExecResult> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 30000,
      cwd: options.cwd,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { ok: true, output: `${stdout}${stderr}`.trim() };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    const output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`.trim() || failure.message;
    return { ok: false, output };
  }
}

/** The first line of a command's output, or undefined when the command fails. */
export async function firstLine(file: string, args: string[]): Promise<string | undefined> {
  const result = await run(file, args, { timeoutMs: 10000 });
  return result.ok ? result.output.split('\n')[0] : undefined;
}
