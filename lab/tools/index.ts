import { chromiumTool } from './chromium.ts';
import { containerTools } from './containers.ts';
import { DebianPackageTool } from './debian-package.ts';
import { GoInstalledTool } from './go-tool.ts';
import { HazelcastTool } from './hazelcast.ts';
import { K6Tool } from './k6.ts';
import type { Tool } from './tool.ts';

export const TOXIPROXY_VERSION = 'v2.12.0';

/** Every external tool of the lab, in the order `lab setup` reports them. */
export function allTools(): Tool[] {
  return [
    new DebianPackageTool({
      name: 'redis-server',
      purpose: 'the redis strategy and refresh tokens',
      binary: 'redis-server',
      packageName: 'redis-server',
      versionArgs: ['--version'],
      howToGet: 'apt-get install redis-server (Debian/Ubuntu), brew install redis (macOS)',
    }),
    new DebianPackageTool({
      name: 'haproxy',
      purpose: 'reference balancer in benchmarks',
      binary: 'haproxy',
      packageName: 'haproxy',
      versionArgs: ['-v'],
      howToGet: 'apt-get install haproxy (Debian/Ubuntu), brew install haproxy (macOS)',
    }),
    new DebianPackageTool({
      name: 'wrk',
      purpose: 'reference load generator (the floor) in the generator-cost bench',
      binary: 'wrk',
      packageName: 'wrk',
      versionArgs: ['--version'],
      versionExitsNonZero: true,
      howToGet: 'apt-get install wrk (Debian/Ubuntu), brew install wrk (macOS)',
    }),
    new HazelcastTool(),
    new GoInstalledTool({
      name: 'toxiproxy-server',
      purpose: 'network faults between nodes and stores',
      binary: 'toxiproxy-server',
      modulePackage: 'github.com/Shopify/toxiproxy/v2/cmd/server',
      version: TOXIPROXY_VERSION,
      // Without this the binary reports its version as "git".
      ldflags: `-X github.com/Shopify/toxiproxy/v2.Version=${TOXIPROXY_VERSION}`,
      versionArgs: ['-version'],
    }),
    ...containerTools(),
    new K6Tool(),
    chromiumTool(),
  ];
}

export function toolNamed(name: string): Tool | undefined {
  return allTools().find((tool) => tool.name === name);
}
