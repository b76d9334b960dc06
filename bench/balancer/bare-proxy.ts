// The floor for the benchmark's `--bare` mode: http-proxy 1.18 and a
// keep-alive agent per node, round-robin, and nothing else (no header rules,
// no retries, no timeouts, no metrics). Not a usable proxy: it exists only to
// show what http-proxy itself costs on the same load.
// Usage: node bench/balancer/bare-proxy.ts PORT NODE_URL...
import http from 'node:http';
import httpProxy from 'http-proxy';

const [portArg, ...nodeUrls] = process.argv.slice(2);
const targets = nodeUrls.map((url) => {
  const { hostname, port } = new URL(url);
  return {
    target: { protocol: 'http:', host: hostname, hostname, port: Number(port) },
    // Node's agent reuses the most recent socket first (LIFO) by default.
    agent: new http.Agent({ keepAlive: true, maxSockets: 128 }),
  };
});
const proxy = httpProxy.createProxyServer({ toProxy: true });
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) res.writeHead(502);
  res.end();
});
let next = 0;
const server = http.createServer((req, res) => {
  const node = targets[next]!;
  next = (next + 1) % targets.length;
  proxy.web(req, res, node);
});
server.listen(Number(portArg), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
