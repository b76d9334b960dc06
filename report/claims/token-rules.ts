// C9-C14: what people say about tokens (the jwt strategy).
import type { StrategySummary } from '../summary-schema.ts';
import { int, num } from '../format.ts';
import { memoryWhere, probeFailure, revocationStillOpen, routeLatency } from '../strategy-facts.ts';
import { first, notMeasured, serverSessions, side, type Rule } from './rule.ts';

/** Below this jwt keeps (next to) nothing per session: under one byte each. */
const NEGLIGIBLE_KIB = 1;

/** C9 holds when jwt keeps under 1 KiB per 1,000 sessions on the server. */
export const c9: Rule = (run) => {
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
  const rule = 'Rule: holds when jwt keeps under 1 KiB per 1,000 sessions on the server.';
  if (probe.kib <= NEGLIGIBLE_KIB) return { verdict: 'holds', measured, why: rule };
  const least = servers.length > 0 ? Math.min(...servers.map(({ kib }) => kib)) : null;
  if (side(probe.kib, least) === 'lower') {
    return {
      verdict: 'depends',
      measured,
      why: `${rule} It keeps less than the session strategies but not nothing: refresh-token families and user data stay on the server.`,
    };
  }
  return { verdict: 'does not hold', measured, why: rule };
};

/** C10 holds when a copied access token kept working after logout. */
export const c10: Rule = (run) => {
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
    `; access-token lifetime ${lifetime === null ? 'unknown' : `${int(lifetime)} s`}` +
    (others.length > 0 ? `; other strategies: ${others.join(', ')}` : '');
  if (probe.windowS === 0) {
    return {
      verdict: 'does not hold',
      measured,
      why: 'The token was refused at once after logout: the nodes check a revocation list, at the cost of a lookup per request.',
    };
  }
  return {
    verdict: 'holds',
    measured,
    why:
      'Rule: holds when the token kept working after logout. ' +
      (lifetime === null
        ? 'The lifetime was not reported, so how far a short lifetime limits the damage is not shown.'
        : `Its lifetime (${int(lifetime)} s) bounds the window: a shorter one limits the damage, at more refreshes.`),
  };
};

/** C11 holds when jwt sends more than 5% more bytes per request than the session-id strategies. */
export const c11: Rule = (run) => {
  const jwt = first(run, 'jwt');
  const sessions = serverSessions(run);
  if (!jwt || sessions.length === 0) return notMeasured('needs jwt and a session-id strategy');
  const mean = sessions.reduce((sum, s) => sum + s.bytesPerRequest.sent, 0) / sessions.length;
  const cookie = first(run, 'cookie');
  const measured =
    `bytes sent per request: jwt ${int(jwt.bytesPerRequest.sent)}; ` +
    sessions.map((s) => `${s.strategy} ${int(s.bytesPerRequest.sent)}`).join(', ') +
    (cookie ? `; cookie ${int(cookie.bytesPerRequest.sent)}` : '');
  const rule =
    'Rule: compares jwt with the mean of the session-id strategies; within 5% is no difference.';
  const where = side(jwt.bytesPerRequest.sent, mean);
  if (where === 'higher') return { verdict: 'holds', measured, why: rule };
  if (where === 'lower') return { verdict: 'does not hold', measured, why: rule };
  return {
    verdict: 'depends',
    measured,
    why: `${rule} The difference is within noise: it depends on the token's claims and the size of the rest of the request.`,
  };
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

/** C12 holds when a refresh costs store operations. */
export const c12: Rule = (run) => {
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
  const why =
    'Rule: holds when a refresh costs at least one store operation.' +
    (latency
      ? " Its latency beside GET /me's (a token check and one cart read under jwt) shows what the refresh's store round trips add."
      : jwt.totals.latencyByRoute
        ? ' No refresh was answered during the load, so its latency is not known: journeys must outlast the access token (scenario revocation).'
        : ' Refresh latency is not in this run summary.');
  return ops > 0
    ? {
        verdict: 'holds',
        measured,
        why: `${why} The I/O comes back once per refresh, not once per request.`,
      }
    : { verdict: 'does not hold', measured, why };
};

/** C13 holds when no forged or tampered token was accepted. */
export const c13: Rule = (run) => {
  const jwt = first(run, 'jwt');
  const probe = jwt?.probes.tampering;
  if (!probe || probe.tried === 0) {
    return notMeasured(
      `needs jwt in the run with the tampering probe${probeFailure(jwt, 'tampering')}`,
    );
  }
  const measured = `${probe.accepted} of ${probe.tried} forged tokens accepted (${probe.kinds.join(', ')})`;
  const why = `Rule: holds when none was accepted.${probe.acceptedKinds?.length ? ` Accepted: ${probe.acceptedKinds.join(', ')}.` : ''}`;
  return probe.accepted === 0
    ? { verdict: 'holds', measured, why }
    : { verdict: 'does not hold', measured, why };
};

/** C14 holds when every replayed refresh token was detected. */
export const c14: Rule = (run) => {
  const jwt = first(run, 'jwt');
  const probe = jwt?.probes.refreshReplay;
  if (!probe || probe.tried === 0) {
    return notMeasured(
      `needs jwt in the run with the refresh-replay probe${probeFailure(jwt, 'refreshReplay')}`,
    );
  }
  const measured = `${probe.detected} of ${probe.tried} replayed refresh tokens detected, family revoked`;
  const why = 'Rule: holds when every replay was detected.';
  return probe.detected === probe.tried
    ? { verdict: 'holds', measured, why }
    : { verdict: 'does not hold', measured, why };
};
