// The generator's user: the portable one (core/virtual-user.ts) on Node's
// HTTP client and timers. Only the transport lives here; what answers mean
// is decided in the core, the same code the k6 scripts run.
import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  VirtualUser as PortableUser,
  type SendResult,
  type UserPlatform,
} from './core/virtual-user.ts';
import { RequestFailed, type LoadClient } from './http-client.ts';
import type { Recorder } from './recorder.ts';
import type { RefreshRetry } from './types.ts';

/** What a user needs from the run. */
export interface UserContext {
  client: LoadClient;
  recorder: Recorder;
  /** Aborted at the end of the load: no request starts after it. */
  stopping: AbortSignal;
  thinkMs: number;
  /** jwt: how a refresh answered 5xx or not at all is tried again (same token). */
  refreshRetry: RefreshRetry;
}

export class VirtualUser extends PortableUser {
  constructor(name: string, context: UserContext) {
    super(name, {
      platform: nodePlatform(context.client, context.stopping),
      recorder: context.recorder,
      thinkMs: context.thinkMs,
      refreshRetry: context.refreshRetry,
    });
  }
}

function nodePlatform(client: LoadClient, stopping: AbortSignal): UserPlatform {
  return {
    get stopped() {
      return stopping.aborted;
    },
    now: () => performance.now(),
    sleep: (ms) => sleep(ms, undefined, { signal: stopping }).catch(() => undefined),
    async send({ method, path, headers, body }): Promise<SendResult> {
      try {
        const answer = await client.send({ method, path, headers, body });
        return {
          kind: 'answer',
          status: answer.status,
          body: answer.body,
          setCookie: answer.headers['set-cookie'],
          servedBy: header(answer.headers['x-served-by']),
          upstreamTried: header(answer.headers['x-upstream-tried']),
          latencyMs: answer.latencyMs,
        };
      } catch (error) {
        if (!(error instanceof RequestFailed)) throw error;
        // Cut by an interrupted run: neither the system's answer nor its failure.
        if (error.aborted) return { kind: 'stopped' };
        return { kind: 'failed', code: error.code, latencyMs: error.latencyMs };
      }
    },
  };
}

function header(value: IncomingHttpHeaders[string]): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}
