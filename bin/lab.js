#!/usr/bin/env node
// The `lab` command. The lab is TypeScript run by Node 24's type stripping;
// `npm install` puts Node 24 in node_modules/.bin, which npx and npm scripts use.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `lab: Node ${process.versions.node} is too old; run it as \`npx lab\` after \`npm install\` (which installs Node 24), or install Node 24\n`,
  );
  process.exit(1);
}
await import('../lab/cli.ts');
