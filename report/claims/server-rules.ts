// C4-C8: what server-side sessions cost and what happens when a part dies.
import type { EventEffect, RunSummary, StrategySummary } from '../summary-schema.ts';
import { int, num, pct } from '../format.ts';
import {
  before,
  countsText,
  family,
  happened,
  loadSkew,
  lostByNode,
  memoryWhere,
  nodeKills,
  nodeShares,
  ofFamily,
  pinnedShare,
  unexplainedLosses,
  type PinnedShare,
} from '../strategy-facts.ts';
import { first, notMeasured, serverSessions, side, type Judgement, type Rule } from './rule.ts';

/** Below this a strategy keeps (next to) nothing per session: under one byte each. */
const NEGLIGIBLE_KIB = 1;

function memoryText(strategy: StrategySummary): string | undefined {
  const probe = strategy.probes.memoryPerThousandSessions;
  return probe && `${strategy.strategy} ${num(probe.kib)} KiB (${memoryWhere(probe)})`;
}

/** C4 holds when every server-session strategy measured keeps more than 1 KiB per 1,000 sessions. */
export const c4: Rule = (run) => {
  const measuredOnes = serverSessions(run).filter((s) => s.probes.memoryPerThousandSessions);
  if (measuredOnes.length === 0) {
    return notMeasured('needs sticky, redis or clustered with the memory probe');
  }
  const others = run.strategies.filter(
    (s) => !measuredOnes.includes(s) && s.probes.memoryPerThousandSessions,
  );
  const measured = 'per 1,000 sessions: ' + [...measuredOnes, ...others].map(memoryText).join('; ');
  const growing = measuredOnes.filter(
    (s) => (s.probes.memoryPerThousandSessions?.kib ?? 0) > NEGLIGIBLE_KIB,
  );
  const rule =
    'Rule: holds when each server-session strategy keeps more than 1 KiB per 1,000 sessions. Measured at one session count, so "in proportion" assumes a fixed cost per session.';
  if (growing.length === measuredOnes.length) return { verdict: 'holds', measured, why: rule };
  if (growing.length === 0) return { verdict: 'does not hold', measured, why: rule };
  return {
    verdict: 'depends',
    measured,
    why: `${rule} It depends on the strategy: only ${growing.map((s) => s.strategy).join(', ')} grew.`,
  };
};

/** C5: under sticky, a session's home node must give at least this share of its answers. */
const PINNED_SHARE = 0.99;

/**
 * C5: measured directly where the generator counted each session's answers
 * from its home node (pinnedShare); older summaries fall back to the lost
 * sessions no fault explains (with node-local sessions, a request that
 * reaches another node loses its session).
 */
export const c5: Rule = (run) => {
  const sticky = first(run, 'sticky');
  if (!sticky || sticky.totals.requests === 0) return notMeasured('sticky was not in this run');
  const pinned = pinnedShare(sticky);
  return pinned ? pinnedJudgement(run, sticky, pinned) : lossesJudgement(sticky);
};

const SPREAD_NOTE =
  'The spread follows the clients, not the requests, so uneven clients skew the load.';

function spreadText(sticky: StrategySummary): string {
  const shares = nodeShares(sticky)
    .map((share) => `${share.node} ${pct(share.share)}`)
    .join(', ');
  return `requests per node: ${shares}; skew (busiest / mean) ${num(loadSkew(sticky))}`;
}

function pinnedJudgement(run: RunSummary, sticky: StrategySummary, pinned: PinnedShare): Judgement {
  const scope = pinned.outsideEvents ? 'outside chaos windows' : 'whole run';
  const contrast = run.strategies
    .filter((s) => family(s.strategy) !== 'sticky')
    .flatMap((s) => {
      const share = pinnedShare(s);
      return share ? [`${s.strategy} ${pct(share.share)}`] : [];
    });
  const nodes = run.load.nodes;
  const measured =
    `sticky: the node that answered the login served ${pct(pinned.share)} of the session's later answers (${int(pinned.served)} of ${int(pinned.total)}, ${scope})` +
    (contrast.length > 0
      ? `; round-robin for contrast: ${contrast.join(', ')}${nodes > 0 ? ` (1 of ${int(nodes)} nodes: ${pct(1 / nodes)})` : ''}`
      : '') +
    `; ${spreadText(sticky)}`;
  const why =
    `Rule: holds when, under sticky, the node that answered a session's login served at least ${pct(PINNED_SHARE)} of the session's later successful answers, as the load generator read X-Served-By (seconds in a chaos event's window left out: a fault moves sessions on purpose). ` +
    "The other strategies run the balancer's normal algorithm (round-robin), as a client without session info gets it: there the same share is about one in the number of nodes. " +
    SPREAD_NOTE;
  if (pinned.share >= PINNED_SHARE) return { verdict: 'holds', measured, why };
  return {
    verdict: 'does not hold',
    measured,
    why: `${why} ${int(pinned.total - pinned.served)} answers came from another node.`,
  };
}

/** Older summaries: no lost session beyond those a node fault explains means every client stayed on its node. */
function lossesJudgement(sticky: StrategySummary): Judgement {
  const lost = unexplainedLosses(sticky);
  const where = lost.byNode ? countsText(lost.byNode) : '';
  const counted = lost.byNode
    ? `sessions lost not explained by a node fault: ${int(lost.count)}${where ? ` (pinned to ${where})` : ''}`
    : `sessions lost outside chaos windows: ${int(lost.count)}`;
  const measured = `${spreadText(sticky)}; ${counted}`;
  const why =
    "Sessions live in node memory, so a client sent to another node loses its session: holds when every lost session was pinned to a node that a fault (kill, restart, stop, pause, drain, a network fault) had hit, within that fault's window" +
    (lost.byNode
      ? ''
      : ' (this summary has no per-node counts: every loss outside chaos windows counts)') +
    `. This summary predates the direct count of answers from each session's node. ${SPREAD_NOTE}`;
  return lost.count === 0
    ? { verdict: 'holds', measured, why }
    : {
        verdict: 'does not hold',
        measured,
        why: `${why} ${int(lost.count)} were lost otherwise: some requests left their node.`,
      };
}

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
export const c6: Rule = (run) => {
  const sticky = first(run, 'sticky');
  const kills = sticky ? nodeKills(sticky) : [];
  if (!sticky || kills.length === 0) return notMeasured('needs sticky with a node kill');
  const lines = kills.map((kill) => killLine(sticky, kill));
  const measured = lines.map((line) => line.text).join('; ');
  const rule =
    'Rule: holds when every kill lost sessions pinned to the killed node; does not hold when a kill lost none of them although the node held at least one. Sessions lost elsewhere in the window are not its own (see C5).';
  if (lines.every(({ pinned }) => pinned > 0)) return { verdict: 'holds', measured, why: rule };
  if (lines.some(({ pinned, expected }) => pinned === 0 && (expected ?? 0) >= 1)) {
    return { verdict: 'does not hold', measured, why: rule };
  }
  return {
    verdict: 'depends',
    measured,
    why: `${rule} Too few sessions were on the killed node to tell.`,
  };
};

/** C7 holds when no clustered node kill lost a session; memory and replication lag are its price. */
export const c7: Rule = (run) => {
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
    'Rule: holds when no kill of a node or Hazelcast member under clustered lost a session. The price is in memory per 1,000 sessions (every member holds a copy under replicated; one backup under partitioned) and replication lag.';
  return lost === 0
    ? { verdict: 'holds', measured, why }
    : { verdict: 'does not hold', measured, why: `${why} ${lost} sessions were lost.` };
};

/** C8 holds when every redis variant's p50 is above sticky's (node-local) by more than the noise band. */
export const c8: Rule = (run) => {
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
      .filter((event) => storeTarget(s, event.target))
      .map(
        (event) =>
          `${s.strategy} ${event.action} ${event.target}: ${int(event.errors)} errors, ${event.recoveredAfterS === null ? 'not recovered in its window' : `recovered after ${num(event.recoveredAfterS)} s`}`,
      ),
  );
  const measured =
    gaps
      .map(
        ({ s, added }) =>
          `${s.strategy} p50 ${num(s.totals.latencyMs.p50)} ms (${added >= 0 ? '+' : ''}${num(added)} ms vs sticky), node CPU ${int(s.cpuPerRequestMicros.nodes)} vs ${int(sticky.cpuPerRequestMicros.nodes)} µs/req`,
      )
      .join('; ') + (outages.length > 0 ? `; ${outages.join('; ')}` : '');
  const storeDown =
    outages.length > 0
      ? ''
      : ' Behaviour with the store slow or down: not measured here (scenario store-outage).';
  const rule = 'Rule: holds when each redis variant is more than 5% slower at p50 than sticky.';
  const judgement: Judgement = gaps.every(({ latency }) => latency === 'higher')
    ? { verdict: 'holds', measured, why: rule + storeDown }
    : {
        verdict: 'depends',
        measured,
        why: `${rule} On loopback the round trip can hide in the noise; it grows with the network between nodes and store.${storeDown}`,
      };
  return judgement;
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
