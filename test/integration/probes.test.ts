import assert from 'node:assert/strict';
import { runProbes } from '../../lab/run/probes/index.ts';
import type { ProbeResults } from '../../report/summary-schema.ts';
import { parseStrategyChoice } from '../../lab/strategy/choice.ts';
import { switchStrategy } from '../../lab/strategy/switch.ts';
import { useTopology } from './harness.ts';

/**
 * The claim probes against real nodes, a real balancer and a real Redis,
 * switched live like `lab run` does. Of clustered only the replicated
 * variant runs (its members take seconds to start; partitioned differs in
 * the store, not in the probes).
 */
describe('claim probes against a live topology', function () {
  this.timeout(60000);
  const topology = useTopology(3);

  async function probe(name: string, revocationBoundMs?: number): Promise<ProbeResults> {
    const strategy = parseStrategyChoice(name);
    await switchStrategy(topology.stateDir, topology.state, strategy, {
      detached: false,
      networkLinks: false,
    });
    const results = await runProbes({ state: topology.state, strategy, revocationBoundMs });
    console.log(
      `      ${name}: ${JSON.stringify({ ...results, tampering: results.tampering?.accepted })}`,
    );
    return results;
  }

  it('cookie: refuses a write near the 4096-byte limit, no forgery passes, a copied cookie outlives logout', async () => {
    const results = await probe('cookie', 500);
    assert.equal(results.probeErrors, undefined);
    const { itemsAtRefusal, cookieBytesAtRefusal } = results.cookieLimit!;
    assert.ok(itemsAtRefusal !== null && itemsAtRefusal > 10, `items ${itemsAtRefusal}`);
    // One more 20-character item adds about 50 bytes; the last accepted cookie was within one item of the limit.
    assert.ok(
      cookieBytesAtRefusal !== null &&
        cookieBytesAtRefusal <= 4096 &&
        cookieBytesAtRefusal > 4096 - 80,
      `cookie bytes ${cookieBytesAtRefusal}`,
    );
    assert.ok(results.tampering!.tried >= 10);
    assert.equal(results.tampering!.accepted, 0, results.tampering!.acceptedKinds?.join(', '));
    assert.equal(results.revocation!.stillAcceptedAtBound, true);
    // Chromium keeps a cookie of 4,096 bytes (name + value) and drops one more byte.
    const browser = results.browserCookie!;
    assert.match(browser.browser, /^Chromium \d+/);
    assert.equal(browser.largestKeptBytes, 4096);
    assert.deepEqual([browser.at4096, browser.at4097], ['kept', 'dropped']);
    assert.equal(browser.previousKeptOnDrop, true, 'a dropped write leaves the old value');
    // Through the lab the node refuses first: its cap counts the attributes too.
    assert.deepEqual(browser.lab.refusal, { status: 413, code: 'COOKIE_TOO_LARGE' });
    assert.equal(browser.lab.sessionAfterRefusal, 'kept');
    assert.ok(
      browser.lab.largestHeldBytes < 4096 && browser.lab.largestHeldBytes > 4096 - 200,
      `held ${browser.lab.largestHeldBytes}`,
    );
    assert.deepEqual(results.memoryPerThousandSessions, {
      kib: 0,
      where: 'none server-side',
      sessions: 1,
      note: results.memoryPerThousandSessions?.note,
    });
  });

  it('redis: logout revokes at once, another node sees a write, sessions take Redis memory', async () => {
    const results = await probe('redis');
    assert.equal(results.probeErrors, undefined);
    assert.equal(results.revocation!.windowS, 0);
    assert.equal(results.revocation!.stillAcceptedAtBound, false);
    const lag = results.replicationLagMs!;
    assert.ok(lag.samples > 0 && lag.p50 > 0 && lag.max >= lag.p50, JSON.stringify(lag));
    assert.equal(results.memoryPerThousandSessions!.where, 'redis used_memory');
    assert.ok(results.memoryPerThousandSessions!.kib > 0);
    assert.equal(results.memoryPerThousandSessions!.sessions, 1000);
    assert.equal(results.tampering!.accepted, 0);
  });

  it('jwt: the access token outlives logout, replayed refresh tokens are caught, forgeries fail, refreshes cost Redis commands', async () => {
    const results = await probe('jwt', 500);
    assert.equal(results.probeErrors, undefined);
    const revocation = results.revocation!;
    assert.equal(
      revocation.stillAcceptedAtBound,
      true,
      'a 60 s token is still accepted 0.5 s after logout',
    );
    assert.equal(revocation.accessTokenLifetimeS, 60);
    assert.ok(revocation.windowS >= 0.4 && revocation.windowS <= revocation.boundS + 0.1);
    assert.equal(results.refreshReplay!.tried, 5);
    assert.equal(results.refreshReplay!.detected, 5);
    // The nodes' default window, reported beside the figure.
    assert.equal(results.refreshReplay!.graceWindowS, 30);
    assert.ok(results.tampering!.kinds.includes('alg none, real payload'));
    assert.ok(
      results.tampering!.kinds.includes('expired [topology key]'),
      'the topology key was usable',
    );
    assert.equal(results.tampering!.accepted, 0, results.tampering!.acceptedKinds?.join(', '));
    assert.ok(results.storeOpsPerRefresh! > 0);
    assert.ok(results.memoryPerThousandSessions!.kib > 0);
  });

  it('sticky: logout revokes at once; node memory is reported as unmeasurable, not guessed', async () => {
    const results = await probe('sticky');
    assert.equal(results.revocation!.windowS, 0);
    assert.equal(results.tampering!.accepted, 0);
    assert.equal(results.replicationLagMs, undefined, 'sticky sessions live on one node');
    assert.equal(results.memoryPerThousandSessions, undefined);
    assert.deepEqual(
      results.probeErrors?.map((error) => [error.probe, error.code]),
      [['memoryPerThousandSessions', 'PROBE_UNMEASURABLE']],
    );
  });

  it('clustered:replicated: another member sees a write, every member pays heap for the sessions', async () => {
    const results = await probe('clustered:replicated');
    assert.equal(results.probeErrors, undefined);
    const lag = results.replicationLagMs!;
    assert.ok(lag.samples > 0 && lag.max >= lag.p50, JSON.stringify(lag));
    assert.match(results.memoryPerThousandSessions!.where, /Hazelcast members' live heap/);
    assert.ok(results.memoryPerThousandSessions!.kib > 0);
    assert.equal(results.revocation!.stillAcceptedAtBound, false);
    assert.equal(results.tampering!.accepted, 0);
  });

  it('stops at once when interrupted and returns what it measured', async () => {
    // Cookie: a copied cookie outlives logout, so revocation would wait out its 10 s bound.
    const strategy = parseStrategyChoice('cookie');
    await switchStrategy(topology.stateDir, topology.state, strategy, {
      detached: false,
      networkLinks: false,
    });
    const started = performance.now();
    const results = await runProbes({
      state: topology.state,
      strategy,
      signal: AbortSignal.timeout(1500),
      revocationBoundMs: 10_000,
    });
    assert.ok(performance.now() - started < 2500, 'returned soon after the abort');
    const [aborted, ...others] = results.probeErrors ?? [];
    assert.equal(others.length, 0);
    assert.equal(aborted?.code, 'PROBE_ABORTED');
    assert.equal(results[aborted.probe as keyof ProbeResults], undefined, 'no figure for it');
    assert.equal(results.memoryPerThousandSessions, undefined, 'the probes after it were skipped');
  });

  it('refuses a bad revocation bound before running anything', async () => {
    await assert.rejects(
      runProbes({
        state: topology.state,
        strategy: parseStrategyChoice('sticky'),
        revocationBoundMs: -1,
      }),
      { code: 'BAD_PROBE_OPTION' },
    );
  });
});
