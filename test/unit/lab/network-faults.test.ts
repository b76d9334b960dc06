import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { network } from '../../../lab/commands/network.ts';
import { LabError } from '../../../lab/errors.ts';
import { makeFault, parseFaultKind } from '../../../lab/network/faults/index.ts';
import type { LinkEntry } from '../../../lab/network/links.ts';
import { runFault } from '../../../lab/network/run-fault.ts';
import type {
  LinkControl,
  ProxyView,
  ToxicSpec,
  ToxicView,
} from '../../../lab/network/toxiproxy-client.ts';

/**
 * Toxiproxy's link state in memory, with its rules that matter here (a toxic
 * name is unique per proxy: 409). The real server is exercised by
 * test/integration/network.test.ts; this one lets a test fail a call on purpose.
 */
class FakeToxiproxy implements LinkControl {
  readonly state = new Map<string, ProxyView>();
  failAddOn: string | undefined;

  constructor(names: string[]) {
    for (const name of names) {
      this.state.set(name, { name, listen: '', upstream: '', enabled: true, toxics: [] });
    }
  }

  proxies(): Promise<Record<string, ProxyView>> {
    return Promise.resolve(Object.fromEntries(this.state));
  }

  setEnabled(name: string, enabled: boolean): Promise<ProxyView> {
    const proxy = this.state.get(name)!;
    proxy.enabled = enabled;
    return Promise.resolve(proxy);
  }

  addToxic(name: string, toxic: ToxicSpec): Promise<ToxicView> {
    const proxy = this.state.get(name)!;
    if (name === this.failAddOn || proxy.toxics.some((t) => t.name === toxic.name)) {
      return Promise.reject(new LabError('TOXIPROXY_CONFLICT', 'toxic already exists'));
    }
    const view = { toxicity: 1, ...toxic };
    proxy.toxics.push(view);
    return Promise.resolve(view);
  }

  removeToxic(name: string, toxic: string): Promise<void> {
    const proxy = this.state.get(name)!;
    proxy.toxics = proxy.toxics.filter((t) => t.name !== toxic);
    return Promise.resolve();
  }

  /** `name: toxic,...` or `name: DOWN` for every link that is not clean. */
  faults(): string[] {
    return [...this.state.values()]
      .filter((proxy) => !proxy.enabled || proxy.toxics.length > 0)
      .map((p) => `${p.name}: ${p.enabled ? p.toxics.map((t) => t.name).join(',') : 'DOWN'}`);
  }
}

function link(node: string, store: string): LinkEntry {
  return {
    name: `${node}->${store}`,
    node,
    store,
    storeKind: store.startsWith('hz-') ? 'hazelcast' : 'redis',
    listen: '127.0.0.1:40000',
    upstream: '127.0.0.1:6379',
  };
}

const code = (expected: string) => (error: unknown) =>
  error instanceof LabError && error.code === expected;

describe('network faults: options and the toxics they become', () => {
  it('checks each fault’s options at once, refusing ones it does not take', () => {
    assert.throws(() => makeFault('latency', {}), /--ms is required/);
    assert.throws(() => makeFault('latency', { ms: 100, jitter: 200 }), /--jitter must be/);
    assert.throws(() => makeFault('latency', { ms: 100, rate: 5 }), /latency has no --rate/);
    assert.throws(() => makeFault('bandwidth', { ms: 5 }), /bandwidth has no --ms/);
    assert.throws(() => makeFault('bandwidth', { rate: 0 }), /--rate must be/);
    assert.throws(() => makeFault('down', { ms: 5 }), /down has no --ms/);
    assert.equal(makeFault('timeout', {}).label, 'timeout (black hole)');
    assert.equal(makeFault('latency', { ms: 300, jitter: 50 }).label, 'latency 300±50 ms');
  });

  it('takes reset-peer for reset_peer and refuses unknown faults', () => {
    assert.equal(parseFaultKind('reset-peer'), 'reset_peer');
    assert.throws(() => parseFaultKind('packet_loss'), code('UNKNOWN_FAULT'));
  });

  it('puts latency on replies only, bandwidth both ways, a black hole on requests', async () => {
    const fake = new FakeToxiproxy(['l']);
    await makeFault('latency', { ms: 300 }).apply(fake, 'l');
    await makeFault('bandwidth', { rate: 64 }).apply(fake, 'l');
    await makeFault('timeout', {}).apply(fake, 'l');
    const toxics = fake.state.get('l')!.toxics.map((t) => [t.type, t.stream, t.attributes]);
    assert.deepEqual(toxics, [
      ['latency', 'downstream', { latency: 300, jitter: 0 }],
      ['bandwidth', 'upstream', { rate: 64 }],
      ['bandwidth', 'downstream', { rate: 64 }],
      ['timeout', 'upstream', { timeout: 0 }],
    ]);
  });
});

describe('network faults: a run with a duration', function () {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'lab-net-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  const events = async () =>
    (await readFile(path.join(stateDir, 'events.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('holds the fault on every link for its duration, then removes it, and logs both ends', async () => {
    const fake = new FakeToxiproxy(['node-1->redis', 'node-2->redis']);
    let during: string[] = [];
    const outcome = await runFault(
      stateDir,
      fake,
      {
        fault: makeFault('down', {}),
        target: 'redis',
        links: [link('node-1', 'redis'), link('node-2', 'redis')],
        durationMs: 30,
      },
      { onStarted: () => (during = fake.faults()) },
    );
    assert.deepEqual(during, ['node-1->redis: DOWN', 'node-2->redis: DOWN']);
    assert.deepEqual(fake.faults(), []);
    assert.equal(outcome.endedBy, 'time');
    const logged = await events();
    assert.deepEqual(
      logged.map((e) => [e.type, e.action, e.fault, e.target, e.durationMs, e.phase]),
      [
        ['chaos', 'network', 'down', 'redis', 30, 'start'],
        ['chaos', 'network', 'down', 'redis', 30, 'end'],
      ],
    );
  });

  it('removes the fault at once when interrupted', async () => {
    const fake = new FakeToxiproxy(['node-1->redis']);
    const controller = new AbortController();
    const started = performance.now();
    const outcome = await runFault(
      stateDir,
      fake,
      {
        fault: makeFault('latency', { ms: 300 }),
        target: 'node-1',
        links: [link('node-1', 'redis')],
        durationMs: 60_000,
      },
      { signal: controller.signal, onStarted: () => controller.abort() },
    );
    assert.equal(outcome.endedBy, 'interrupt');
    assert.ok(performance.now() - started < 5000);
    assert.deepEqual(fake.faults(), []);
    assert.equal((await events()).at(-1)?.endedBy, 'interrupt');
  });

  it('is all or nothing: a link that refuses undoes the links already done', async () => {
    const fake = new FakeToxiproxy(['node-1->redis', 'node-2->redis']);
    fake.failAddOn = 'node-2->redis';
    await assert.rejects(
      runFault(stateDir, fake, {
        fault: makeFault('bandwidth', { rate: 10 }),
        target: 'redis',
        links: [link('node-1', 'redis'), link('node-2', 'redis')],
        durationMs: 1000,
      }),
      code('FAULT_ACTIVE'),
    );
    assert.deepEqual(fake.faults(), []);
  });

  it('refuses a second fault of a kind on a link, and leaves the first alone', async () => {
    const fake = new FakeToxiproxy(['node-1->redis']);
    await fake.setEnabled('node-1->redis', false);
    const request = {
      fault: makeFault('down', {}),
      target: 'node-1',
      links: [link('node-1', 'redis')],
      durationMs: 10,
    };
    await assert.rejects(runFault(stateDir, fake, request), code('FAULT_ACTIVE'));
    assert.deepEqual(fake.faults(), ['node-1->redis: DOWN']);
  });

  it('refuses faults that end connections on Hazelcast links (the client reconnects around them)', async () => {
    const fake = new FakeToxiproxy(['node-1->hz-1']);
    for (const kind of ['down', 'reset_peer', 'timeout'] as const) {
      await assert.rejects(
        runFault(stateDir, fake, {
          fault: makeFault(kind, {}),
          target: 'hz-1',
          links: [link('node-1', 'hz-1')],
          durationMs: 10,
        }),
        code('FAULT_BYPASSED'),
      );
    }
    assert.deepEqual(fake.faults(), []);
    const outcome = await runFault(stateDir, fake, {
      fault: makeFault('latency', { ms: 5 }),
      target: 'hz-1',
      links: [link('node-1', 'hz-1')],
      durationMs: 10,
    });
    assert.equal(outcome.endedBy, 'time');
  });
});

describe('lab net: arguments', () => {
  const run = (...argv: string[]) => network('/nonexistent-state-dir', argv, () => {});

  it('refuses bad arguments before it looks for a topology', async () => {
    await assert.rejects(run(), code('BAD_USAGE'));
    await assert.rejects(run('latency'), code('BAD_USAGE'));
    await assert.rejects(run('latency', 'redis', 'extra', '--ms', '5'), code('BAD_USAGE'));
    await assert.rejects(run('latency', 'redis'), /--ms is required/);
    await assert.rejects(run('latency', 'redis', '--ms', '5x'), code('BAD_OPTION'));
    await assert.rejects(run('latency', 'redis', '--ms', '5', '--for', '0'), /--for must be/);
    await assert.rejects(run('latency', 'redis', '--ms', '5', '--for', '2h'), /--for must be/);
    await assert.rejects(run('status', 'redis'), code('BAD_USAGE'));
  });

  it('then needs a running topology', async () => {
    await assert.rejects(run('down', 'redis', '--for', '500ms'), code('NOT_UP'));
    await assert.rejects(run('status'), code('NOT_UP'));
  });
});
