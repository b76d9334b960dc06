import { access } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../errors.ts';
import { TOOLS_BIN } from '../paths.ts';
import { firstLine } from './exec.ts';
import type { FoundTool, Tool } from './tool.ts';

const HOW_TO_GET =
  'install k6 v1.x from your OS package manager (Grafana publishes apt/rpm/brew packages) or `go install go.k6.io/k6@latest` with Go >= 1.25, then put it on PATH or in tools/bin';

/**
 * Where k6 is looked for, in order: tools/bin, then each directory of PATH
 * but npm's (`npx` puts node_modules/.bin first, and the npm package named
 * k6 is not k6).
 */
export function k6Candidates(pathVariable = process.env.PATH ?? ''): string[] {
  const onPath = pathVariable.split(':').filter((dir) => dir !== '' && !isNpmBin(dir));
  const dirs = [TOOLS_BIN, ...onPath];
  return [...new Set(dirs)].map((dir) => path.join(dir, 'k6'));
}

function isNpmBin(dir: string): boolean {
  return dir.split(path.sep).includes('node_modules');
}

/** `v1.4.2` from `k6 v1.4.2 (commit/..., go1.24.4, linux/amd64)`; the whole line when it has no version. */
export function k6Version(versionLine: string): string {
  return /\bv\d+\.\d+\.\d+\S*/.exec(versionLine)?.[0] ?? versionLine;
}

/**
 * k6 is found, not built: the go.k6.io/k6 module is AGPL-licensed and this
 * project's build machines are told not to fetch it, so `lab setup` uses a
 * k6 that is already installed (PATH or tools/bin) and otherwise says how to
 * get one, and where it looked.
 */
export class K6Tool implements Tool {
  readonly name = 'k6';
  readonly installable = false;
  readonly purpose = 'lab run --generator k6 (the k6 scripts in k6/)';

  get howToGet(): string {
    return `looked for ${k6Candidates().join(', ')}; ${HOW_TO_GET}`;
  }

  async find(): Promise<FoundTool | undefined> {
    for (const candidate of k6Candidates()) {
      try {
        await access(candidate);
      } catch {
        continue;
      }
      const version = await firstLine(candidate, ['version']);
      if (version) return { path: candidate, version };
    }
    return undefined;
  }

  install(): Promise<string | undefined> {
    return Promise.resolve(
      'not built here: the k6 Go module is AGPL and this project does not fetch it automatically',
    );
  }
}

/** The k6 a run uses, or one GENERATOR_MISSING error saying where it looked and how to get k6. */
export async function requireK6(): Promise<FoundTool> {
  const found = await new K6Tool().find();
  if (found) return found;
  throw new LabError(
    'GENERATOR_MISSING',
    `--generator k6: no k6 found (looked for ${k6Candidates().join(', ')})`,
    `${HOW_TO_GET}; or run without --generator k6 (the lab's own generator)`,
  );
}
