// The request journey's sessions: `size` users logged in before t = 0 (so
// the load's first seconds measure requests, not logins), each lent to one
// arrival at a time. The pool is as large as `vus`, the most arrivals in
// flight, so an admitted arrival always finds a user.
import type { VirtualUser } from '../core/virtual-user.ts';

/** Logins sent at once while the pool fills: enough to be quick, few enough not to be a burst. */
const FILL_CONCURRENCY = 8;

export class SessionPool {
  readonly #idle: VirtualUser[] = [];

  /** Logs every user in (a failed login leaves it without a session: its first arrival logs in). */
  async fill(users: VirtualUser[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < users.length) {
        const user = users[next++]!;
        if (!user.stopped) await user.login();
        this.#idle.push(user);
      }
    };
    await Promise.all(Array.from({ length: Math.min(FILL_CONCURRENCY, users.length) }, worker));
  }

  /** An idle user; throws when none is (more arrivals in flight than the pool holds: a bug). */
  take(): VirtualUser {
    const user = this.#idle.pop();
    if (!user) throw new Error('session pool empty: more arrivals in flight than vus');
    return user;
  }

  give(user: VirtualUser): void {
    this.#idle.push(user);
  }
}
