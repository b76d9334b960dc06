import type { ToxiproxyClient } from './toxiproxy-client.ts';

export interface ClearOutcome {
  /** `link: toxic` for every toxic that was removed. */
  removedToxics: string[];
  /** Links that were down and are up again. */
  reenabled: string[];
}

/**
 * Removes every toxic and re-enables every link of the lab's toxiproxy-server
 * (it runs nothing but the lab's links): the way back to a clean network
 * after a fault command was killed before it could clean up.
 */
export async function clearFaults(client: ToxiproxyClient): Promise<ClearOutcome> {
  const proxies = Object.values(await client.proxies());
  await client.reset();
  return {
    removedToxics: proxies.flatMap((proxy) =>
      proxy.toxics.map((toxic) => `${proxy.name}: ${toxic.name}`),
    ),
    reenabled: proxies.filter((proxy) => !proxy.enabled).map((proxy) => proxy.name),
  };
}
