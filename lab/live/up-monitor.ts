// `lab up --live`: what the page shows of a topology driven by hand. No load
// generator runs, so traffic is what the balancer counts (requests and errors
// per node, each second); CPU and memory come from the run's own sampler; the
// state file is read again each second (a `lab strategy` or `lab start` in
// another terminal changes it) and each new line of events.ndjson, whether
// from the panel or the CLI, becomes a marker.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { NodeView } from '../chaos/balancer-view.ts';
import { readState, type LabState } from '../topology/state.ts';
import { ALL_STRATEGIES } from '../strategy/choice.ts';
import { Sampler, topologyProcesses } from '../run/sampler.ts';
import { PANEL_ACTIONS } from './admin-actions.ts';
import type { LiveFeed } from './live-feed.ts';
import type { LiveMessage } from './messages.ts';
import { NodeViewThrottle } from './node-view-throttle.ts';

/** The page's one section for a `lab up` topology. */
export const TOPOLOGY = 'topology';

function strategyLabel(state: LabState): string {
  return state.variant ? `${state.strategy}:${state.variant}` : state.strategy;
}

/** What a recorded event says, as a chaos message (t: seconds since `sinceMs`). */
export function eventMessage(
  event: Record<string, unknown>,
  sinceMs: number,
): LiveMessage | undefined {
  const at = Date.parse(String(event.at));
  if (Number.isNaN(at)) return undefined;
  const t = Math.max(0, (at - sinceMs) / 1000);
  const failed = typeof event.error === 'string';
  if (event.type === 'chaos') {
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const detail = failed
      ? `${text(event.error)}: ${text(event.message)}`
      : `${text(event.before)} -> ${text(event.after)}; ${text(event.detail)}`;
    return {
      type: 'chaos',
      strategy: TOPOLOGY,
      index: null,
      action: text(event.action),
      target: text(event.target),
      t,
      status: failed ? 'failed' : 'done',
      detail,
    };
  }
  if (event.type === 'control' && event.action === 'strategy') {
    const failures = Array.isArray(event.failures) ? event.failures.length : 0;
    return {
      type: 'chaos',
      strategy: TOPOLOGY,
      index: null,
      action: 'strategy',
      target: String(event.to),
      t,
      status: failures > 0 ? 'failed' : 'done',
      detail: `from ${String(event.from)} in ${String(event.tookMs)} ms`,
    };
  }
  return undefined;
}

export class UpMonitor {
  readonly #stateDir: string;
  readonly #feed: LiveFeed;
  readonly #startedAt = Date.now();
  readonly #throttle = new NodeViewThrottle();
  /** One object the sampler's pid lookups read; refreshed in place from the state file. */
  #state: LabState | undefined;
  #sampler: Sampler | undefined;
  #processNames = '';
  #label = '';
  #eventsOffset = 0;
  #views: NodeView[] = [];
  #counted = new Map<string, { requests: number; errors: number }>();
  #timer: NodeJS.Timeout | undefined;
  #refreshing = false;

  constructor(stateDir: string, feed: LiveFeed) {
    this.#stateDir = stateDir;
    this.#feed = feed;
  }

  /** Starts watching the topology recorded in the state folder (it must be up). */
  async start(state: LabState): Promise<void> {
    this.#state = state;
    this.#feed.publish({
      type: 'hello',
      mode: 'up',
      title: 'lab up',
      strategies: [TOPOLOGY],
      durationS: null,
      warmupS: null,
      chaos: [],
      admin: {
        nodes: state.nodes.map((node) => node.id),
        actions: [...PANEL_ACTIONS],
        strategies: [...ALL_STRATEGIES],
      },
    });
    this.#feed.publish({ type: 'strategy', strategy: TOPOLOGY, index: 0, total: 1 });
    this.#feed.publish({ type: 'phase', strategy: TOPOLOGY, phase: 'watching' });
    this.#eventsOffset = await this.#eventsSize();
    await this.#refresh();
    this.#timer = setInterval(() => void this.#refresh(), 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sampler?.stop();
    this.#sampler = undefined;
  }

  async #refresh(): Promise<void> {
    if (this.#refreshing) return;
    this.#refreshing = true;
    try {
      const fresh = await readState(this.#stateDir).catch(() => undefined);
      if (fresh && this.#state) {
        Object.assign(this.#state, fresh);
        const label = strategyLabel(this.#state);
        if (label !== this.#label) {
          this.#label = label;
          this.#feed.publish({ type: 'topology', label });
        }
        await this.#watchProcesses(this.#state);
      }
      await this.#readEvents();
    } finally {
      this.#refreshing = false;
    }
  }

  /** A switch that starts Redis or Hazelcast adds processes: the sampler starts again with them. */
  async #watchProcesses(state: LabState): Promise<void> {
    const processes = topologyProcesses(state);
    const names = processes.map((process) => process.name).join(',');
    if (names === this.#processNames && this.#sampler) return;
    await this.#sampler?.stop();
    this.#processNames = names;
    this.#sampler = new Sampler(state, processes, {
      processes: (_second, samples) => {
        const t = Math.round((Date.now() - this.#startedAt) / 1000);
        this.#feed.publish({ type: 'processes', strategy: TOPOLOGY, t, samples });
        this.#publishTraffic(t);
      },
      balancer: (views) => {
        this.#views = views;
        const nodes = this.#throttle.next(views, performance.now());
        if (nodes) this.#feed.publish({ type: 'nodes', strategy: TOPOLOGY, nodes });
      },
    });
    await this.#sampler.start();
  }

  /** Requests and errors the balancer counted per node since the last second. */
  #publishTraffic(t: number): void {
    const servedBy: Record<string, number> = {};
    let requests = 0;
    let errors = 0;
    for (const view of this.#views) {
      const now = { requests: Number(view.requests ?? 0), errors: Number(view.errors ?? 0) };
      const before = this.#counted.get(view.id);
      this.#counted.set(view.id, now);
      if (!before) continue; // the first reading is the baseline
      const served = Math.max(0, now.requests - before.requests);
      servedBy[view.id] = served;
      requests += served;
      errors += Math.max(0, now.errors - before.errors);
    }
    this.#feed.publish({ type: 'traffic', strategy: TOPOLOGY, t, requests, errors, servedBy });
  }

  #eventsFile(): string {
    return path.join(this.#stateDir, 'events.ndjson');
  }

  async #eventsSize(): Promise<number> {
    const file = await open(this.#eventsFile()).catch(() => undefined);
    if (!file) return 0;
    try {
      return (await file.stat()).size;
    } finally {
      await file.close();
    }
  }

  /** New whole lines of events.ndjson since the last read. */
  async #readEvents(): Promise<void> {
    const file = await open(this.#eventsFile()).catch(() => undefined);
    if (!file) return;
    try {
      const { size } = await file.stat();
      if (size < this.#eventsOffset) this.#eventsOffset = 0; // a new topology, a new file
      if (size === this.#eventsOffset) return;
      const buffer = Buffer.alloc(size - this.#eventsOffset);
      await file.read(buffer, 0, buffer.length, this.#eventsOffset);
      const text = buffer.toString('utf8');
      const end = text.lastIndexOf('\n');
      if (end < 0) return;
      this.#eventsOffset += Buffer.byteLength(text.slice(0, end + 1));
      for (const line of text.slice(0, end).split('\n')) {
        if (line.trim() === '') continue;
        let event: Record<string, unknown>;
        try {
          event = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue; // a damaged line is no event; the file itself stays the record
        }
        const message = eventMessage(event, this.#startedAt);
        if (message) this.#feed.publish(message);
      }
    } finally {
      await file.close();
    }
  }
}
