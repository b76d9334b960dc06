import { setTimeout as sleep } from 'node:timers/promises';
import { LabError } from '../../errors.ts';
import type { Probe } from './probe.ts';
import { expectStatus, ProbeClient, probeUser, type TokenBody } from './probe-client.ts';

export const DEFAULT_REVOCATION_BOUND_MS = 3000;
/** How often the old credential is tried; also the resolution of the window. */
const POLL_MS = 100;

/**
 * C10: log in, keep a copy of the credential (cookies, bearer token), log
 * out, then send GET /me with the copy every 100 ms until it is refused
 * (401) or the bound passes. Under `cookie`, logout clears the browser's
 * cookie, but a copied value is exactly what a thief holds: the copy is the
 * honest measure of a client-side session's revocation window.
 *
 * windowS: 0 when the first try after logout is refused; otherwise seconds
 * from the logout's answer to the first refused try (to within 100 ms); when
 * nothing was refused, seconds to the last accepted try, a lower bound, and
 * `stillAcceptedAtBound` is true.
 */
export const revocationProbe: Probe<'revocation'> = {
  name: 'revocation',
  claims: 'C10',
  appliesTo: () => true,
  budgetMs: (context) => (context.revocationBoundMs ?? DEFAULT_REVOCATION_BOUND_MS) + 5000,
  async run({ state, signal, revocationBoundMs = DEFAULT_REVOCATION_BOUND_MS }) {
    const client = new ProbeClient(state.balancer.url, signal);
    const login = await client.login(probeUser('revocation'));
    const expiresIn = (login.body as Partial<TokenBody>).expiresIn;
    const lifetimeS = typeof expiresIn === 'number' ? expiresIn : null;
    const copy = client.copy();
    // Refusals after logout prove something only if the copy worked before it.
    expectStatus(
      await copy.request('GET', '/me', { keepCookies: false }),
      200,
      'GET /me before logout',
    );
    expectStatus(await client.request('POST', '/logout'), 204, 'POST /logout');
    const loggedOutAt = performance.now();
    let lastAcceptedS = 0;
    // Tries at fixed ticks after logout: 0, 100, 200 ms ... up to the bound itself.
    const ticks = Math.floor(revocationBoundMs / POLL_MS);
    for (let tick = 0; tick <= ticks; tick += 1) {
      await sleep(Math.max(0, loggedOutAt + tick * POLL_MS - performance.now()), undefined, {
        signal,
      });
      const elapsedS = (performance.now() - loggedOutAt) / 1000;
      const response = await copy.request('GET', '/me', { keepCookies: false });
      if (response.status === 401) {
        return {
          windowS: tick === 0 ? 0 : round(elapsedS),
          accessTokenLifetimeS: lifetimeS,
          boundS: revocationBoundMs / 1000,
          stillAcceptedAtBound: false,
        };
      }
      if (response.status !== 200) {
        throw new LabError(
          'PROBE_UNEXPECTED_ANSWER',
          `GET /me with the old credential answered ${response.status}${response.code ? ` ${response.code}` : ''}`,
        );
      }
      lastAcceptedS = elapsedS;
    }
    return {
      windowS: round(lastAcceptedS),
      accessTokenLifetimeS: lifetimeS,
      boundS: revocationBoundMs / 1000,
      stillAcceptedAtBound: true,
    };
  },
};

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;
