import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { CookieClient } from '../../lab/topology/cookie-client.ts';
import { parseStrategyChoice } from '../../lab/strategy/choice.ts';
import { switchStrategy } from '../../lab/strategy/switch.ts';
import { useTopology } from './harness.ts';

/**
 * Attacks on sessions, cookies and tokens, sent through the real balancer to
 * real nodes. Every case must be refused; the suite counts and prints them
 * (claims C3 and C13 need the number, not just a green tick).
 */
describe('security cases through the balancer', function () {
  this.timeout(120000);
  const topology = useTopology(2);
  const tried: string[] = [];

  async function loggedIn(user = 'victim'): Promise<CookieClient> {
    const client = new CookieClient(topology.state.balancer.url);
    const response = await client.request('POST', '/login', { json: { user, password: 'secret' } });
    assert.equal(response.status, 200);
    return client;
  }

  /** Sends one attack and asserts it was refused with 401. */
  async function refused(name: string, client: CookieClient, init: Record<string, string> = {}) {
    tried.push(name);
    const response = await client.request('GET', '/me', { headers: init });
    assert.equal(response.status, 401, `${name}: answered ${response.status}`);
  }

  after(() => {
    console.log(`      security cases tried and refused: ${tried.length}`);
  });

  for (const strategy of ['sticky', 'redis']) {
    describe(`server sessions (${strategy})`, () => {
      before(async () => {
        await switchStrategy(topology.stateDir, topology.state, parseStrategyChoice(strategy), {
          detached: false,
        });
      });

      it('session fixation: an id planted before login is never valid after it', async () => {
        const attacker = await loggedIn('attacker');
        const planted = attacker.cookies.get('sid')!;
        const victim = new CookieClient(topology.state.balancer.url);
        victim.cookies.set('SLB', attacker.cookies.get('SLB') ?? '');
        victim.cookies.set('sid', planted);
        await victim.request('POST', '/login', { json: { user: 'victim', password: 'secret' } });
        assert.notEqual(victim.cookies.get('sid'), planted, 'login issues a fresh id');
        const replay = new CookieClient(topology.state.balancer.url);
        replay.cookies.set('SLB', attacker.cookies.get('SLB') ?? '');
        replay.cookies.set('sid', planted);
        await refused(`${strategy}: planted id after the victim's login`, replay);
      });

      it('refuses ids it never issued, and ids after logout', async () => {
        const guesser = new CookieClient(topology.state.balancer.url);
        guesser.cookies.set('sid', randomBytes(16).toString('base64url'));
        await refused(`${strategy}: well-formed unissued id`, guesser);
        guesser.cookies.set('sid', "' OR 1=1 --");
        await refused(`${strategy}: malformed id`, guesser);
        guesser.cookies.set('sid', 'x'.repeat(3000));
        await refused(`${strategy}: oversized id`, guesser);

        const user = await loggedIn();
        const stolen = new CookieClient(topology.state.balancer.url);
        for (const [name, value] of user.cookies) stolen.cookies.set(name, value);
        assert.equal((await user.request('POST', '/logout')).status, 204);
        await refused(`${strategy}: copied cookie after logout`, stolen);
      });

      it('sets the session cookie HttpOnly, SameSite=Lax, and Secure only over TLS', async () => {
        const client = new CookieClient(topology.state.balancer.url);
        const response = await client.request('POST', '/login', {
          json: { user: 'attrs', password: 'secret' },
        });
        const sid = response.headers.getSetCookie().find((line) => line.startsWith('sid='))!;
        assert.match(sid, /; HttpOnly/i);
        assert.match(sid, /; SameSite=Lax/i);
        // The balancer speaks plain HTTP here and sets X-Forwarded-Proto itself.
        assert.doesNotMatch(sid, /; Secure/i);
      });
    });
  }

  describe('cookie sessions', () => {
    before(async () => {
      await switchStrategy(topology.stateDir, topology.state, parseStrategyChoice('cookie'), {
        detached: false,
      });
    });

    it('refuses every tampered, truncated, relabelled or foreign cookie', async () => {
      const user = await loggedIn();
      const sealed = user.cookies.get('sls')!;
      const [keyId, body] = sealed.split('.') as [string, string];
      const flip = (text: string, at: number) =>
        text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
      const variants: [string, string][] = [
        ['first byte flipped', `${keyId}.${flip(body, 0)}`],
        ['middle byte flipped', `${keyId}.${flip(body, Math.floor(body.length / 2))}`],
        ['tag byte flipped', `${keyId}.${flip(body, body.length - 2)}`],
        ['truncated', `${keyId}.${body.slice(0, body.length - 8)}`],
        ['unknown key id', `k9.${body}`],
        ['plain JSON', Buffer.from('{"user":"admin"}').toString('base64url')],
        [
          'sealed with another key',
          `${keyId}.${createHmac('sha256', 'x').update(body).digest('base64url')}${body.slice(43)}`,
        ],
      ];
      for (const [name, value] of variants) {
        const forger = new CookieClient(topology.state.balancer.url);
        forger.cookies.set('sls', value);
        await refused(`cookie: ${name}`, forger);
      }
      assert.equal(
        (await user.request('GET', '/me')).status,
        200,
        'the genuine cookie still works',
      );
    });
  });

  describe('jwt access tokens', () => {
    before(async () => {
      await switchStrategy(topology.stateDir, topology.state, parseStrategyChoice('jwt'), {
        detached: false,
      });
    });

    it('refuses forged, unsigned, re-signed and garbage tokens', async () => {
      const client = new CookieClient(topology.state.balancer.url);
      const login = await client.request('POST', '/login', {
        json: { user: 'victim', password: 'secret' },
      });
      const { accessToken } = login.body as { accessToken: string };
      const [header, payload, signature] = accessToken.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
        string,
        unknown
      >;
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const asAdmin = encode({ ...claims, sub: 'admin' });
      const none = encode({ alg: 'none', typ: 'at+jwt' });
      const hs = encode({ alg: 'HS256', typ: 'at+jwt' });
      const hsSignature = createHmac('sha256', 'secret')
        .update(`${hs}.${asAdmin}`)
        .digest('base64url');
      const tokens: [string, string][] = [
        ['payload changed, signature kept', `${header}.${asAdmin}.${signature}`],
        ['alg none, no signature', `${none}.${asAdmin}.`],
        ['HS256 with a guessed secret', `${hs}.${asAdmin}.${hsSignature}`],
        ['signature stripped', `${header}.${payload}.`],
        ['garbage', 'not.a.token'],
      ];
      for (const [name, token] of tokens) {
        await refused(`jwt: ${name}`, new CookieClient(topology.state.balancer.url), {
          authorization: `Bearer ${token}`,
        });
      }
      const genuine = await new CookieClient(topology.state.balancer.url).request('GET', '/me', {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      assert.equal(genuine.status, 200, 'the genuine token still works');
    });
  });

  // Nested, so it runs after the suites above (mocha runs a describe's own tests first).
  describe('the count', () => {
    it('tried every case it lists', () => {
      // 2 strategies x 5 session cases + 7 cookie + 5 token cases.
      assert.equal(tried.length, 22);
    });
  });
});
