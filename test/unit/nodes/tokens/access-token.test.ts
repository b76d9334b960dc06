import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, sign as nodeSign } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import {
  ACCESS_TOKEN_TYPE,
  AccessTokenError,
  AccessTokens,
  CLIENT_ID,
  MAX_ACCESS_TOKEN_LENGTH,
} from '../../../../nodes/tokens/access-token.ts';
import type { AccessTokenFailure } from '../../../../nodes/tokens/access-token.ts';
import { generateSigningKeys, loadSigningKeys } from '../../../../nodes/tokens/keys.ts';
import type { SigningKeys } from '../../../../nodes/tokens/keys.ts';

const NOW_MS = 1_700_000_000_000;
const NOW = NOW_MS / 1000;
const TTL = 60;
const SKEW = 5;
const ISSUER = 'session-lab';
const AUDIENCE = 'session-lab-api';

type Json = Record<string, unknown>;

/** What every case gets: our keys, an attacker's, and ways to build tokens by hand. */
interface Fixture {
  keys: SigningKeys;
  publicJwk: JWK;
  privatePem: string;
  publicPem: string;
  attackerKey: CryptoKey;
  attackerJwk: JWK;
  /** A token our verifier accepts, issued by AccessTokens itself. */
  valid: string;
}

const b64 = (value: string | Buffer | Json | unknown[]) =>
  Buffer.from(
    typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value),
  ).toString('base64url');

/** Claims valid at NOW, minus or overriding some. */
function claims(overrides: Json = {}, omit: string[] = []): Json {
  const iat = NOW - 10;
  const base: Json = {
    sub: 'alice',
    iss: ISSUER,
    aud: AUDIENCE,
    iat,
    nbf: iat,
    exp: iat + TTL,
    jti: 'token-1',
    sid: 'family-1',
    auth_time: iat,
    client_id: CLIENT_ID,
    ...overrides,
  };
  for (const name of omit) delete base[name];
  return base;
}

const HEADER = { alg: 'ES256', typ: ACCESS_TOKEN_TYPE };

/** Signs with jose (any header, any key); our own key by default. */
function signed(f: Fixture, payload: Json, header: Json = HEADER, key?: CryptoKey | Uint8Array) {
  return new SignJWT(payload)
    .setProtectedHeader(header as { alg: string })
    .sign(key ?? f.keys.signingKey);
}

/** An HMAC-signed token built by hand, keyed with whatever the attacker knows. */
function hmac(secret: string | Buffer, alg = 'HS256', hash = 'sha256'): string {
  const input = `${b64({ alg, typ: ACCESS_TOKEN_TYPE })}.${b64(claims())}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

/** A genuine ES256 signature over any header and payload text (jose refuses to make some). */
function handSigned(f: Fixture, header: Json, payload: string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const key = createPrivateKey(f.privatePem);
  const raw = nodeSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${raw.toString('base64url')}`;
}

function unsigned(alg: string, signature = ''): string {
  return `${b64({ alg, typ: ACCESS_TOKEN_TYPE })}.${b64(claims())}.${signature}`;
}

function parts(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
}

interface Case {
  name: string;
  token: (f: Fixture) => string | Promise<string>;
  /** Why it is refused; `invalid` unless said. */
  reason?: AccessTokenFailure;
  /** What the refusal must mention, so a case cannot pass for an unrelated reason. */
  because?: RegExp;
}

const ATTACKS: Case[] = [
  // Signatures that do not match.
  {
    name: 'forged payload (sub changed, signature kept)',
    because: /SIGNATURE_VERIFICATION_FAILED/,
    token: (f) => {
      const [h, , s] = parts(f.valid);
      return `${h}.${b64(claims({ sub: 'mallory' }))}.${s}`;
    },
  },
  {
    name: 'forged payload (exp pushed out, signature kept)',
    because: /SIGNATURE_VERIFICATION_FAILED/,
    token: async (f) => {
      const [h, , s] = parts(await signed(f, claims()));
      return `${h}.${b64(claims({ exp: NOW + 3600 }))}.${s}`;
    },
  },
  {
    name: 'forged header (field added, signature kept)',
    because: /SIGNATURE_VERIFICATION_FAILED/,
    token: (f) => {
      const [, p, s] = parts(f.valid);
      return `${b64({ ...HEADER, kid: 'other' })}.${p}.${s}`;
    },
  },
  {
    name: 'signature spliced from another genuine token',
    because: /SIGNATURE_VERIFICATION_FAILED/,
    token: async (f) => {
      const [h, p] = parts(f.valid);
      const [, , s] = parts(await signed(f, claims({ sub: 'bob' })));
      return `${h}.${p}.${s}`;
    },
  },
  {
    name: 'ES256 header, empty signature',
    because: /SIGNATURE_VERIFICATION_FAILED/,
    token: () => unsigned('ES256'),
  },
  {
    name: 'psychic signature (r = s = 0, CVE-2022-21449)',
    because: /SIGNATURE_VERIFICATION_FAILED/,
    token: () => unsigned('ES256', Buffer.alloc(64).toString('base64url')),
  },
  {
    name: 'genuine ECDSA signature in DER instead of JOSE encoding',
    because: /SIGNATURE_VERIFICATION_FAILED/,
    token: (f) => {
      const input = `${b64(HEADER)}.${b64(claims())}`;
      const key = createPrivateKey(f.privatePem);
      const der = nodeSign('sha256', Buffer.from(input), { key, dsaEncoding: 'der' });
      return `${input}.${der.toString('base64url')}`;
    },
  },
  // alg: none, built by hand (jose will not make one).
  { name: 'alg none, no signature', because: /ALG_NOT_ALLOWED/, token: () => unsigned('none') },
  { name: 'alg None', because: /ALG_NOT_ALLOWED/, token: () => unsigned('None') },
  { name: 'alg NONE', because: /ALG_NOT_ALLOWED/, token: () => unsigned('NONE') },
  {
    name: 'alg none, genuine signature kept',
    because: /ALG_NOT_ALLOWED/,
    token: (f) => {
      const [, p, s] = parts(f.valid);
      return `${b64({ alg: 'none', typ: ACCESS_TOKEN_TYPE })}.${p}.${s}`;
    },
  },
  // Keys that are not ours.
  {
    name: 'signed by another ES256 key',
    because: /SIGNATURE_VERIFICATION_FAILED/,
    token: (f) => signed(f, claims(), HEADER, f.attackerKey),
  },
  {
    name: 'signed by another key embedded in the jwk header',
    because: /SIGNATURE_VERIFICATION_FAILED/,
    token: (f) => signed(f, claims(), { ...HEADER, jwk: f.attackerJwk }, f.attackerKey),
  },
  // Algorithm confusion: HMAC keyed with our public key (it is public).
  {
    name: 'HS256 keyed with the public key PEM',
    because: /ALG_NOT_ALLOWED/,
    token: (f) => hmac(f.publicPem),
  },
  {
    name: 'HS256 keyed with the PEM, trimmed',
    because: /ALG_NOT_ALLOWED/,
    token: (f) => hmac(f.publicPem.trim()),
  },
  {
    name: 'HS256 keyed with the SPKI DER bytes',
    because: /ALG_NOT_ALLOWED/,
    token: (f) => {
      const body = f.publicPem.replace(/-----[A-Z ]+-----|\s/g, '');
      return hmac(Buffer.from(body, 'base64'));
    },
  },
  {
    name: 'HS256 keyed with the public JWK JSON',
    because: /ALG_NOT_ALLOWED/,
    token: (f) => hmac(JSON.stringify(f.publicJwk)),
  },
  {
    name: 'HS256 keyed with the raw EC point',
    because: /ALG_NOT_ALLOWED/,
    token: (f) => {
      const x = Buffer.from(String(f.publicJwk.x), 'base64url');
      const y = Buffer.from(String(f.publicJwk.y), 'base64url');
      return hmac(Buffer.concat([Buffer.from([4]), x, y]));
    },
  },
  {
    name: 'HS512 keyed with the public key PEM',
    because: /ALG_NOT_ALLOWED/,
    token: (f) => hmac(f.publicPem, 'HS512', 'sha512'),
  },
  {
    name: 'header says ES384 over our genuine ES256 signature',
    because: /ALG_NOT_ALLOWED/,
    token: (f) => {
      const [, p, s] = parts(f.valid);
      return `${b64({ alg: 'ES384', typ: ACCESS_TOKEN_TYPE })}.${p}.${s}`;
    },
  },
  {
    name: 'header says RS256 over our genuine ES256 signature',
    because: /ALG_NOT_ALLOWED/,
    token: (f) => {
      const [, p, s] = parts(f.valid);
      return `${b64({ alg: 'RS256', typ: ACCESS_TOKEN_TYPE })}.${p}.${s}`;
    },
  },
  // Genuine signature, claims that must not pass.
  {
    name: 'expired beyond the skew',
    because: /"exp"/,
    token: (f) => signed(f, claims({ iat: NOW - 50, nbf: NOW - 50, exp: NOW - SKEW - 1 })),
    reason: 'expired',
  },
  {
    name: 'issued longer ago than the configured lifetime',
    because: /"iat".*too far in the past/,
    token: (f) => signed(f, claims({ iat: NOW - TTL - SKEW - 1, exp: NOW + 3600 })),
    reason: 'expired',
  },
  {
    name: 'nbf in the future beyond the skew',
    because: /"nbf"/,
    token: (f) => signed(f, claims({ nbf: NOW + SKEW + 1, exp: NOW + TTL })),
  },
  {
    name: 'iat in the future beyond the skew',
    because: /"iat".*in the past/,
    token: (f) => signed(f, claims({ iat: NOW + SKEW + 1, exp: NOW + TTL })),
  },
  { name: 'wrong aud', because: /"aud"/, token: (f) => signed(f, claims({ aud: 'another-api' })) },
  {
    name: 'aud list without ours',
    because: /"aud"/,
    token: (f) => signed(f, claims({ aud: ['a', 'b'] })),
  },
  {
    name: 'wrong iss',
    because: /"iss"/,
    token: (f) => signed(f, claims({ iss: 'https://evil.example' })),
  },
  { name: 'missing iss', because: /"iss"/, token: (f) => signed(f, claims({}, ['iss'])) },
  { name: 'missing aud', because: /"aud"/, token: (f) => signed(f, claims({}, ['aud'])) },
  {
    name: 'typ JWT',
    because: /"typ"/,
    token: (f) => signed(f, claims(), { alg: 'ES256', typ: 'JWT' }),
  },
  {
    name: 'typ of another token type',
    because: /"typ"/,
    token: (f) => signed(f, claims(), { ...HEADER, typ: 'dpop+jwt' }),
  },
  { name: 'missing typ', because: /"typ"/, token: (f) => signed(f, claims(), { alg: 'ES256' }) },
  { name: 'missing exp', because: /"exp"/, token: (f) => signed(f, claims({}, ['exp'])) },
  { name: 'missing nbf', because: /"nbf"/, token: (f) => signed(f, claims({}, ['nbf'])) },
  { name: 'missing iat', because: /"iat"/, token: (f) => signed(f, claims({}, ['iat'])) },
  { name: 'missing sub', because: /"sub"/, token: (f) => signed(f, claims({}, ['sub'])) },
  { name: 'missing sid', because: /"sid"/, token: (f) => signed(f, claims({}, ['sid'])) },
  { name: 'missing jti', because: /"jti"/, token: (f) => signed(f, claims({}, ['jti'])) },
  {
    name: 'sub not a string',
    because: /claims malformed/,
    token: (f) => signed(f, claims({ sub: 42 })),
  },
  {
    name: 'sub not a user name',
    because: /claims malformed/,
    token: (f) => signed(f, claims({ sub: 'a/b c' })),
  },
  {
    name: 'unknown critical header extension',
    because: /x-evil/,
    token: (f) =>
      handSigned(f, { ...HEADER, crit: ['x-evil'], 'x-evil': true }, JSON.stringify(claims())),
  },
  // Malformed strings.
  { name: 'empty string', token: () => '' },
  { name: 'not a JWT', token: () => 'not-a-token' },
  { name: 'two segments', token: (f) => parts(f.valid).slice(0, 2).join('.') },
  { name: 'four segments', token: (f) => `${f.valid}.x` },
  { name: 'five segments (JWE shape)', token: () => 'a.b.c.d.e' },
  { name: 'dots only', token: () => '..' },
  {
    name: 'header not JSON',
    token: (f) => `${b64('not json')}.${parts(f.valid)[1]}.${parts(f.valid)[2]}`,
  },
  {
    name: 'payload not JSON',
    because: /JWT_INVALID/,
    token: (f) => handSigned(f, HEADER, '{"sub":'),
  },
  {
    name: 'payload a JSON array',
    because: /JWT_INVALID/,
    token: (f) => handSigned(f, HEADER, '["alice"]'),
  },
  { name: 'whitespace inside', token: (f) => f.valid.replace('.', ' .') },
  { name: 'characters outside base64url', token: (f) => f.valid.replace(/^./, '*') },
  {
    name: `longer than ${MAX_ACCESS_TOKEN_LENGTH} characters`,
    token: async (f) => signed(f, claims({ pad: 'x'.repeat(MAX_ACCESS_TOKEN_LENGTH) })),
  },
];

const ACCEPTED: Case[] = [
  { name: 'a token issued by AccessTokens', token: (f) => f.valid },
  { name: 'a token built by hand with every claim', token: (f) => signed(f, claims()) },
  {
    name: 'expired by less than the skew',
    token: (f) => signed(f, claims({ iat: NOW - 50, nbf: NOW - 50, exp: NOW - SKEW + 1 })),
  },
  {
    name: 'nbf in the future within the skew',
    token: (f) => signed(f, claims({ nbf: NOW + SKEW - 1 })),
  },
  {
    name: 'typ application/at+jwt (RFC 9068 allows both)',
    token: (f) => signed(f, claims(), { ...HEADER, typ: 'application/at+jwt' }),
  },
  {
    name: 'aud list that includes ours',
    token: (f) => signed(f, claims({ aud: ['other', AUDIENCE] })),
  },
];

function verifier(keys: SigningKeys): AccessTokens {
  return new AccessTokens({
    keys,
    issuer: ISSUER,
    audience: AUDIENCE,
    ttlSeconds: TTL,
    clockSkewSeconds: SKEW,
  });
}

describe('AccessTokens', () => {
  let f: Fixture;
  let tokens: AccessTokens;

  before(async () => {
    const config = await generateSigningKeys('ES256');
    assert.equal(config.alg, 'ES256');
    const keys = await loadSigningKeys(config);
    tokens = verifier(keys);
    const attacker = await generateKeyPair('ES256');
    const { privateJwk, publicJwk } = config;
    f = {
      keys,
      publicJwk,
      privatePem: createPrivateKey({ key: privateJwk, format: 'jwk' }).export({
        type: 'pkcs8',
        format: 'pem',
      }) as string,
      publicPem: await exportSPKI(keys.verificationKey as CryptoKey),
      attackerKey: attacker.privateKey,
      attackerJwk: await exportJWK(attacker.publicKey),
      valid: (
        await tokens.issue(
          { user: 'alice', familyId: 'family-1', authTime: NOW - 10 },
          NOW_MS - 10_000,
        )
      ).token,
    };
  });

  it('issues a token with the RFC 9068 header and the claims it verifies to', async () => {
    const issued = await tokens.issue(
      { user: 'bob', familyId: 'fam-7', authTime: NOW - 99 },
      NOW_MS,
    );
    const [h, p] = parts(issued.token)
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Json) as [Json, Json];
    assert.deepEqual(h, { alg: 'ES256', typ: 'at+jwt', kid: f.keys.kid });
    assert.deepEqual(Object.keys(p).sort(), [
      'aud',
      'auth_time',
      'client_id',
      'exp',
      'iat',
      'iss',
      'jti',
      'nbf',
      'sid',
      'sub',
    ]);
    assert.equal(p.exp, NOW + TTL);
    assert.equal(issued.expiresIn, TTL);
    const verified = await tokens.verify(issued.token, NOW_MS);
    assert.deepEqual(verified, {
      user: 'bob',
      familyId: 'fam-7',
      tokenId: p.jti,
      authTime: NOW - 99,
      expiresAt: NOW + TTL,
    });
  });

  describe('refuses every attack case', () => {
    let refused = 0;
    for (const attack of ATTACKS) {
      it(`refuses: ${attack.name}`, async () => {
        const token = await attack.token(f);
        const expected = attack.reason ?? 'invalid';
        await assert.rejects(tokens.verify(token, NOW_MS), (error) => {
          assert.ok(error instanceof AccessTokenError, String(error));
          assert.equal(error.reason, expected, error.message);
          if (attack.because) assert.match(error.message, attack.because);
          return true;
        });
        refused += 1;
      });
    }

    it(`refused all ${ATTACKS.length} attack cases it tried`, () => {
      assert.equal(refused, ATTACKS.length);
      assert.ok(ATTACKS.length >= 40);
    });
  });

  describe('accepts', () => {
    for (const good of ACCEPTED) {
      it(good.name, async () => {
        const verified = await tokens.verify(await good.token(f), NOW_MS);
        assert.equal(verified.user, 'alice');
      });
    }
  });

  describe('with an HS256 secret', () => {
    let hs: AccessTokens;

    before(async () => {
      hs = verifier(await loadSigningKeys(await generateSigningKeys('HS256')));
    });

    it('verifies its own tokens', async () => {
      const issued = await hs.issue({ user: 'carol', familyId: 'f', authTime: NOW }, NOW_MS);
      assert.equal((await hs.verify(issued.token, NOW_MS)).user, 'carol');
    });

    it('refuses an ES256 token, alg none and another secret', async () => {
      const others = [f.valid, unsigned('none'), hmac('another secret of enough length!!')];
      for (const token of others) {
        await assert.rejects(hs.verify(token, NOW_MS), AccessTokenError);
      }
    });
  });
});
