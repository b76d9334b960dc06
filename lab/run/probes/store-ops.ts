import { setTimeout as sleep } from 'node:timers/promises';
import { LabError } from '../../errors.ts';
import type { Probe } from './probe.ts';
import { expectStatus, ProbeClient, probeUser, type TokenBody } from './probe-client.ts';
import { callsBetween, commandCalls, redisStatsTarget } from './redis-stats.ts';

const REFRESHES = 20;
// The probe's own INFO reads, and the AUTH each of its connections starts
// with, are no refresh's work.
const NOT_COUNTED = ['info', 'auth'];

/**
 * C12: Redis commands per refresh. One user logs in, then refreshes
 * REFRESHES times in a row (each rotation uses the token the last one gave);
 * INFO commandstats is read before and after. Whatever else talks to Redis
 * meanwhile (metric scrapes counting families, other clients) is estimated
 * from an equally long idle window right after and subtracted. Counts
 * EVALSHA and the commands its script runs, each as one operation. 0 when
 * redis counted nothing beyond the background: refreshes that touch no store.
 */
export const storeOpsProbe: Probe<'storeOpsPerRefresh'> = {
  name: 'storeOpsPerRefresh',
  claims: 'C12',
  appliesTo: (strategy) => strategy.name === 'jwt',
  budgetMs: () => 10_000,
  async run({ state, signal }) {
    const redis = redisStatsTarget(state);
    const client = new ProbeClient(state.balancer.url, signal);
    await client.login(probeUser('refresh-ops'));
    let token = client.refreshToken;
    if (token === undefined) {
      throw new LabError('PROBE_UNEXPECTED_ANSWER', 'the jwt login gave no refresh token');
    }
    const before = await commandCalls(redis);
    const started = performance.now();
    for (let i = 0; i < REFRESHES; i += 1) {
      const response = expectStatus(
        await client.request('POST', '/auth/refresh', { json: { refreshToken: token } }),
        200,
        'POST /auth/refresh',
      );
      token = (response.body as TokenBody).refreshToken;
    }
    const after = await commandCalls(redis);
    await sleep(performance.now() - started, undefined, { signal });
    const idle = await commandCalls(redis);
    const refreshCalls = callsBetween(before, after, NOT_COUNTED);
    const background = callsBetween(after, idle, NOT_COUNTED);
    // No command beyond the background is a measurement (it would refute C12), not a failure.
    const perRefresh = Math.max(0, refreshCalls - background) / REFRESHES;
    return Math.round(perRefresh * 100) / 100;
  },
};
