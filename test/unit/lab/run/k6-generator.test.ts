import assert from 'node:assert/strict';
import { LabError } from '../../../../lab/errors.ts';
import { loadScenario, parseScenario } from '../../../../lab/run/scenario.ts';
import { k6Script } from '../../../../lab/run/k6-process.ts';
import { access } from 'node:fs/promises';

describe('load.generator: the lab’s own or k6', () => {
  it('is the lab’s own unless a scenario or --generator says k6', async () => {
    assert.equal(parseScenario({ name: 'x' }, 'x.json').load.generator, 'loadgen');
    assert.equal(
      parseScenario({ name: 'x', load: { generator: 'k6' } }, 'x.json').load.generator,
      'k6',
    );
    const quick = await loadScenario('quick', { generator: 'k6' });
    assert.equal(quick.load.generator, 'k6');
  });

  it('refuses another generator, naming the choices', () => {
    assert.throws(
      () => parseScenario({ name: 'x', load: { generator: 'jmeter' } }, 'x.json'),
      (error: Error) =>
        error instanceof LabError &&
        error.code === 'BAD_SCENARIO' &&
        error.message.includes('load.generator') &&
        error.message.includes('"k6"'),
    );
  });

  it('has a k6 script for every journey a scenario may name', async () => {
    for (const journey of ['shop', 'concurrency', 'request'] as const) {
      await access(k6Script(journey));
    }
  });
});
