// The live page: the same uPlot build and styles as report.html (read from
// report/html), inlined, and a Content-Security-Policy that admits exactly
// these inline scripts and styles (by hash) and connections to this server:
// nothing is fetched from anywhere else, so it works offline.
import { createHash } from 'node:crypto';
import { chartLibrary } from '../../report/html/assets.ts';
import { MARKERS_PLUGIN } from '../../report/html/charts-script.ts';
import { esc, inlineCode } from '../../report/html/escape.ts';
import { STYLES } from '../../report/html/styles.ts';
import { LIVE_SCRIPT } from './page-script.ts';
import { LIVE_STYLES } from './page-styles.ts';

function hash(code: string): string {
  return `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;
}

export class LivePage {
  readonly #styles: string[];
  readonly #scripts: string[];
  readonly #version: string;

  private constructor(styles: string[], scripts: string[], version: string) {
    this.#styles = styles.map((css) => inlineCode(css, 'style'));
    this.#scripts = scripts.map((js) => inlineCode(js, 'script'));
    this.#version = version;
  }

  /** Reads uPlot from its package (as the report does). */
  static async load(): Promise<LivePage> {
    const library = await chartLibrary();
    const script = `(function () {\n'use strict';\n${MARKERS_PLUGIN}\n${LIVE_SCRIPT}\n})();\n`;
    return new LivePage([library.css, STYLES, LIVE_STYLES], [library.js, script], library.version);
  }

  /** The policy the page is served with: these scripts and styles, this server, nothing else. */
  policy(): string {
    return [
      "default-src 'none'",
      `script-src ${this.#scripts.map(hash).join(' ')}`,
      `style-src ${this.#styles.map(hash).join(' ')}`,
      "connect-src 'self'",
      'img-src data:',
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
  }

  /** The page, carrying `pageToken` (the server's proof that an action came from it). */
  render(pageToken: string): { html: string; policy: string } {
    const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="live-token" content="${esc(pageToken)}">
<title>session-lab live</title>
${this.#styles.map((css) => `<style>${css}</style>`).join('\n')}
</head>
<body>
<main>
<h1 id="title">session-lab live</h1>
<p id="status" class="live-status" data-phase="connecting">connecting...</p>
<p class="muted"><span id="connection" data-connection="connecting">connecting</span> · <span id="clock"></span></p>
<p id="notice" class="banner" hidden></p>
<nav><a href="#nodes">Nodes</a><a href="#processes">Processes</a><a href="#strategies">Strategies</a></nav>
<section id="nodes">
<h2>Nodes, as the balancer sees them</h2>
<div id="node-table"><p class="muted">No reading of the balancer yet.</p></div>
<div id="admin" hidden>
<h3>Admin</h3>
<p class="muted">Each button runs the same action as the <code>lab</code> command of its name, recorded in events.ndjson. The balancer's admin token stays in the lab.</p>
<p><label>Strategy <select id="admin-strategy"></select></label> <button type="button" id="admin-switch">switch</button></p>
<p id="admin-result" class="muted" aria-live="polite" data-state="idle">No action yet.</p>
</div>
</section>
<section id="processes">
<h2>Processes</h2>
<div id="process-table"><p class="muted">No sample yet.</p></div>
</section>
<section id="strategies">
<h2>Strategies</h2>
<p class="legend-markers muted">Event markers: <span class="fault">solid: fault</span><span class="control">dashed: control (start, resume, enable)</span><span class="skipped">grey: skipped or failed</span></p>
<div id="strategy-list"></div>
</section>
<p class="muted">Charts drawn with uPlot ${esc(this.#version)} (MIT), served by the lab with this page.</p>
</main>
${this.#scripts.map((js) => `<script>${js}</script>`).join('\n')}
</body>
</html>
`;
    return { html, policy: this.policy() };
  }
}
