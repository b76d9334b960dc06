import { JwtStrategyConfigSchema } from '../../../nodes/strategies/jwt/index.ts';
import { LabError } from '../../errors.ts';
import { nodeStrategyConfig } from '../../strategy/config.ts';
import type { Probe } from './probe.ts';
import {
  expectStatus,
  ProbeClient,
  probeUser,
  type ProbeResponse,
  type TokenBody,
} from './probe-client.ts';

const TRIES = 5;

/**
 * C14: TRIES times, log in, refresh twice (the owner's token rotates on),
 * then replay the first refresh token as a thief who copied it would.
 * Detected: the replay is refused with 401 REFRESH_REUSED and the family is
 * revoked, i.e. the newest refresh token, never replayed, is refused too.
 *
 * Why the first token and not the one just rotated out: the nodes grant a
 * reuse grace window (`refreshReuseGraceSeconds`) to the immediately
 * preceding token, so a client that lost a refresh answer can retry. A thief
 * replaying that token within the window gets the successor and is NOT
 * detected; the probe does not measure that case, it reports the window
 * (`graceWindowS`, read from the configuration the nodes were given) beside
 * the figure so the reader knows what it leaves out. An older token is
 * outside every window, so its replay must always be detected.
 */
export const refreshReplayProbe: Probe<'refreshReplay'> = {
  name: 'refreshReplay',
  claims: 'C14',
  appliesTo: (strategy) => strategy.name === 'jwt',
  budgetMs: () => 10_000,
  async run({ state, strategy, signal }) {
    const config = nodeStrategyConfig(state, strategy, 0);
    if (config.name !== 'jwt') {
      throw new LabError('PROBE_UNEXPECTED_ANSWER', `the nodes run ${config.name}, not jwt`);
    }
    // The nodes' own schema, so its defaults are the ones they apply.
    const graceWindowS = JwtStrategyConfigSchema.parse(config.jwt).refreshReuseGraceSeconds;
    let detected = 0;
    for (let attempt = 1; attempt <= TRIES; attempt += 1) {
      const client = new ProbeClient(state.balancer.url, signal);
      await client.login(probeUser('replay'));
      const stolen = client.refreshToken;
      if (stolen === undefined) {
        throw new LabError('PROBE_UNEXPECTED_ANSWER', 'the jwt login gave no refresh token');
      }
      const refresh = (refreshToken: string) =>
        client.request('POST', '/auth/refresh', { json: { refreshToken } });
      const rotated = (response: ProbeResponse) =>
        expectStatus(response, 200, 'POST /auth/refresh').body as TokenBody;
      const second = rotated(await refresh(stolen));
      const newest = rotated(await refresh(second.refreshToken));
      const replay = await refresh(stolen);
      const afterReplay = await refresh(newest.refreshToken);
      if (replay.status === 401 && replay.code === 'REFRESH_REUSED' && afterReplay.status === 401) {
        detected += 1;
      }
    }
    return { tried: TRIES, detected, graceWindowS };
  },
};
