// What a run tells someone watching it besides its status line: each
// strategy's start and end, its phases, the processes' CPU and memory, the
// balancer's view of the nodes and each chaos step as it fires. The live page
// (lab/live) is the one observer; without it the run calls nothing.
import type { NodeView } from '../chaos/balancer-view.ts';
import type { TimelineEvent } from './chaos-timeline.ts';
import type { ChaosStep } from './scenario-schema.ts';
import type {
  EventEffect,
  ProcessSeries,
  RunSummary,
  StrategySummary,
} from '../../report/summary-schema.ts';

/** What a strategy is doing: the status line's phase, plus the steps around the load. */
export type RunPhase = 'starting' | 'switching' | 'warm-up' | 'load' | 'probes' | 'stopping';

/** One process's last second: cores used (null while it was not running) and resident memory. */
export interface ProcessSample {
  name: string;
  kind: ProcessSeries['kind'];
  cores: number | null;
  rssMiB: number | null;
}

/** The events of one strategy's run; every method is optional. */
export interface StrategyObserver {
  phase?(phase: RunPhase): void;
  /** `second` (0, 1, ...) of the load just ended; one sample per watched process. */
  processes?(second: number, samples: ProcessSample[]): void;
  /** The balancer's view of every node, each time the sampler polls it (4 times a second). */
  balancer?(nodes: NodeView[]): void;
  /** A chaos step starts now, `tMs` after the load started. */
  chaosFired?(step: ChaosStep, tMs: number): void;
  /** A chaos step has finished (done, failed or skipped), with its account. */
  chaosFinished?(event: TimelineEvent): void;
  /** What each event did to the users, measured once the load has ended. */
  effects?(effects: EventEffect[]): void;
}

export interface RunObserver {
  /** Strategy `index` of `total` begins; returns the observer of its events. */
  strategyStarted(strategy: string, index: number, total: number): StrategyObserver;
  /** It ended: with its summary, or with why it could not be measured. */
  strategyFinished(
    strategy: string,
    outcome: { summary: StrategySummary } | { error: string },
  ): void;
  /** The whole run ended and its summary.json is written. */
  runFinished(summary: RunSummary, runDir: string): void;
}
