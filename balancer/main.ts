// Entry point: `node balancer/main.ts CONFIG.json`.
// Logs JSON lines on stdout ({"msg":"listening", url, adminUrl} once both
// ports are open); exits 2 on bad usage or configuration with one line on
// stderr; on SIGTERM/SIGINT stops accepting, lets in-flight requests finish
// within limits.upstreamTimeoutMs, releases everything and exits 0.
import { pino } from 'pino';
import { createBalancer } from './balancer.ts';
import type { BalancerConfig } from './config.ts';
import { ConfigError, loadBalancerConfig } from './config.ts';

const EXIT_USAGE = 2;
/** Extra time past the grace period before shutdown is abandoned. */
const SHUTDOWN_MARGIN_MS = 5000;

const logger = pino({ base: { service: 'balancer' } });

// Process warnings become log lines like everything else. http-proxy 1.18
// calls util._extend (DEP0060) on every request; Node reports that once, and
// it is known and harmless, so it is logged at debug level instead of
// interleaving a plain-text warning with the JSON log.
process.removeAllListeners('warning');
process.on('warning', (warning: Error & { code?: string }) => {
  const level = warning.code === 'DEP0060' ? 'debug' : 'warn';
  logger[level]({ code: warning.code, warning: warning.message }, 'process warning');
});

async function readConfig(path: string | undefined): Promise<BalancerConfig> {
  if (!path) {
    process.stderr.write('usage: node balancer/main.ts CONFIG.json\n');
    process.exit(EXIT_USAGE);
  }
  try {
    return await loadBalancerConfig(path);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`balancer: ${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
}

async function main(): Promise<void> {
  const config = await readConfig(process.argv[2]);
  const balancer = createBalancer(config, { logger });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal, exiting at once');
      process.exit(1);
    }
    stopping = true;
    const graceMs = config.limits.upstreamTimeoutMs;
    logger.info({ signal, graceMs }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown did not finish in time');
      process.exit(1);
    }, graceMs + SHUTDOWN_MARGIN_MS).unref();
    balancer.close({ graceMs }).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  try {
    const { url, adminUrl } = await balancer.listen();
    logger.info(
      { url, adminUrl, policy: balancer.policyName, nodes: config.nodes.map((n) => n.id) },
      'listening',
    );
  } catch (err) {
    logger.error({ err }, 'cannot listen');
    await balancer.close({ graceMs: 0 });
    process.exit(1);
  }
}

process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception');
  process.exit(1);
});

await main();
