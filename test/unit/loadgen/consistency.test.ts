import assert from 'node:assert/strict';
import { CartTracker, type Verdict } from '../../../loadgen/core/consistency.ts';

const clean: Verdict = {
  staleReads: 0,
  lostUpdates: 0,
  doubledUpdates: 0,
  lostUpdatesBound: 0,
  uncertainRound: false,
};
/** A round with an uncertain write: only bounds. */
const bounded = (lostAtLeast: number, doubledAtLeast = 0): Verdict => ({
  ...clean,
  lostUpdatesBound: lostAtLeast,
  doubledUpdates: doubledAtLeast,
  uncertainRound: true,
});
const stale: Verdict = { ...clean, staleReads: 1 };
const lost = (n = 1): Verdict => ({ ...clean, lostUpdates: n });
const doubled = (n = 1): Verdict => ({ ...clean, doubledUpdates: n });

/** A fresh user's session: its cart is known empty (version 0). */
function fresh(): CartTracker {
  const tracker = new CartTracker();
  tracker.startSession(0);
  return tracker;
}

describe('loadgen CartTracker (client-measured consistency)', () => {
  describe('one request at a time (shop)', () => {
    it('a read at or above the last version seen is clean and moves the baseline up', () => {
      const tracker = fresh();
      assert.deepEqual(tracker.write(1), clean);
      assert.deepEqual(tracker.read(1), clean);
      assert.deepEqual(tracker.write(2), clean);
      assert.equal(tracker.lastSeen, 2);
    });

    it('a read below the highest version seen is a stale read, and does not lower the baseline', () => {
      const tracker = fresh();
      tracker.write(1);
      tracker.write(2);
      assert.deepEqual(tracker.read(1), stale);
      assert.equal(tracker.lastSeen, 2);
      assert.deepEqual(tracker.read(0), stale);
      assert.deepEqual(tracker.read(2), clean);
    });

    it('an accepted write at or below the version seen is a lost update', () => {
      const tracker = fresh();
      tracker.write(1);
      tracker.write(2);
      // Written over a copy at version 1: the write that made version 2 is gone.
      assert.deepEqual(tracker.write(2), lost());
      assert.deepEqual(tracker.write(1), lost());
      assert.deepEqual(tracker.write(3), clean);
    });

    it('an accepted write more than one above the version seen is a doubled update', () => {
      const tracker = fresh();
      tracker.write(1);
      assert.deepEqual(tracker.write(3), doubled());
      assert.equal(tracker.lastSeen, 3);
      assert.deepEqual(tracker.write(4), clean);
    });

    it('a fresh user starts at version 0: a first write answering 2 is doubled, a first read of 1 too', () => {
      assert.deepEqual(fresh().write(2), doubled());
      assert.deepEqual(fresh().read(1), doubled());
      assert.deepEqual(fresh().read(0), clean);
    });

    it('a write of unknown fate (5xx, timeout) may explain one version more, once', () => {
      const tracker = fresh();
      tracker.write(1);
      tracker.unsureWrite();
      assert.deepEqual(tracker.write(3), clean, 'the unsure write applied');
      assert.deepEqual(tracker.write(5), doubled(), 'the allowance was used up');
      tracker.unsureWrite();
      assert.deepEqual(tracker.read(6), clean, 'a read may show the unsure write');
      assert.deepEqual(tracker.read(7), doubled(), 'but not one more');
    });

    it('a relogin forgets the baseline: the next version seen becomes it, even a lower one', () => {
      const tracker = fresh();
      tracker.write(1);
      tracker.write(2);
      tracker.write(3);
      tracker.forget(); // 401: the session (and, except under jwt, its cart) is gone
      tracker.startSession(undefined);
      assert.equal(tracker.lastSeen, undefined);
      assert.deepEqual(tracker.read(0), clean, 'a new empty cart is not a stale read');
      assert.deepEqual(tracker.write(1), clean);
      assert.deepEqual(tracker.read(0), stale, 'the new baseline is checked again');
    });

    it('after a relogin the first write becomes the baseline too (jwt: the cart survived)', () => {
      const tracker = fresh();
      tracker.write(1);
      tracker.forget();
      assert.deepEqual(tracker.write(7), clean);
      assert.deepEqual(tracker.write(9), doubled());
    });
  });

  describe('concurrency rounds: baseline b, a accepted writes, final read f', () => {
    it('f - b = a: nothing lost or doubled', () => {
      const tracker = fresh();
      const verdict = tracker.round({ baseline: 0, accepted: 5, unsure: 0, final: 5 });
      assert.deepEqual(verdict, clean);
      assert.equal(tracker.lastSeen, 5);
    });

    it('f - b < a: a - (f - b) updates were lost (last writer wins)', () => {
      const tracker = fresh();
      assert.deepEqual(tracker.round({ baseline: 0, accepted: 5, unsure: 0, final: 1 }), lost(4));
      assert.deepEqual(tracker.round({ baseline: 1, accepted: 5, unsure: 0, final: 4 }), lost(2));
      assert.equal(tracker.lastSeen, 4);
    });

    it('f - b > a: (f - b) - a updates were doubled', () => {
      const tracker = fresh();
      assert.deepEqual(
        tracker.round({ baseline: 0, accepted: 3, unsure: 0, final: 5 }),
        doubled(2),
      );
    });

    it('409 refusals are not accepted writes: 3 of 5 accepted and f - b = 3 is clean', () => {
      const tracker = fresh();
      assert.deepEqual(tracker.round({ baseline: 0, accepted: 3, unsure: 0, final: 3 }), clean);
    });

    it('a final read below b is a stale read, and says nothing about lost updates', () => {
      const tracker = fresh();
      tracker.round({ baseline: 0, accepted: 2, unsure: 0, final: 2 });
      assert.deepEqual(tracker.round({ baseline: 2, accepted: 2, unsure: 0, final: 1 }), stale);
      assert.equal(tracker.lastSeen, 2);
    });

    it('a stale baseline read counts, and the round is measured from the higher version seen', () => {
      const tracker = fresh();
      tracker.round({ baseline: 0, accepted: 3, unsure: 0, final: 3 });
      assert.deepEqual(tracker.round({ baseline: 1, accepted: 2, unsure: 0, final: 5 }), stale);
      assert.deepEqual(tracker.round({ baseline: 2, accepted: 2, unsure: 0, final: 6 }), {
        ...clean,
        staleReads: 1,
        lostUpdates: 1,
      });
    });

    it('writes of unknown fate leave a lower bound (accepted − grew), and the final read rebases', () => {
      const tracker = fresh();
      // 5 accepted, 2 uncertain, the cart grew by 3: at least 2 accepted writes are gone.
      assert.deepEqual(
        tracker.round({ baseline: 0, accepted: 5, unsure: 2, final: 3 }),
        bounded(2),
      );
      assert.equal(tracker.lastSeen, 3);
      // 3 accepted, 2 uncertain, grew by 4: nothing provably lost (an uncertain write landed).
      assert.deepEqual(
        tracker.round({ baseline: 3, accepted: 3, unsure: 0, final: 7 }),
        bounded(0),
        'the earlier uncertain writes may land later: still a bounded round',
      );
      // One uncertain write explained one version too many; one is still pending.
      assert.deepEqual(
        tracker.round({ baseline: 7, accepted: 1, unsure: 0, final: 7 }),
        bounded(1),
      );
      // More growth than accepted + every uncertain write: a write counted twice, for certain.
      assert.deepEqual(
        tracker.round({ baseline: 7, accepted: 1, unsure: 0, final: 10 }),
        bounded(0, 1),
      );
      // Every pending uncertain write is accounted for: the rounds are exact again.
      assert.deepEqual(tracker.round({ baseline: 10, accepted: 2, unsure: 0, final: 11 }), lost());
    });

    it('a failed final read forgets the baseline; a failed baseline read falls back on the last version', () => {
      const tracker = fresh();
      assert.deepEqual(
        tracker.round({ baseline: 0, accepted: 1, unsure: 0, final: undefined }),
        clean,
      );
      assert.equal(tracker.lastSeen, undefined);
      assert.deepEqual(tracker.round({ baseline: 3, accepted: 1, unsure: 0, final: 4 }), clean);
      assert.deepEqual(
        tracker.round({ baseline: undefined, accepted: 2, unsure: 0, final: 5 }),
        lost(),
      );
    });

    it('after a relogin the round baseline is simply what the first read shows', () => {
      const tracker = fresh();
      tracker.round({ baseline: 0, accepted: 5, unsure: 0, final: 5 });
      tracker.forget();
      assert.deepEqual(tracker.round({ baseline: 0, accepted: 5, unsure: 0, final: 5 }), clean);
    });
  });
});
