import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from '../../../lab/paths.ts';

/** Every .ts file under `dir`, recursively. */
async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
}

// k6 loads .ts files itself (esbuild strips the types) and resolves only
// relative paths and its own k6/* modules: no Node module, no bare package.
describe('k6 scripts and loadgen/core: imports k6 can load', () => {
  it('loadgen/core imports only relative .ts files (no node:, no package, no k6)', async () => {
    const files = await tsFiles(path.join(ROOT, 'loadgen', 'core'));
    assert.ok(files.length >= 10, 'the core is where it should be');
    for (const file of files) {
      for (const specifier of await importsOf(file)) {
        assert.match(specifier, /^\.\.?\/.*\.ts$/, `${path.relative(ROOT, file)}: ${specifier}`);
      }
    }
  });

  it('k6/ imports relative .ts files and k6 modules only, and never the lab or the generator shell', async () => {
    for (const file of await tsFiles(path.join(ROOT, 'k6'))) {
      for (const specifier of await importsOf(file)) {
        const where = `${path.relative(ROOT, file)}: ${specifier}`;
        if (specifier === 'k6' || specifier.startsWith('k6/')) continue;
        assert.match(specifier, /^\.\.?\/.*\.ts$/, where);
        const target = path.relative(ROOT, path.resolve(path.dirname(file), specifier));
        assert.ok(
          target.startsWith('k6/') ||
            target.startsWith('loadgen/core/') ||
            // The route names, plain data in the bottom floor with no import of its own.
            target === 'common/routes.ts' ||
            target === 'loadgen/types.ts',
          where,
        );
      }
    }
  });
});
