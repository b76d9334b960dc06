import { ComposeTool } from './compose.ts';
import { ContainerBaseTool } from './container-base.ts';
import { DebianPackageTool } from './debian-package.ts';
import type { Tool } from './tool.ts';

/** Debian's Docker engine; the lab starts its own daemon (lab/engine/docker/daemon.ts). */
export function dockerEngineTool(): DebianPackageTool {
  return new DebianPackageTool({
    name: 'dockerd',
    purpose: 'the docker engine: docker-compose.yml, Testcontainers, --engine docker',
    binary: 'dockerd',
    packageName: 'docker.io',
    versionArgs: ['--version'],
    howToGet: 'apt-get install docker.io (Debian/Ubuntu), or Docker Desktop (macOS)',
  });
}

/** The tools of the container engine, in the order `lab setup` reports them. */
export function containerTools(): Tool[] {
  return [
    dockerEngineTool(),
    new DebianPackageTool({
      name: 'debootstrap',
      purpose: 'building the base image without a registry',
      binary: 'debootstrap',
      packageName: 'debootstrap',
      versionArgs: ['--version'],
      howToGet: 'apt-get install debootstrap (Debian/Ubuntu)',
    }),
    new ContainerBaseTool(),
    new ComposeTool(),
  ];
}
