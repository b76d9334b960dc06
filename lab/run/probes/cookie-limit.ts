import { SESSION_STATE_COOKIE } from '../../../nodes/strategies/cookie-strategy.ts';
import { LabError } from '../../errors.ts';
import type { Probe } from './probe.ts';
import { expectStatus, ProbeClient, probeUser } from './probe-client.ts';

/** Distinct items tried at most; the cookie runs out near 80 with 20-character SKUs. */
const MAX_ITEMS = 500;

/** A distinct 20-character SKU per item, so each write grows the cookie by the same amount. */
function sku(index: number): string {
  return `sku-${String(index).padStart(16, '0')}`;
}

/**
 * C2: one cookie session adds distinct SKUs, one write each, until a node
 * refuses with 413 COOKIE_TOO_LARGE. Records the items the cart held then and
 * the bytes of the last accepted Set-Cookie header value (name, sealed value
 * and attributes: what the node bounds at 4096). Any other refusal (e.g.
 * CART_FULL) fails the probe rather than passing for the cookie limit.
 */
export const cookieLimitProbe: Probe<'cookieLimit'> = {
  name: 'cookieLimit',
  claims: 'C2',
  appliesTo: (strategy) => strategy.name === 'cookie',
  budgetMs: () => 15_000,
  async run({ state, signal }) {
    const client = new ProbeClient(state.balancer.url, signal);
    await client.login(probeUser('cookie-limit'));
    let lastBytes: number | null = null;
    for (let items = 0; items < MAX_ITEMS; items += 1) {
      const response = await client.request('POST', '/cart/items', {
        json: { sku: sku(items), qty: 1 },
      });
      if (response.status === 413 && response.code === 'COOKIE_TOO_LARGE') {
        return { itemsAtRefusal: items, cookieBytesAtRefusal: lastBytes };
      }
      expectStatus(response, 200, `POST /cart/items (item ${items + 1})`);
      const header = response.setCookies.find((line) =>
        line.startsWith(`${SESSION_STATE_COOKIE}=`),
      );
      if (header === undefined) {
        throw new LabError(
          'PROBE_UNEXPECTED_ANSWER',
          `an accepted write (item ${items + 1}) set no ${SESSION_STATE_COOKIE} cookie`,
        );
      }
      lastBytes = Buffer.byteLength(header);
    }
    return { itemsAtRefusal: null, cookieBytesAtRefusal: null };
  },
};
