// The user's transport and clock in k6: http.asyncRequest (so a concurrency
// round's writes are in flight together), k6's timers, and the scenario's
// progress as the end of the load. Cookies are the user's own jar (the
// lab's, loadgen/core/cookie-jar.ts), not k6's: each request gets an empty
// k6 jar, so nothing is sent twice and a session outlives an iteration.
import exec from 'k6/execution';
import http, { type RefinedResponse } from 'k6/http';
import { setTimeout } from 'k6/timers';
import type { SendResult, UserPlatform } from '../../loadgen/core/virtual-user.ts';
import { failureCode, setCookieLine } from './k6-answers.ts';
import type { Settings } from './settings.ts';

export function k6Platform(settings: Settings): UserPlatform {
  return {
    // Past the scenario's duration no request starts, as in the lab's generator.
    get stopped() {
      return exec.scenario.progress >= 1;
    },
    now: () => Date.now(),
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    async send(request): Promise<SendResult> {
      const started = Date.now();
      const route = request.route ?? 'other';
      const response = await http.asyncRequest(
        request.method,
        settings.baseUrl + request.path,
        request.body ?? null,
        {
          headers: request.headers,
          timeout: settings.timeoutMs,
          redirects: 0,
          responseType: 'text',
          jar: new http.CookieJar(),
          // `name` groups k6's own http_req_* figures by route too.
          tags: { route, name: route },
        },
      );
      if (response.status === 0) {
        return {
          kind: 'failed',
          code: failureCode(response.error_code),
          latencyMs: Date.now() - started,
        };
      }
      return {
        kind: 'answer',
        status: response.status,
        body: typeof response.body === 'string' ? response.body : '',
        setCookie: setCookieLines(response),
        servedBy: header(response, 'X-Served-By'),
        upstreamTried: header(response, 'X-Upstream-Tried'),
        latencyMs: response.timings.duration,
      };
    },
  };
}

function header(response: RefinedResponse<'text'>, name: string): string | undefined {
  const value = response.headers[name];
  return value === undefined || value === '' ? undefined : value;
}

/** The response's cookies back as Set-Cookie lines, which is what the jar reads. */
function setCookieLines(response: RefinedResponse<'text'>): string[] {
  return Object.values(response.cookies).flatMap((cookies) => cookies.map(setCookieLine));
}
