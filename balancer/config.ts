// The balancer's configuration: read and validated here and nowhere else.
// Every rejection names the field and says what to put there instead.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { z } from 'zod';

export const policyNames = ['round-robin', 'least-connections', 'sticky'] as const;
export type PolicyName = (typeof policyNames)[number];
export const fallbackPolicyNames = ['round-robin', 'least-connections'] as const;
export type FallbackPolicyName = (typeof fallbackPolicyNames)[number];
/** How long the balancer waits for a node by default; the load generator sizes its own timeout above it. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000;

const port = z
  .number({ error: 'must be a port number (0-65535; 0 picks a free port)' })
  .int({ error: 'must be a whole port number (0-65535)' })
  .min(0, { error: 'must be a port number (0-65535)' })
  .max(65535, { error: 'must be a port number (0-65535)' });

const host = z.string({ error: 'must be a host name or IP address' }).min(1);

const ms = (what: string, min = 1) =>
  z
    .number({ error: `must be a number of milliseconds (${what})` })
    .int({ error: 'must be a whole number of milliseconds' })
    .min(min, { error: `must be at least ${min} ms (${what})` });

const count = (what: string, min = 1) =>
  z
    .number({ error: `must be a whole number (${what})` })
    .int({ error: `must be a whole number (${what})` })
    .min(min, { error: `must be at least ${min} (${what})` });

function isLoopback(h: string): boolean {
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

// Node ids appear in admin paths, metric labels and the sticky-cookie HMAC, so
// they are kept to a character set that needs no escaping anywhere.
const nodeId = z
  .string({ error: 'must be a string such as "node-1"' })
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'must be 1-64 characters of A-Z a-z 0-9 _ . -' });

const nodeUrl = z
  .string({ error: 'must be a URL such as "http://127.0.0.1:9001"' })
  .check((ctx) => {
    let url: URL;
    try {
      url = new URL(ctx.value);
    } catch {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: 'must be an absolute URL such as "http://127.0.0.1:9001"',
      });
      return;
    }
    const problem =
      url.protocol !== 'http:'
        ? 'must use http:// (nodes are reached over plain HTTP on the lab network)'
        : url.username || url.password
          ? 'must not contain credentials'
          : url.pathname !== '/' || url.search || url.hash
            ? 'must be scheme://host:port only, without a path, query or fragment'
            : undefined;
    if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
  });

const schema = z.strictObject({
  listen: z
    .strictObject({ host: host.default('127.0.0.1'), port: port.default(8080) })
    .prefault({}),
  admin: z.strictObject(
    {
      host: host.default('127.0.0.1').refine(isLoopback, {
        error:
          'must be a loopback address (127.x.x.x, ::1 or localhost): the admin API controls routing',
      }),
      port: port.default(8081),
      token: z
        .string({ error: 'is required: a random bearer token of at least 16 characters' })
        .min(16, { error: 'must be at least 16 characters; use a random token' }),
    },
    { error: 'is required: {"token": "<at least 16 random characters>"}' },
  ),
  nodes: z
    .array(z.strictObject({ id: nodeId, url: nodeUrl }), {
      error: 'must be a list of {"id", "url"} objects',
    })
    .min(1, { error: 'must list at least one node' })
    .check((ctx) => {
      const seen = new Set<string>();
      ctx.value.forEach((node, i) => {
        if (seen.has(node.id)) {
          ctx.issues.push({
            code: 'custom',
            input: node.id,
            path: [i, 'id'],
            message: `duplicate id "${node.id}"; every node needs its own id`,
          });
        }
        seen.add(node.id);
      });
    }),
  policy: z
    .enum(policyNames, { error: `must be one of ${policyNames.join(', ')}` })
    .default('round-robin'),
  // Required even when the start policy is not sticky: the admin API can
  // switch to sticky at any time, and cookies must stay valid across restarts.
  sticky: z.strictObject(
    {
      cookieName: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be a cookie name of A-Z a-z 0-9 _ -' })
        .default('SLB'),
      secret: z
        .string({ error: 'is required: at least 32 random characters (signs the sticky cookie)' })
        .min(32, { error: 'must be at least 32 characters; use a random secret' }),
      fallback: z
        .enum(fallbackPolicyNames, { error: `must be one of ${fallbackPolicyNames.join(', ')}` })
        .default('round-robin'),
    },
    { error: 'is required: {"secret": "<at least 32 random characters>"}' },
  ),
  health: z
    .strictObject({
      path: z
        .string()
        .regex(/^\/[^\s]*$/, { error: 'must be a path starting with "/"' })
        .default('/healthz'),
      intervalMs: ms('time between checks', 10).default(1000),
      timeoutMs: ms('time a check may take').default(500),
      fall: count('consecutive failures before a node is down').default(2),
      rise: count('consecutive successes before a node is up').default(2),
      // HAProxy's `slowstart`: long enough for a JIT and pools to warm, short
      // enough that a chaos run sees the node carry its share again.
      slowStartMs: ms(
        'time a readmitted node ramps from 10% to full weight; 0 turns it off',
        0,
      ).default(5000),
      // Passive health, as HAProxy's `observe layer4` with `error-limit`: a
      // node is marked down after this many consecutive connect failures or
      // resets on fresh connections, each within errorWindowMs of the last.
      // One dropped SYN under load is not a dead node; a killed node refuses
      // every connection and reaches the limit within milliseconds.
      errorLimit: count('consecutive passive errors before a node is marked down').default(5),
      errorWindowMs: ms('time after which an old passive error is forgotten').default(10000),
    })
    .prefault({}),
  limits: z
    .strictObject({
      maxHeaderBytes: count('bytes of request headers', 1024).default(16384),
      headersTimeoutMs: ms('time to receive request headers').default(10000),
      requestTimeoutMs: ms('time to receive the whole request').default(30000),
      connectTimeoutMs: ms('time to open a connection to a node').default(2000),
      upstreamTimeoutMs: ms('time for a node to start answering').default(
        DEFAULT_UPSTREAM_TIMEOUT_MS,
      ),
      maxBodyBytes: count('bytes of request body', 0).default(1048576),
      retries: count('extra attempts on other nodes after a connect failure', 0).default(2),
      // How long a client may leave a response unread (the balancer holding
      // the node's data for it) before its connection is cut; charged to the
      // client, never to the node. HAProxy's `timeout client` in the bench.
      clientIdleTimeoutMs: ms('time a client may stop reading a response').default(30000),
      // Caps on what clients can make the balancer hold. The per-address
      // default sits above the load generator's 10,000 users, which all come
      // from one loopback address; facing real clients, set it much lower.
      maxClientConnections: count('open client connections').default(15000),
      maxConnectionsPerAddress: count('open connections from one client address').default(10240),
      maxBufferedBytes: count('request body bytes buffered at once, all requests', 0).default(
        64 * 1048576,
      ),
    })
    .prefault({})
    .check((ctx) => {
      // Node's http server rejects this combination at start; say it here.
      if (ctx.value.headersTimeoutMs > ctx.value.requestTimeoutMs) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value.headersTimeoutMs,
          path: ['headersTimeoutMs'],
          message: 'must not exceed limits.requestTimeoutMs',
        });
      }
      if (ctx.value.maxConnectionsPerAddress > ctx.value.maxClientConnections) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value.maxConnectionsPerAddress,
          path: ['maxConnectionsPerAddress'],
          message: 'must not exceed limits.maxClientConnections',
        });
      }
      if (ctx.value.maxBufferedBytes < ctx.value.maxBodyBytes) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value.maxBufferedBytes,
          path: ['maxBufferedBytes'],
          message: 'must be at least limits.maxBodyBytes, or no request of the largest size fits',
        });
      }
    }),
});

export type BalancerConfig = z.infer<typeof schema>;
export type BalancerConfigInput = z.input<typeof schema>;
export type LimitsConfig = BalancerConfig['limits'];
export type HealthConfig = BalancerConfig['health'];

/** Bad configuration: `issues` are `field: what to fix` lines. */
export class ConfigError extends Error {
  readonly code = 'BALANCER_CONFIG_INVALID';
  readonly issues: readonly string[];
  constructor(source: string, issues: readonly string[]) {
    super(`invalid balancer config (${source}): ${issues.join('; ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

function describe(issue: z.core.$ZodIssue): string {
  return `${fieldPath(issue.path)}: ${issue.message}`;
}

function describeAll(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map(
          (key) =>
            `${fieldPath([...issue.path, key])}: unknown field; remove it or fix its spelling`,
        )
      : [describe(issue)],
  );
}

/** Validates an already-parsed object; throws ConfigError on the first pass with every issue. */
export function parseBalancerConfig(input: unknown, source = 'inline'): BalancerConfig {
  const result = schema.safeParse(input);
  if (!result.success) throw new ConfigError(source, describeAll(result.error.issues));
  return result.data;
}

/** Reads and validates a JSON config file. */
export async function loadBalancerConfig(path: string): Promise<BalancerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(path, [
      `cannot read the file (${reason}); pass the path of a JSON config`,
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [`not valid JSON (${(err as Error).message})`]);
  }
  return parseBalancerConfig(json, path);
}
