// uPlot, read from its npm package and inlined into the page: the report
// must work offline and make no request, so no CDN and no sibling files.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface ChartLibrary {
  js: string;
  css: string;
  version: string;
}

export async function chartLibrary(): Promise<ChartLibrary> {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('uplot'));
  const [js, css, pkg] = await Promise.all([
    readFile(path.join(dist, 'uPlot.iife.min.js'), 'utf8'),
    readFile(path.join(dist, 'uPlot.min.css'), 'utf8'),
    readFile(path.join(dist, '..', 'package.json'), 'utf8'),
  ]);
  return { js, css, version: (JSON.parse(pkg) as { version: string }).version };
}
