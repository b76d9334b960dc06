// The live page of `lab run --live` and `lab up --live`: the feed, the page
// and its server put together, started by the command and closed by it.
import type { Scenario } from '../run/scenario-schema.ts';
import type { LabState } from '../topology/state.ts';
import { AdminActions } from './admin-actions.ts';
import { LiveFeed } from './live-feed.ts';
import { LiveServer } from './live-server.ts';
import { LivePage } from './page.ts';
import { RunFeed } from './run-feed.ts';
import { UpMonitor } from './up-monitor.ts';

export interface Live {
  /** The page's address, on loopback. */
  url: string;
  /** Tells the pages why they stop updating, ends their streams and stops listening. */
  close(reason: string): Promise<void>;
}

async function serve(
  feed: LiveFeed,
  port: number,
  actions: AdminActions | undefined,
  onClose: () => Promise<void>,
): Promise<Live> {
  const server = new LiveServer({ feed, page: await LivePage.load(), actions });
  const url = await server.listen(port);
  return {
    url,
    close: async (reason) => {
      await onClose();
      feed.publish({ type: 'closing', reason });
      await server.close();
    },
  };
}

/** `lab run --live`: the observer to give the run, and the page. */
export async function startRunLive(
  scenario: Scenario,
  port: number,
): Promise<Live & { feed: RunFeed }> {
  const feed = new LiveFeed();
  const runFeed = new RunFeed(feed, scenario);
  const live = await serve(feed, port, undefined, () => Promise.resolve());
  return { ...live, feed: runFeed };
}

/** `lab up --live`: watches the topology in `stateDir` and offers the admin panel. */
export async function startUpLive(stateDir: string, state: LabState, port: number): Promise<Live> {
  const feed = new LiveFeed();
  const monitor = new UpMonitor(stateDir, feed);
  await monitor.start(state);
  try {
    return await serve(feed, port, new AdminActions(stateDir), () => monitor.stop());
  } catch (error) {
    await monitor.stop();
    throw error;
  }
}
