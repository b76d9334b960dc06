import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TOOLS_BIN } from '../paths.ts';
import { firstLine, run } from './exec.ts';
import type { FoundTool, Tool } from './tool.ts';

/** A tool built with `go install` at a pinned version into the tools folder. */
export class GoInstalledTool implements Tool {
  readonly name: string;
  readonly purpose: string;
  readonly howToGet: string;
  readonly #binary: string;
  readonly #modulePackage: string;
  readonly #version: string;
  readonly #ldflags: string;
  readonly #versionArgs: string[];

  constructor(options: {
    name: string;
    purpose: string;
    binary: string;
    /** Package path to `go install`; its last element is the built binary's name. */
    modulePackage: string;
    version: string;
    ldflags?: string;
    versionArgs: string[];
  }) {
    this.name = options.name;
    this.purpose = options.purpose;
    this.#binary = options.binary;
    this.#modulePackage = options.modulePackage;
    this.#version = options.version;
    this.#ldflags = options.ldflags ?? '';
    this.#versionArgs = options.versionArgs;
    this.howToGet = `install Go, then: go install ${options.modulePackage}@${options.version} and put the binary on PATH as ${options.binary}`;
  }

  get binaryPath(): string {
    return path.join(TOOLS_BIN, this.#binary);
  }

  async find(): Promise<FoundTool | undefined> {
    try {
      await access(this.binaryPath);
    } catch {
      return undefined;
    }
    const version = await firstLine(this.binaryPath, this.#versionArgs);
    return version ? { path: this.binaryPath, version } : undefined;
  }

  async install(): Promise<string | undefined> {
    if (!(await firstLine('go', ['version']))) return 'go is not on PATH';
    // go install names the binary after the package folder; build aside, then rename.
    const buildBin = await mkdtemp(path.join(os.tmpdir(), 'lab-go-'));
    try {
      const args = ['install'];
      if (this.#ldflags) args.push(`-ldflags=${this.#ldflags}`);
      args.push(`${this.#modulePackage}@${this.#version}`);
      const result = await run('go', args, {
        env: { ...process.env, GOBIN: buildBin, GOFLAGS: '-modcacherw' },
        timeoutMs: 900000,
      });
      if (!result.ok) return `go install failed: ${result.output.split('\n').slice(-2).join(' ')}`;
      await mkdir(TOOLS_BIN, { recursive: true });
      await rename(path.join(buildBin, path.basename(this.#modulePackage)), this.binaryPath);
      return undefined;
    } finally {
      await rm(buildBin, { recursive: true, force: true });
    }
  }
}
