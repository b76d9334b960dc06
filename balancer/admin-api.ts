// The operator's API on its own loopback port: node states, live policy
// switch, statistics and Prometheus metrics. Everything but /healthz needs
// `Authorization: Bearer <admin.token>`.
//
// Enable semantics: `enable` clears the operator's drain/disable and hands the
// node back to the health verdict. Checks keep running while a node is
// drained or disabled, so that verdict is current: a node that kept passing
// is `up` at once, one that failed (or was stopped meanwhile) stays `down`
// until `rise` consecutive successes. Either way it then ramps through slow
// start (`weight` in GET /nodes).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { PolicyName } from './config.ts';
import { policyNames } from './config.ts';
import { sendError } from './errors.ts';
import type { HealthChecker } from './health-checker.ts';
import type { BalancerMetrics } from './metrics.ts';
import { nodeShares } from './metrics.ts';
import type { UpstreamPool } from './upstream-pool.ts';
import type { AdminMode, NodeState, Upstream } from './upstream.ts';

export interface AdminDeps {
  readonly token: string;
  readonly pool: UpstreamPool;
  readonly metrics: BalancerMetrics;
  readonly health: HealthChecker;
  readonly logger: Logger;
  readonly startedAt: number;
  readonly policy: () => PolicyName;
  readonly setPolicy: (name: PolicyName) => void;
}

/** One entry of `GET /nodes`. */
export interface NodeView {
  id: string;
  url: string;
  state: NodeState;
  active: number;
  requests: number;
  errors: number;
  stickyRedispatches: number;
  /** Fraction of all attempts since start that went to this node. */
  share: number;
  /** Why the last health check failed, or null if it passed. */
  lastCheckError: string | null;
  /** Share of new traffic relative to a settled node: 0.1-1 during slow start, else 1. */
  weight: number;
  /** Time left in slow start; 0 once the node carries its full share. */
  slowStartRemainingMs: number;
}

const MAX_ADMIN_BODY = 4096;
const actions: Record<string, { mode: AdminMode }> = {
  drain: { mode: 'draining' },
  disable: { mode: 'disabled' },
  enable: { mode: 'enabled' },
};

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
  });
  res.end(body);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ADMIN_BODY) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

export class AdminApi {
  private readonly deps: AdminDeps;
  // Compared as fixed-length digests so neither content nor length of the
  // token leaks through timing.
  private readonly tokenDigest: Buffer;

  constructor(deps: AdminDeps) {
    this.deps = deps;
    this.tokenDigest = digest(deps.token);
  }

  /** The `request` listener of the admin server. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.route(req, res).catch((err: unknown) => {
      this.deps.logger.error({ err, url: req.url }, 'admin request failed');
      sendError(res, 'INTERNAL');
    });
  };

  nodeView(node: Upstream, share: number): NodeView {
    return {
      id: node.id,
      url: node.url,
      state: node.state,
      active: node.active,
      requests: node.requests,
      errors: node.errors,
      stickyRedispatches: node.stickyRedispatches,
      share,
      lastCheckError: this.deps.health.lastError(node) ?? null,
      weight: Math.round(node.weight * 100) / 100,
      slowStartRemainingMs: Math.ceil(node.slowStart?.remainingMs() ?? 0),
    };
  }

  nodeViews(): NodeView[] {
    const nodes = this.deps.pool.nodes;
    const shares = nodeShares(nodes);
    return nodes.map((n, i) => this.nodeView(n, shares[i]!));
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    return match !== null && timingSafeEqual(digest(match[1]!), this.tokenDigest);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const method = req.method ?? 'GET';
    if (path === '/healthz')
      return this.only(res, method, 'GET', () => sendJson(res, 200, { status: 'ok' }));
    if (!this.authorized(req)) {
      return sendError(res, 'UNAUTHORIZED', undefined, { 'www-authenticate': 'Bearer' });
    }
    switch (path) {
      case '/nodes':
        return this.only(res, method, 'GET', () => sendJson(res, 200, this.nodeViews()));
      case '/stats':
        return this.only(res, method, 'GET', () => sendJson(res, 200, this.stats()));
      case '/metrics':
        if (method !== 'GET') return this.notAllowed(res, 'GET');
        return this.metrics(res);
      case '/policy':
        if (method === 'GET') return sendJson(res, 200, { policy: this.deps.policy() });
        if (method === 'PUT') return this.putPolicy(req, res);
        return this.notAllowed(res, 'GET, PUT');
    }
    const action = /^\/nodes\/([^/]+)\/([a-z]+)$/.exec(path);
    if (action && Object.hasOwn(actions, action[2]!)) {
      if (method !== 'POST') return this.notAllowed(res, 'POST');
      // Ids are plain [A-Za-z0-9_.-] (config.ts), so the raw segment is the id.
      return this.nodeAction(res, action[1]!, action[2]!);
    }
    return sendError(res, 'NOT_FOUND');
  }

  private only(res: ServerResponse, method: string, allowed: string, then: () => void): void {
    if (method === allowed || (allowed === 'GET' && method === 'HEAD')) then();
    else this.notAllowed(res, allowed);
  }

  private notAllowed(res: ServerResponse, allow: string): void {
    sendError(res, 'METHOD_NOT_ALLOWED', undefined, { allow });
  }

  private nodeAction(res: ServerResponse, id: string, action: string): void {
    const node = this.deps.pool.get(id);
    if (!node) return sendError(res, 'UNKNOWN_NODE', `No node with id "${id}"`);
    this.deps.pool.setMode(node, actions[action]!.mode, `admin: ${action}`);
    const shares = nodeShares(this.deps.pool.nodes);
    sendJson(res, 200, this.nodeView(node, shares[node.index]!));
  }

  private async putPolicy(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      return sendError(res, 'BAD_JSON', 'Send {"policy": "<name>"} as JSON (at most 4 KiB)');
    }
    const name = (body as { policy?: unknown } | null)?.policy;
    if (typeof name !== 'string' || !(policyNames as readonly string[]).includes(name)) {
      return sendError(res, 'UNKNOWN_POLICY', `"policy" must be one of: ${policyNames.join(', ')}`);
    }
    const previous = this.deps.policy();
    this.deps.setPolicy(name as PolicyName);
    sendJson(res, 200, { policy: name, previous });
  }

  private async metrics(res: ServerResponse): Promise<void> {
    const text = await this.deps.metrics.render();
    res.writeHead(200, {
      'content-type': this.deps.metrics.contentType,
      'cache-control': 'no-store',
    });
    res.end(text);
  }

  private stats() {
    const { totals } = this.deps.metrics;
    const nodes = this.nodeViews();
    let active = 0;
    for (const n of nodes) active += n.active;
    return {
      uptimeMs: Date.now() - this.deps.startedAt,
      policy: this.deps.policy(),
      totals: {
        requests: totals.requests,
        active,
        proxied: totals.proxied,
        errors: totals.errors,
        retries: totals.retries,
        stickyRedispatches: totals.stickyRedispatches,
      },
      nodes,
    };
  }
}
