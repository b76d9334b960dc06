// Active health checks: GET health.path on every node every intervalMs. A node
// goes down after `fall` consecutive failures and comes back after `rise`
// consecutive successes; a node marked down passively (a connect failure on a
// real request) is readmitted only this way. Each check uses a fresh
// connection, as HAProxy does: it proves the node still accepts connections,
// and a check never waits behind client traffic in the node's pool.
import { request } from 'node:http';
import type { HealthConfig } from './config.ts';
import type { UpstreamPool } from './upstream-pool.ts';
import type { Upstream } from './upstream.ts';

interface NodeCheck {
  ok: number;
  fail: number;
  timer: NodeJS.Timeout | undefined;
  /** The check in flight, so stop() can cut it; at most one per node. */
  cancel: (() => void) | undefined;
  lastError: string | undefined;
}

/** The part of the health config the active checks use (slow start and passive limits live elsewhere). */
export type CheckConfig = Omit<HealthConfig, 'slowStartMs' | 'errorLimit' | 'errorWindowMs'>;

/** Outcome of one check: undefined on success, else why it failed. */
export type CheckResult = string | undefined;
/** A check that was cut short by stop() says nothing about the node. */
const CANCELLED = Symbol('cancelled');

export class HealthChecker {
  private readonly pool: UpstreamPool;
  private readonly config: CheckConfig;
  private readonly checks = new Map<Upstream, NodeCheck>();
  private running = false;

  constructor(pool: UpstreamPool, config: CheckConfig) {
    this.pool = pool;
    this.config = config;
    for (const node of pool.nodes) {
      this.checks.set(node, {
        ok: 0,
        fail: 0,
        timer: undefined,
        cancel: undefined,
        lastError: undefined,
      });
    }
    // A passive mark-down restarts the success streak: `rise` fresh successes
    // are needed after the failure, not successes from before it.
    pool.on('change', ({ node, kind }) => {
      if (kind === 'health' && !node.healthy) this.checks.get(node)!.ok = 0;
    });
  }

  /** Checks every node now, then every intervalMs. Timers are unref'd. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const node of this.pool.nodes) this.schedule(node, 0);
  }

  /** Clears timers and aborts checks in flight. */
  stop(): void {
    this.running = false;
    for (const check of this.checks.values()) {
      clearTimeout(check.timer);
      check.timer = undefined;
      check.cancel?.();
    }
  }

  /** Nodes with a check scheduled or in flight (0 after stop()). */
  get pending(): number {
    let count = 0;
    for (const check of this.checks.values()) if (check.timer || check.cancel) count++;
    return count;
  }

  /** Why the last check of `node` failed, if it did (for the admin API). */
  lastError(node: Upstream): string | undefined {
    return this.checks.get(node)?.lastError;
  }

  /**
   * Runs one check of `node` now and applies its result; resolves to the
   * failure reason, undefined on success, or null when no check ran (one was
   * already in flight, or stop() cut it short).
   */
  async checkNow(node: Upstream): Promise<CheckResult | null> {
    const check = this.checks.get(node)!;
    if (check.cancel) return null;
    const started = Date.now();
    const result = await this.probe(node, check);
    if (result === CANCELLED) return null;
    this.apply(node, check, result);
    if (this.running) this.schedule(node, this.config.intervalMs - (Date.now() - started));
    return result;
  }

  private schedule(node: Upstream, delayMs: number): void {
    const check = this.checks.get(node)!;
    clearTimeout(check.timer);
    check.timer = setTimeout(
      () => {
        check.timer = undefined;
        void this.checkNow(node);
      },
      Math.max(0, delayMs),
    );
    check.timer.unref();
  }

  private apply(node: Upstream, check: NodeCheck, result: CheckResult): void {
    check.lastError = result;
    if (result === undefined) {
      check.fail = 0;
      check.ok++;
      if (!node.healthy && check.ok >= this.config.rise) {
        this.pool.setHealthy(node, true, `health check: ${check.ok} consecutive successes`);
      }
    } else {
      check.ok = 0;
      check.fail++;
      if (node.healthy && check.fail >= this.config.fall) {
        this.pool.setHealthy(node, false, `health check: ${result}`);
      }
    }
  }

  private probe(node: Upstream, check: NodeCheck): Promise<CheckResult | typeof CANCELLED> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: CheckResult | typeof CANCELLED) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        check.cancel = undefined;
        req.destroy();
        resolve(result);
      };
      const req = request({
        hostname: node.target.hostname,
        port: node.target.port,
        path: this.config.path,
        method: 'GET',
        agent: false,
        headers: { connection: 'close', 'user-agent': 'session-lab-balancer/health' },
      });
      const timer = setTimeout(
        () => finish(`no answer within ${this.config.timeoutMs} ms`),
        this.config.timeoutMs,
      );
      check.cancel = () => finish(CANCELLED);
      req.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
      req.on('response', (res) => {
        // 2xx and 3xx pass, as in HAProxy's httpchk; the body is drained so
        // the verdict waits for a complete answer.
        const status = res.statusCode ?? 0;
        res.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
        res.on('end', () => finish(status >= 200 && status < 400 ? undefined : `status ${status}`));
        res.resume();
      });
      req.end();
    });
  }
}
