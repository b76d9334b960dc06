import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { createHmac, createPublicKey } from 'node:crypto';
import { loadSigningKeys, SigningKeysSchema } from '../../../nodes/tokens/keys.ts';
import { LabError } from '../../errors.ts';
import type { LabState } from '../../topology/state.ts';
import { withBearer, type Forgery } from './forgery.ts';
import type { ProbeClient } from './probe-client.ts';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Parsed {
  header: Record<string, unknown>;
  claims: JWTPayload;
  parts: [string, string, string];
}

function parse(token: string | undefined, who: string): Parsed {
  const parts = (token ?? '').split('.');
  if (parts.length !== 3) {
    throw new LabError('PROBE_UNEXPECTED_ANSWER', `the ${who}'s login gave no access token`);
  }
  const [header = '', payload = '', signature = ''] = parts;
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), claims: decode(payload), parts: [header, payload, signature] };
}

function hs256(header: Record<string, unknown>, claims: JWTPayload, secret: string): string {
  const input = `${encode({ ...header, alg: 'HS256' })}.${encode(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** The topology's own signing key from the lab state, if it can be read. */
async function topologyKey(state: LabState) {
  const config = SigningKeysSchema.safeParse(state.secrets?.jwtKeys);
  return config.success
    ? { config: config.data, keys: await loadSigningKeys(config.data) }
    : undefined;
}

/**
 * Access tokens a client could forge from its own (alg none, changed
 * payload, a signature from another token, a key of its own, HS256 keyed
 * with the public key), and, when `genuineKey` is given, tokens signed with
 * the topology's key whose claims are wrong (expired, not yet valid, another
 * audience or issuer, another type, no family): those test the claim checks,
 * not the signature.
 */
export async function forgeTokens(
  victim: ProbeClient,
  other: ProbeClient,
  state: LabState,
  genuineKey: boolean,
): Promise<Forgery[]> {
  const { header, claims, parts } = parse(victim.bearer, 'victim');
  const [head, payload, signature] = parts;
  const otherSignature = parse(other.bearer, 'second user').parts[2];
  const now = Math.floor(Date.now() / 1000);
  const asAdmin = encode({ ...claims, sub: 'admin' });
  const longer = encode({ ...claims, exp: now + 3600 });
  const none = encode({ alg: 'none', typ: header.typ });
  const own = await generateKeyPair('ES256');
  const ownSign = (body: JWTPayload, extra: Record<string, unknown> = {}) =>
    new SignJWT(body)
      .setProtectedHeader({ ...header, alg: 'ES256', ...extra })
      .sign(own.privateKey);
  const expired = { ...claims, iat: now - 3600, nbf: now - 3600, exp: now - 3000 };

  const tokens: [string, string][] = [
    ['alg none, real payload', `${none}.${payload}.`],
    ['alg none, real payload, signature kept', `${none}.${payload}.${signature}`],
    ['payload changed (sub), signature kept', `${head}.${asAdmin}.${signature}`],
    ['payload changed (exp + 1 h), signature kept', `${head}.${longer}.${signature}`],
    ['signature stripped', `${head}.${payload}.`],
    ["another token's signature", `${head}.${payload}.${otherSignature}`],
    ['real claims signed with a key of its own', await ownSign(claims)],
    ['expired claims re-signed with a key of its own', await ownSign(expired)],
    [
      'own key embedded in the header (jwk)',
      await ownSign({ ...claims, sub: 'admin' }, { jwk: await exportJWK(own.publicKey) }),
    ],
    ['garbage', 'not.a.token'],
  ];
  const topology = await topologyKey(state);
  if (topology?.config.alg === 'ES256') {
    const publicKey = createPublicKey({ key: topology.config.publicJwk, format: 'jwk' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    tokens.push(
      ['HS256 keyed with the public key (PEM)', hs256(header, claims, pem)],
      [
        'HS256 keyed with the public key (JWK)',
        hs256(header, claims, JSON.stringify(topology.config.publicJwk)),
      ],
    );
  }
  if (genuineKey && topology) {
    const key = topology.keys.signingKey;
    const sign = (body: JWTPayload, extra: Record<string, unknown> = {}) =>
      new SignJWT(body)
        .setProtectedHeader({ ...header, ...extra, alg: topology.keys.alg })
        .sign(key);
    const withoutFamily: JWTPayload = { ...claims };
    delete withoutFamily.sid;
    tokens.push(
      ['expired [topology key]', await sign(expired)],
      [
        'not yet valid [topology key]',
        await sign({ ...claims, nbf: now + 600, iat: now + 600, exp: now + 660 }),
      ],
      ['another audience [topology key]', await sign({ ...claims, aud: 'another-api' })],
      ['another issuer [topology key]', await sign({ ...claims, iss: 'another-issuer' })],
      ['type JWT instead of at+jwt [topology key]', await sign(claims, { typ: 'JWT' })],
      ['no family (sid) claim [topology key]', await sign(withoutFamily)],
    );
  }
  return tokens.map(([kind, token]) => ({ kind, client: withBearer(victim, token) }));
}

/**
 * A fresh token with the victim's claims signed with the topology's key, as
 * a node would sign it: the control that shows the key in the lab state is
 * the one the nodes use. Undefined when the state holds no usable key.
 */
export async function resignedControl(
  victim: ProbeClient,
  state: LabState,
): Promise<string | undefined> {
  const topology = await topologyKey(state);
  if (!topology) return undefined;
  const { header, claims } = parse(victim.bearer, 'victim');
  return new SignJWT({ ...claims, jti: `${String(claims.jti)}-control` })
    .setProtectedHeader({ ...header, alg: topology.keys.alg })
    .sign(topology.keys.signingKey);
}
