// Consistency as the client sees it, which is the point of the lab. Every
// journey logs in as a fresh user, so it is the only writer of its cart and
// knows exactly how many of its writes were accepted: the cart version (+1
// per accepted write) must then follow its own history. Pure: answers go in,
// counts come out; the journeys feed it, the tests check it.

/** What one observation revealed. */
export interface Verdict {
  staleReads: number;
  /** Lost updates counted exactly: every write of the observation had a known fate. */
  lostUpdates: number;
  doubledUpdates: number;
  /**
   * A round with an uncertain write: accepted − grew, the updates certainly
   * lost (the true count may be higher); 0 otherwise.
   */
  lostUpdatesBound: number;
  /** True for a concurrency round whose writes were not all of known fate. */
  uncertainRound: boolean;
}

/** One concurrency round: a read, `parallelWrites` writes at once, a read. */
export interface Round {
  /** Version of the read before the writes; undefined when that read failed. */
  baseline: number | undefined;
  /** Writes answered 200. */
  accepted: number;
  /** Writes whose fate is unknown (5xx, network error, timeout): they may or may not have applied. */
  unsure: number;
  /** Version of the read after the writes; undefined when it failed. */
  final: number | undefined;
}

const CLEAN: Verdict = Object.freeze({
  staleReads: 0,
  lostUpdates: 0,
  doubledUpdates: 0,
  lostUpdatesBound: 0,
  uncertainRound: false,
});

function verdict(staleReads: number, lostUpdates: number, doubledUpdates: number): Verdict {
  return staleReads + lostUpdates + doubledUpdates === 0
    ? CLEAN
    : { staleReads, lostUpdates, doubledUpdates, lostUpdatesBound: 0, uncertainRound: false };
}

/** A round with uncertain writes: only bounds are known. */
function uncertain(staleReads: number, lostAtLeast: number, doubledAtLeast: number): Verdict {
  return {
    staleReads,
    lostUpdates: 0,
    doubledUpdates: doubledAtLeast,
    lostUpdatesBound: lostAtLeast,
    uncertainRound: true,
  };
}

/** The cart history of one journey's session. */
export class CartTracker {
  // Highest version seen; undefined = no baseline (the next version seen becomes it).
  #lastSeen: number | undefined;
  // Writes of unknown fate since lastSeen: each may explain one version more.
  #unsure = 0;

  get lastSeen(): number | undefined {
    return this.#lastSeen;
  }

  /**
   * A login succeeded. `knownVersion` is 0 when the cart is certainly empty
   * (a fresh user that never wrote); otherwise undefined: after a relogin the
   * cart may survive (jwt keys it by user) or start empty (a new session).
   */
  startSession(knownVersion: number | undefined): void {
    this.#lastSeen = knownVersion;
    this.#unsure = 0;
  }

  /** The session was lost: nothing seen before says anything about the next version. */
  forget(): void {
    this.startSession(undefined);
  }

  /** A write got no clear answer; it may have applied. */
  unsureWrite(): void {
    if (this.#lastSeen !== undefined) this.#unsure += 1;
  }

  /** GET /cart answered `version`: lower than seen = stale; higher than our writes explain = doubled. */
  read(version: number): Verdict {
    const last = this.#lastSeen;
    if (last === undefined) return this.#rebase(version);
    if (version < last) return verdict(1, 0, 0);
    const doubled = version > last + this.#unsure ? 1 : 0;
    this.#advance(version);
    return verdict(0, 0, doubled);
  }

  /**
   * A write was accepted with `version`. At or below what was seen: it was
   * applied to an older copy, so an update is gone. More than one (plus the
   * unsure writes) above: a write counted twice.
   */
  write(version: number): Verdict {
    const last = this.#lastSeen;
    if (last === undefined) return this.#rebase(version);
    if (version <= last) return verdict(0, 1, 0);
    const doubled = version > last + 1 + this.#unsure ? 1 : 0;
    // Our own write explains one step; unsure writes explain the rest.
    this.#unsure = Math.max(0, this.#unsure - (version - last - 1));
    this.#lastSeen = version;
    return verdict(0, 0, doubled);
  }

  /**
   * A concurrency round from baseline b with a accepted writes and a final
   * read f: f - b should equal a. Fewer: updates lost (max(0, a - (f - b)));
   * more: doubled. A final read below b is a stale read, and then the round
   * says nothing about lost updates. Unsure writes (this round's, or earlier
   * ones that may still land) make the exact count unknowable, but each can
   * only add to the growth: a - (f - b) is still a lower bound of the lost
   * updates, and f - b - a - unsure one of the doubled ones.
   */
  round(round: Round): Verdict {
    let stale = 0;
    let base = this.#lastSeen;
    if (round.baseline !== undefined) {
      // A stale baseline read: the cart was at least at lastSeen, keep that.
      if (base !== undefined && round.baseline < base) stale = 1;
      else base = round.baseline;
    }
    const { final } = round;
    if (final === undefined) {
      // Writes went out and nothing confirms where the cart stands now.
      this.forget();
      return verdict(stale, 0, 0);
    }
    if (base !== undefined && final < base) return verdict(stale + 1, 0, 0);
    const pending = this.#unsure + round.unsure;
    this.#rebase(final);
    if (base === undefined) return verdict(stale, 0, 0);
    const grew = final - base;
    if (pending === 0) {
      return verdict(stale, Math.max(0, round.accepted - grew), Math.max(0, grew - round.accepted));
    }
    // Uncertain writes not seen landing yet may still land: carried to the next observation.
    this.#unsure = Math.max(0, pending - Math.max(0, grew - round.accepted));
    return uncertain(
      stale,
      Math.max(0, round.accepted - grew),
      Math.max(0, grew - round.accepted - pending),
    );
  }

  #rebase(version: number): Verdict {
    this.#lastSeen = version;
    this.#unsure = 0;
    return CLEAN;
  }

  #advance(version: number): void {
    this.#unsure = Math.max(0, this.#unsure - (version - (this.#lastSeen ?? version)));
    this.#lastSeen = version;
  }
}
