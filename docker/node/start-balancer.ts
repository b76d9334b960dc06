// Entry point of the balancer container: writes the balancer's JSON config
// from the environment, then runs balancer/main.ts on it (which checks every
// field). Sticky routing for the sticky strategy, round-robin for the others,
// as the lab sets it; `lab strategy` changes it live through the admin API.
//   LAB_STRATEGY       default sticky
//   LAB_PORT           public port on 127.0.0.1
//   LAB_ADMIN_PORT     admin port on 127.0.0.1
//   LAB_ADMIN_TOKEN    bearer token of the admin API
//   LAB_STICKY_SECRET  signs the sticky cookie
//   LAB_NODES          node-1=http://127.0.0.1:18101,node-2=...
import { writeFileSync } from 'node:fs';

function fail(message: string): never {
  process.stderr.write(`balancer: ${message}\n`);
  process.exit(2);
}

function port(name: string): number {
  const value = Number(process.env[name]);
  if (!Number.isInteger(value) || value < 1 || value > 65535) fail(`${name} must be a port`);
  return value;
}

const nodes = (process.env.LAB_NODES ?? '').split(',').map((entry) => {
  const [id, url] = entry.split('=');
  if (!id || !url) fail('LAB_NODES must be id=url pairs, comma-separated');
  return { id, url };
});
const strategy = (process.env.LAB_STRATEGY || 'sticky').split(':')[0];
const config = {
  listen: { host: '127.0.0.1', port: port('LAB_PORT') },
  admin: { host: '127.0.0.1', port: port('LAB_ADMIN_PORT'), token: process.env.LAB_ADMIN_TOKEN },
  nodes,
  policy: strategy === 'sticky' ? 'sticky' : 'round-robin',
  sticky: { cookieName: 'SLB', secret: process.env.LAB_STICKY_SECRET },
};
const file = '/tmp/balancer.json';
writeFileSync(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
process.argv[2] = file;
await import('../../balancer/main.ts');
