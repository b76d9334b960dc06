import path from 'node:path';
import { LabError } from '../errors.ts';
import { processState, stopService } from '../process/supervisor.ts';
import { findToxiproxy, spawnToxiproxy, ToxiproxyServer } from '../services/toxiproxy.ts';
import type { LabState } from '../topology/state.ts';
import type { StrategyChoice } from '../strategy/config.ts';
import { plannedLinks, type LinkEntry, type LinkPlan } from './links.ts';
import { ToxiproxyClient } from './toxiproxy-client.ts';

/** What the switch prints when the nodes cannot be put behind links. */
export const NO_TOXIPROXY_NOTE =
  'toxiproxy-server is not installed: nodes reach their stores directly and `lab net` has no links (run `npx lab setup`)';

/**
 * Puts the nodes of `choice` behind links: starts toxiproxy-server (once per
 * topology; again on its recorded port if it died) and creates the missing
 * links. Network faults are an extra the switch must not depend on: when
 * toxiproxy-server is not installed, or fails, the links are dropped (a
 * server that still runs is stopped) so the nodes get the stores' real
 * addresses, and the reason comes back as a one-line note.
 */
export async function ensureLinks(
  stateDir: string,
  state: LabState,
  choice: StrategyChoice,
  detached: boolean,
  /** Where the binary is looked for; tests pass one that finds nothing. */
  find: () => Promise<string | undefined> = findToxiproxy,
): Promise<string | undefined> {
  const plans = plannedLinks(state, choice);
  if (plans.length === 0) return undefined;
  state.services ??= {};
  let entry = state.services.toxiproxy;
  try {
    if (entry) {
      await restartIfDead(entry, detached);
    } else {
      if (!(await find())) return NO_TOXIPROXY_NOTE;
      const dir = path.join(stateDir, 'toxiproxy');
      const server = await ToxiproxyServer.start({ dir, detached });
      entry = {
        id: 'toxiproxy',
        address: server.url,
        pid: server.pid,
        spec: server.spec,
        links: [],
      };
      state.services.toxiproxy = entry;
    }
    entry.links = await syncLinks(new ToxiproxyClient(entry.address), entry.links, plans);
    return undefined;
  } catch (error) {
    if (!(error instanceof LabError)) throw error;
    if (entry) await stopService(entry.pid, entry.spec, 2000);
    delete state.services.toxiproxy;
    return `toxiproxy-server failed (${error.message}): nodes reach their stores directly and \`lab net\` has no links`;
  }
}

/**
 * Starts a recorded toxiproxy-server again if it died, on the same port, and
 * recreates every recorded link on its recorded port, so the nodes configured
 * with them reach their stores again. Resolves true if it had to.
 */
export async function restartIfDead(
  entry: NonNullable<NonNullable<LabState['services']>['toxiproxy']>,
  detached: boolean,
): Promise<boolean> {
  if ((await processState(entry.pid)) !== 'dead') return false;
  entry.pid = await spawnToxiproxy(entry.spec, detached);
  entry.links = await syncLinks(new ToxiproxyClient(entry.address), entry.links, entry.links);
  return true;
}

/**
 * Makes the server hold every planned link: creates a missing one (on its
 * recorded port if it had one, so nodes configured with it find it again),
 * points one at the store's new address if the store moved, leaves the rest
 * alone (a link that is down or has toxics stays so). Returns every link,
 * planned or recorded before.
 */
export async function syncLinks(
  client: ToxiproxyClient,
  recorded: readonly LinkEntry[],
  plans: readonly LinkPlan[],
): Promise<LinkEntry[]> {
  const live = await client.proxies();
  const result = recorded.filter((link) => !plans.some((plan) => plan.name === link.name));
  for (const plan of plans) {
    const current = live[plan.name];
    const before = recorded.find((link) => link.name === plan.name);
    const view = !current
      ? await client.createProxy(plan.name, before?.listen ?? '127.0.0.1:0', plan.upstream)
      : current.upstream !== plan.upstream
        ? await client.setUpstream(plan.name, plan.upstream)
        : current;
    result.push({ ...plan, listen: view.listen });
  }
  return result;
}
