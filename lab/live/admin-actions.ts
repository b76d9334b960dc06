// The live page's admin panel, on the lab's side: what the operator of a
// `lab up` topology may do from the page, done through the very functions
// the CLI uses (runChaos, `lab strategy`), so each is checked and recorded
// in events.ndjson the same way. One action at a time: two clicks must not
// race on the state file.
import { describeOutcome, runChaos } from '../chaos/index.ts';
import { strategy } from '../commands/strategy.ts';
import { LabError } from '../errors.ts';
import { requireState } from '../topology/state.ts';

/** The node actions the panel offers, in its order. */
export const PANEL_ACTIONS = [
  'drain',
  'disable',
  'enable',
  'kill',
  'pause',
  'resume',
  'start',
] as const;

/** What the page posts: a node action on a target, or `strategy` with the strategy. */
export interface ActionRequest {
  action: string;
  target?: string;
  strategy?: string;
}

/** Checks a posted body; throws BAD_PARAMETER with what is wrong. */
export function parseActionRequest(body: unknown): ActionRequest {
  const bad = (why: string) =>
    new LabError('BAD_PARAMETER', `the panel's request ${why}`, 'reload the page');
  if (typeof body !== 'object' || body === null) throw bad('is not a JSON object');
  const { action, target, strategy: name } = body as Record<string, unknown>;
  if (action === 'strategy') {
    if (typeof name !== 'string' || name === '') throw bad('names no strategy');
    return { action, strategy: name };
  }
  if (typeof action !== 'string' || !(PANEL_ACTIONS as readonly string[]).includes(action)) {
    throw bad(`has an unknown action ${JSON.stringify(action)}`);
  }
  if (typeof target !== 'string' || !/^node-\d{1,2}$/.test(target)) {
    throw bad('names no node (node-1, node-2, ...)');
  }
  return { action, target };
}

export class AdminActions {
  readonly #stateDir: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(stateDir: string) {
    this.#stateDir = stateDir;
  }

  /** Runs one request after any still running; resolves to the lines the CLI would print. */
  perform(request: ActionRequest): Promise<string[]> {
    const next = this.#queue.then(() => this.#run(request));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #run(request: ActionRequest): Promise<string[]> {
    const lines: string[] = [];
    if (request.action === 'strategy') {
      await strategy(this.#stateDir, request.strategy!, undefined, (line) => lines.push(line));
      return lines;
    }
    const state = await requireState(this.#stateDir);
    const context = { stateDir: this.#stateDir, state, detached: true };
    return [describeOutcome(await runChaos(context, request.action, request.target!))];
  }
}
