// `lab run --live`: the run's observer, turning what the run reports into
// the page's messages. It only reads; the run does not wait on the page.
import type { SecondPoint } from '../../loadgen/types.ts';
import type { RunObserver, StrategyObserver } from '../run/run-observer.ts';
import type { ChaosStep, Scenario } from '../run/scenario-schema.ts';
import type { LiveFeed } from './live-feed.ts';
import type { LiveMessage } from './messages.ts';
import { NodeViewThrottle } from './node-view-throttle.ts';

/** `kill`, or `network latency` for a fault: as the report names an event. */
function stepAction(step: ChaosStep): string {
  return step.action === 'network' ? `network ${step.fault ?? ''}`.trim() : step.action;
}

/** The first message: what the run will do, so the page can lay itself out. */
export function runHello(scenario: Scenario): LiveMessage {
  return {
    type: 'hello',
    mode: 'run',
    title: scenario.name,
    strategies: [...scenario.strategies],
    durationS: scenario.load.durationS,
    warmupS: scenario.load.warmupS,
    chaos: scenario.chaos.map((step) => ({
      atS: step.at / 1000,
      action: stepAction(step),
      target: step.target,
    })),
    admin: null,
  };
}

export class RunFeed implements RunObserver {
  readonly #feed: LiveFeed;
  readonly #scenario: Scenario;
  readonly #now: () => number;

  constructor(feed: LiveFeed, scenario: Scenario, now: () => number = () => performance.now()) {
    this.#feed = feed;
    this.#scenario = scenario;
    this.#now = now;
    feed.publish(runHello(scenario));
  }

  /** The run's per-second figures (its onSecond). */
  second(strategy: string, phase: string, point: SecondPoint): void {
    if (phase !== 'warm-up' && phase !== 'load') return;
    this.#feed.publish({ type: 'second', strategy, phase, point });
  }

  strategyStarted(strategy: string, index: number, total: number): StrategyObserver {
    const feed = this.#feed;
    const steps = this.#scenario.chaos;
    const throttle = new NodeViewThrottle();
    feed.publish({ type: 'strategy', strategy, index, total });
    return {
      phase: (phase) => feed.publish({ type: 'phase', strategy, phase }),
      processes: (t, samples) => feed.publish({ type: 'processes', strategy, t, samples }),
      balancer: (views) => {
        const nodes = throttle.next(views, this.#now());
        if (nodes) feed.publish({ type: 'nodes', strategy, nodes });
      },
      chaosFired: (step, tMs) =>
        feed.publish({
          type: 'chaos',
          strategy,
          index: steps.indexOf(step),
          action: stepAction(step),
          target: step.target,
          t: tMs / 1000,
          status: 'fired',
          detail: '',
        }),
      chaosFinished: (event) =>
        feed.publish({
          type: 'chaos',
          strategy,
          index: steps.indexOf(event.step),
          action: stepAction(event.step),
          target: event.step.target,
          t: event.tMs / 1000,
          status: event.status,
          detail: event.detail,
        }),
      effects: (effects) => feed.publish({ type: 'effects', strategy, effects }),
    };
  }

  strategyFinished(
    strategy: string,
    outcome: Parameters<RunObserver['strategyFinished']>[1],
  ): void {
    if ('error' in outcome) {
      this.#feed.publish({
        type: 'finished',
        strategy,
        requests: null,
        errors: null,
        p50Ms: null,
        p99Ms: null,
        error: outcome.error,
      });
      return;
    }
    const { totals } = outcome.summary;
    this.#feed.publish({
      type: 'finished',
      strategy,
      requests: totals.requests,
      errors: totals.errors,
      p50Ms: totals.latencyMs.p50,
      p99Ms: totals.latencyMs.p99,
      error: null,
    });
  }

  runFinished(summary: Parameters<RunObserver['runFinished']>[0], runDir: string): void {
    this.#feed.publish({ type: 'run-finished', outcome: summary.outcome, runDir });
  }
}
