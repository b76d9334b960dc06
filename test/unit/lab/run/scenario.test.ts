import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LabError } from '../../../../lab/errors.ts';
import { ALL_STRATEGIES } from '../../../../lab/strategy/choice.ts';
import { builtInScenarios, loadScenario, parseScenario } from '../../../../lab/run/scenario.ts';

/** The message of the LabError `fn` throws (fails when it throws none). */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof LabError, `a LabError, got ${String(error)}`);
    assert.equal(error.code, 'BAD_SCENARIO');
    return error.message;
  }
  assert.fail('expected the scenario to be refused');
}

describe('scenarios', () => {
  it('ships the built-in scenarios the issue names, each valid', async () => {
    const names = await builtInScenarios();
    for (const wanted of [
      'quick',
      'compare',
      'concurrency',
      'revocation',
      'failover',
      'store-outage',
    ]) {
      assert.ok(names.includes(wanted), `${wanted} is built in`);
    }
    for (const name of names) {
      const scenario = await loadScenario(name);
      assert.equal(scenario.name, name, `${name}.json names itself ${name}`);
    }
  });

  it('quick compares every strategy, and failover kills a node and brings it back', async () => {
    assert.deepEqual((await loadScenario('quick')).strategies, [...ALL_STRATEGIES]);
    const failover = await loadScenario('failover');
    assert.deepEqual(
      failover.chaos.map((step) => `${step.action} ${step.target}`),
      ['kill node-2', 'start node-2'],
    );
    assert.deepEqual(failover.strategies, [...ALL_STRATEGIES]);
  });

  it('fills in defaults and turns durations into milliseconds', () => {
    const scenario = parseScenario(
      { name: 'mine', chaos: [{ at: '2.5s', action: 'pause', target: 'node-1', for: '500ms' }] },
      'mine.json',
    );
    assert.equal(scenario.topology.nodes, 3);
    assert.equal(scenario.load.model, 'open');
    assert.equal(scenario.chaos[0]!.at, 2500);
    assert.equal(scenario.chaos[0]!.for, 500);
    assert.equal(scenario.strategies.length, ALL_STRATEGIES.length);
  });

  it('names the file, the field and the fix when a value is wrong', () => {
    const message = failure(() =>
      parseScenario({ name: 'x', load: { rate: 'fast' } }, '/tmp/my-run.json'),
    );
    assert.match(message, /^my-run\.json: load\.rate: /);
    assert.match(message, /expected number/);
  });

  it('refuses unknown fields (a typo), unknown strategies and actions', () => {
    assert.match(
      failure(() => parseScenario({ name: 'x', laod: {} }, 'a.json')),
      /\(top level\): unknown field laod/,
    );
    assert.match(
      failure(() => parseScenario({ name: 'x', strategies: ['mongo'] }, 'a.json')),
      /strategies\[0\]: unknown strategy "mongo"; use one of sticky, redis:cas/,
    );
    assert.match(
      failure(() =>
        parseScenario(
          { name: 'x', chaos: [{ at: 1, action: 'explode', target: 'node-1' }] },
          'a.json',
        ),
      ),
      /chaos\[0\]\.action: .*"kill"/,
    );
    assert.match(
      failure(() =>
        parseScenario(
          { name: 'x', chaos: [{ at: 'soon', action: 'kill', target: 'node-1' }] },
          'a.json',
        ),
      ),
      /chaos\[0\]\.at: must be a duration such as 10/,
    );
  });

  it('refuses a chaos step on a node the topology lacks, or after the load ended', () => {
    assert.match(
      failure(() =>
        parseScenario(
          {
            name: 'x',
            topology: { nodes: 2 },
            chaos: [{ at: 1, action: 'kill', target: 'node-3' }],
          },
          'a.json',
        ),
      ),
      /chaos\[0\]\.target: node-3 does not exist: the topology has 2 nodes/,
    );
    assert.match(
      failure(() =>
        parseScenario(
          {
            name: 'x',
            load: { durationS: 5 },
            chaos: [{ at: 5, action: 'kill', target: 'node-1' }],
          },
          'a.json',
        ),
      ),
      /chaos\[0\]\.at: at 5 s is not before the end of the load \(5 s\)/,
    );
  });

  it('requires a fault and a duration for network steps, and refuses fault fields elsewhere', () => {
    assert.match(
      failure(() =>
        parseScenario(
          { name: 'x', chaos: [{ at: 1, action: 'network', target: 'redis' }] },
          'a.json',
        ),
      ),
      /chaos\[0\]\.fault: network needs a fault; chaos\[0\]\.for: network needs a duration/,
    );
    assert.match(
      failure(() =>
        parseScenario(
          { name: 'x', chaos: [{ at: 1, action: 'kill', target: 'redis', fault: 'down' }] },
          'a.json',
        ),
      ),
      /fault, ms, jitter and rate only go with action "network"/,
    );
  });

  it('refuses chaos steps that would not do what they say', () => {
    const refused = (step: Record<string, unknown>) =>
      failure(() => parseScenario({ name: 'x', load: { durationS: 20 }, chaos: [step] }, 'a.json'));
    assert.match(
      refused({ at: 1, action: 'kill', target: 'node-1', for: '5s' }),
      /chaos\[0\]\.for: kill takes no duration; only pause and network do/,
    );
    assert.match(
      refused({ at: 1, action: 'pause', target: 'node-1' }),
      /pause node-1 needs "for" \(e\.g\. "5s"\) or a later resume of node-1/,
    );
    assert.match(
      refused({ at: 15, action: 'pause', target: 'node-1', for: '10s' }),
      /pause from 15 s for 10 s outlasts the load \(20 s\)/,
    );
    assert.match(
      refused({ at: 1, action: 'pause', target: 'node-1->redis', for: 1 }),
      /a link \(node-1->redis\) only takes action "network"/,
    );
    assert.match(
      refused({ at: 1, action: 'drain', target: 'redis' }),
      /drain acts on the balancer's view of a node: name node-N/,
    );
    assert.match(
      refused({ at: 1, action: 'kill', target: 'hz-4' }),
      /hz-4 does not exist: the topology has 3 nodes \(and as many Hazelcast members\)/,
    );
    // A pause that a later step ends is fine.
    parseScenario(
      {
        name: 'x',
        chaos: [
          { at: 1, action: 'pause', target: 'node-1' },
          { at: 3, action: 'resume', target: 'node-1' },
        ],
      },
      'a.json',
    );
  });

  describe('loading', () => {
    let dir: string;
    before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'scenario-'))));
    after(() => rm(dir, { recursive: true, force: true }));

    it('applies command-line overrides before validating them', async () => {
      const scenario = await loadScenario('quick', {
        rate: 3,
        durationS: 10,
        nodes: 2,
        strategies: ['redis'],
      });
      assert.equal(scenario.load.rate, 3);
      assert.equal(scenario.load.durationS, 10);
      assert.equal(scenario.topology.nodes, 2);
      assert.deepEqual(scenario.strategies, ['redis:cas']);
      await assert.rejects(loadScenario('quick', { rate: 100000 }), /load\.rate: Too big/);
    });

    it('runs on local processes unless the scenario or --engine says docker', async () => {
      assert.equal((await loadScenario('quick')).topology.engine, 'process');
      const onDocker = await loadScenario('quick', { engine: 'docker', nodes: 3 });
      assert.equal(onDocker.topology.engine, 'docker');
      assert.equal(
        onDocker.topology.nodes,
        3,
        'the engine override keeps the other topology fields',
      );
      assert.match(
        failure(() => parseScenario({ name: 'k', topology: { engine: 'k8s' } }, 'k.json')),
        /topology\.engine/,
      );
    });

    it('says which file is not JSON, and lists the built-ins for an unknown name', async () => {
      const file = path.join(dir, 'broken.json');
      await writeFile(file, '{ "name": ');
      await assert.rejects(loadScenario(file), /broken\.json: not valid JSON/);
      await assert.rejects(loadScenario('nope'), (error: LabError) => {
        assert.equal(error.code, 'UNKNOWN_SCENARIO');
        assert.match(error.toLine(), /use a built-in one \(.*quick.*\)/);
        return true;
      });
    });
  });
});
