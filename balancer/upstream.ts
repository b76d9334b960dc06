// One backend node as the balancer sees it: where it is, whether it may take
// traffic, its connection pool, and the counters the admin API and metrics read.
import { Agent } from 'node:http';
import type { SlowStart } from './slow-start.ts';

export type NodeState = 'up' | 'down' | 'draining' | 'disabled';
/** What an operator asked for; health decides the rest (see `state`). */
export type AdminMode = 'enabled' | 'draining' | 'disabled';

/** The target shape http-proxy wants, parsed once so no request re-parses a URL. */
export interface UpstreamTarget {
  readonly protocol: 'http:';
  readonly host: string;
  readonly hostname: string;
  readonly port: number;
}

// Pool sizing, chosen on purpose:
// - keepAlive: a fresh TCP connection per request costs a handshake and, under
//   load, thousands of TIME_WAIT sockets; reuse is most of a Node proxy's
//   throughput.
// - maxSockets 128: a Koa node is one event loop; beyond ~100 concurrent
//   requests it only queues internally, so the agent queues instead, where the
//   balancer's own upstream timeout still bounds the wait.
// - maxFreeSockets 64: keeps enough warm connections for the lab's load
//   without holding the full burst peak open when load drops.
// - timeout 4000: idle pooled sockets close before a Node server's default
//   5 s keep-alive timeout, so the balancer rarely writes into a socket the
//   node is closing (Node's agent also honours the `Keep-Alive: timeout=`
//   hint, minus a 1 s margin).
// Left at Node's defaults, because Node copies every agent option into a new
// object on each request: scheduling 'lifo' (the most recently used, warmest
// socket is reused first, so the rest idle out instead of all staying
// half-used) and keepAliveMsecs 1000 (TCP keep-alive probes on pooled sockets).
export const agentOptions = {
  keepAlive: true,
  maxSockets: 128,
  maxFreeSockets: 64,
  timeout: 4000,
} as const;

export class Upstream {
  readonly id: string;
  readonly url: string;
  /** Position in the pool, used to index pre-created metric series. */
  readonly index: number;
  readonly target: UpstreamTarget;
  readonly agent: Agent;

  /** Health verdict (active checks and passive connect failures). */
  healthy = true;
  mode: AdminMode = 'enabled';
  /** Set by the pool while a readmitted node ramps up (see slow-start.ts). */
  slowStart: SlowStart | undefined = undefined;

  /** Requests currently being proxied to this node. */
  active = 0;
  /** Attempts sent to this node (a retried request counts on every node it tried). */
  requests = 0;
  /** Attempts that failed at this node (connect failure, reset, timeout, bad response). */
  errors = 0;
  /** Requests whose sticky cookie named this node but could not be honoured. */
  stickyRedispatches = 0;

  constructor(id: string, url: string, index: number) {
    this.id = id;
    this.url = url;
    this.index = index;
    const parsed = new URL(url);
    // WHATWG URLs keep IPv6 brackets; http.request wants the bare address.
    const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    this.target = {
      protocol: 'http:',
      host: hostname,
      hostname,
      port: parsed.port ? Number(parsed.port) : 80,
    };
    this.agent = new Agent(agentOptions);
  }

  /**
   * The single state the admin API shows. An operator's `disabled` wins over
   * everything; a draining node that fails its checks shows `down`, because
   * not even its sticky clients can use it then.
   */
  get state(): NodeState {
    if (this.mode === 'disabled') return 'disabled';
    if (!this.healthy) return 'down';
    return this.mode === 'draining' ? 'draining' : 'up';
  }

  /** Share of new traffic relative to a settled node: below 1 only during slow start. */
  get weight(): number {
    return this.slowStart?.weight() ?? 1;
  }

  /** Closes pooled connections; in-flight requests on them are cut. */
  close(): void {
    this.agent.destroy();
  }
}
