// Entry point of one lab node: `node nodes/main.ts`, configured by the
// environment (see nodes/config.ts). Exit codes: 0 after a graceful stop,
// 1 when the server fails, 2 for bad configuration.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { MemorySessionStore } from '../store/memory-store.ts';
import { createNodeApp } from './app.ts';
import { ConfigError, loadNodeConfig } from './config.ts';
import type { NodeConfig } from './config.ts';

/** How long in-flight requests get to finish after SIGTERM/SIGINT. */
const SHUTDOWN_GRACE_MS = 5_000;
// Longer than the balancer keeps idle pooled connections (60 s), so the node
// never closes a connection the balancer is about to reuse (a spurious 502).
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
// Node requires headersTimeout > keepAliveTimeout for the above to hold.
const HEADERS_TIMEOUT_MS = 66_000;

function readConfig(): NodeConfig {
  try {
    return loadNodeConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

const config = readConfig();
const logger = pino({ level: config.logLevel, base: { node: config.nodeId, pid: process.pid } });
const store = new MemorySessionStore({
  idleTimeoutMs: config.idleTimeoutMs,
  maxEntries: config.maxEntries,
});
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const app = createNodeApp({ nodeId: config.nodeId, store, config, logger, registry });

const handle = app.callback();
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
  await store.close();
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
