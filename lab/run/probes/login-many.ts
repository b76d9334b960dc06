// Logs many new users in through the balancer, a few at a time: the set-up
// of a memory reading (closed loop; nothing here is measured). Each login
// creates what the strategy keeps per session (a server session, a
// refresh-token family, a cookie).

/** The demo password every lab node accepts (docs/architecture.md: POST /login). */
const PASSWORD = 'secret';
/** One login's bound: on loopback an answer takes milliseconds, under load a little more. */
const LOGIN_TIMEOUT_MS = 10_000;

/**
 * Logs in every user of `names` at `origin` on `concurrency` connections at
 * once. Returns how many logins failed (no 200 answer) and the first reason.
 */
export async function logInMany(
  origin: URL,
  names: readonly string[],
  concurrency: number,
): Promise<{ failed: number; firstFailure: string | undefined }> {
  const url = new URL('/login', origin);
  let next = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  const worker = async () => {
    while (next < names.length) {
      const user = names[next++]!;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user, password: PASSWORD }),
          signal: AbortSignal.timeout(LOGIN_TIMEOUT_MS),
        });
        const body = await response.text();
        if (response.status !== 200) throw new Error(`${response.status} ${body}`);
      } catch (error) {
        failed += 1;
        firstFailure ??= `POST /login: ${(error as Error).message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { failed, firstFailure };
}
