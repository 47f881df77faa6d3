import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, KeyLike } from 'jose';
import { AppConfig } from '@cadre/config';
import { NotFound } from '@cadre/common';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { UsersService } from '../users/users.service';
import type { UserView } from '../users/user-view';
import { OidcVerifier } from './oidc-verifier';
import { RequestAuthenticator } from './request-authenticator';

const ISSUER = 'https://idp.example.org/realms/cadre';
const AUDIENCE = 'cadre-api';

describe('OIDC: external access tokens mapped to existing users by e-mail', () => {
  let idpKey: KeyLike;
  let otherKey: KeyLike;
  let verifier: OidcVerifier;
  let authenticator: RequestAuthenticator;
  const alice: UserView = {
    id: '11111111-1111-4111-8111-111111111111',
    email: 'alice@chu.example',
    displayName: 'Alice',
    organisationId: '22222222-2222-4222-8222-222222222222',
    roles: ['researcher'],
    platformRoles: [],
    createdAt: new Date(),
  };

  beforeAll(async () => {
    const idp = await generateKeyPair('ES256');
    idpKey = idp.privateKey;
    otherKey = (await generateKeyPair('ES256')).privateKey;
    const jwk = { ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'ES256' };
    const config = AppConfig.fromEnv({ CADRE_OIDC_ISSUER: ISSUER, CADRE_OIDC_JWKS_URL: 'https://idp.example.org/jwks', CADRE_OIDC_AUDIENCE: AUDIENCE });
    // The remote key set is replaced by a local one: no network in a unit test.
    verifier = new OidcVerifier(config, createLocalJWKSet({ keys: [jwk] }));
    const users = { findByEmail: async (email: string) => (email === alice.email ? alice : null), findById: async () => { throw new NotFound('User'); } } as unknown as UsersService;
    const platformTokens = { verify: async () => null } as unknown as AccessTokensService;
    authenticator = new RequestAuthenticator(platformTokens, verifier, users);
  });

  const external = (claims: Record<string, unknown>, key: KeyLike = idpKey, over: { iss?: string; aud?: string; exp?: number } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .setIssuer(over.iss ?? ISSUER)
      .setAudience(over.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(over.exp ?? Math.floor(Date.now() / 1000) + 300)
      .sign(key);
  const authenticate = (token: string) => authenticator.actorOf({ headers: { authorization: `Bearer ${token}` } });

  it('maps a valid external token to the existing user with that e-mail (case-insensitive)', async () => {
    const actor = await authenticate(await external({ sub: 'idp-sub-1', email: 'Alice@CHU.example' }));
    expect(actor).toEqual({ id: alice.id, email: alice.email, displayName: 'Alice', organisationId: alice.organisationId, roles: ['researcher'], platformRoles: [] });
  });

  it('refuses an external token for an e-mail no user has', async () => {
    await expect(authenticate(await external({ email: 'mallory@evil.example' }))).rejects.toMatchObject({ kind: 'unauthenticated' });
  });

  it('refuses a token signed by a key the issuer did not publish', async () => {
    await expect(authenticate(await external({ email: alice.email }, otherKey))).rejects.toMatchObject({ kind: 'unauthenticated' });
  });

  it('refuses a wrong audience, an expired token, a missing or unverified e-mail', async () => {
    expect(await verifier.emailOf(await external({ email: alice.email }, idpKey, { aud: 'another-app' }))).toBeNull();
    expect(await verifier.emailOf(await external({ email: alice.email }, idpKey, { exp: Math.floor(Date.now() / 1000) - 600 }))).toBeNull();
    expect(await verifier.emailOf(await external({ sub: 'no-email' }))).toBeNull();
    expect(await verifier.emailOf(await external({ email: alice.email, email_verified: false }))).toBeNull();
    expect(await verifier.emailOf(await external({ email: alice.email }))).toBe(alice.email);
  });

  it('does not treat a token from another issuer as external (it goes to platform verification and fails)', async () => {
    const token = await external({ email: alice.email }, idpKey, { iss: 'https://other-idp.example' });
    expect(verifier.claimsExternalIssuer(token)).toBe(false);
    await expect(authenticate(token)).rejects.toMatchObject({ kind: 'unauthenticated' });
  });

  it('accepts nothing external when no OIDC issuer is configured', async () => {
    const plain = new OidcVerifier(AppConfig.fromEnv({}));
    const token = await external({ email: alice.email });
    expect(plain.claimsExternalIssuer(token)).toBe(false);
    expect(await plain.emailOf(token)).toBeNull();
  });
});
