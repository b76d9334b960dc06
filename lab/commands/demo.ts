import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { balancerAdmin, type BalancerNodeView } from '../topology/admin-client.ts';
import { CookieClient } from '../topology/cookie-client.ts';
import { signalService } from '../process/supervisor.ts';
import { findNode } from '../topology/state.ts';
import { startNode, startTopology, stopTopology } from '../topology/topology.ts';
import { waitFor } from '../process/wait.ts';

type Print = (line: string) => void;

async function login(client: CookieClient, user: string): Promise<string> {
  const response = await client.request('POST', '/login', { json: { user, password: 'secret' } });
  if (response.status !== 200) throw new Error(`login of ${user} answered ${response.status}`);
  return response.servedBy;
}

/**
 * The README's main job for now: three nodes behind the lab balancer with
 * sticky sessions, a scripted journey, a node killed under a pinned client,
 * and what that client saw. Starts and stops its own topology on free ports.
 */
export async function demo(print: Print): Promise<void> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'lab-demo-'));
  const state = await startTopology({
    stateDir,
    nodes: 3,
    port: 0,
    adminPort: 0,
    detached: false,
  });
  try {
    print(`topology: balancer ${state.balancer.url}, ${state.nodes.length} nodes, strategy sticky`);
    const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
    const clients = users.map(() => new CookieClient(state.balancer.url));
    const pinned = new Map<string, string>();
    for (const [index, client] of clients.entries()) {
      pinned.set(users[index]!, await login(client, users[index]!));
    }
    print(`1. six users log in; the balancer pins each to a node:`);
    for (const [user, node] of pinned) print(`     ${user.padEnd(6)} -> ${node}`);

    let stayed = 0;
    let total = 0;
    for (const [index, client] of clients.entries()) {
      for (let write = 1; write <= 5; write += 1) {
        const response = await client.request('POST', '/cart/items', {
          json: { sku: `sku-${write}`, qty: 1 },
        });
        total += 1;
        if (response.servedBy === pinned.get(users[index]!)) stayed += 1;
      }
    }
    const alice = clients[0]!;
    const cart = (await alice.request('GET', '/cart')).body as { version: number };
    print(
      `2. 5 cart writes per user: ${stayed}/${total} served by the pinned node; alice's cart is at version ${cart.version}`,
    );

    const victim = findNode(state, pinned.get('alice')!);
    await signalService(victim.pid, victim.spec, 'SIGKILL');
    print(`3. SIGKILL ${victim.id} (pid ${victim.pid}), the node holding alice's session`);

    const lost: string[] = [];
    for (const [index, client] of clients.entries()) {
      const response = await client.request('GET', '/me');
      if (response.status === 401) lost.push(`${users[index]} (now on ${response.servedBy})`);
    }
    const onVictim = [...pinned.values()].filter((node) => node === victim.id).length;
    print(
      `4. every user reads /me: ${lost.length} session(s) lost, ${onVictim} user(s) were pinned to ${victim.id}`,
    );
    for (const entry of lost) print(`     lost: ${entry}`);
    const again = await login(alice, 'alice');
    const fresh = (await alice.request('GET', '/cart')).body as { version: number };
    print(
      `5. alice logs in again and is pinned to ${again}; her cart is back at version ${fresh.version}`,
    );

    victim.pid = await startNode(victim.spec, victim.url, false);
    const { adminUrl, adminToken } = state.balancer;
    const seconds = Date.now();
    await waitFor(
      async () => {
        const nodes = await balancerAdmin<BalancerNodeView[]>(
          adminUrl,
          adminToken,
          'GET',
          '/nodes',
        );
        return nodes.find((node) => node.id === victim.id)?.state === 'up';
      },
      { timeoutMs: 15000, what: `${victim.id} to be readmitted` },
    );
    print(
      `6. ${victim.id} restarted; the balancer's health check readmitted it after ${((Date.now() - seconds) / 1000).toFixed(1)} s`,
    );
    print(
      'Sticky sessions keep a client on one node; when that node dies its sessions die with it (claim C6).',
    );
  } finally {
    await stopTopology(state);
    await rm(stateDir, { recursive: true, force: true });
  }
}
