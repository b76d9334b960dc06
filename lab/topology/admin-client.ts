import { LabError } from '../errors.ts';

/** A node as the balancer's admin API reports it. */
export interface BalancerNodeView {
  id: string;
  url: string;
  state: string;
  [counter: string]: unknown;
}

/** Calls the balancer's admin API with its token. */
export async function balancerAdmin<T>(
  adminUrl: string,
  token: string,
  method: string,
  path: string,
  json?: unknown,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${adminUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
      signal: AbortSignal.timeout(3000),
    });
  } catch (error) {
    throw new LabError(
      'BALANCER_UNREACHABLE',
      `the balancer's admin API at ${adminUrl} does not answer (${(error as Error).message})`,
      'check `lab status`; restart with `lab down && lab up`',
    );
  }
  const body = (await response.json().catch(() => undefined)) as T;
  if (!response.ok) {
    throw new LabError(
      'BALANCER_REFUSED',
      `balancer admin ${method} ${path} answered ${response.status}: ${JSON.stringify(body)}`,
    );
  }
  return body;
}

/** A node admin endpoint's answer: its status and JSON body (undefined if not JSON). */
export interface NodeAdminAnswer {
  ok: boolean;
  status: number;
  body: unknown;
}

/**
 * Calls a node's token-protected admin endpoint (`/admin/...`). Rejects only
 * when the node does not answer within `timeoutMs`; an HTTP error is an answer.
 */
export async function nodeAdmin(
  nodeUrl: string,
  token: string,
  method: string,
  path: string,
  options: { json?: unknown; timeoutMs: number },
): Promise<NodeAdminAnswer> {
  const response = await fetch(`${nodeUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  const body: unknown = await response.json().catch(() => undefined);
  return { ok: response.ok, status: response.status, body };
}
