// What the live server sends the page, one Server-Sent Event per message
// (JSON). A page that connects late gets every message so far, in order, so
// it draws the same as one that watched from the start.
import type { SecondPoint } from '../../loadgen/types.ts';
import type { ProcessSample, RunPhase } from '../run/run-observer.ts';
import type { EventEffect } from '../../report/summary-schema.ts';

/** A node as the page shows it: the balancer's health view and its counters. */
export interface LiveNode {
  id: string;
  /** up, down, draining, disabled (the balancer's view, not the process's). */
  state: string;
  /** Share of new traffic during slow start (0.1 to 1); 1 when settled. */
  weight: number | null;
  slowStartRemainingMs: number | null;
  active: number | null;
  requests: number | null;
  errors: number | null;
}

/** A chaos step the timeline will play, as the page lists it before it fires. */
export interface PlannedStep {
  atS: number;
  action: string;
  target: string;
}

/** Whether the page watches a `lab run` or a topology started with `lab up`. */
export type LiveMode = 'run' | 'up';

export type LiveMessage =
  | {
      type: 'hello';
      mode: LiveMode;
      /** The scenario's name, or `lab up`. */
      title: string;
      strategies: string[];
      durationS: number | null;
      warmupS: number | null;
      chaos: PlannedStep[];
      /** The admin panel's choices (up only): node ids and strategies it may switch to. */
      admin: { nodes: string[]; actions: string[]; strategies: string[] } | null;
    }
  | { type: 'strategy'; strategy: string; index: number; total: number }
  | { type: 'phase'; strategy: string; phase: RunPhase | 'watching' }
  | { type: 'second'; strategy: string; phase: 'warm-up' | 'load'; point: SecondPoint }
  /** up only: what the balancer forwarded in the last second (no client measures latency). */
  | {
      type: 'traffic';
      strategy: string;
      t: number;
      requests: number;
      errors: number;
      servedBy: Record<string, number>;
    }
  | { type: 'processes'; strategy: string; t: number; samples: ProcessSample[] }
  | { type: 'nodes'; strategy: string; nodes: LiveNode[] }
  | {
      type: 'chaos';
      strategy: string;
      /** The step's place in the scenario's timeline; null for an action taken by hand (up). */
      index: number | null;
      action: string;
      target: string;
      /** Seconds since the load (run) or the page's server (up) started. */
      t: number;
      status: 'fired' | 'done' | 'failed' | 'skipped';
      detail: string;
    }
  | { type: 'effects'; strategy: string; effects: EventEffect[] }
  | {
      type: 'finished';
      strategy: string;
      /** The strategy's summary figures (summary.json), or why it was not measured. */
      requests: number | null;
      errors: number | null;
      p50Ms: number | null;
      p99Ms: number | null;
      error: string | null;
    }
  /** up only: the topology's strategy now (after a switch from the panel or the CLI). */
  | { type: 'topology'; label: string }
  | { type: 'run-finished'; outcome: string; runDir: string }
  | { type: 'closing'; reason: string };
