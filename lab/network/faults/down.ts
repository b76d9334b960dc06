import type { LinkControl } from '../toxiproxy-client.ts';
import { checkOptions, faultActive, type FaultOptions, type NetworkFault } from './fault.ts';

/**
 * The link is down: its proxy is disabled, which closes its listener and
 * every open connection, so new connections are refused at once (what a
 * store that went away looks like, without touching the store).
 */
export function downFault(options: FaultOptions): NetworkFault {
  checkOptions('down', options, []);
  return {
    kind: 'down',
    label: 'down',
    params: {},
    breaksConnections: true,
    async apply(client: LinkControl, link: string): Promise<void> {
      const proxies = await client.proxies();
      // Re-enabling at the end of this fault would cut another one short.
      if (proxies[link]?.enabled === false) throw faultActive(link, 'down');
      await client.setEnabled(link, false);
    },
    async remove(client: LinkControl, link: string): Promise<void> {
      await client.setEnabled(link, true);
    },
  };
}
