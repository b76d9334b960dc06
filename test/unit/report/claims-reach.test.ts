// Every verdict each claim's rule names, reached from figures: one case per
// claim and verdict, each built from the fixture run with realistic figures
// changed where the case needs them. A rule whose table misses a verdict it
// names (or names one it cannot reach) fails here.
import assert from 'node:assert/strict';
import type { RunSummary, StrategySummary } from '../../../report/summary-schema.ts';
import { CLAIMS, judgeClaims, NOISE, type ClaimRow, type Verdict } from '../../../report/claims.ts';
import { C2_CLAIMED_BYTES } from '../../../report/claims/cookie-rules.ts';
import { C5_FLOOR_SHARE, C5_HOME_SHARE } from '../../../report/claims/server-rules.ts';
import { C12_HOLDS_OPS, C12_NONE_OPS } from '../../../report/claims/token-rules.ts';
import { nodeKills, serverSessionsOf } from './claims-helpers.ts';
import {
  cloneAs,
  fixtureSummary,
  loseSessions,
  setHeld,
  strategyOf,
  type HeldAt,
} from './fixture.ts';

type Case = (run: RunSummary) => void;
type Table = Record<string, Partial<Record<Verdict, Case>>>;

const above = (value: number) => value * (1 + 4 * NOISE);
const below = (value: number) => value * (1 - 4 * NOISE);

/** What the browser cookie probe measured in Chromium 156 on this machine, with the lab's cookie session. */
function browserCookie(cookie: StrategySummary) {
  cookie.probes.browserCookie = {
    browser: 'Chromium 156.0.8078.114',
    largestKeptBytes: 4096,
    at4096: 'kept',
    at4097: 'dropped',
    previousKeptOnDrop: true,
    lab: {
      largestHeldBytes: 4043,
      itemsAccepted: 74,
      refusal: { status: 413, code: 'COOKIE_TOO_LARGE' },
      sessionAfterRefusal: 'kept',
    },
  };
  return cookie.probes.browserCookie;
}

/** Fixture seconds outside every event window of the sticky load (kill at 2.8 s, start at 4.8 s). */
const OUTSIDE = new Set([0, 1]);

/** Sticky with every answer to a held session counted by node; `away` answers of a second outside the windows given by node-3 to sessions homed elsewhere. */
function stickyHeld(run: RunSummary, away = 0): StrategySummary {
  const sticky = strategyOf(run, 'sticky');
  setHeld(sticky, (t): HeldAt => ({
    'node-1': { answers: 60, home: 60 },
    'node-3': { answers: 40 + (OUTSIDE.has(t) && t === 1 ? away : 0), home: 40 },
  }));
  return sticky;
}

function jwt(run: RunSummary): StrategySummary {
  return cloneAs(run, 'cookie', 'jwt');
}

function redisOutage(run: RunSummary, errors: number): void {
  const redis = strategyOf(run, 'redis');
  const kill = nodeKills(redis)[0]!;
  redis.events.push({ ...kill, t: 6.1, action: 'stop', target: 'redis', errors, sessionsLost: 0 });
}

const TABLE: Table = {
  C1: {
    holds: (run) => {
      const cookie = strategyOf(run, 'cookie');
      const others = serverSessionsOf(run);
      cookie.totals.latencyMs.p50 = below(Math.min(...others.map((s) => s.totals.latencyMs.p50!)));
      cookie.cpuPerRequestMicros.nodes = below(
        Math.min(...others.map((s) => s.cpuPerRequestMicros.nodes!)),
      );
    },
    depends: () => {},
    'does not hold': (run) => {
      const cookie = strategyOf(run, 'cookie');
      const others = serverSessionsOf(run);
      cookie.totals.latencyMs.p50 = above(Math.max(...others.map((s) => s.totals.latencyMs.p50!)));
      cookie.cpuPerRequestMicros.nodes = above(
        Math.max(...others.map((s) => s.cpuPerRequestMicros.nodes!)),
      );
    },
    'not measured': (run) => {
      run.strategies = run.strategies.filter((s) => s.strategy !== 'cookie');
    },
  },
  C2: {
    holds: (run) => void browserCookie(strategyOf(run, 'cookie')),
    depends: (run) => {
      browserCookie(strategyOf(run, 'cookie')).lab = {
        largestHeldBytes: 612,
        itemsAccepted: 500,
        refusal: null,
        sessionAfterRefusal: null,
      };
    },
    'does not hold': (run) => {
      // A browser that kept twice the size: "about 4 KB" would be wrong.
      const probe = browserCookie(strategyOf(run, 'cookie'));
      probe.largestKeptBytes = 8192;
      probe.at4097 = 'kept';
    },
    'not measured': (run) => {
      strategyOf(run, 'cookie').probes.probeErrors = [
        { probe: 'browserCookie', code: 'CHROMIUM_MISSING', message: 'Chromium is not installed' },
      ];
    },
  },
  C3: {
    holds: (run) => {
      const tampering = strategyOf(run, 'cookie').probes.tampering!;
      tampering.accepted = 1;
      tampering.acceptedKinds = ['unsealed JSON session'];
    },
    // The fixture: nothing accepted, but a copied cookie outlived logout (sticky: refused at once).
    depends: () => {},
    'does not hold': (run) => {
      strategyOf(run, 'cookie').probes.revocation = {
        windowS: 0,
        accessTokenLifetimeS: null,
        boundS: 1,
        stillAcceptedAtBound: false,
      };
    },
    'not measured': (run) => void delete strategyOf(run, 'cookie').probes.tampering,
  },
  C4: {
    holds: () => {},
    depends: (run) => {
      strategyOf(run, 'redis').probes.memoryPerThousandSessions!.kib = 0.4;
    },
    'does not hold': (run) => {
      for (const s of serverSessionsOf(run)) s.probes.memoryPerThousandSessions!.kib = 0.4;
    },
    'not measured': (run) => {
      for (const s of run.strategies) delete s.probes.memoryPerThousandSessions;
    },
  },
  C5: {
    holds: (run) => void stickyHeld(run),
    // 3 of 200 answers outside the windows from another node: 98.5%.
    depends: (run) => void stickyHeld(run, 3),
    // 30 of 230: 87%.
    'does not hold': (run) => void stickyHeld(run, 30),
    'not measured': (run) => {
      run.strategies = run.strategies.filter((s) => s.strategy !== 'sticky');
    },
  },
  C6: {
    holds: () => {},
    depends: (run) => {
      const sticky = strategyOf(run, 'sticky');
      for (const point of sticky.timeline) point.journeysCompleted = point.journeysStarted;
      for (const kill of nodeKills(sticky))
        Object.assign(kill, { sessionsLost: 0, sessionsLostByNode: {} });
    },
    'does not hold': (run) => {
      for (const kill of nodeKills(strategyOf(run, 'sticky'))) {
        Object.assign(kill, { sessionsLost: 0, sessionsLostByNode: {} });
      }
    },
    'not measured': (run) => void (strategyOf(run, 'sticky').events = []),
  },
  C7: {
    holds: (run) => {
      const clustered = cloneAs(run, 'redis', 'clustered:replicated');
      for (const kill of nodeKills(clustered)) kill.sessionsLost = 0;
    },
    'does not hold': (run) => {
      const clustered = cloneAs(run, 'redis', 'clustered:replicated');
      nodeKills(clustered)[0]!.sessionsLost = 2;
    },
    'not measured': () => {},
  },
  C8: {
    holds: (run) => {
      const sticky = strategyOf(run, 'sticky');
      strategyOf(run, 'redis').totals.latencyMs.p50 = above(sticky.totals.latencyMs.p50!);
    },
    'does not hold': (run) => {
      const sticky = strategyOf(run, 'sticky');
      strategyOf(run, 'redis').totals.latencyMs.p50 = sticky.totals.latencyMs.p50;
      redisOutage(run, 0);
    },
    depends: (run) => {
      const sticky = strategyOf(run, 'sticky');
      strategyOf(run, 'redis').totals.latencyMs.p50 = sticky.totals.latencyMs.p50;
      redisOutage(run, 41);
    },
    'not measured': (run) => {
      run.strategies = run.strategies.filter((s) => !s.strategy.startsWith('redis'));
    },
  },
  C9: {
    holds: (run) => {
      jwt(run).probes.memoryPerThousandSessions = {
        kib: 0.2,
        where: 'redis used_memory',
        sessions: 1000,
      };
    },
    depends: (run) => {
      jwt(run).probes.memoryPerThousandSessions = {
        kib: 96,
        where: 'redis used_memory',
        sessions: 1000,
      };
    },
    'does not hold': (run) => {
      jwt(run).probes.memoryPerThousandSessions = {
        kib: 2400,
        where: 'redis used_memory',
        sessions: 1000,
      };
    },
    'not measured': (run) => void jwt(run),
  },
  C10: {
    holds: (run) => {
      jwt(run).probes.revocation = {
        windowS: 3,
        accessTokenLifetimeS: 900,
        boundS: 3,
        stillAcceptedAtBound: true,
      };
    },
    depends: (run) => {
      jwt(run).probes.revocation = {
        windowS: 1.2,
        accessTokenLifetimeS: 900,
        boundS: 3,
        stillAcceptedAtBound: false,
      };
    },
    'does not hold': (run) => {
      jwt(run).probes.revocation = {
        windowS: 0,
        accessTokenLifetimeS: 900,
        boundS: 3,
        stillAcceptedAtBound: false,
      };
    },
    'not measured': (run) => void jwt(run),
  },
  C11: {
    holds: (run) => void (jwt(run).bytesPerRequest.sent = 812),
    depends: (run) => {
      const ids = serverSessionsOf(run).map((s) => s.bytesPerRequest.sent);
      jwt(run).bytesPerRequest.sent = ids.reduce((a, b) => a + b, 0) / ids.length;
    },
    'does not hold': (run) => void (jwt(run).bytesPerRequest.sent = 90),
    'not measured': () => {},
  },
  C12: {
    holds: (run) => void (jwt(run).probes.storeOpsPerRefresh = 4),
    depends: (run) => void (jwt(run).probes.storeOpsPerRefresh = 0.45),
    'does not hold': (run) => void (jwt(run).probes.storeOpsPerRefresh = 0),
    'not measured': (run) => {
      jwt(run).probes.probeErrors = [
        {
          probe: 'storeOpsPerRefresh',
          code: 'PROBE_NO_STORE',
          message: 'the lab state records no redis-server',
        },
      ];
    },
  },
  C13: {
    holds: (run) =>
      void (jwt(run).probes.tampering = { tried: 9, accepted: 0, kinds: ['alg none'] }),
    'does not hold': (run) => {
      jwt(run).probes.tampering = {
        tried: 9,
        accepted: 1,
        kinds: ['alg none'],
        acceptedKinds: ['alg none'],
      };
    },
    'not measured': (run) => void jwt(run),
  },
  C14: {
    holds: (run) => void (jwt(run).probes.refreshReplay = { tried: 4, detected: 4 }),
    'does not hold': (run) => void (jwt(run).probes.refreshReplay = { tried: 4, detected: 3 }),
    'not measured': (run) => void jwt(run),
  },
};

function judged(id: string, build: Case): ClaimRow {
  const run = fixtureSummary();
  build(run);
  const row = judgeClaims(run).find((candidate) => candidate.id === id);
  assert.ok(row, `no row for ${id}`);
  return row;
}

describe('claims: every verdict a rule names is reached from figures', () => {
  for (const { id, rule } of CLAIMS) {
    describe(id, () => {
      const named = [...Object.keys(rule.when), 'not measured'].sort();
      it('has a case for each verdict its rule names, and no other', () => {
        assert.deepEqual(Object.keys(TABLE[id] ?? {}).sort(), named);
      });
      for (const [verdict, build] of Object.entries(TABLE[id] ?? {})) {
        it(`reaches "${verdict}"`, () => {
          const row = judged(id, build);
          assert.equal(row.verdict, verdict, `${row.measured} / ${row.why}`);
          if (verdict === 'not measured') {
            assert.equal(row.rule, '');
            assert.ok(row.scenario, 'names the scenario that measures it');
          } else {
            assert.ok(row.rule.startsWith(`${verdict}: `), row.rule);
            assert.equal(row.scenario, undefined);
          }
        });
      }
    });
  }
});

describe('claims: what the new rules say', () => {
  it('C2 quotes what Chromium kept and what the lab did at 4,096 and 4,097 bytes', () => {
    const row = judged('C2', TABLE.C2!.holds!);
    assert.match(
      row.measured,
      /^Chromium 156\.0\.8078\.114: largest cookie kept and sent back 4,096 B/,
    );
    assert.match(row.measured, /4,096 B kept, 4,097 B dropped/);
    assert.match(
      row.measured,
      /4,096 B never left the node: refused 413 COOKIE_TOO_LARGE, session kept/,
    );
    assert.match(
      row.rule,
      new RegExp(`within 10% of ${C2_CLAIMED_BYTES.toLocaleString('en-US')} bytes`),
    );
  });

  it('C2 without Chromium says why, not the lab cap', () => {
    const row = judged('C2', TABLE.C2!['not measured']!);
    assert.match(row.why, /browserCookie probe failed: CHROMIUM_MISSING/);
    assert.match(row.measured, /the node refused a write \(413\) at 74 items/);
  });

  it('C3 says what an unsigned cookie would have allowed', () => {
    const row = judged('C3', () => {});
    assert.match(
      row.measured,
      /unsigned cookie \(the "unsealed JSON session" forgery.*\) was refused; had the node taken unsigned cookies, it would have let the client become any user/,
    );
  });

  it('C5 names the node that answered away from home, with the share', () => {
    const row = judged('C5', TABLE.C5!['does not hold']!);
    assert.match(row.measured, /gave 87% of the answers .*\(200 of 230, outside chaos windows\)/);
    assert.match(row.measured, /answered away from home: node-3 30/);
    assert.match(row.why, /^30 answers came from another node than the session's home\./);
    assert.match(row.rule, new RegExp(`below ${C5_FLOOR_SHARE * 100}%`));
    assert.match(judged('C5', TABLE.C5!.holds!).rule, new RegExp(`≥ ${C5_HOME_SHARE * 100}%`));
  });

  it('C5 no longer holds with 3 lost sessions no fault explains', () => {
    const row = judged('C5', (run) => {
      const sticky = stickyHeld(run);
      loseSessions(sticky, 'node-1', 3);
    });
    assert.equal(row.verdict, 'does not hold');
    assert.match(row.measured, /not explained by a node fault: 3 \(pinned to node-1 3\)/);
  });

  it('C5 from a summary without the per-node count can at best depend', () => {
    const row = judged('C5', () => {});
    assert.equal(row.verdict, 'depends');
    assert.match(row.why, /no count of every answer by node/);
  });

  it('C8 quotes the store outage', () => {
    const row = judged('C8', TABLE.C8!.depends!);
    assert.match(row.measured, /redis:cas stop redis: 41 errors/);
    assert.match(
      judged('C8', TABLE.C8!.holds!).measured,
      /store down: not measured \(scenario store-outage\)/,
    );
  });

  it('C12 states its thresholds', () => {
    const row = judged('C12', TABLE.C12!.depends!);
    assert.equal(
      row.rule,
      `depends: between ${C12_NONE_OPS} and ${C12_HOLDS_OPS} operations per refresh: only some refreshes reach the store`,
    );
  });
});
