import { access, mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { TOOLS_DIR } from '../paths.ts';
import { firstLine } from './exec.ts';
import { GoInstalledTool } from './go-tool.ts';
import type { FoundTool, Tool } from './tool.ts';

/** Pinned: the last v2 line that builds with the machine's Go (v5 lines may need a newer one). */
export const COMPOSE_VERSION = 'v2.29.7';
/**
 * The Docker CLI reads its plugins from `$DOCKER_CONFIG/cli-plugins`; the lab
 * points DOCKER_CONFIG here, so `docker compose` works without touching ~/.docker.
 */
export const DOCKER_CONFIG_DIR = path.join(TOOLS_DIR, 'docker');
export const COMPOSE_PLUGIN = path.join(DOCKER_CONFIG_DIR, 'cli-plugins', 'docker-compose');

/**
 * Compose v2 is no Debian package in bookworm: built from its Go module into
 * tools/bin, then linked into the CLI plugins folder the lab's DOCKER_CONFIG names.
 */
export class ComposeTool implements Tool {
  readonly name = 'docker-compose';
  readonly purpose = 'docker-compose.yml, the docker engine and its tests';
  readonly howToGet: string;
  readonly #build = new GoInstalledTool({
    name: 'docker-compose',
    purpose: this.purpose,
    binary: 'docker-compose',
    modulePackage: 'github.com/docker/compose/v2/cmd',
    version: COMPOSE_VERSION,
    // Without this the plugin reports its version as "dev".
    ldflags: `-X github.com/docker/compose/v2/internal.Version=${COMPOSE_VERSION}`,
    versionArgs: ['version'],
  });

  constructor() {
    this.howToGet = `${this.#build.howToGet}, linked as ${COMPOSE_PLUGIN}`;
  }

  async find(): Promise<FoundTool | undefined> {
    try {
      await access(COMPOSE_PLUGIN);
    } catch {
      return undefined;
    }
    const version = await firstLine(COMPOSE_PLUGIN, ['version']);
    return version ? { path: COMPOSE_PLUGIN, version } : undefined;
  }

  async install(): Promise<string | undefined> {
    if (!(await this.#build.find())) {
      const problem = await this.#build.install();
      if (problem) return problem;
    }
    await mkdir(path.dirname(COMPOSE_PLUGIN), { recursive: true });
    await rm(COMPOSE_PLUGIN, { force: true });
    // Relative, so a copied tools/ folder keeps working.
    await symlink(
      path.relative(path.dirname(COMPOSE_PLUGIN), this.#build.binaryPath),
      COMPOSE_PLUGIN,
    );
    return undefined;
  }
}
