// C9-C14: what people say about tokens (the jwt strategy).
import type { StrategySummary } from '../summary-schema.ts';
import { int, num } from '../format.ts';
import { memoryWhere, probeFailure, revocationStillOpen, routeLatency } from '../strategy-facts.ts';
import {
  first,
  notMeasured,
  percent,
  serverSessions,
  side,
  NOISE,
  type ClaimRule,
} from './rule.ts';

/** Below this jwt keeps (next to) nothing per session: under one byte each. */
export const C9_NEGLIGIBLE_KIB = 1;

/** C9 holds when jwt keeps under 1 KiB per 1,000 sessions on the server. */
export const c9: ClaimRule = {
  when: {
    holds: `jwt keeps at most ${C9_NEGLIGIBLE_KIB} KiB per 1,000 sessions on the server`,
    depends: `it keeps more, but more than ${percent(NOISE)} less than the leanest server-session strategy`,
    'does not hold': 'it keeps about as much as a server-session strategy, or more',
  },
  judge(run) {
    const jwt = first(run, 'jwt');
    const probe = jwt?.probes.memoryPerThousandSessions;
    if (!jwt || !probe) {
      return notMeasured(
        `needs jwt in the run with the memory probe${probeFailure(jwt, 'memoryPerThousandSessions')}`,
      );
    }
    const servers = serverSessions(run).flatMap((s) => {
      const memory = s.probes.memoryPerThousandSessions;
      return memory ? [{ s, kib: memory.kib }] : [];
    });
    const redis = first(run, 'redis');
    const measured =
      `jwt ${num(probe.kib)} KiB per 1,000 sessions (${memoryWhere(probe)})` +
      servers.map(({ s, kib }) => `, ${s.strategy} ${num(kib)} KiB`).join('') +
      `; store CPU per request: jwt ${int(jwt.cpuPerRequestMicros.stores)} µs` +
      (redis ? `, ${redis.strategy} ${int(redis.cpuPerRequestMicros.stores)} µs` : '');
    const rule = 'Measured where the strategy keeps its state.';
    if (probe.kib <= C9_NEGLIGIBLE_KIB) return { verdict: 'holds', measured, why: rule };
    const least = servers.length > 0 ? Math.min(...servers.map(({ kib }) => kib)) : null;
    if (side(probe.kib, least) === 'lower') {
      return {
        verdict: 'depends',
        measured,
        why: `${rule} It keeps less than the session strategies but not nothing: refresh-token families and user data stay on the server.`,
      };
    }
    return { verdict: 'does not hold', measured, why: rule };
  },
};

/** Within this of the access token's lifetime, a refusal is its expiry, not a withdrawal (the probe polls every 0.1 s). */
export const C10_EXPIRY_SLACK_S = 0.2;

/**
 * C10: the revocation probe's window (a copied access token tried every
 * 0.1 s after logout) against the token's lifetime. Refused at once: it
 * was withdrawn. Refused later but before it expired: withdrawn with a
 * delay. Still working when the probe stopped, or refused only at expiry:
 * it could not be withdrawn.
 */
export const c10: ClaimRule = {
  when: {
    holds: `a copied access token still worked when the probe stopped, or was refused only at its expiry (within ${C10_EXPIRY_SLACK_S} s of its lifetime)`,
    depends:
      'it kept working after logout but was refused before it expired: withdrawn, with a delay',
    'does not hold': 'it was refused at the first try after logout (window 0 s)',
  },
  judge(run) {
    const jwt = first(run, 'jwt');
    const probe = jwt?.probes.revocation;
    if (!jwt || !probe) {
      return notMeasured(
        `needs jwt in the run with the revocation probe${probeFailure(jwt, 'revocation')}`,
      );
    }
    const open = revocationStillOpen(probe);
    const lifetime = probe.accessTokenLifetimeS;
    const others = run.strategies
      .filter((s) => s !== jwt && s.probes.revocation)
      .map((s) => {
        const other = s.probes.revocation!;
        return `${s.strategy} ${revocationStillOpen(other) ? '≥ ' : ''}${num(other.windowS)} s`;
      });
    const measured =
      `jwt: a copied token worked ${open ? 'at least ' : ''}${num(probe.windowS)} s after logout` +
      (open ? ` (the probe stopped at ${num(probe.boundS)} s)` : '') +
      `; access-token lifetime ${lifetime === null ? 'not reported' : `${int(lifetime)} s`}` +
      (others.length > 0 ? `; copies under other strategies: ${others.join(', ')}` : '');
    const bound =
      lifetime === null
        ? 'The lifetime was not reported, so how far a short lifetime limits the damage is not shown.'
        : `Its lifetime (${int(lifetime)} s) bounds the window: a shorter one limits the damage, at more refreshes.`;
    if (probe.windowS === 0 && !open) {
      return {
        verdict: 'does not hold',
        measured,
        why: 'The token was refused at once after logout: the nodes check a revocation list, at the cost of a lookup per request.',
      };
    }
    const expired = lifetime !== null && probe.windowS >= lifetime - C10_EXPIRY_SLACK_S;
    if (open || expired) return { verdict: 'holds', measured, why: bound };
    return {
      verdict: 'depends',
      measured,
      why:
        lifetime === null
          ? `Refused ${num(probe.windowS)} s after logout; without the lifetime, a withdrawal cannot be told from the token's expiry. ${bound}`
          : `Withdrawn ${num(probe.windowS)} s after logout, before the token expired: a revocation list that takes time to reach every node. ${bound}`,
    };
  },
};

/** C11 holds when jwt sends more than 5% more bytes per request than the session-id strategies. */
export const c11: ClaimRule = {
  when: {
    holds: `jwt sends more than ${percent(NOISE)} more bytes per request than the mean of the session-id strategies`,
    'does not hold': `it sends more than ${percent(NOISE)} fewer`,
    depends: `within ${percent(NOISE)} of them`,
  },
  judge(run) {
    const jwt = first(run, 'jwt');
    const sessions = serverSessions(run);
    if (!jwt || sessions.length === 0) return notMeasured('needs jwt and a session-id strategy');
    const mean = sessions.reduce((sum, s) => sum + s.bytesPerRequest.sent, 0) / sessions.length;
    const cookie = first(run, 'cookie');
    const measured =
      `bytes sent per request: jwt ${int(jwt.bytesPerRequest.sent)}; ` +
      sessions.map((s) => `${s.strategy} ${int(s.bytesPerRequest.sent)}`).join(', ') +
      (cookie ? `; cookie ${int(cookie.bytesPerRequest.sent)}` : '');
    const rule = 'Compared with the mean of the session-id strategies.';
    const where = side(jwt.bytesPerRequest.sent, mean);
    if (where === 'higher') return { verdict: 'holds', measured, why: rule };
    if (where === 'lower') return { verdict: 'does not hold', measured, why: rule };
    return {
      verdict: 'depends',
      measured,
      why: `${rule} The difference is within noise: it depends on the token's claims and the size of the rest of the request.`,
    };
  },
};

/** The refreshes' latency during the load beside GET /me's, or '' when none was answered. */
function refreshLatencyText(jwt: StrategySummary): string {
  const refresh = routeLatency(jwt, 'refresh');
  if (!refresh) return '';
  const me = routeLatency(jwt, 'me');
  return (
    `refresh latency p50 ${num(refresh.p50)} ms, p99 ${num(refresh.p99)} ms over ${int(refresh.count)} refreshes` +
    (me ? ` (GET /me p50 ${num(me.p50)} ms)` : '')
  );
}

/** C12 holds at or above this many store operations per refresh. */
export const C12_HOLDS_OPS = 1;
/** At or below this a refresh costs no store I/O: background left after subtraction. */
export const C12_NONE_OPS = 0.1;

/** C12: store operations per refresh, counted by the refresh probe in Redis. */
export const c12: ClaimRule = {
  when: {
    holds: `a refresh costs at least ${C12_HOLDS_OPS} store operation`,
    depends: `between ${C12_NONE_OPS} and ${C12_HOLDS_OPS} operations per refresh: only some refreshes reach the store`,
    'does not hold': `at most ${C12_NONE_OPS} operations per refresh: refreshes reach no store`,
  },
  judge(run) {
    const jwt = first(run, 'jwt');
    const ops = jwt?.probes.storeOpsPerRefresh;
    const latency = jwt ? refreshLatencyText(jwt) : '';
    if (!jwt || ops === undefined) {
      return notMeasured(
        `needs jwt in the run with the refresh probe${probeFailure(jwt, 'storeOpsPerRefresh')}`,
        latency || undefined,
      );
    }
    const measured =
      `${num(ops)} store operations per refresh; ${int(jwt.totals.refreshes)} refreshes during the load` +
      (latency ? `; ${latency}` : '');
    const why = latency
      ? "Its latency beside GET /me's (a token check and one cart read under jwt) shows what the refresh's store round trips add."
      : jwt.totals.latencyByRoute
        ? 'No refresh was answered during the load, so its latency is not known: journeys must outlast the access token (scenario revocation).'
        : 'Refresh latency is not in this run summary.';
    if (ops >= C12_HOLDS_OPS) {
      return {
        verdict: 'holds',
        measured,
        why: `${why} The I/O comes back once per refresh, not once per request.`,
      };
    }
    if (ops <= C12_NONE_OPS) return { verdict: 'does not hold', measured, why };
    return { verdict: 'depends', measured, why };
  },
};

/** C13 holds when no forged or tampered token was accepted. */
export const c13: ClaimRule = {
  when: {
    holds: 'no forged or tampered token was accepted',
    'does not hold': 'at least one was accepted',
  },
  judge(run) {
    const jwt = first(run, 'jwt');
    const probe = jwt?.probes.tampering;
    if (!probe || probe.tried === 0) {
      return notMeasured(
        `needs jwt in the run with the tampering probe${probeFailure(jwt, 'tampering')}`,
      );
    }
    const measured = `${probe.accepted} of ${probe.tried} forged tokens accepted (${probe.kinds.join(', ')})`;
    const why = probe.acceptedKinds?.length
      ? `Accepted: ${probe.acceptedKinds.join(', ')}.`
      : 'The signature was checked on every kind.';
    return probe.accepted === 0
      ? { verdict: 'holds', measured, why }
      : { verdict: 'does not hold', measured, why };
  },
};

/** C14 holds when every replayed refresh token was detected. */
export const c14: ClaimRule = {
  when: {
    holds: 'every replayed refresh token was detected (401 REFRESH_REUSED and the family revoked)',
    'does not hold': 'at least one replay went undetected',
  },
  judge(run) {
    const jwt = first(run, 'jwt');
    const probe = jwt?.probes.refreshReplay;
    if (!probe || probe.tried === 0) {
      return notMeasured(
        `needs jwt in the run with the refresh-replay probe${probeFailure(jwt, 'refreshReplay')}`,
      );
    }
    const window =
      probe.graceWindowS === undefined
        ? ''
        : probe.graceWindowS === 0
          ? ' (no reuse grace window: strict rotation)'
          : ` (tokens two rotations old; a replay of the token just rotated out within the ${probe.graceWindowS} s grace window is not detected and not counted here)`;
    const measured = `${probe.detected} of ${probe.tried} replayed refresh tokens detected, family revoked${window}`;
    const why =
      'A detected replay revokes the whole family: the thief and the victim are both logged out.';
    return probe.detected === probe.tried
      ? { verdict: 'holds', measured, why }
      : { verdict: 'does not hold', measured, why };
  },
};
