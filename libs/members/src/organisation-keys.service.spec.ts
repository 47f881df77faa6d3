import { exportJWK, generateKeyPair } from 'jose';
import { PolicyViolation } from '@cadre/common';
import { publicJwkOf } from './organisation-keys.service';

describe('accepting an organisation key', () => {
  it('keeps only the public members of an Ed25519 key', async () => {
    const { publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(publicKey);
    expect(await publicJwkOf({ ...jwk, use: 'sig', alg: 'EdDSA' })).toEqual({ kty: 'OKP', crv: 'Ed25519', x: jwk.x });
  });

  it('accepts a P-256 public key', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    expect(await publicJwkOf({ ...jwk })).toEqual({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
  });

  it('refuses a private key, even a valid one', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    await expect(publicJwkOf({ ...(await exportJWK(privateKey)) })).rejects.toMatchObject({ code: 'invalid_key' });
  });

  it('refuses other key types and curves', async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    await expect(publicJwkOf({ ...(await exportJWK(rsa.publicKey)) })).rejects.toBeInstanceOf(PolicyViolation);
    const p384 = await generateKeyPair('ES384', { extractable: true });
    await expect(publicJwkOf({ ...(await exportJWK(p384.publicKey)) })).rejects.toBeInstanceOf(PolicyViolation);
    await expect(publicJwkOf({ kty: 'oct', k: 'c2VjcmV0' })).rejects.toBeInstanceOf(PolicyViolation);
  });

  it('refuses a point that is not on the curve', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    await expect(publicJwkOf({ ...jwk, y: jwk.x })).rejects.toMatchObject({ code: 'invalid_key' });
  });
});
