// C4-C8: what server-side sessions cost and what happens when a part dies.
import type { EventEffect, StrategySummary } from '../summary-schema.ts';
import { int, num, pct } from '../format.ts';
import {
  before,
  countsText,
  family,
  happened,
  isControl,
  loadSkew,
  lostByNode,
  memoryWhere,
  nodeKills,
  nodeShares,
  ofFamily,
  unexplainedLosses,
} from '../strategy-facts.ts';
import { heldAnswers, misrouted } from './held-answers.ts';
import {
  first,
  notMeasured,
  percent,
  serverSessions,
  side,
  NOISE,
  type ClaimRule,
} from './rule.ts';

/** Below this a strategy keeps (next to) nothing per session: under one byte each. */
export const C4_NEGLIGIBLE_KIB = 1;

function memoryText(strategy: StrategySummary): string | undefined {
  const probe = strategy.probes.memoryPerThousandSessions;
  return probe && `${strategy.strategy} ${num(probe.kib)} KiB (${memoryWhere(probe)})`;
}

/** C4 holds when every server-session strategy measured keeps more than 1 KiB per 1,000 sessions. */
export const c4: ClaimRule = {
  when: {
    holds: `every server-session strategy measured keeps more than ${C4_NEGLIGIBLE_KIB} KiB per 1,000 sessions`,
    'does not hold': `none keeps more than ${C4_NEGLIGIBLE_KIB} KiB per 1,000 sessions`,
    depends: 'only some do',
  },
  judge(run) {
    const measuredOnes = serverSessions(run).filter((s) => s.probes.memoryPerThousandSessions);
    if (measuredOnes.length === 0) {
      return notMeasured('needs sticky, redis or clustered with the memory probe');
    }
    const others = run.strategies.filter(
      (s) => !measuredOnes.includes(s) && s.probes.memoryPerThousandSessions,
    );
    const measured =
      'per 1,000 sessions: ' + [...measuredOnes, ...others].map(memoryText).join('; ');
    const growing = measuredOnes.filter(
      (s) => (s.probes.memoryPerThousandSessions?.kib ?? 0) > C4_NEGLIGIBLE_KIB,
    );
    const rule =
      'Measured at one session count, so "in proportion" assumes a fixed cost per session.';
    if (growing.length === measuredOnes.length) return { verdict: 'holds', measured, why: rule };
    if (growing.length === 0) return { verdict: 'does not hold', measured, why: rule };
    return {
      verdict: 'depends',
      measured,
      why: `${rule} It depends on the strategy: only ${growing.map((s) => s.strategy).join(', ')} grew.`,
    };
  },
};

/** C5 holds at or above this share of answers from a held session's home node. */
export const C5_HOME_SHARE = 0.99;
/** C5 does not hold below this share; between the two it depends. */
export const C5_FLOOR_SHARE = 0.95;
/** C5 does not hold when lost sessions no node fault explains pass this share of the sessions started. */
export const C5_UNEXPLAINED_LOSS = 0.01;

const SPREAD_NOTE =
  'The spread follows the clients, not the requests, so uneven clients skew the load.';

function spreadText(sticky: StrategySummary): string {
  const shares = nodeShares(sticky)
    .map((share) => `${share.node} ${pct(share.share)}`)
    .join(', ');
  return `requests per node: ${shares}; skew (busiest / mean) ${num(loadSkew(sticky))}`;
}

function lossText(sticky: StrategySummary): { count: number; text: string } {
  const lost = unexplainedLosses(sticky);
  const where = lost.byNode ? countsText(lost.byNode) : '';
  return {
    count: lost.count,
    text: lost.byNode
      ? `sessions lost not explained by a node fault: ${int(lost.count)}${where ? ` (pinned to ${where})` : ''}`
      : `sessions lost outside chaos windows: ${int(lost.count)} (no per-node counts in this summary)`,
  };
}

/**
 * C5: every answer a held session got (any status), by the node that gave
 * it, outside chaos windows; a request that left its home node lowers the
 * share and is named by node. Lost sessions that no node fault explains
 * count against it. Summaries without the per-node count (their share
 * counted 2xx answers only, 100% by construction) can at best say "depends".
 */
export const c5: ClaimRule = {
  when: {
    holds: `under sticky, home-node share of answers to held sessions ≥ ${percent(C5_HOME_SHARE)} outside chaos windows, and no lost session unexplained by a node fault`,
    depends: `share between ${percent(C5_FLOOR_SHARE)} and ${percent(C5_HOME_SHARE)}, or unexplained losses up to ${percent(C5_UNEXPLAINED_LOSS)} of sessions started, or no per-node count of answers (older summaries)`,
    'does not hold': `share below ${percent(C5_FLOOR_SHARE)}, or unexplained losses above ${percent(C5_UNEXPLAINED_LOSS)} of sessions started`,
  },
  judge(run) {
    const sticky = first(run, 'sticky');
    if (!sticky || sticky.totals.requests === 0) return notMeasured('sticky was not in this run');
    const answers = heldAnswers(sticky);
    const lost = lossText(sticky);
    const lossShare = lost.count / Math.max(1, sticky.totals.sessionsStarted);
    const tooManyLost = lossShare > C5_UNEXPLAINED_LOSS;
    if (!answers) {
      const measured = `${spreadText(sticky)}; ${lost.text}`;
      const why = `This summary has no count of every answer by node, so a request sent to another node shows only as a lost session. ${SPREAD_NOTE}`;
      return tooManyLost
        ? { verdict: 'does not hold', measured, why }
        : { verdict: 'depends', measured, why };
    }
    const share = answers.home / answers.total;
    const away = misrouted(answers);
    const scope = answers.outsideEvents ? 'outside chaos windows' : 'whole run';
    const contrast = run.strategies
      .filter((s) => family(s.strategy) !== 'sticky')
      .flatMap((s) => {
        const other = heldAnswers(s);
        return other ? [`${s.strategy} ${pct(other.home / other.total)}`] : [];
      });
    const nodes = run.load.nodes;
    const measured =
      `sticky: the node that answered the login gave ${pct(share)} of the answers to its held sessions, any status (${int(answers.home)} of ${int(answers.total)}, ${scope})` +
      (away.length > 0
        ? `; answered away from home: ${away.map(({ node, count }) => `${node} ${int(count)}`).join(', ')}`
        : '') +
      `; ${lost.text}` +
      (contrast.length > 0
        ? `; round-robin for contrast: ${contrast.join(', ')}${nodes > 0 ? ` (1 of ${int(nodes)} nodes: ${pct(1 / nodes)})` : ''}`
        : '') +
      `; ${spreadText(sticky)}`;
    const why =
      "The other strategies run the balancer's normal algorithm (round-robin), as a client without session info gets it: there the same share is about one in the number of nodes. " +
      SPREAD_NOTE;
    // Which figure decided, so a reader need not work it out from the rule's alternatives.
    const because = [
      share < C5_HOME_SHARE &&
        `${int(answers.total - answers.home)} answers came from another node than the session's home`,
      lost.count > 0 && `${int(lost.count)} sessions were lost that no node fault explains`,
    ].filter(Boolean);
    const decided = because.length > 0 ? `${because.join('; ')}. ${why}` : why;
    if (share < C5_FLOOR_SHARE || tooManyLost) {
      return { verdict: 'does not hold', measured, why: decided };
    }
    if (because.length > 0) return { verdict: 'depends', measured, why: decided };
    return { verdict: 'holds', measured, why };
  },
};

/** What one sticky node kill did to the sessions pinned to that node, in words. */
function killLine(sticky: StrategySummary, kill: EventEffect) {
  const seen = before(sticky, kill.target, kill.t);
  const expected = seen.share === null ? null : seen.share * seen.inFlight;
  const byNode = lostByNode(kill);
  // Older summaries do not say which node a lost session was pinned to: count them all.
  const pinned = byNode ? (byNode[kill.target] ?? 0) : kill.sessionsLost;
  const elsewhere = kill.sessionsLost - pinned;
  const others = byNode ? countsText({ ...byNode, [kill.target]: 0 }) : '';
  let lost: string;
  if (!byNode) {
    lost = `${int(kill.sessionsLost)} sessions lost (the summary does not say which node they were pinned to)`;
  } else if (kill.sessionsLost === 0) {
    lost = 'no session lost';
  } else if (elsewhere === 0) {
    lost = `${int(pinned)} lost, all of them pinned to ${kill.target}`;
  } else {
    lost = `${int(kill.sessionsLost)} lost: ${int(pinned)} pinned to ${kill.target}, ${int(elsewhere)} elsewhere${others ? ` (${others})` : ''}`;
  }
  const text =
    `kill ${kill.target} at ${num(kill.t)} s: ${lost}; ` +
    `it served ${pct(seen.share)} of requests with ≈${int(seen.inFlight)} journeys in flight, so ≈${num(expected)} sessions were on it`;
  return { text, pinned, expected };
}

/**
 * C6 holds when each SIGKILL of a node under sticky lost sessions pinned to
 * that node (all lost sessions where the summary does not say which node).
 */
export const c6: ClaimRule = {
  when: {
    holds: 'every SIGKILL of a node under sticky lost sessions pinned to that node',
    'does not hold':
      'a kill lost none of its sessions although the node held at least one (node share × journeys in flight ≥ 1)',
    depends: 'too few sessions were on the killed node to tell',
  },
  judge(run) {
    const sticky = first(run, 'sticky');
    const kills = sticky ? nodeKills(sticky) : [];
    if (!sticky || kills.length === 0) return notMeasured('needs sticky with a node kill');
    const lines = kills.map((kill) => killLine(sticky, kill));
    const measured = lines.map((line) => line.text).join('; ');
    const rule = 'Sessions lost elsewhere in the window are not its own (see C5).';
    if (lines.every(({ pinned }) => pinned > 0)) return { verdict: 'holds', measured, why: rule };
    if (lines.some(({ pinned, expected }) => pinned === 0 && (expected ?? 0) >= 1)) {
      return { verdict: 'does not hold', measured, why: rule };
    }
    return {
      verdict: 'depends',
      measured,
      why: `${rule} Too few sessions were on the killed node to tell.`,
    };
  },
};

/** C7 holds when no clustered node kill lost a session; memory and replication lag are its price. */
export const c7: ClaimRule = {
  when: {
    holds: 'no kill of a node or Hazelcast member under clustered lost a session',
    'does not hold': 'such a kill lost at least one session',
  },
  judge(run) {
    const clustered = ofFamily(run.strategies, 'clustered');
    if (clustered.length === 0) return notMeasured('clustered was not in this run');
    const price = clustered
      .flatMap((s) => {
        const lag = s.probes.replicationLagMs;
        return [
          memoryText(s),
          lag &&
            `${s.strategy} replication lag p50 ${num(lag.p50)} ms, max ${num(lag.max)} ms (${lag.samples} samples${lag.missing ? `, ${lag.missing} writes not seen within 2 s` : ''})`,
        ];
      })
      .filter(Boolean)
      .join('; ');
    // A Hazelcast member holds the sessions, so its SIGKILL counts as a node loss too.
    const kills = clustered.flatMap((s) =>
      [...nodeKills(s), ...memberKills(s)].map((kill) => ({ s, kill })),
    );
    if (kills.length === 0) {
      return notMeasured('needs clustered with a node or member kill', price || undefined);
    }
    const lost = kills.reduce((sum, { kill }) => sum + kill.sessionsLost, 0);
    const measured =
      kills
        .map(({ s, kill }) => `${s.strategy}: kill ${kill.target} lost ${int(kill.sessionsLost)}`)
        .join('; ') + (price ? `; ${price}` : '');
    const why =
      'The price is in memory per 1,000 sessions (every member holds a copy under replicated; one backup under partitioned) and replication lag.';
    return lost === 0
      ? { verdict: 'holds', measured, why }
      : { verdict: 'does not hold', measured, why: `${why} ${lost} sessions were lost.` };
  },
};

/**
 * C8: a store strategy's added p50 per request over sticky (node-local
 * sessions), beyond the noise band, and what its requests did while the
 * store was down: errors then show that requests depend on the store.
 */
export const c8: ClaimRule = {
  when: {
    holds: `every redis variant's p50 is more than ${percent(NOISE)} above sticky's`,
    'does not hold': `no redis variant's p50 is more than ${percent(NOISE)} above sticky's, and with the store down its requests saw no errors`,
    depends: `the added latency is within ${percent(NOISE)} for some variant, and the store being down caused errors or was not measured`,
  },
  judge(run) {
    const sticky = first(run, 'sticky');
    const redis = ofFamily(run.strategies, 'redis');
    if (!sticky || redis.length === 0) return notMeasured('needs sticky and redis in the run');
    const gaps = redis.map((s) => ({
      s,
      added: (s.totals.latencyMs.p50 ?? NaN) - (sticky.totals.latencyMs.p50 ?? NaN),
      latency: side(s.totals.latencyMs.p50, sticky.totals.latencyMs.p50),
    }));
    const outages = redis.flatMap((s) =>
      s.events
        .filter((event) => happened(event) && !isControl(event) && storeTarget(s, event.target))
        .map((event) => ({ s, event })),
    );
    const measured =
      gaps
        .map(
          ({ s, added }) =>
            `${s.strategy} p50 ${num(s.totals.latencyMs.p50)} ms (${added >= 0 ? '+' : ''}${num(added)} ms vs sticky), node CPU ${int(s.cpuPerRequestMicros.nodes)} vs ${int(sticky.cpuPerRequestMicros.nodes)} µs/req`,
        )
        .join('; ') +
      (outages.length > 0
        ? outages
            .map(
              ({ s, event }) =>
                `; ${s.strategy} ${event.action} ${event.target}: ${int(event.errors)} errors, ${event.recoveredAfterS === null ? 'not recovered in its window' : `recovered after ${num(event.recoveredAfterS)} s`}`,
            )
            .join('')
        : '; store down: not measured (scenario store-outage)');
    if (gaps.every(({ latency }) => latency === 'higher')) {
      return { verdict: 'holds', measured, why: 'Each request pays the round trip to the store.' };
    }
    const outageErrors = outages.reduce((sum, { event }) => sum + event.errors, 0);
    if (
      gaps.every(({ latency }) => latency !== 'higher') &&
      outages.length > 0 &&
      outageErrors === 0
    ) {
      return {
        verdict: 'does not hold',
        measured,
        why: 'No measurable round trip, and requests went on while the store was down: they did not wait on it.',
      };
    }
    return {
      verdict: 'depends',
      measured,
      why: 'On loopback the round trip can hide in the noise; it grows with the network between nodes and store. Errors while the store was down show the requests depend on it.',
    };
  },
};

function memberKills(strategy: StrategySummary): EventEffect[] {
  return strategy.events.filter(
    (event) => happened(event) && event.action === 'kill' && /^hz-\d+$/.test(event.target),
  );
}

function storeTarget(strategy: StrategySummary, target: string): boolean {
  return (
    strategy.processes.some((p) => p.kind === 'store' && p.name === target) ||
    family(target) === 'redis' ||
    target.endsWith('->redis')
  );
}
