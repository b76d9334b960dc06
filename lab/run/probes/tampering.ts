import { LabError } from '../../errors.ts';
import { profileOf } from '../../strategy/choice.ts';
import type { Credential } from '../../strategy/profile.ts';
import { forgeCookies } from './forge-cookie.ts';
import { forgeSessionIds } from './forge-session-id.ts';
import { forgeTokens, resignedControl } from './forge-token.ts';
import { withBearer, type Forgery } from './forgery.ts';
import type { Probe, ProbeRunContext } from './probe.ts';
import { expectStatus, ProbeClient, probeUser } from './probe-client.ts';

interface Users {
  victim: ProbeClient;
  victimName: string;
  /** A second user: pieces of its credential go into some forgeries. */
  other: ProbeClient;
}

type Forger = (users: Users, context: ProbeRunContext) => Promise<Forgery[]>;

/** What a client can forge from each kind of credential (the strategy's profile names its kind). */
const FORGERS: Record<Credential, Forger> = {
  'session-id': ({ victim }) => Promise.resolve(forgeSessionIds(victim)),
  'sealed-cookie': ({ victim, other, victimName }) =>
    Promise.resolve(forgeCookies(victim, other, victimName)),
  'signed-token': async ({ victim, other }, { state }) => {
    // Tokens signed with the topology's key count only when that key is
    // shown to be the nodes' key: a re-signed copy of a real token works.
    const control = await resignedControl(victim, state);
    const genuineKey =
      control !== undefined &&
      (await withBearer(victim, control).request('GET', '/me')).status === 200;
    return forgeTokens(victim, other, state, genuineKey);
  },
};

/**
 * C3/C13: credentials a client could forge from its own (and another
 * user's), each sent once to GET /me through the balancer; a 200 is an
 * accepted forgery. The genuine credential must work before and after, or
 * a refusal would prove nothing; an answer other than 200 or 401 fails the
 * probe (a forgery that crashes a node is no refusal to count).
 */
export const tamperingProbe: Probe<'tampering'> = {
  name: 'tampering',
  claims: 'C3/C13',
  appliesTo: () => true,
  budgetMs: () => 15_000,
  async run(context) {
    const { state, strategy, signal } = context;
    const victimName = probeUser('victim');
    const victim = new ProbeClient(state.balancer.url, signal);
    const other = new ProbeClient(state.balancer.url, signal);
    await victim.login(victimName);
    await other.login(probeUser('other'));
    expectStatus(await victim.request('GET', '/me'), 200, 'GET /me with the genuine credential');

    const forgeries = await FORGERS[profileOf(strategy).credential](
      { victim, other, victimName },
      context,
    );
    const acceptedKinds: string[] = [];
    for (const { kind, client } of forgeries) {
      const response = await client.request('GET', '/me', { keepCookies: false });
      if (response.status === 200) acceptedKinds.push(kind);
      else if (response.status !== 401) {
        throw new LabError(
          'PROBE_UNEXPECTED_ANSWER',
          `forgery "${kind}" got ${response.status}${response.code ? ` ${response.code}` : ''}, neither accepted (200) nor refused (401)`,
        );
      }
    }
    expectStatus(
      await victim.request('GET', '/me'),
      200,
      'GET /me with the genuine credential after the forgeries',
    );
    return {
      tried: forgeries.length,
      accepted: acceptedKinds.length,
      kinds: forgeries.map((forgery) => forgery.kind),
      acceptedKinds,
    };
  },
};
