// Assembles the balancer from its parts. Building opens nothing; listen()
// opens both ports and starts health checks; close() undoes all of it.
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { AdminApi } from './admin-api.ts';
import { BufferBudget } from './buffer-budget.ts';
import type { BalancerConfig, PolicyName } from './config.ts';
import { ConnectionLimits } from './connection-limits.ts';
import { HealthChecker } from './health-checker.ts';
import { BalancerMetrics } from './metrics.ts';
import { PassiveHealth } from './passive-health.ts';
import { createPolicy, type Policy } from './policies/index.ts';
import { ProxyAdapter } from './proxy-adapter.ts';
import { createPublicServer } from './public-server.ts';
import { RequestHandler } from './request-handler.ts';
import { StickyCookie } from './sticky-cookie.ts';
import { UpstreamPool } from './upstream-pool.ts';
import type { Upstream } from './upstream.ts';

export interface BalancerOptions {
  /** Receives state changes and errors only, never a line per request. Default: silent. */
  readonly logger?: Logger;
}

export interface BalancerAddresses {
  /** Public URL clients use, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Admin API base URL, e.g. `http://127.0.0.1:8081`. */
  readonly adminUrl: string;
}

export interface CloseOptions {
  /** How long in-flight requests may take to finish before connections are cut. */
  readonly graceMs?: number;
}

function urlOf(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  // An unspecified bind address is not something a client can connect to.
  const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function listenOn(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

export class Balancer {
  readonly config: BalancerConfig;
  readonly pool: UpstreamPool;
  readonly metrics: BalancerMetrics;
  readonly health: HealthChecker;
  readonly passive: PassiveHealth;
  readonly connections: ConnectionLimits;
  readonly buffers: BufferBudget;
  readonly stickyCookie: StickyCookie;
  readonly admin: AdminApi;
  private readonly logger: Logger;
  private readonly adapter: ProxyAdapter;
  private readonly handler: RequestHandler;
  private readonly publicServer: Server;
  private readonly adminServer: Server;
  private policy: Policy;
  private addresses: BalancerAddresses | undefined;
  private closed: Promise<void> | undefined;

  constructor(config: BalancerConfig, options: BalancerOptions = {}) {
    this.config = config;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.pool = new UpstreamPool(config.nodes, { slowStartMs: config.health.slowStartMs });
    this.stickyCookie = new StickyCookie(
      config.sticky.cookieName,
      config.sticky.secret,
      this.pool.nodes,
    );
    this.policy = this.makePolicy(config.policy);
    this.health = new HealthChecker(this.pool, config.health);
    this.passive = new PassiveHealth(this.pool, config.health);
    this.connections = new ConnectionLimits(config.limits);
    this.buffers = new BufferBudget(config.limits.maxBufferedBytes);
    this.adapter = new ProxyAdapter({
      onStrayError: (err) => this.logger.error({ err }, 'http-proxy error outside a request'),
    });
    // The connection count is read lazily at scrape time, after the server exists.
    this.metrics = new BalancerMetrics(this.pool, () => this.clientConnections(), {
      bufferedBytes: () => this.buffers.used,
      keptLastNode: (node) => this.passive.keptLastNode.get(node) ?? 0,
    });
    this.handler = new RequestHandler({
      pool: this.pool,
      adapter: this.adapter,
      metrics: this.metrics,
      stickyCookie: this.stickyCookie,
      limits: config.limits,
      passive: this.passive,
      connections: this.connections,
      buffers: this.buffers,
      logger: this.logger,
      policy: () => this.policy,
    });
    this.publicServer = createPublicServer(config.limits, {
      onRequest: this.handler.handle,
      onConnection: this.connections.admit,
      onRejected: (code) => this.metrics.balancerError(code),
    });
    this.admin = new AdminApi({
      token: config.admin.token,
      pool: this.pool,
      metrics: this.metrics,
      health: this.health,
      logger: this.logger,
      startedAt: Date.now(),
      policy: () => this.policy.name,
      setPolicy: (name) => this.setPolicy(name),
    });
    // Admin requests are small and quick; a stuck client must not hold a socket.
    this.adminServer = createServer(
      { headersTimeout: 5000, requestTimeout: 10_000, connectionsCheckingInterval: 1000 },
      this.admin.handle,
    );
    this.pool.on('change', ({ node, from, to, reason }) => {
      if (from === to) return;
      const level = to === 'down' ? 'warn' : 'info';
      this.logger[level]({ node: node.id, from, to, reason }, 'node state changed');
    });
  }

  get nodes(): readonly Upstream[] {
    return this.pool.nodes;
  }

  get policyName(): PolicyName {
    return this.policy.name;
  }

  /** Switches routing for every request that starts from now on. */
  setPolicy(name: PolicyName): void {
    if (name === this.policy.name) return;
    const from = this.policy.name;
    this.policy = this.makePolicy(name);
    this.logger.info({ from, to: name }, 'policy changed');
  }

  /** Where the balancer listens; throws before listen() resolved. */
  get urls(): BalancerAddresses {
    if (!this.addresses) throw new Error('balancer is not listening; call listen() first');
    return this.addresses;
  }

  async listen(): Promise<BalancerAddresses> {
    if (this.addresses) return this.addresses;
    const { listen, admin } = this.config;
    await listenOn(this.publicServer, listen.host, listen.port);
    try {
      await listenOn(this.adminServer, admin.host, admin.port);
    } catch (err) {
      await closeServer(this.publicServer);
      throw err;
    }
    this.health.start();
    this.addresses = { url: urlOf(this.publicServer), adminUrl: urlOf(this.adminServer) };
    return this.addresses;
  }

  /**
   * Stops accepting, lets in-flight requests finish for up to `graceMs`
   * (default: limits.upstreamTimeoutMs), then cuts what is left and releases
   * timers and pooled connections. Safe to call more than once.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closed ??= this.shutdown(options.graceMs ?? this.config.limits.upstreamTimeoutMs);
    return this.closed;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.health.stop();
    const publicClosed = closeServer(this.publicServer);
    const adminClosed = closeServer(this.adminServer);
    this.publicServer.closeIdleConnections();
    this.adminServer.closeAllConnections();
    const drained = await this.handler.drain(graceMs);
    if (!drained) this.logger.warn({ graceMs }, 'cut requests still in flight at shutdown');
    this.publicServer.closeAllConnections();
    await Promise.all([publicClosed, adminClosed]);
    this.pool.close();
    this.adapter.close();
  }

  private makePolicy(name: PolicyName): Policy {
    return createPolicy(name, {
      stickyCookie: this.stickyCookie,
      stickyFallback: this.config.sticky.fallback,
    });
  }

  private clientConnections(): Promise<number> {
    return new Promise((resolve) => {
      this.publicServer.getConnections((err, count) => resolve(err ? 0 : count));
    });
  }
}

/** Builds a balancer without opening anything; see Balancer.listen(). */
export function createBalancer(config: BalancerConfig, options: BalancerOptions = {}): Balancer {
  return new Balancer(config, options);
}
