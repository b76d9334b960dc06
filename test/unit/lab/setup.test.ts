import assert from 'node:assert/strict';
import { setup } from '../../../lab/commands/setup.ts';
import { LabError } from '../../../lab/errors.ts';
import { policyFor } from '../../../lab/strategy/config.ts';
import { parseStrategyChoice } from '../../../lab/strategy/choice.ts';

describe('lab setup (check only)', () => {
  it('prints one line per tool, each with a version or what is missing and how to get it', async () => {
    const lines: string[] = [];
    await setup({ install: false, require: [] }, (line) => lines.push(line));
    const names = lines.map((line) => line.split(/\s+/)[0]);
    assert.deepEqual(names, [
      'redis-server',
      'haproxy',
      'wrk',
      'hazelcast',
      'toxiproxy-server',
      'dockerd',
      'debootstrap',
      'container-base',
      'docker-compose',
      'k6',
      'chromium',
    ]);
    for (const line of lines) {
      assert.match(line, /\s(ok\s+\S.*\[\/.+\]|MISSING\s+needed for .+: .+)$/);
    }
  });

  it('refuses an unknown tool name in --require, naming the known ones', async () => {
    await assert.rejects(
      setup({ install: false, require: ['memcached'] }, () => {}),
      (error: unknown) =>
        error instanceof LabError &&
        error.code === 'UNKNOWN_TOOL' &&
        /redis-server, haproxy/.test(error.toLine()),
    );
  });
});

describe('strategy names', () => {
  it('takes a name with an optional variant, defaulting the variant', () => {
    assert.deepEqual(parseStrategyChoice('redis'), { name: 'redis', variant: 'cas' });
    assert.deepEqual(parseStrategyChoice('clustered:partitioned'), {
      name: 'clustered',
      variant: 'partitioned',
    });
    assert.deepEqual(parseStrategyChoice('cookie'), { name: 'cookie', variant: undefined });
  });

  it('refuses unknown names and variants with what to use instead', () => {
    assert.throws(() => parseStrategyChoice('memcached'), /unknown strategy "memcached"/);
    assert.throws(() => parseStrategyChoice('redis:eventual'), /no variant "eventual"/);
    assert.throws(() => parseStrategyChoice('cookie:x'), /no variant/);
  });

  it('pins clients only for sticky', () => {
    assert.equal(policyFor('sticky'), 'sticky');
    assert.equal(policyFor('redis'), 'round-robin');
    assert.equal(policyFor('jwt'), 'round-robin');
  });
});
