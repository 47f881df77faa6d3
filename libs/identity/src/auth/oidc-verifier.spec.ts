import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, KeyLike, SignJWT } from 'jose';
import { AppConfig } from '@cadre/config';
import { OidcVerifier } from './oidc-verifier';

const ISSUER = 'https://idp.example.org/realms/cadre';
const AUDIENCE = 'cadre-api';

/**
 * External (OIDC) access tokens, verified against the issuer's key set served over HTTP
 * from 127.0.0.1 (as a real identity provider would publish it).
 */
describe('OIDC: which external tokens prove an identity', () => {
  let idpKey: KeyLike;
  let otherKey: KeyLike;
  let server: Server;
  let jwksUrl: string;
  let verifier: OidcVerifier;

  beforeAll(async () => {
    const idp = await generateKeyPair('ES256');
    idpKey = idp.privateKey;
    otherKey = (await generateKeyPair('ES256')).privateKey;
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' }] });
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    verifier = new OidcVerifier(AppConfig.fromEnv({ CADRE_OIDC_ISSUER: ISSUER, CADRE_OIDC_JWKS_URL: jwksUrl, CADRE_OIDC_AUDIENCE: AUDIENCE }));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const external = (claims: Record<string, unknown>, key: KeyLike = idpKey, over: { iss?: string; aud?: string | null; exp?: number } = {}) => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .setIssuer(over.iss ?? ISSUER)
      .setIssuedAt()
      .setExpirationTime(over.exp ?? Math.floor(Date.now() / 1000) + 300);
    if (over.aud !== null) jwt.setAudience(over.aud ?? AUDIENCE);
    return jwt.sign(key);
  };

  it('refuses to start with an issuer but no audience (a token issued to any other application would log in)', () => {
    expect(() => AppConfig.fromEnv({ CADRE_OIDC_ISSUER: ISSUER, CADRE_OIDC_JWKS_URL: jwksUrl })).toThrow(/CADRE_OIDC_AUDIENCE/);
    expect(() => AppConfig.fromEnv({ CADRE_OIDC_ISSUER: ISSUER, CADRE_OIDC_JWKS_URL: jwksUrl, CADRE_OIDC_AUDIENCE: AUDIENCE })).not.toThrow();
  });

  it('proves issuer, subject and verified e-mail of a genuine token for this audience', async () => {
    const token = await external({ sub: 'idp-sub-1', email: 'Alice@CHU.example', email_verified: true });
    expect(verifier.claimsExternalIssuer(token)).toBe(true);
    expect(await verifier.identityOf(token)).toEqual({ issuer: ISSUER, subject: 'idp-sub-1', email: 'alice@chu.example' });
  });

  it('refuses a token issued to another application, or to no audience at all', async () => {
    expect(await verifier.identityOf(await external({ sub: 's', email: 'a@x.example', email_verified: true }, idpKey, { aud: 'another-app' }))).toBeNull();
    expect(await verifier.identityOf(await external({ sub: 's', email: 'a@x.example', email_verified: true }, idpKey, { aud: null }))).toBeNull();
  });

  it('refuses an e-mail the provider has not verified: email_verified absent, false, or "true" as a string', async () => {
    for (const verified of [undefined, false, 'true', 1]) {
      const claims = { sub: 's', email: 'a@x.example', ...(verified === undefined ? {} : { email_verified: verified }) };
      expect(await verifier.identityOf(await external(claims))).toBeNull();
    }
  });

  it('refuses a missing subject or e-mail, an expired token, and a key the issuer did not publish', async () => {
    expect(await verifier.identityOf(await external({ email: 'a@x.example', email_verified: true }))).toBeNull();
    expect(await verifier.identityOf(await external({ sub: 's', email_verified: true }))).toBeNull();
    expect(await verifier.identityOf(await external({ sub: 's', email: 'a@x.example', email_verified: true }, idpKey, { exp: Math.floor(Date.now() / 1000) - 600 }))).toBeNull();
    expect(await verifier.identityOf(await external({ sub: 's', email: 'a@x.example', email_verified: true }, otherKey))).toBeNull();
  });

  it('treats neither a token of another issuer, nor anything when no issuer is configured, as external', async () => {
    const token = await external({ sub: 's', email: 'a@x.example', email_verified: true }, idpKey, { iss: 'https://other-idp.example' });
    expect(verifier.claimsExternalIssuer(token)).toBe(false);
    const plain = new OidcVerifier(AppConfig.fromEnv({}));
    const ours = await external({ sub: 's', email: 'a@x.example', email_verified: true });
    expect(plain.claimsExternalIssuer(ours)).toBe(false);
    expect(await plain.identityOf(ours)).toBeNull();
  });
});
