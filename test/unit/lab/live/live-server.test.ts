// The live page's server on a real loopback port: what it serves, to whom,
// and what it refuses.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { AdminActions } from '../../../../lab/live/admin-actions.ts';
import { LiveFeed } from '../../../../lab/live/live-feed.ts';
import { LiveServer } from '../../../../lab/live/live-server.ts';
import { LivePage } from '../../../../lab/live/page.ts';

interface Answer {
  status: number | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request; `until` ends a stream once what has come satisfies it. */
function request(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    until?: (body: string) => boolean;
  },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers });
    req.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        if (options.until?.(body)) {
          resolve({ status: response.statusCode, headers: response.headers, body });
          req.destroy();
        }
      });
      response.on('end', () =>
        resolve({ status: response.statusCode, headers: response.headers, body }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('the live server', () => {
  let server: LiveServer;
  let feed: LiveFeed;
  let url: string;
  let stateDir: string;

  before(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'live-server-'));
    feed = new LiveFeed();
    feed.publish({ type: 'phase', strategy: 'sticky', phase: 'load' });
    feed.publish({ type: 'phase', strategy: 'sticky', phase: 'probes' });
    server = new LiveServer({
      feed,
      page: await LivePage.load(),
      actions: new AdminActions(stateDir),
    });
    url = await server.listen(0);
  });

  after(async () => {
    await server.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('listens on loopback only', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves the page under a policy that admits exactly its inline scripts and styles', async () => {
    const page = await request(url, {});
    assert.equal(page.status, 200);
    const policy = String(page.headers['content-security-policy']);
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /connect-src 'self'/);
    const inline = [...page.body.matchAll(/<(script|style)>([\s\S]*?)<\/\1>/g)];
    assert.equal(inline.length, 5, 'uPlot and the page script; three style sheets');
    for (const [, , code] of inline) {
      const digest = createHash('sha256').update(code!, 'utf8').digest('base64');
      assert.ok(policy.includes(`'sha256-${digest}'`), 'each inline block is admitted by hash');
    }
    assert.doesNotMatch(page.body, /\ssrc=|\shref="http/, 'nothing loaded from elsewhere');
    assert.match(page.body, /<meta name="live-token" content="[A-Za-z0-9_-]{32}">/);
  });

  it('streams every message with its id, and only the newer ones to a page that reconnects', async () => {
    const all = await request(`${url}events`, { until: (body) => body.includes('id: 2\n') });
    assert.equal(all.headers['content-type'], 'text/event-stream');
    assert.match(all.body, /id: 1\ndata: \{"type":"phase","strategy":"sticky","phase":"load"\}/);
    const resumed = await request(`${url}events`, {
      headers: { 'last-event-id': '1' },
      until: (body) => body.includes('id: 2\n'),
    });
    assert.doesNotMatch(resumed.body, /id: 1\n/);
    assert.match(resumed.body, /id: 2\n/);
  });

  it('refuses a request naming another host (DNS rebinding)', async () => {
    const answer = await request(url, { headers: { host: 'attacker.example' } });
    assert.equal(answer.status, 421);
  });

  it('runs an action only with the page’s origin and token', async () => {
    const page = await request(url, {});
    const token = /name="live-token" content="([^"]+)"/.exec(page.body)![1]!;
    const origin = url.replace(/\/$/, '');
    const post = (headers: Record<string, string>) =>
      request(`${url}actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ action: 'drain', target: 'node-1' }),
      });
    assert.equal((await post({ 'x-live-token': token })).status, 403, 'no origin');
    assert.equal(
      (await post({ origin: 'http://127.0.0.1:1', 'x-live-token': token })).status,
      403,
      'another origin',
    );
    assert.equal((await post({ origin, 'x-live-token': 'guess' })).status, 403, 'a wrong token');
    // Accepted: it reaches the CLI's action, which finds no topology in this empty state folder.
    const accepted = await post({ origin, 'x-live-token': token });
    assert.equal(accepted.status, 409);
    assert.equal((JSON.parse(accepted.body) as { error: { code: string } }).error.code, 'NOT_UP');
  });
});
