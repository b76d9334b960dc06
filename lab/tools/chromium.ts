import { DebianPackageTool } from './debian-package.ts';
import type { FoundTool } from './tool.ts';

/**
 * Chromium from the OS: the browser tests drive it through playwright-core,
 * which never downloads a browser of its own in this project.
 */
export function chromiumTool(): DebianPackageTool {
  return new DebianPackageTool({
    name: 'chromium',
    purpose: 'browser tests of the report and the journey',
    binary: 'chromium',
    packageName: 'chromium',
    versionArgs: ['--version'],
    howToGet: 'apt-get install chromium (Debian), brew install --cask chromium (macOS)',
  });
}

/** The machine's Chromium (path and version), or undefined when `lab setup` has not installed it. */
export function findChromium(): Promise<FoundTool | undefined> {
  return chromiumTool().find();
}
