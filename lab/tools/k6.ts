import { access } from 'node:fs/promises';
import path from 'node:path';
import { TOOLS_BIN } from '../paths.ts';
import { firstLine } from './exec.ts';
import type { FoundTool, Tool } from './tool.ts';

/**
 * k6 is found, not built: the go.k6.io/k6 module is AGPL-licensed and this
 * project's build machines are told not to fetch it, so `lab setup` uses a
 * k6 that is already installed (PATH or tools/bin) and otherwise says how to
 * get one.
 */
export class K6Tool implements Tool {
  readonly name = 'k6';
  readonly installable = false;
  readonly purpose = 'load generation and client-side consistency checks';
  readonly howToGet =
    'install k6 v1.x from your OS package manager (Grafana publishes apt/rpm/brew packages) or `go install go.k6.io/k6@latest` with Go >= 1.25, then put it on PATH or in tools/bin';

  async find(): Promise<FoundTool | undefined> {
    const dirs = [TOOLS_BIN, ...(process.env.PATH ?? '').split(':')];
    for (const dir of dirs) {
      const candidate = path.join(dir, 'k6');
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
