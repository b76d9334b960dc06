import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey } from 'jose';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../config.ts';

// A P-256 coordinate or private scalar: 32 bytes, 43 base64url characters.
const coordinate = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes in base64url');

// Strict: a public JWK that carries `d` is a leaked private key, not a public one.
const EcPublicJwk = z
  .object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: coordinate,
    y: coordinate,
    kid: z.string().optional(),
    alg: z.literal('ES256').optional(),
    use: z.literal('sig').optional(),
  })
  .strict();

const EcPrivateJwk = EcPublicJwk.extend({ d: coordinate }).strict();

/**
 * The signing keys of a topology, as the lab hands them to every node.
 * `ES256` (the default the lab generates): every node gets the private key,
 * since any node may sign at login, and verification uses only the public
 * key. `HS256`: one shared secret (at least 32 random bytes, base64url), for
 * comparing the cost of symmetric signatures; every verifier can then mint.
 */
export const SigningKeysSchema = z.discriminatedUnion('alg', [
  z.object({ alg: z.literal('ES256'), privateJwk: EcPrivateJwk, publicJwk: EcPublicJwk }).strict(),
  z
    .object({
      alg: z.literal('HS256'),
      secret: z.string().regex(/^[A-Za-z0-9_-]{43,}$/, 'must be at least 32 bytes in base64url'),
    })
    .strict(),
]);

export type SigningKeysConfig = z.infer<typeof SigningKeysSchema>;
export type SigningAlgorithm = SigningKeysConfig['alg'];

/** Keys ready for jose: `verificationKey` is all a verifier holds. */
export interface SigningKeys {
  alg: SigningAlgorithm;
  /** JWK thumbprint of the verification key, sent as the header's `kid`. */
  kid: string;
  signingKey: CryptoKey | Uint8Array;
  verificationKey: CryptoKey | Uint8Array;
}

/** Fresh keys in the configuration shape; the lab calls this once per topology. */
export async function generateSigningKeys(
  alg: SigningAlgorithm = 'ES256',
): Promise<SigningKeysConfig> {
  if (alg === 'HS256') return { alg, secret: randomBytes(32).toString('base64url') };
  const pair = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = EcPrivateJwk.parse(await exportJWK(pair.privateKey));
  const publicJwk = EcPublicJwk.parse(await exportJWK(pair.publicKey));
  return { alg, privateJwk, publicJwk };
}

/**
 * Imports configured keys. Throws a ConfigError when the private and public
 * keys are not one pair or a key is not a valid P-256 point: a node with a
 * mismatched pair would sign tokens that no node accepts.
 */
export async function loadSigningKeys(config: SigningKeysConfig): Promise<SigningKeys> {
  const keys = SigningKeysSchema.parse(config);
  if (keys.alg === 'HS256') {
    const secret = new Uint8Array(Buffer.from(keys.secret, 'base64url'));
    const kid = await calculateJwkThumbprint({ kty: 'oct', k: keys.secret });
    return { alg: keys.alg, kid, signingKey: secret, verificationKey: secret };
  }
  const { privateJwk, publicJwk } = keys;
  if (privateJwk.x !== publicJwk.x || privateJwk.y !== publicJwk.y) {
    throw new ConfigError('jwt keys: publicJwk is not the public half of privateJwk');
  }
  // Only the key material: WebCrypto refuses an `alg` or `use` that disagrees with the import.
  const { kty, crv, x, y } = publicJwk;
  try {
    const signingKey = await importJWK({ kty, crv, x, y, d: privateJwk.d }, 'ES256');
    const verificationKey = await importJWK({ kty, crv, x, y }, 'ES256');
    const kid = await calculateJwkThumbprint({ kty, crv, x, y });
    return { alg: keys.alg, kid, signingKey, verificationKey };
  } catch (error) {
    throw new ConfigError(`jwt keys: not a valid P-256 key pair (${(error as Error).message})`);
  }
}
