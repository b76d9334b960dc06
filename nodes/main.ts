// Entry point of one lab node: `node nodes/main.ts`, configured by the
// environment (see nodes/config.ts), starting with the strategy of
// NODE_STRATEGY_CONFIG_FILE (a 0600 file) or NODE_STRATEGY_CONFIG. Exit codes: 0 after a graceful stop, 1 when the
// server fails or the first strategy cannot start (e.g. its store is
// unreachable), 2 for bad configuration.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createNodeApp } from './app.ts';
import { ConfigError, loadNodeConfig } from './config.ts';
import type { NodeConfig } from './config.ts';
import { loadStrategyConfig } from './strategies/config.ts';
import type { StrategyConfig } from './strategies/config.ts';

/** How long in-flight requests get to finish after SIGTERM/SIGINT. */
const SHUTDOWN_GRACE_MS = 5_000;
// Longer than the balancer keeps idle pooled connections (60 s), so the node
// never closes a connection the balancer is about to reuse (a spurious 502).
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
// Node requires headersTimeout > keepAliveTimeout for the above to hold.
const HEADERS_TIMEOUT_MS = 66_000;

// Every bad variable in one line, whichever loader found it.
function readConfig(): { config: NodeConfig; strategy: StrategyConfig } {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const config = attempt(() => loadNodeConfig());
  const strategy = attempt(() => loadStrategyConfig());
  if (config && strategy) return { config, strategy };
  process.stderr.write(`invalid node configuration: ${problems.join('; ')}\n`);
  process.exit(2);
}

const { config, strategy } = readConfig();
const logger = pino({ level: config.logLevel, base: { node: config.nodeId, pid: process.pid } });
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const node = createNodeApp({ nodeId: config.nodeId, config, logger, registry });
try {
  // Before listening: the node never serves without a strategy.
  await node.switchStrategy(strategy);
} catch (error) {
  logger.fatal({ err: error, strategy: strategy.name }, 'could not start the session strategy');
  await node.close();
  process.exit(1);
}

const handle = node.app.callback();
// Koa answers its own failures (ctx.onerror); nothing is left to await.
const server = createServer((req, res) => void handle(req, res));
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
server.headersTimeout = HEADERS_TIMEOUT_MS;
server.on('error', (error) => {
  logger.fatal({ err: error }, 'server failed');
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo;
  logger.info({ host: config.host, port }, 'listening');
});

let stopping = false;

async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, 'second signal: dropping open connections');
    server.closeAllConnections();
    return;
  }
  stopping = true;
  logger.info({ signal }, 'stopping');
  // Stops accepting and drops idle keep-alive connections.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A busy connection turns idle once its response is sent, but nothing would
  // close it then: keep dropping idle ones until all are gone.
  const dropIdle = setInterval(() => server.closeIdleConnections(), 50);
  const grace = setTimeout(() => {
    logger.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'grace period over: dropping open connections');
    server.closeAllConnections();
  }, SHUTDOWN_GRACE_MS);
  await closed;
  clearInterval(dropIdle);
  clearTimeout(grace);
  await node.close();
  logger.info('stopped');
  process.exit(0);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    stop(signal).catch((error: unknown) => {
      logger.fatal({ err: error }, 'stop failed');
      process.exit(1);
    });
  });
}
