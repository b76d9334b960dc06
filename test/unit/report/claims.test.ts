import assert from 'node:assert/strict';
import type { RunSummary } from '../../../report/summary-schema.ts';
import { CLAIMS, judgeClaims, NOISE, type ClaimRow, type Verdict } from '../../../report/claims.ts';
import { before, nodeKills, serverSessionsOf } from './claims-helpers.ts';
import { int, num, pct } from '../../../report/format.ts';
import { cloneAs, fixtureSummary, loseSessions, strategyOf } from './fixture.ts';

function claim(run: RunSummary, id: string): ClaimRow {
  const row = judgeClaims(run).find((candidate) => candidate.id === id);
  assert.ok(row, `no row for ${id}`);
  return row;
}

function expectVerdict(run: RunSummary, id: string, verdict: Verdict): ClaimRow {
  const row = claim(run, id);
  assert.equal(row.verdict, verdict, `${id}: ${row.measured} / ${row.why}`);
  if (verdict === 'not measured')
    assert.ok(row.scenario, `${id} names the scenario that measures it`);
  else assert.equal(row.scenario, undefined);
  return row;
}

/** Outside the noise band on either side of `value`. */
const below = (value: number) => value * (1 - 4 * NOISE);
const above = (value: number) => value * (1 + 4 * NOISE);

describe('claims', () => {
  it('answers every claim of docs/claims.md once, in order', () => {
    const rows = judgeClaims(fixtureSummary());
    assert.deepEqual(
      rows.map((row) => row.id),
      Array.from({ length: 14 }, (_, index) => `C${index + 1}`),
    );
    assert.deepEqual(
      rows.map((row) => row.claim),
      CLAIMS.map((definition) => definition.claim),
    );
    for (const row of rows) assert.ok(row.measured && row.why, `${row.id} says what and why`);
  });

  describe('C1 cookie faster than server sessions', () => {
    it('holds when cookie is lower on latency and node CPU than every server session', () => {
      const run = fixtureSummary();
      const cookie = strategyOf(run, 'cookie');
      const others = serverSessionsOf(run);
      cookie.totals.latencyMs.p50 = below(Math.min(...others.map((s) => s.totals.latencyMs.p50!)));
      cookie.cpuPerRequestMicros.nodes = below(
        Math.min(...others.map((s) => s.cpuPerRequestMicros.nodes!)),
      );
      expectVerdict(run, 'C1', 'holds');
    });

    it('does not hold when cookie is no lower than any of them', () => {
      const run = fixtureSummary();
      const cookie = strategyOf(run, 'cookie');
      const others = serverSessionsOf(run);
      cookie.totals.latencyMs.p50 = above(Math.max(...others.map((s) => s.totals.latencyMs.p50!)));
      cookie.cpuPerRequestMicros.nodes = above(
        Math.max(...others.map((s) => s.cpuPerRequestMicros.nodes!)),
      );
      expectVerdict(run, 'C1', 'does not hold');
    });

    it('depends when cookie beats one server session and not another', () => {
      const run = fixtureSummary();
      const sticky = strategyOf(run, 'sticky');
      const redis = strategyOf(run, 'redis');
      const cookie = strategyOf(run, 'cookie');
      sticky.totals.latencyMs.p50 = 1;
      sticky.cpuPerRequestMicros.nodes = 100;
      redis.totals.latencyMs.p50 = 4;
      redis.cpuPerRequestMicros.nodes = 400;
      cookie.totals.latencyMs.p50 = 2;
      cookie.cpuPerRequestMicros.nodes = 200;
      const row = expectVerdict(run, 'C1', 'depends');
      assert.ok(row.why.includes(`against ${sticky.strategy} cookie latency is higher`), row.why);
      assert.ok(row.why.includes(`against ${redis.strategy} cookie latency is lower`), row.why);
    });

    it('is not measured without cookie', () => {
      const run = fixtureSummary();
      run.strategies = run.strategies.filter((s) => s.strategy !== 'cookie');
      expectVerdict(run, 'C1', 'not measured');
    });
  });

  describe('C4 server memory per session', () => {
    const withMemory = (kibs: number[]) => {
      const run = fixtureSummary();
      serverSessionsOf(run).forEach((s, index) => {
        s.probes.memoryPerThousandSessions = {
          kib: kibs[index % kibs.length]!,
          where: 'x',
          sessions: 1000,
        };
      });
      return run;
    };

    it('holds when every server-session strategy keeps memory per session', () => {
      expectVerdict(withMemory([300]), 'C4', 'holds');
    });

    it('does not hold when none does', () => {
      expectVerdict(withMemory([0.5]), 'C4', 'does not hold');
    });

    it('depends when only some do', () => {
      assert.ok(
        serverSessionsOf(fixtureSummary()).length >= 2,
        'the fixture has two server-session strategies',
      );
      expectVerdict(withMemory([300, 0]), 'C4', 'depends');
    });

    it('is not measured without the probe', () => {
      const run = fixtureSummary();
      for (const s of run.strategies) delete s.probes.memoryPerThousandSessions;
      expectVerdict(run, 'C4', 'not measured');
    });
  });

  describe('C6 a dead sticky node loses its sessions', () => {
    it('holds when the node kill lost sessions pinned to it, set against the node share', () => {
      const run = fixtureSummary();
      const sticky = strategyOf(run, 'sticky');
      const kill = nodeKills(sticky)[0];
      assert.ok(kill, 'the fixture kills a node under sticky');
      const pinned = kill.sessionsLostByNode?.[kill.target] ?? 0;
      assert.ok(
        pinned > 0 && pinned === kill.sessionsLost,
        'in the fixture the kill lost sessions, all pinned to the killed node',
      );
      const seen = before(sticky, kill.target, kill.t);
      const row = expectVerdict(run, 'C6', 'holds');
      assert.ok(
        row.measured.startsWith(
          `kill ${kill.target} at ${num(kill.t)} s: ${pinned} lost, all of them pinned to ${kill.target}; ` +
            `it served ${pct(seen.share)} of requests with ≈${int(seen.inFlight)} journeys in flight`,
        ),
        row.measured,
      );
    });

    it('says how many were lost elsewhere in the window', () => {
      const run = fixtureSummary();
      const sticky = strategyOf(run, 'sticky');
      const kill = nodeKills(sticky)[0]!;
      const pinned = kill.sessionsLostByNode?.[kill.target] ?? 0;
      loseSessions(sticky, 'node-9', 2, kill);
      const row = expectVerdict(run, 'C6', 'holds');
      assert.ok(
        row.measured.includes(
          `${pinned + 2} lost: ${pinned} pinned to ${kill.target}, 2 elsewhere (node-9 2)`,
        ),
        row.measured,
      );
    });

    it("does not count sessions lost on other nodes as the killed node's", () => {
      const run = fixtureSummary();
      const sticky = strategyOf(run, 'sticky');
      for (const kill of nodeKills(sticky)) {
        kill.sessionsLost = 3;
        kill.sessionsLostByNode = { 'some-other-node': 3 };
      }
      expectVerdict(run, 'C6', 'does not hold');
    });

    it('does not hold when a kill lost nothing although the node held sessions', () => {
      const run = fixtureSummary();
      const sticky = strategyOf(run, 'sticky');
      const kill = nodeKills(sticky)[0]!;
      const seen = before(sticky, kill.target, kill.t);
      assert.ok(
        (seen.share ?? 0) * seen.inFlight >= 1,
        'the killed node held sessions in the fixture',
      );
      kill.sessionsLost = 0;
      kill.sessionsLostByNode = {};
      const row = expectVerdict(run, 'C6', 'does not hold');
      assert.match(row.measured, /no session lost/);
    });

    it('depends when no session was on the killed node', () => {
      const run = fixtureSummary();
      const sticky = strategyOf(run, 'sticky');
      for (const point of sticky.timeline) point.journeysCompleted = point.journeysStarted;
      for (const kill of nodeKills(sticky)) {
        kill.sessionsLost = 0;
        kill.sessionsLostByNode = {};
      }
      expectVerdict(run, 'C6', 'depends');
    });

    it('counts every loss of the window in a summary without per-node counts', () => {
      const run = fixtureSummary();
      const kill = nodeKills(strategyOf(run, 'sticky'))[0]!;
      delete (kill as { sessionsLostByNode?: unknown }).sessionsLostByNode;
      assert.ok(kill.sessionsLost > 0, 'the kill lost sessions in the fixture');
      const row = expectVerdict(run, 'C6', 'holds');
      assert.match(row.measured, /does not say which node/);
    });

    it('is not measured without a node kill', () => {
      const run = fixtureSummary();
      strategyOf(run, 'sticky').events = [];
      expectVerdict(run, 'C6', 'not measured');
    });
  });

  describe('C7 clustering loses nothing', () => {
    const clustered = () => {
      const run = fixtureSummary();
      const copy = cloneAs(run, 'redis', 'clustered:replicated');
      copy.probes.replicationLagMs = { p50: 1.5, max: 9, samples: 20 };
      return { run, copy };
    };

    it('holds when clustered node kills lost no session, quoting the price', () => {
      const { run, copy } = clustered();
      assert.ok(nodeKills(copy).length > 0, 'the fixture kills a node under redis');
      for (const kill of nodeKills(copy)) kill.sessionsLost = 0;
      const row = expectVerdict(run, 'C7', 'holds');
      assert.match(row.measured, /replication lag p50 1.5 ms/);
    });

    it('does not hold when one lost sessions', () => {
      const { run, copy } = clustered();
      nodeKills(copy)[0]!.sessionsLost = 2;
      expectVerdict(run, 'C7', 'does not hold');
    });

    it('counts the kill of a Hazelcast member as a loss', () => {
      const { run, copy } = clustered();
      const kill = nodeKills(copy)[0]!;
      copy.events = [{ ...kill, target: 'hz-2', sessionsLost: 4 }];
      const row = expectVerdict(run, 'C7', 'does not hold');
      assert.match(row.measured, /kill hz-2 lost 4/);
    });

    it('is not measured without clustered or without a kill', () => {
      expectVerdict(fixtureSummary(), 'C7', 'not measured');
      const { run, copy } = clustered();
      copy.events = [];
      expectVerdict(run, 'C7', 'not measured');
    });
  });

  describe('C9-C14 tokens', () => {
    const withJwt = () => {
      const run = fixtureSummary();
      return { run, jwt: cloneAs(run, 'cookie', 'jwt') };
    };

    it('are not measured without jwt', () => {
      const run = fixtureSummary();
      for (const id of ['C9', 'C10', 'C11', 'C12', 'C13', 'C14'])
        expectVerdict(run, id, 'not measured');
    });

    it('are not measured when jwt ran without the probes', () => {
      const { run } = withJwt();
      for (const id of ['C9', 'C10', 'C12', 'C13', 'C14']) expectVerdict(run, id, 'not measured');
    });

    it('C9: holds when jwt keeps nothing, depends when it keeps less, not when it keeps more', () => {
      const { run, jwt } = withJwt();
      const serverKibs = serverSessionsOf(run).map((s) => s.probes.memoryPerThousandSessions!.kib);
      jwt.probes.memoryPerThousandSessions = { kib: 0, where: 'nowhere', sessions: 1000 };
      expectVerdict(run, 'C9', 'holds');
      jwt.probes.memoryPerThousandSessions.kib = below(Math.min(...serverKibs));
      assert.ok(jwt.probes.memoryPerThousandSessions.kib > 1);
      expectVerdict(run, 'C9', 'depends');
      jwt.probes.memoryPerThousandSessions.kib = above(Math.max(...serverKibs));
      expectVerdict(run, 'C9', 'does not hold');
    });

    it('C11: compares jwt bytes sent with the session-id strategies', () => {
      const { run, jwt } = withJwt();
      const ids = serverSessionsOf(run).map((s) => s.bytesPerRequest.sent);
      const mean = ids.reduce((a, b) => a + b, 0) / ids.length;
      jwt.bytesPerRequest.sent = above(mean);
      expectVerdict(run, 'C11', 'holds');
      jwt.bytesPerRequest.sent = below(mean);
      expectVerdict(run, 'C11', 'does not hold');
      jwt.bytesPerRequest.sent = mean;
      expectVerdict(run, 'C11', 'depends');
    });

    it('C12: gives the refresh latency during the load beside GET /me', () => {
      const { run, jwt } = withJwt();
      jwt.probes.storeOpsPerRefresh = 3;
      jwt.totals.refreshes = 18;
      const none = { count: 0, p50: null, p99: null };
      jwt.totals.latencyByRoute = {
        login: { count: 24, p50: 6.1, p99: 14 },
        me: { count: 120, p50: 1.87, p99: 5.2 },
        cart: none,
        'add-item': none,
        refresh: { count: 18, p50: 3.42, p99: 9.75 },
        logout: none,
      };
      const row = expectVerdict(run, 'C12', 'holds');
      assert.ok(
        row.measured.endsWith(
          `; refresh latency p50 ${num(3.42)} ms, p99 ${num(9.75)} ms over 18 refreshes (GET /me p50 ${num(1.87)} ms)`,
        ),
        row.measured,
      );
      assert.match(row.why, /beside GET \/me's/);
      delete jwt.probes.storeOpsPerRefresh;
      const unmeasured = expectVerdict(run, 'C12', 'not measured');
      assert.match(unmeasured.measured, /^refresh latency p50/, 'the latency without the probe');
      jwt.probes.storeOpsPerRefresh = 3;
      jwt.totals.latencyByRoute.refresh = none;
      const noRefresh = expectVerdict(run, 'C12', 'holds');
      assert.doesNotMatch(noRefresh.measured, /refresh latency/);
      assert.match(noRefresh.why, /No refresh was answered during the load/);
    });

    it('C13: holds only when no forged token was accepted', () => {
      const { run, jwt } = withJwt();
      jwt.probes.tampering = { tried: 7, accepted: 0, kinds: ['alg none'] };
      expectVerdict(run, 'C13', 'holds');
      jwt.probes.tampering.accepted = 1;
      expectVerdict(run, 'C13', 'does not hold');
    });

    it('C14: holds only when every replay was detected', () => {
      const { run, jwt } = withJwt();
      jwt.probes.refreshReplay = { tried: 4, detected: 4 };
      expectVerdict(run, 'C14', 'holds');
      jwt.probes.refreshReplay.detected = 3;
      const row = expectVerdict(run, 'C14', 'does not hold');
      assert.match(row.measured, /3 of 4/);
    });

    it('C14: says beside the figure what the reuse grace window leaves out', () => {
      const { run, jwt } = withJwt();
      jwt.probes.refreshReplay = { tried: 4, detected: 4, graceWindowS: 30 };
      const row = expectVerdict(run, 'C14', 'holds');
      assert.match(row.measured, /within the 30 s grace window is not detected/);
      jwt.probes.refreshReplay.graceWindowS = 0;
      assert.match(expectVerdict(run, 'C14', 'holds').measured, /strict rotation/);
    });
  });
});
