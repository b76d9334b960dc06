// C1-C3: what people say about cookie-held state against server sessions.
import type { RunSummary, StrategySummary } from '../summary-schema.ts';
import { int, num } from '../format.ts';
import { probeFailure } from '../strategy-facts.ts';
import {
  first,
  names,
  notMeasured,
  percent,
  serverSessions,
  side,
  NOISE,
  type ClaimRule,
} from './rule.ts';

/** C1 compares cookie with every server-session strategy on p50 latency and node CPU per request. */
export const c1: ClaimRule = {
  when: {
    holds: `cookie is more than ${percent(NOISE)} lower on both p50 latency and node CPU per request than every server-session strategy`,
    'does not hold': `cookie is lower on neither figure than any server-session strategy (within ${percent(NOISE)} counts as equal)`,
    depends: 'cookie is lower on some figures or against some strategies only',
  },
  judge(run) {
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
    if (others.every((o) => o.latency === 'lower' && o.work === 'lower')) {
      return { verdict: 'holds', measured, why: `${detail}.` };
    }
    if (others.every((o) => o.latency !== 'lower' && o.work !== 'lower')) {
      return {
        verdict: 'does not hold',
        measured,
        why: `${detail}: opening and re-sealing the cookie costs at least what a lookup saves.`,
      };
    }
    return {
      verdict: 'depends',
      measured,
      why: `${detail}: it depends on what the server session costs; a node-memory lookup is cheap, a store round trip is not.`,
    };
  },
};

/** "About 4 KB": the size the claim names (name + value bytes of one cookie). */
export const C2_CLAIMED_BYTES = 4096;
/** How far from 4,096 bytes the browser's limit may be and still be "about 4 KB". */
export const C2_TOLERANCE = 0.1;

type BrowserCookie = NonNullable<StrategySummary['probes']['browserCookie']>;

/** What happened to a session cookie of `bytes` through the lab: the node refused it first, or Chromium's fate. */
function throughLab(probe: BrowserCookie, bytes: 4096 | 4097): string {
  const { lab } = probe;
  if (lab.largestHeldBytes >= bytes) {
    return `${int(bytes)} B reached Chromium, which ${probe[`at${bytes}`] === 'kept' ? 'kept it' : 'dropped it'}`;
  }
  if (lab.refusal) {
    return `${int(bytes)} B never left the node: refused ${lab.refusal.status}${lab.refusal.code ? ` ${lab.refusal.code}` : ''}, session ${lab.sessionAfterRefusal ?? 'not checked'}`;
  }
  return `${int(bytes)} B not reached`;
}

/** C2: the largest cookie the real browser keeps, against "about 4 KB". */
export const c2: ClaimRule = {
  when: {
    holds: `Chromium's largest kept cookie is within ${percent(C2_TOLERANCE)} of ${int(C2_CLAIMED_BYTES)} bytes (name + value) and a lab cookie session was refused for its size (413 COOKIE_TOO_LARGE), a limit its server-side counterparts do not have`,
    depends: `Chromium's limit is within ${percent(C2_TOLERANCE)} of ${int(C2_CLAIMED_BYTES)} bytes, but the lab's cookie session was never refused for its size (500 cart items): the claim bites only for sessions that grow`,
    'does not hold': `Chromium kept a cookie more than ${percent(C2_TOLERANCE)} away from ${int(C2_CLAIMED_BYTES)} bytes`,
  },
  judge(run) {
    const cookie = first(run, 'cookie');
    if (!cookie) return notMeasured('cookie was not in this run');
    const probe = cookie.probes.browserCookie;
    if (!probe) {
      return notMeasured(
        `the browser cookie probe gave no figure${probeFailure(cookie, 'browserCookie')}: C2 is measured in the machine's Chromium, not against the lab's own cap`,
        labCapText(run, cookie),
      );
    }
    const measured =
      `${probe.browser}: largest cookie kept and sent back ${int(probe.largestKeptBytes)} B (name + value); ` +
      `${int(4096)} B ${probe.at4096}, ${int(4097)} B ${probe.at4097}; ` +
      `an oversized write ${probe.previousKeptOnDrop ? 'left the previous value in place (the write is lost without a word)' : 'removed the previous value'}; ` +
      `through the lab: session cookie up to ${int(probe.lab.largestHeldBytes)} B held after ${int(probe.lab.itemsAccepted)} items; ` +
      `${throughLab(probe, 4096)}; ${throughLab(probe, 4097)}; ${labCapText(run, cookie)}`;
    const off = Math.abs(probe.largestKeptBytes - C2_CLAIMED_BYTES) / C2_CLAIMED_BYTES;
    const why = `Server-side strategies (${names(serverSessions(run))}) are bounded by server memory instead. The per-domain cookie count was not measured.`;
    if (off > C2_TOLERANCE) return { verdict: 'does not hold', measured, why };
    if (probe.lab.refusal?.code !== 'COOKIE_TOO_LARGE')
      return { verdict: 'depends', measured, why };
    return { verdict: 'holds', measured, why };
  },
};

/** The lab's own cap (cookie-limit probe) and the bytes each strategy sends: context, not the verdict. */
function labCapText(run: RunSummary, cookie: StrategySummary): string {
  const cap = cookie.probes.cookieLimit;
  const bytes =
    `bytes sent per request: cookie ${int(cookie.bytesPerRequest.sent)}` +
    serverSessions(run)
      .map((s) => `, ${s.strategy} ${int(s.bytesPerRequest.sent)}`)
      .join('');
  if (!cap) return bytes;
  return cap.itemsAtRefusal === null
    ? `the node never refused a write (500 items); ${bytes}`
    : `the node refused a write (413) at ${int(cap.itemsAtRefusal)} items, last Set-Cookie line ${int(cap.cookieBytesAtRefusal)} B (its cap: 4,096 B with attributes); ${bytes}`;
}

/**
 * C3: the client can change a cookie only if the server accepts a tampered
 * one; server sessions are safer only if no forged session id works and a
 * copied cookie outlives logout longer than a copied session id.
 */
export const c3: ClaimRule = {
  when: {
    holds:
      'at least one tampered cookie was accepted and no forged session id was accepted by a server-session strategy',
    'does not hold':
      'no tampered cookie was accepted and a copied cookie stopped working after logout no later than a copied session id (or a server-session strategy accepted a forged id)',
    depends:
      'no tampered cookie was accepted, but a copied cookie kept working after logout longer than a copied session id, or it was not measured against one; or both kinds accepted forgeries',
  },
  judge(run) {
    const cookie = first(run, 'cookie');
    const probe = cookie?.probes.tampering;
    if (!cookie || !probe || probe.tried === 0) {
      return notMeasured(
        `needs cookie in the run with the tampering probe${probeFailure(cookie, 'tampering')}`,
      );
    }
    const sessions = serverSessions(run);
    const forged = sessions.flatMap((s) => {
      const figure = s.probes.tampering;
      return figure && figure.tried > 0 ? [{ s, ...figure }] : [];
    });
    const forgedAccepted = forged.reduce((sum, f) => sum + f.accepted, 0);
    const cookieWindow = cookie.probes.revocation;
    const idWindows = sessions.flatMap((s) =>
      s.probes.revocation ? [{ s, windowS: s.probes.revocation.windowS }] : [],
    );
    const unsigned = probe.kinds.find((kind) => /unsealed/.test(kind));
    const unsignedAccepted = unsigned !== undefined && probe.acceptedKinds?.includes(unsigned);
    const measured = [
      `cookie: ${probe.accepted} of ${probe.tried} tampered cookies accepted${probe.acceptedKinds?.length ? ` (${probe.acceptedKinds.join(', ')})` : ''}`,
      unsigned === undefined
        ? 'an unsigned cookie was not tried'
        : `an unsigned cookie (the "${unsigned}" forgery, naming another user) was ${unsignedAccepted ? 'accepted: an unsigned cookie lets a client become any user' : 'refused; had the node taken unsigned cookies, it would have let the client become any user'}`,
      ...forged.map((f) => `${f.s.strategy}: ${f.accepted} of ${f.tried} forged ids accepted`),
      cookieWindow &&
        `a copied cookie worked ${cookieWindow.stillAcceptedAtBound ? 'at least ' : ''}${num(cookieWindow.windowS)} s after logout`,
      ...idWindows.map((w) => `a copied ${w.s.strategy} id ${num(w.windowS)} s`),
    ]
      .filter(Boolean)
      .join('; ');
    if (probe.accepted > 0) {
      return forgedAccepted === 0
        ? {
            verdict: 'holds',
            measured,
            why: 'The server accepted cookies the client had changed: the client can change its own session.',
          }
        : {
            verdict: 'depends',
            measured,
            why: 'Both kinds took forgeries: neither is safer here.',
          };
    }
    if (forgedAccepted > 0) {
      return {
        verdict: 'does not hold',
        measured,
        why: 'The sealed cookie refused every change while a forged session id got in.',
      };
    }
    const longestId = idWindows.length > 0 ? Math.max(...idWindows.map((w) => w.windowS)) : null;
    if (cookieWindow && longestId !== null && cookieWindow.windowS <= longestId) {
      return {
        verdict: 'does not hold',
        measured,
        why: "This lab's cookie is sealed (authenticated encryption): the client can neither read nor change it, and a copied one is withdrawn as fast as a session id.",
      };
    }
    return {
      verdict: 'depends',
      measured,
      why: "On whether the cookie is authenticated: this lab's is sealed, so the client cannot change it undetected; but a copied cookie cannot be withdrawn at logout as a server session can (see C10).",
    };
  },
};
