import assert from 'node:assert/strict';
import {
  CHAOS_ACTION_NAMES,
  chaosAction,
  describeOutcome,
  knownTargets,
  resolveTarget,
  runChaos,
} from '../../../lab/chaos/index.ts';
import { parseDuration } from '../../../lab/duration.ts';
import { LabError } from '../../../lab/errors.ts';
import type { ServiceSpec } from '../../../lab/process/supervisor.ts';
import type { LabState } from '../../../lab/topology/state.ts';

const spec = (name: string): ServiceSpec => ({
  name,
  command: `/nonexistent/${name}`,
  args: [],
  env: {},
  logFile: `/nonexistent/${name}.log`,
});

/** A recorded topology whose pids no process has (nothing here is ever signalled). */
function fixture(): LabState {
  return {
    version: 1,
    startedAt: new Date(0).toISOString(),
    strategy: 'clustered',
    variant: 'replicated',
    balancer: {
      url: 'http://127.0.0.1:1',
      adminUrl: 'http://127.0.0.1:2',
      adminToken: 'token',
      pid: 0x3ffffff0,
      spec: spec('balancer'),
    },
    nodeAdminToken: 'token',
    nodes: ['node-1', 'node-2'].map((id, i) => ({
      id,
      url: `http://127.0.0.1:${9001 + i}`,
      pid: 0x3ffffff1 + i,
      spec: spec(id),
    })),
    services: {
      redis: {
        id: 'redis',
        address: 'redis://127.0.0.1:6399',
        pid: 0x3ffffff5,
        spec: spec('redis'),
        persistence: 'none',
      },
      hazelcast: {
        clusterName: 'c',
        members: ['hz-1', 'hz-2'].map((id, i) => ({
          id,
          address: `127.0.0.1:${5701 + i}`,
          pid: 0x3ffffff6 + i,
          spec: spec(id),
        })),
      },
    },
  };
}

function labError(code: string, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof LabError, String(error));
    assert.equal(error.code, code, error.toLine());
    if (pattern) assert.match(error.toLine(), pattern);
    return true;
  };
}

describe('chaos targets', () => {
  it('resolves node ids, redis and Hazelcast member ids to the recorded entries', () => {
    const state = fixture();
    const node = resolveTarget(state, 'node-2');
    assert.equal(node.kind, 'node');
    assert.equal(node.entry, state.nodes[1], 'the entry itself, so a new pid lands in the state');
    assert.equal(resolveTarget(state, 'redis').kind, 'store');
    assert.equal(resolveTarget(state, 'hz-2').entry, state.services!.hazelcast!.members[1]);
    assert.deepEqual(knownTargets(state), {
      nodes: ['node-1', 'node-2'],
      stores: ['redis', 'hz-1', 'hz-2'],
    });
  });

  it('names the known targets when one is unknown', () => {
    const state = fixture();
    assert.throws(
      () => resolveTarget(state, 'node-9'),
      labError(
        'UNKNOWN_TARGET',
        /unknown node "node-9".*node-1, node-2; stores: redis, hz-1, hz-2/,
      ),
    );
    assert.throws(() => resolveTarget(state, 'balancer'), labError('UNKNOWN_TARGET', /"balancer"/));
    delete state.services;
    assert.throws(
      () => resolveTarget(state, 'redis'),
      labError('NOT_STARTED', /redis is not part.*lab strategy redis.*stores: none running/),
    );
    assert.throws(() => resolveTarget(state, 'hz-1'), labError('NOT_STARTED'));
  });

  it('refuses a target whose recorded address is not on loopback', () => {
    const state = fixture();
    state.nodes[0]!.url = 'http://10.0.0.7:9001';
    assert.throws(() => resolveTarget(state, 'node-1'), labError('NOT_LOOPBACK', /10\.0\.0\.7/));
    state.services!.redis!.address = 'redis://db.example.com:6379';
    assert.throws(() => resolveTarget(state, 'redis'), labError('NOT_LOOPBACK'));
    state.services!.hazelcast!.members[0]!.address = '192.168.1.2:5701';
    assert.throws(() => resolveTarget(state, 'hz-1'), labError('NOT_LOOPBACK'));
    state.nodes[1]!.url = 'http://[::1]:9002';
    assert.equal(resolveTarget(state, 'node-2').kind, 'node', 'IPv6 loopback is fine');
  });
});

describe('chaos registry', () => {
  const context = () => ({ stateDir: '/nonexistent', state: fixture(), detached: false });

  it('has one action per name, each saying what it applies to', () => {
    assert.deepEqual(CHAOS_ACTION_NAMES, [
      'kill',
      'stop',
      'pause',
      'resume',
      'start',
      'restart',
      'drain',
      'disable',
      'enable',
    ]);
    for (const name of CHAOS_ACTION_NAMES) {
      const action = chaosAction(name);
      assert.equal(action.name, name);
      assert.ok(action.summary.length > 0);
      const expected = ['drain', 'disable', 'enable'].includes(name) ? ['node'] : ['node', 'store'];
      assert.deepEqual(action.targets, expected, name);
    }
  });

  it('refuses an unknown action, listing the known ones', () => {
    assert.throws(
      () => chaosAction('nuke'),
      labError('UNKNOWN_ACTION', /"nuke".*kill, stop, pause.*enable/),
    );
  });

  it('refuses an action on a target kind it does not apply to, before touching anything', async () => {
    await assert.rejects(
      runChaos(context(), 'drain', 'redis'),
      labError('NOT_APPLICABLE', /drain does not apply to redis \(a store\).*applies to nodes/),
    );
    await assert.rejects(runChaos(context(), 'disable', 'hz-1'), labError('NOT_APPLICABLE'));
  });

  it('refuses parameters an action does not take, and bad ones', async () => {
    await assert.rejects(
      runChaos(context(), 'kill', 'node-1', { forMs: 1000 }),
      labError('BAD_PARAMETER', /kill takes no "forMs"/),
    );
    await assert.rejects(
      runChaos(context(), 'pause', 'node-1', { forMs: 0 }),
      labError('BAD_PARAMETER'),
    );
  });

  it('describes an outcome in one line: what, which pid, before -> after, what it means', () => {
    assert.equal(
      describeOutcome({
        action: 'restart',
        target: 'node-2',
        pid: 12,
        previousPid: 11,
        before: 'running',
        after: 'running',
        detail: 'balancer: up',
      }),
      'restart node-2 (pid 11 -> 12): running -> running; balancer: up',
    );
    assert.equal(
      describeOutcome({
        action: 'drain',
        target: 'node-1',
        before: 'up',
        after: 'draining',
        detail: 'x',
      }),
      'drain node-1: up -> draining; x',
    );
  });

  it('reads --for durations', () => {
    assert.equal(parseDuration('5s', 'for'), 5000);
    assert.equal(parseDuration('250ms', 'for'), 250);
    assert.equal(parseDuration('2m', 'for'), 120_000);
    assert.equal(parseDuration('15', 'for'), 15_000, 'a bare number is seconds, in every command');
    assert.equal(parseDuration('2.5', 'for'), 2500);
    for (const bad of ['0', '-1s', '5 h', 'soon', '', '2h'])
      assert.throws(() => parseDuration(bad, 'for'), labError('BAD_OPTION', /--for/));
  });
});
