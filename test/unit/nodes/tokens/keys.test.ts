import assert from 'node:assert/strict';
import { ZodError } from 'zod';
import { ConfigError } from '../../../../nodes/config.ts';
import {
  generateSigningKeys,
  loadSigningKeys,
  SigningKeysSchema,
} from '../../../../nodes/tokens/keys.ts';

async function es256() {
  const keys = await generateSigningKeys('ES256');
  assert.equal(keys.alg, 'ES256');
  return keys;
}

describe('signing keys', () => {
  it('generates an ES256 pair that survives JSON (the switch body) and loads', async () => {
    const config = SigningKeysSchema.parse(JSON.parse(JSON.stringify(await es256())));
    const keys = await loadSigningKeys(config);
    assert.equal(keys.alg, 'ES256');
    assert.match(keys.kid, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(keys.signingKey, keys.verificationKey);
  });

  it('gives the same kid on every node for the same keys', async () => {
    const config = await es256();
    assert.equal((await loadSigningKeys(config)).kid, (await loadSigningKeys(config)).kid);
  });

  it('refuses a public key that is not the half of the private key', async () => {
    const one = await es256();
    const two = await es256();
    await assert.rejects(
      loadSigningKeys({ ...one, publicJwk: two.publicJwk }),
      (error) => error instanceof ConfigError && /not the public half/.test(error.message),
    );
  });

  it('refuses a point that is not on the curve', async () => {
    const config = await es256();
    const x = `A${config.publicJwk.x.slice(1)}`;
    const bad = {
      ...config,
      privateJwk: { ...config.privateJwk, x },
      publicJwk: { ...config.publicJwk, x },
    };
    await assert.rejects(loadSigningKeys(bad), ConfigError);
  });

  it('refuses a "public" key that carries the private scalar', async () => {
    const config = await es256();
    const leaked = { ...config, publicJwk: config.privateJwk };
    assert.throws(() => SigningKeysSchema.parse(leaked), ZodError);
  });

  it('refuses an HS256 secret under 32 bytes and an unknown algorithm', () => {
    const short = Buffer.alloc(31, 1).toString('base64url');
    assert.throws(() => SigningKeysSchema.parse({ alg: 'HS256', secret: short }), ZodError);
    assert.throws(() => SigningKeysSchema.parse({ alg: 'none' }), ZodError);
  });

  it('generates and loads an HS256 secret of 32 bytes', async () => {
    const config = await generateSigningKeys('HS256');
    assert.equal(config.alg, 'HS256');
    const keys = await loadSigningKeys(config);
    assert.equal((keys.signingKey as Uint8Array).length, 32);
    assert.equal(keys.signingKey, keys.verificationKey);
  });
});
