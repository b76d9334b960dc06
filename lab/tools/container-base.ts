import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DOCKER_CONFIG_DIR } from './compose.ts';
import { run } from './exec.ts';
import type { FoundTool, Tool } from './tool.ts';

/** Debian's release the images are built on; the Dockerfiles name its slim tag. */
export const BASE_SUITE = 'bookworm';
const MIRROR = 'http://deb.debian.org/debian';
/**
 * The root file system of a minimal Debian, as a tar. No registry is reachable
 * from the machines this project is built on, so the lab's own engine imports
 * this as the base image instead of pulling it (lab/engine/docker/images.ts).
 */
export const BASE_ROOTFS_TAR = path.join(DOCKER_CONFIG_DIR, `${BASE_SUITE}-minbase.tar`);

/**
 * `debootstrap --variant=minbase` into a temporary folder, packed without the
 * package cache and lists (the images run apt-get update themselves).
 */
export class ContainerBaseTool implements Tool {
  readonly name = 'container-base';
  readonly purpose = `the base image of the lab's container images (Debian ${BASE_SUITE} minbase)`;
  readonly howToGet = `apt-get install debootstrap, then: debootstrap --variant=minbase ${BASE_SUITE} DIR && tar -C DIR -cf ${BASE_ROOTFS_TAR} .`;

  async find(): Promise<FoundTool | undefined> {
    try {
      const info = await stat(BASE_ROOTFS_TAR);
      const mb = Math.round(info.size / 1e6);
      return { path: BASE_ROOTFS_TAR, version: `debian ${BASE_SUITE} minbase, ${mb} MB` };
    } catch {
      return undefined;
    }
  }

  async install(): Promise<string | undefined> {
    if (process.getuid?.() !== 0) return 'debootstrap needs root';
    await mkdir(path.dirname(BASE_ROOTFS_TAR), { recursive: true });
    const work = await mkdtemp(path.join(path.dirname(BASE_ROOTFS_TAR), 'rootfs-'));
    const rootfs = path.join(work, 'rootfs');
    try {
      const made = await run('debootstrap', ['--variant=minbase', BASE_SUITE, rootfs, MIRROR], {
        timeoutMs: 900000,
      });
      if (!made.ok) return `debootstrap failed: ${made.output.split('\n').slice(-2).join(' ')}`;
      const partial = path.join(work, 'rootfs.tar');
      const packed = await run(
        'tar',
        [
          '-C',
          rootfs,
          '--exclude=./var/cache/apt/archives/*.deb',
          '--exclude=./var/lib/apt/lists/*',
          '-cf',
          partial,
          '.',
        ],
        { timeoutMs: 300000 },
      );
      if (!packed.ok) return `tar failed: ${packed.output.split('\n').pop()}`;
      // Renamed only once complete, so find() never sees half a tar.
      await rename(partial, BASE_ROOTFS_TAR);
      return undefined;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}
