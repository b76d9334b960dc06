import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TOOLS_BIN } from '../../../../lab/paths.ts';
import { runScenario } from '../../../../lab/run/run-scenario.ts';
import { parseScenario } from '../../../../lab/run/scenario.ts';
import { setup } from '../../../../lab/commands/setup.ts';
import { k6Candidates, k6Version, K6Tool, requireK6 } from '../../../../lab/tools/k6.ts';

/** Runs `body` with PATH set to `value` (k6 is then looked for in tools/bin and there only). */
async function withPath<T>(value: string, body: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = value;
  try {
    return await body();
  } finally {
    process.env.PATH = saved;
  }
}

describe('lab/tools/k6: where k6 is looked for', () => {
  let empty: string;
  before(async () => {
    empty = await mkdtemp(path.join(os.tmpdir(), 'lab-k6-'));
  });
  after(() => rm(empty, { recursive: true, force: true }));

  it('tools/bin first, then each PATH directory once, npm’s bin folders aside', () => {
    assert.deepEqual(k6Candidates('/w/node_modules/.bin:/a:/b::/a'), [
      path.join(TOOLS_BIN, 'k6'),
      '/a/k6',
      '/b/k6',
    ]);
  });

  it('takes the version out of `k6 version`', () => {
    assert.equal(k6Version('k6 v1.4.2 (commit/abc, go1.24.4, linux/amd64)'), 'v1.4.2');
    assert.equal(k6Version('something else'), 'something else');
  });

  it('without k6: one GENERATOR_MISSING naming every place looked and how to get k6', async function () {
    if (await new K6Tool().find()) this.skip(); // a machine with k6 in tools/bin
    await withPath(empty, async () => {
      await assert.rejects(requireK6(), (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, 'GENERATOR_MISSING');
        assert.ok(error.message.includes(path.join(TOOLS_BIN, 'k6')), error.message);
        assert.ok(error.message.includes(path.join(empty, 'k6')), error.message);
        assert.match(error.hint ?? '', /apt\/rpm\/brew/);
        return true;
      });
    });
  });

  it('lab setup --check says where k6 was looked for', async function () {
    if (await new K6Tool().find()) this.skip();
    const lines: string[] = [];
    await withPath(empty, () => setup({ install: false, require: [] }, (line) => lines.push(line)));
    const k6 = lines.find((line) => line.startsWith('k6 '));
    assert.ok(k6?.includes('MISSING'), k6);
    assert.ok(
      k6?.includes(`looked for ${path.join(TOOLS_BIN, 'k6')}, ${path.join(empty, 'k6')}`),
      k6,
    );
  });

  it('lab run --generator k6 without k6 fails before anything starts: no run folder, no process', async function () {
    if (await new K6Tool().find()) this.skip();
    const runsDir = path.join(empty, 'runs');
    const scenario = parseScenario(
      { name: 'k6-missing', strategies: ['sticky'], load: { generator: 'k6' } },
      'k6-missing.json',
    );
    await withPath(empty, async () => {
      await assert.rejects(
        runScenario({
          scenario,
          runsDir,
          signal: new AbortController().signal,
          progress: () => assert.fail('nothing may be reported as started'),
        }),
        (error: Error & { code?: string }) => error.code === 'GENERATOR_MISSING',
      );
    });
    await assert.rejects(readdir(runsDir), { code: 'ENOENT' });
  });
});
