import { LabError } from '../../errors.ts';
import type { Probe } from './probe.ts';
import { expectStatus, ProbeClient, probeUser, type TokenBody } from './probe-client.ts';

const TRIES = 5;

/**
 * C14: TRIES times, log in, refresh once (the token rotates), then replay
 * the old refresh token as a thief would. Detected: the replay is refused
 * with 401 REFRESH_REUSED and the family is revoked, i.e. the newest refresh
 * token, never replayed, is refused too.
 */
export const refreshReplayProbe: Probe<'refreshReplay'> = {
  name: 'refreshReplay',
  claims: 'C14',
  appliesTo: (strategy) => strategy.name === 'jwt',
  budgetMs: () => 10_000,
  async run({ state, signal }) {
    let detected = 0;
    for (let attempt = 1; attempt <= TRIES; attempt += 1) {
      const client = new ProbeClient(state.balancer.url, signal);
      await client.login(probeUser('replay'));
      const stolen = client.refreshToken;
      if (stolen === undefined) {
        throw new LabError('PROBE_UNEXPECTED_ANSWER', 'the jwt login gave no refresh token');
      }
      const rotated = expectStatus(
        await client.request('POST', '/auth/refresh', { json: { refreshToken: stolen } }),
        200,
        'POST /auth/refresh',
      ).body as TokenBody;
      const replay = await client.request('POST', '/auth/refresh', {
        json: { refreshToken: stolen },
      });
      const newest = await client.request('POST', '/auth/refresh', {
        json: { refreshToken: rotated.refreshToken },
      });
      if (replay.status === 401 && replay.code === 'REFRESH_REUSED' && newest.status === 401) {
        detected += 1;
      }
    }
    return { tried: TRIES, detected };
  },
};
