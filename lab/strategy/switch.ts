import { balancerAdmin, nodeAdmin } from '../topology/admin-client.ts';
import { LabError } from '../errors.ts';
import { recordEvent } from '../topology/events.ts';
import { processState } from '../process/supervisor.ts';
import { waitFor } from '../process/wait.ts';
import { recordNodeStrategy } from '../topology/topology.ts';
import { ensureServices, type ServiceOptions } from './services.ts';
import { newSecrets, nodeStrategyConfig } from './config.ts';
import { choiceLabel, currentChoice, profileOf, type StrategyChoice } from './choice.ts';
import type { LabState, NodeEntry } from '../topology/state.ts';

export interface SwitchOutcome {
  tookMs: number;
  /** Nodes that did not switch now (dead or paused); they get the strategy when started. */
  skipped: { id: string; reason: string }[];
  /** One line each for the user: what the switch left out and why (e.g. no network links). */
  notes: string[];
}

async function switchNode(
  node: NodeEntry,
  token: string,
  body: ReturnType<typeof nodeStrategyConfig>,
): Promise<string | undefined> {
  const state = await processState(node.pid);
  if (state !== 'running') return `${state}; switches when started`;
  const answer = await nodeAdmin(node.url, token, 'PUT', '/admin/strategy', {
    json: body,
    timeoutMs: 30000,
  });
  if (answer.ok) return undefined;
  const error = (answer.body as { error?: { message?: string } } | undefined)?.error;
  return `${answer.status}: ${error?.message ?? 'refused'}`;
}

/**
 * Sends one node the topology's current strategy again, once it answers.
 * A container started again comes back on the strategy its compose file
 * names, not on the one the lab switched to (a local process reads its
 * recorded strategy file instead); without this it would serve, say,
 * node-local sessions among nodes sharing Redis. Undefined when it took it.
 */
export async function reapplyCurrentStrategy(
  state: LabState,
  node: NodeEntry,
): Promise<string | undefined> {
  const index = state.nodes.indexOf(node);
  if (index < 0) return `${node.id} is not a node of this topology`;
  await waitFor(
    async () => {
      const response = await fetch(`${node.url}/healthz`).catch(() => undefined);
      await response?.body?.cancel();
      return response?.ok === true;
    },
    { timeoutMs: 20_000, what: `${node.id} to answer after its start` },
  );
  const body = nodeStrategyConfig(state, currentChoice(state), index);
  return switchNode(node, state.nodeAdminToken, body);
}

/**
 * Switches a running topology to another strategy without restarting any
 * process: starts the servers it needs, reconfigures every node (each keeps
 * serving; requests in flight finish on the old strategy), then the
 * balancer's routing. Sessions do not migrate: clients log in again.
 * Mutates `state` (the caller writes it) and records the switch as an event.
 */
export async function switchStrategy(
  stateDir: string,
  state: LabState,
  choice: StrategyChoice,
  options: ServiceOptions,
): Promise<SwitchOutcome> {
  const started = performance.now();
  state.secrets ??= await newSecrets();
  const notes = await ensureServices(stateDir, state, choice, options);
  const skipped: SwitchOutcome['skipped'] = [];
  const failures: string[] = [];
  await Promise.all(
    state.nodes.map(async (node, index) => {
      const body = nodeStrategyConfig(state, choice, index);
      // A node started later (lab start) comes back with the current strategy,
      // read from a 0600 file: the body holds keys and the Redis password.
      await recordNodeStrategy(stateDir, node, body);
      const problem = await switchNode(node, state.nodeAdminToken, body).catch(
        (error: unknown) => `unreachable: ${(error as Error).message}`,
      );
      if (problem?.endsWith('switches when started'))
        skipped.push({ id: node.id, reason: problem });
      else if (problem) failures.push(`${node.id} ${problem}`);
    }),
  );
  const { adminUrl, adminToken } = state.balancer;
  await balancerAdmin(adminUrl, adminToken, 'PUT', '/policy', { policy: profileOf(choice).policy });
  const previous = state.variant ? `${state.strategy}:${state.variant}` : state.strategy;
  state.strategy = choice.name;
  state.variant = choice.variant;
  const tookMs = Math.round(performance.now() - started);
  await recordEvent(stateDir, {
    type: 'control',
    action: 'strategy',
    from: previous,
    to: choiceLabel(choice),
    tookMs,
    skipped,
    failures,
  });
  if (failures.length > 0) {
    throw new LabError(
      'SWITCH_FAILED',
      `some nodes refused the switch: ${failures.join('; ')}`,
      'fix the cause and run `lab strategy` again',
    );
  }
  return { tookMs, skipped, notes };
}
