import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../../errors.ts';
import { ROOT } from '../../paths.ts';
import { BASE_ROOTFS_TAR } from '../../tools/container-base.ts';
import { HAZELCAST_JAR } from '../../tools/hazelcast.ts';
import { docker } from './cli.ts';
import { composeFileArgs } from './compose-file.ts';
import type { DockerDaemon } from './daemon.ts';
import { DAEMON_DIR } from './paths.ts';

/** The base every Dockerfile names (ARG BASE_IMAGE); the lab's own engine imports it. */
export const BASE_IMAGE = 'debian:bookworm-slim';
const EXTRA_CA_DIR = path.join(ROOT, 'docker', 'node', 'extra-ca');
const RECORD_FILE = path.join(DAEMON_DIR, 'images.json');
const BUILD_TIMEOUT_MS = 20 * 60000;
/** Build cache left in the lab's engine after a build. */
const BUILD_CACHE_KEPT = '300MB';

/** One image of docker-compose.yml: the service that builds it and the files it is made of. */
interface ImageSpec {
  image: string;
  service: string;
  profile?: string;
  /** Paths from the top folder; a change to any of them rebuilds the image. */
  inputs: string[];
}

const IMAGES: readonly ImageSpec[] = [
  {
    image: 'session-lab/node:dev',
    service: 'balancer',
    inputs: [
      'docker/node/Dockerfile',
      'docker/node/start-node.ts',
      'docker/node/start-balancer.ts',
      'docker/node/strategy-from-env.ts',
      'docker/common',
      'package.json',
      'package-lock.json',
      '.npmrc',
      'store',
      'nodes',
      'balancer',
    ],
  },
  { image: 'session-lab/redis:dev', service: 'redis', inputs: ['docker/redis'] },
  {
    image: 'session-lab/toxiproxy:dev',
    service: 'toxiproxy',
    inputs: ['docker/toxiproxy', 'docker/common', 'tools/bin/toxiproxy-server'],
  },
  {
    image: 'session-lab/hazelcast:dev',
    service: 'hz-1',
    profile: 'hazelcast',
    inputs: ['docker/hazelcast', 'docker/common', path.relative(ROOT, HAZELCAST_JAR)],
  },
];

/** What one build of the lab's images did; `built` is empty when every image was current. */
export interface ImagesOutcome {
  built: string[];
  tookMs: number;
}

async function filesUnder(relative: string): Promise<string[]> {
  const full = path.join(ROOT, relative);
  const info = await stat(full).catch(() => undefined);
  if (!info) {
    throw new LabError(
      'IMAGE_INPUT_MISSING',
      `${relative} is missing: an image is built from it`,
      relative.startsWith('tools/') ? 'run `lab setup`' : 'check out the whole repository',
    );
  }
  if (!info.isDirectory()) return [relative];
  const entries = await readdir(full, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Hash of an image's inputs (names and contents) and of the base image it starts from. */
async function inputHash(spec: ImageSpec, baseId: string): Promise<string> {
  const hash = createHash('sha256').update(baseId);
  for (const input of spec.inputs) {
    for (const file of await filesUnder(input)) {
      hash.update(`\0${file}\0`).update(await readFile(path.join(ROOT, file)));
    }
  }
  return hash.digest('hex');
}

async function imageId(daemon: DockerDaemon, image: string): Promise<string | undefined> {
  try {
    return await docker(daemon, ['image', 'inspect', '--format', '{{.Id}}', image]);
  } catch {
    return undefined;
  }
}

type BuildRecord = Record<string, { hash: string; id: string }>;

async function readRecord(): Promise<BuildRecord> {
  try {
    return JSON.parse(await readFile(RECORD_FILE, 'utf8')) as BuildRecord;
  } catch {
    return {};
  }
}

/**
 * The base image, in the lab's own engine: imported from the root file system
 * `lab setup` made with debootstrap, since no registry can be reached to pull
 * it. An engine the user brought (LAB_DOCKER_HOST) pulls it as usual.
 */
export async function ensureBaseImage(daemon: DockerDaemon): Promise<string> {
  const existing = await imageId(daemon, BASE_IMAGE);
  if (existing || process.env.LAB_DOCKER_HOST) return existing ?? BASE_IMAGE;
  try {
    await stat(BASE_ROOTFS_TAR);
  } catch {
    throw new LabError(
      'BASE_IMAGE_MISSING',
      `no ${BASE_IMAGE} image and no root file system to import it from`,
      'run `lab setup --require container-base`',
    );
  }
  await docker(daemon, ['import', '--change', 'CMD ["/bin/bash"]', BASE_ROOTFS_TAR, BASE_IMAGE], {
    timeoutMs: 300000,
  });
  return (await imageId(daemon, BASE_IMAGE)) ?? BASE_IMAGE;
}

/**
 * Builds the images of docker-compose.yml whose inputs changed since the
 * last build (or that are missing), through `docker compose build`. In the
 * lab's own engine the build cache is then cut to its most recent 300 MB.
 */
export async function ensureImages(
  daemon: DockerDaemon,
  options: { hazelcast: boolean },
): Promise<ImagesOutcome> {
  const started = performance.now();
  const baseId = await ensureBaseImage(daemon);
  const record = await readRecord();
  const wanted = IMAGES.filter((spec) => !spec.profile || options.hazelcast);
  const stale: { spec: ImageSpec; hash: string }[] = [];
  for (const spec of wanted) {
    const hash = await inputHash(spec, baseId);
    const known = record[`${daemon.host} ${spec.image}`];
    const id = await imageId(daemon, spec.image);
    if (!id || known?.hash !== hash || known.id !== id) stale.push({ spec, hash });
  }
  if (stale.length === 0) return { built: [], tookMs: Math.round(performance.now() - started) };

  const caFile = process.env.NODE_EXTRA_CA_CERTS;
  const caCopy = path.join(EXTRA_CA_DIR, 'from-node-extra-ca-certs.pem');
  if (caFile) await copyFile(caFile, caCopy);
  try {
    const profiles = [...new Set(stale.flatMap(({ spec }) => spec.profile ?? []))];
    await docker(
      daemon,
      [...composeFileArgs(profiles), 'build', ...stale.map(({ spec }) => spec.service)],
      { timeoutMs: BUILD_TIMEOUT_MS },
    );
  } finally {
    await rm(caCopy, { force: true });
  }
  for (const { spec, hash } of stale) {
    const id = await imageId(daemon, spec.image);
    if (id) record[`${daemon.host} ${spec.image}`] = { hash, id };
  }
  await mkdir(DAEMON_DIR, { recursive: true });
  await writeFile(RECORD_FILE, JSON.stringify(record, null, 2) + '\n');
  if (!process.env.LAB_DOCKER_HOST) {
    // Keeps the most recent cache (the node image's dependency layer, ~200 MB,
    // so a change to the sources rebuilds in seconds), drops the rest.
    await docker(daemon, ['builder', 'prune', '--force', `--keep-storage=${BUILD_CACHE_KEPT}`]);
    await docker(daemon, ['image', 'prune', '--force']);
  }
  return {
    built: stale.map(({ spec }) => spec.image),
    tookMs: Math.round(performance.now() - started),
  };
}
