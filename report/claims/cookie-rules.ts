// C1-C3: what people say about cookie-held state against server sessions.
import { int, num } from '../format.ts';
import { probeFailure } from '../strategy-facts.ts';
import { first, names, notMeasured, serverSessions, side, type Rule } from './rule.ts';

/** C1 holds when cookie beats every server-session strategy on both p50 and node CPU by more than the noise band. */
export const c1: Rule = (run) => {
  const cookie = first(run, 'cookie');
  const cookieP50 = cookie?.totals.latencyMs.p50 ?? null;
  const cookieCpu = cookie?.cpuPerRequestMicros.nodes ?? null;
  if (!cookie || cookieP50 === null || cookieCpu === null) {
    return notMeasured('needs cookie in the run, with latency and node CPU figures');
  }
  const others = serverSessions(run)
    .map((other) => ({
      name: other.strategy,
      p50: other.totals.latencyMs.p50,
      cpu: other.cpuPerRequestMicros.nodes,
      latency: side(cookieP50, other.totals.latencyMs.p50),
      work: side(cookieCpu, other.cpuPerRequestMicros.nodes),
    }))
    .filter((other) => other.latency !== null && other.work !== null);
  if (others.length === 0) {
    return notMeasured('needs sticky, redis or clustered in the run beside cookie');
  }
  const measured =
    `cookie p50 ${num(cookieP50)} ms, node CPU ${int(cookieCpu)} µs/req; ` +
    others.map((o) => `${o.name} ${num(o.p50)} ms, ${int(o.cpu)} µs/req`).join('; ');
  const detail = others
    .map((o) => `against ${o.name} cookie latency is ${o.latency}, CPU ${o.work}`)
    .join('; ');
  const rule = `Rule: cookie must be more than 5% lower on both p50 and node CPU per request than each server-session strategy (${detail}).`;
  if (others.every((o) => o.latency === 'lower' && o.work === 'lower')) {
    return { verdict: 'holds', measured, why: rule };
  }
  if (others.every((o) => o.latency !== 'lower' && o.work !== 'lower')) {
    return {
      verdict: 'does not hold',
      measured,
      why: `${rule} Opening and re-sealing the cookie costs at least what a lookup saves.`,
    };
  }
  return {
    verdict: 'depends',
    measured,
    why: `${rule} It depends on what the server session costs: a node-memory lookup is cheap, a store round trip is not.`,
  };
};

/** C2 holds when the cookie strategy refused a write (413) at about its 4096-byte limit. */
export const c2: Rule = (run) => {
  const cookie = first(run, 'cookie');
  if (!cookie) return notMeasured('cookie was not in this run');
  const sessions = serverSessions(run);
  const bytes =
    `bytes sent per request: cookie ${int(cookie.bytesPerRequest.sent)}` +
    sessions.map((s) => `, ${s.strategy} ${int(s.bytesPerRequest.sent)}`).join('');
  const probe = cookie.probes.cookieLimit;
  if (!probe) {
    return notMeasured(
      `the cookie-limit probe gave no figure${probeFailure(cookie, 'cookieLimit')}`,
      bytes,
    );
  }
  if (probe.itemsAtRefusal === null) {
    return {
      verdict: 'depends',
      measured: `no refusal up to the probe's largest cart; ${bytes}`,
      why: 'The cookie never reached its limit here: the claim bites only for sessions that grow (carts, preferences).',
    };
  }
  return {
    verdict: 'holds',
    measured: `cookie refused a write (413) at ${int(probe.itemsAtRefusal)} cart items, cookie ${int(probe.cookieBytesAtRefusal)} bytes; ${bytes}`,
    why: `Rule: holds when the cookie strategy refuses to grow past its 4096-byte limit. Server-side strategies (${names(sessions)}) are bounded by server memory instead; the cookie also rides on every request. The per-domain cookie count was not measured.`,
  };
};

/** C3: the client can change a cookie only if the server accepts a tampered one. */
export const c3: Rule = (run) => {
  const cookie = first(run, 'cookie');
  const probe = cookie?.probes.tampering;
  if (!probe || probe.tried === 0) {
    return notMeasured(
      `needs cookie in the run with the tampering probe${probeFailure(cookie, 'tampering')}`,
    );
  }
  const forgedIds = serverSessions(run).flatMap((s) => {
    const forged = s.probes.tampering;
    return forged && forged.tried > 0
      ? [`${s.strategy}: ${forged.accepted} of ${forged.tried} forged ids accepted`]
      : [];
  });
  const measured = [
    `cookie: ${probe.accepted} of ${probe.tried} tampered cookies accepted`,
    ...forgedIds,
  ].join('; ');
  if (probe.accepted > 0) {
    return {
      verdict: 'holds',
      measured,
      why: `The server accepted cookies the client had changed${probe.acceptedKinds?.length ? ` (${probe.acceptedKinds.join(', ')})` : ''}: the client can change its own session.`,
    };
  }
  return {
    verdict: 'depends',
    measured,
    why: `On whether the cookie is authenticated: this lab's cookie is sealed, and none of the tampered kinds (${probe.kinds.join(', ')}) was accepted, so the client holds its session but cannot change it undetected; an unsigned cookie could be. A copied cookie can still be replayed (see the revocation window).`,
  };
};
