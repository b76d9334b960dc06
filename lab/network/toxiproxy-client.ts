import { LabError } from '../errors.ts';
import { assertLoopback } from '../loopback.ts';

/** A proxy as Toxiproxy reports it. */
export interface ProxyView {
  name: string;
  /** `127.0.0.1:PORT`: the real port once the proxy has started (even if asked for :0). */
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicView[];
}

/** Which way a toxic acts: `upstream` is client → server, `downstream` server → client. */
export type ToxicStream = 'upstream' | 'downstream';

export interface ToxicView {
  name: string;
  type: string;
  stream: ToxicStream;
  /** Share of connections it applies to, 0..1. */
  toxicity: number;
  attributes: Record<string, number>;
}

export type ToxicSpec = Omit<ToxicView, 'toxicity'> & { toxicity?: number };

/** What a fault needs of the client: the calls that change a link. */
export type LinkControl = Pick<
  ToxiproxyClient,
  'proxies' | 'setEnabled' | 'addToxic' | 'removeToxic'
>;

// A local server answers in milliseconds; a hang means it is paused or gone.
const REQUEST_TIMEOUT_MS = 5000;

/**
 * The few calls of Toxiproxy's REST API the lab needs (v2.x). Errors become
 * LabErrors: `TOXIPROXY_UNREACHABLE` when the server does not answer,
 * `TOXIPROXY_CONFLICT` for a name that exists already (409), `TOXIPROXY_ERROR`
 * for anything else it refuses. Deleting what is gone is not an error.
 */
export class ToxiproxyClient {
  readonly url: string;

  constructor(url: string) {
    const parsed = new URL(url);
    assertLoopback(`${parsed.hostname}:${parsed.port || '80'}`, 'toxiproxy API');
    this.url = url.replace(/\/$/, '');
  }

  async version(): Promise<string> {
    return (await this.#call<{ version: string }>('GET', '/version')).version;
  }

  /** Every proxy by name, with its toxics. */
  async proxies(): Promise<Record<string, ProxyView>> {
    return this.#call('GET', '/proxies');
  }

  /** Creates an enabled proxy; both addresses must be on loopback. */
  async createProxy(name: string, listen: string, upstream: string): Promise<ProxyView> {
    assertLoopback(listen, `listen address of ${name}`, true);
    assertLoopback(upstream, `upstream of ${name}`);
    return this.#call('POST', '/proxies', { name, listen, upstream, enabled: true });
  }

  /** Points an existing proxy at another upstream (a store restarted on a new port). */
  async setUpstream(name: string, upstream: string): Promise<ProxyView> {
    assertLoopback(upstream, `upstream of ${name}`);
    return this.#call('POST', proxyPath(name), { upstream });
  }

  /** Disabling closes the listener and every connection: the link is down. */
  async setEnabled(name: string, enabled: boolean): Promise<ProxyView> {
    return this.#call('POST', proxyPath(name), { enabled });
  }

  async deleteProxy(name: string): Promise<void> {
    await this.#call('DELETE', proxyPath(name), undefined, true);
  }

  async addToxic(proxy: string, toxic: ToxicSpec): Promise<ToxicView> {
    return this.#call('POST', `${proxyPath(proxy)}/toxics`, { toxicity: 1, ...toxic });
  }

  async removeToxic(proxy: string, toxic: string): Promise<void> {
    await this.#call(
      'DELETE',
      `${proxyPath(proxy)}/toxics/${encodeURIComponent(toxic)}`,
      undefined,
      true,
    );
  }

  /** Re-enables every proxy and removes every toxic of this server. */
  async reset(): Promise<void> {
    await this.#call('POST', '/reset');
  }

  async #call<T>(method: string, path: string, body?: unknown, goneIsFine = false): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new LabError(
        'TOXIPROXY_UNREACHABLE',
        `toxiproxy at ${this.url} did not answer ${method} ${path}: ${(error as Error).message}`,
        'is it running? `lab net status`; `lab strategy` starts it again',
      );
    }
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    if (response.status === 404 && goneIsFine) return undefined as T;
    let message = text.trim();
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? message;
    } catch {
      // not JSON: keep the text
    }
    throw new LabError(
      response.status === 409 ? 'TOXIPROXY_CONFLICT' : 'TOXIPROXY_ERROR',
      `toxiproxy refused ${method} ${path}: ${response.status} ${message}`,
    );
  }
}

function proxyPath(name: string): string {
  return `/proxies/${encodeURIComponent(name)}`;
}
