import { access } from 'node:fs/promises';
import { run } from './exec.ts';
import type { FoundTool, Tool } from './tool.ts';

let aptUpdated = false;

/** A tool that comes from a Debian package and lands on the system PATH. */
export class DebianPackageTool implements Tool {
  readonly name: string;
  readonly purpose: string;
  readonly howToGet: string;
  readonly #binary: string;
  readonly #packageName: string;
  readonly #versionArgs: string[];
  readonly #versionExitsNonZero: boolean;

  constructor(options: {
    name: string;
    purpose: string;
    binary: string;
    packageName: string;
    versionArgs: string[];
    /** The version command prints its version but exits non-zero (wrk): take its output anyway. */
    versionExitsNonZero?: boolean;
    howToGet: string;
  }) {
    this.name = options.name;
    this.purpose = options.purpose;
    this.howToGet = options.howToGet;
    this.#binary = options.binary;
    this.#packageName = options.packageName;
    this.#versionArgs = options.versionArgs;
    this.#versionExitsNonZero = options.versionExitsNonZero ?? false;
  }

  async find(): Promise<FoundTool | undefined> {
    for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/sbin', '/usr/bin')) {
      const candidate = `${dir}/${this.#binary}`;
      try {
        await access(candidate);
      } catch {
        continue;
      }
      const result = await run(candidate, this.#versionArgs, { timeoutMs: 10000 });
      const version =
        result.ok || this.#versionExitsNonZero ? result.output.split('\n')[0] : undefined;
      if (version) return { path: candidate, version };
    }
    return undefined;
  }

  async install(): Promise<string | undefined> {
    if (process.getuid?.() !== 0) return 'installing a Debian package needs root';
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (!aptUpdated) {
      const update = await run('apt-get', ['update'], { env, timeoutMs: 300000 });
      if (!update.ok) return `apt-get update failed: ${update.output.split('\n').pop()}`;
      aptUpdated = true;
    }
    const install = await run(
      'apt-get',
      ['install', '-y', '--no-install-recommends', this.#packageName],
      { env, timeoutMs: 600000 },
    );
    return install.ok ? undefined : `apt-get install failed: ${install.output.split('\n').pop()}`;
  }
}
