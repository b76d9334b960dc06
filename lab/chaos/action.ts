// The extension point for chaos: one action per file, chosen by name in
// index.ts. The same objects serve the CLI now and a scenario timeline later,
// so an action takes its parameters as data and returns what happened as data;
// printing is the caller's business.
import type { ServiceSpec } from '../process/supervisor.ts';
import type { LabState } from '../topology/state.ts';

/** What a target is: a node (Koa process behind the balancer) or a store server. */
export type TargetKind = 'node' | 'store';

export interface ChaosContext {
  readonly stateDir: string;
  /** The running topology; actions that start a process record its new pid here and on disk. */
  readonly state: LabState;
  /** Processes started now outlive the command (`lab start`) or not (tests). */
  readonly detached: boolean;
  /** Aborted on Ctrl-C: waits end at once and an action undoes what it half did. */
  readonly signal?: AbortSignal | undefined;
}

export interface ChaosParams {
  /** pause: resume again after this many milliseconds (a timed pause). */
  readonly forMs?: number | undefined;
}

/** What an action did; one line of CLI output and one event in events.ndjson. */
export interface ChaosOutcome {
  action: string;
  target: string;
  /** The process acted on (after start or restart: the new one). */
  pid?: number;
  /** The pid before a start or restart replaced it. */
  previousPid?: number;
  /** Process state (running, paused, dead) or, for balancer actions, the node's balancer state. */
  before: string;
  after: string;
  /** What it means, e.g. whether sessions survive; measured where the lab can. */
  detail: string;
}

/** A process the lab recorded, resolved from a name such as `node-1`, `redis` or `hz-1`. */
export interface ChaosTarget {
  readonly kind: TargetKind;
  readonly id: string;
  /** The recorded entry in the state: actions update `pid` in place. */
  readonly entry: { pid: number; readonly spec: ServiceSpec };
  /** How long a graceful stop may take before SIGKILL. */
  readonly stopGraceMs: number;
  /** How long a fresh process may take to serve. */
  readonly readyTimeoutMs: number;
  /** Whether the process `pid` serves yet (answers /healthz, PING, has rejoined). */
  isReady(context: ChaosContext, pid: number): Promise<boolean>;
  /** What losing the running process means for the data it holds; called before the loss. */
  lossNote(context: ChaosContext, graceful: boolean): Promise<string>;
  /** After a stop, before the restart: waits until the rest of the system has noticed. */
  whenGone(context: ChaosContext): Promise<string | undefined>;
  /** After a (re)start is ready: waits until it is back in service and says how it came back. */
  whenBack(context: ChaosContext): Promise<string>;
}

export interface ChaosAction {
  readonly name: string;
  /** One line for the usage text. */
  readonly summary: string;
  readonly targets: readonly TargetKind[];
  /** The parameters it takes; runChaos refuses any other. */
  readonly params: readonly (keyof ChaosParams)[];
  run(context: ChaosContext, target: ChaosTarget, params: ChaosParams): Promise<ChaosOutcome>;
}
