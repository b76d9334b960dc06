import assert from 'node:assert/strict';
import { LabError } from '../../../lab/errors.ts';
import { ensureLinks, NO_TOXIPROXY_NOTE } from '../../../lab/network/ensure-links.ts';
import {
  linkName,
  linksInUse,
  plannedLinks,
  resolveTarget,
  type LinkEntry,
} from '../../../lab/network/links.ts';
import type { ServiceSpec } from '../../../lab/process/supervisor.ts';
import type { LabState } from '../../../lab/topology/state.ts';
import { nodeStrategyConfig } from '../../../lab/strategy/config.ts';
import { parseStrategyChoice, type StrategyChoice } from '../../../lab/strategy/choice.ts';

/** A node's strategy config, read field by field whatever the strategy. */
function configOf(state: LabState, choice: StrategyChoice, index: number): Record<string, unknown> {
  return { ...nodeStrategyConfig(state, choice, index) };
}

const spec: ServiceSpec = {
  name: 'x',
  command: '/bin/true',
  args: [],
  env: {},
  logFile: '/dev/null',
};

// The nodes log in as the app user: its name and password are in the url.
const APP = 'session-lab:app-password-0123456789';

/** A recorded state of `nodes` nodes with redis and a Hazelcast member per node. */
function labState(nodes: number, members = nodes): LabState {
  return {
    version: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    strategy: 'redis',
    variant: 'cas',
    balancer: { url: '', adminUrl: '', adminToken: '', pid: 1, spec },
    nodeAdminToken: '',
    secrets: { cookieKeys: [], jwtKeys: {} },
    nodes: Array.from({ length: nodes }, (_, i) => ({
      id: `node-${i + 1}`,
      url: `http://127.0.0.1:${8000 + i}`,
      pid: 1,
      spec,
    })),
    services: {
      redis: {
        id: 'redis',
        address: 'redis://127.0.0.1:6379',
        pid: 1,
        spec,
        persistence: 'none',
        users: {
          app: { username: 'session-lab', password: 'app-password-0123456789' },
          probe: { username: 'lab-probe', password: 'probe-password-0123456789' },
        },
      },
      hazelcast: {
        clusterName: 'c',
        members: Array.from({ length: members }, (_, i) => ({
          id: `hz-${i + 1}`,
          address: `127.0.0.1:${5701 + i}`,
          pid: 1,
          spec,
        })),
      },
    },
  };
}

/** Records links for every plan of `strategies`, each on port 40000 + its position. */
function withLinks(state: LabState, ...strategies: string[]): LabState {
  const plans = strategies.flatMap((name) => plannedLinks(state, parseStrategyChoice(name)));
  state.services!.toxiproxy = {
    id: 'toxiproxy',
    address: 'http://127.0.0.1:8474',
    pid: 1,
    spec,
    links: plans.map((plan, i) => ({ ...plan, listen: `127.0.0.1:${40000 + i}` })),
  };
  return state;
}

const names = (links: readonly { name: string }[]) => links.map((link) => link.name);

describe('network links: which node → store connections get a proxy', () => {
  it('names a link node->store', () => {
    assert.equal(linkName('node-1', 'redis'), 'node-1->redis');
    assert.equal(linkName('node-2', 'hz-2'), 'node-2->hz-2');
  });

  it('gives every node one link to redis under redis and jwt, upstream the real server', () => {
    for (const strategy of ['redis', 'redis:lww', 'jwt']) {
      const plans = plannedLinks(labState(2), parseStrategyChoice(strategy));
      assert.deepEqual(plans, [
        {
          name: 'node-1->redis',
          node: 'node-1',
          store: 'redis',
          storeKind: 'redis',
          upstream: '127.0.0.1:6379',
        },
        {
          name: 'node-2->redis',
          node: 'node-2',
          store: 'redis',
          storeKind: 'redis',
          upstream: '127.0.0.1:6379',
        },
      ]);
    }
  });

  it('links each replicated node to its own member only, wrapping when members are fewer', () => {
    const plans = plannedLinks(labState(3, 2), parseStrategyChoice('clustered:replicated'));
    assert.deepEqual(names(plans), ['node-1->hz-1', 'node-2->hz-2', 'node-3->hz-1']);
    assert.deepEqual(
      plans.map((plan) => plan.upstream),
      ['127.0.0.1:5701', '127.0.0.1:5702', '127.0.0.1:5701'],
    );
  });

  it('plans no link for partitioned (smart client) nor for strategies without a store', () => {
    for (const strategy of ['clustered:partitioned', 'sticky', 'cookie']) {
      assert.deepEqual(plannedLinks(labState(2), parseStrategyChoice(strategy)), [], strategy);
    }
  });
});

describe('network links: what a fault target names', () => {
  const links: LinkEntry[] = withLinks(labState(2), 'redis', 'clustered:replicated').services!
    .toxiproxy!.links;

  it('takes a link, a node (all its links) or a store (all links to it)', () => {
    assert.deepEqual(names(resolveTarget(links, 'node-1->redis')), ['node-1->redis']);
    assert.deepEqual(names(resolveTarget(links, 'node-2')), ['node-2->redis', 'node-2->hz-2']);
    assert.deepEqual(names(resolveTarget(links, 'redis')), ['node-1->redis', 'node-2->redis']);
    assert.deepEqual(names(resolveTarget(links, 'hz-1')), ['node-1->hz-1']);
  });

  it('refuses an unknown target, listing what exists', () => {
    assert.throws(
      () => resolveTarget(links, 'node-3'),
      (error: unknown) =>
        error instanceof LabError &&
        error.code === 'UNKNOWN_TARGET' &&
        /redis, hz-1, hz-2, node-1, node-2, node-1->redis/.test(error.toLine()),
    );
    assert.throws(
      () => resolveTarget([], 'redis'),
      (error: unknown) =>
        error instanceof LabError && /the current strategy has no links/.test(error.toLine()),
    );
  });

  it('counts as in use only the links of the running strategy', () => {
    const state = withLinks(labState(2), 'redis', 'clustered:replicated');
    assert.deepEqual(names(linksInUse(state)), ['node-1->redis', 'node-2->redis']);
    state.strategy = 'clustered';
    state.variant = 'replicated';
    assert.deepEqual(names(linksInUse(state)), ['node-1->hz-1', 'node-2->hz-2']);
    state.variant = 'partitioned';
    assert.deepEqual(linksInUse(state), []);
  });
});

describe('node strategy config: the address a node is given for its store', () => {
  it('refuses a Redis recorded without users (an older lab): REDIS_NO_AUTH', () => {
    const state = labState(1);
    delete state.services!.redis!.users;
    assert.throws(() => configOf(state, parseStrategyChoice('redis'), 0), {
      code: 'REDIS_NO_AUTH',
    });
  });

  it('is the node’s own link when the lab made links', () => {
    const state = withLinks(labState(2), 'redis', 'clustered:replicated');
    const redis = (index: number) => configOf(state, parseStrategyChoice('redis'), index).redis;
    assert.deepEqual(redis(0), { url: `redis://${APP}@127.0.0.1:40000`, mode: 'cas' });
    assert.deepEqual(redis(1), { url: `redis://${APP}@127.0.0.1:40001`, mode: 'cas' });
    assert.deepEqual(configOf(state, parseStrategyChoice('jwt'), 1).redis, {
      url: `redis://${APP}@127.0.0.1:40001`,
    });
    const hz = (variant: string, index: number) =>
      (
        configOf(state, parseStrategyChoice(`clustered:${variant}`), index).hazelcast as {
          members: string[];
        }
      ).members;
    assert.deepEqual(hz('replicated', 1), ['127.0.0.1:40003']);
    // Partitioned: real members, its own first (the smart client finds the rest).
    assert.deepEqual(hz('partitioned', 1), ['127.0.0.1:5702', '127.0.0.1:5701']);
  });

  it('is the store itself when there are no links (toxiproxy-server missing)', () => {
    const state = labState(2);
    assert.deepEqual(configOf(state, parseStrategyChoice('redis'), 0).redis, {
      url: `redis://${APP}@127.0.0.1:6379`,
      mode: 'cas',
    });
    const replicated = configOf(state, parseStrategyChoice('clustered:replicated'), 1);
    assert.deepEqual((replicated.hazelcast as { members: string[] }).members, ['127.0.0.1:5702']);
  });
});

describe('network links when toxiproxy-server is missing', () => {
  it('leaves the switch to direct addresses and says so in one line', async () => {
    const state = labState(2);
    const nothing = () => Promise.resolve(undefined);
    const note = await ensureLinks(
      '/nonexistent',
      state,
      parseStrategyChoice('redis'),
      false,
      nothing,
    );
    assert.equal(note, NO_TOXIPROXY_NOTE);
    assert.doesNotMatch(note, /\n/);
    assert.equal(state.services?.toxiproxy, undefined);
    assert.deepEqual(configOf(state, parseStrategyChoice('redis'), 1).redis, {
      url: `redis://${APP}@127.0.0.1:6379`,
      mode: 'cas',
    });
  });

  it('needs nothing for a strategy without a store', async () => {
    const looked: string[] = [];
    const find = () => {
      looked.push('find');
      return Promise.resolve(undefined);
    };
    const state = labState(2);
    assert.equal(
      await ensureLinks('/x', state, parseStrategyChoice('cookie'), false, find),
      undefined,
    );
    assert.deepEqual(looked, []);
  });
});
