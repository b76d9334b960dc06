import { LabError } from './errors.ts';

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
