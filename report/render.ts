// `lab report RUN_DIR` and the end of `lab run`: a run folder's summary
// turned into report.html and report.md beside it.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chartLibrary } from './html/assets.ts';
import { renderPage } from './html/page.ts';
import { renderMarkdown } from './markdown.ts';
import { readRunFolder } from './run-folder.ts';

/** Renders both reports into `runDir`; throws ReportError BAD_RUN_DIR when its summary.json cannot be read. */
export async function renderRun(runDir: string): Promise<{ htmlPath: string; mdPath: string }> {
  const folder = await readRunFolder(runDir);
  const html = renderPage(folder, await chartLibrary());
  const htmlPath = path.join(runDir, 'report.html');
  const mdPath = path.join(runDir, 'report.md');
  await writeFile(htmlPath, html);
  await writeFile(mdPath, renderMarkdown(folder.summary));
  return { htmlPath, mdPath };
}
