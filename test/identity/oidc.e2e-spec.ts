import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, KeyLike, SignJWT } from 'jose';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';

const ISSUER = 'https://idp.test/realms/cadre';
const AUDIENCE = 'cadre-api';

/**
 * External login through an OIDC provider whose key set is served from 127.0.0.1: an
 * identity is linked to a user by verified e-mail once, then bound by (issuer, subject).
 * The attack of issue 14: an identity-provider account that merely names the platform
 * admin's e-mail must not log in as the platform admin.
 */
describe('identity: external (OIDC) identities are bound by issuer and subject', () => {
  let platform: TestPlatform;
  let server: Server;
  let idpKey: KeyLike;

  beforeAll(async () => {
    const idp = await generateKeyPair('ES256');
    idpKey = idp.privateKey;
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' }] });
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    platform = await startTestPlatform({ worker: false, env: { CADRE_OIDC_ISSUER: ISSUER, CADRE_OIDC_JWKS_URL: jwksUrl, CADRE_OIDC_AUDIENCE: AUDIENCE } });
  });
  afterAll(async () => {
    await platform?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const external = (claims: Record<string, unknown>, audience = AUDIENCE) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'idp-1' }).setIssuer(ISSUER).setAudience(audience).setIssuedAt().setExpirationTime('5m').sign(idpKey);
  const me = async (claims: Record<string, unknown>, audience?: string) =>
    platform.http().get('/api/v1/me').set('Authorization', `Bearer ${await external(claims, audience)}`);

  it('refuses an unverified e-mail and a token issued to another application, even naming the platform admin', async () => {
    expect((await me({ sub: 'mallory', email: ADMIN.email })).status).toBe(401);
    expect((await me({ sub: 'mallory', email: ADMIN.email, email_verified: false })).status).toBe(401);
    expect((await me({ sub: 'mallory', email: ADMIN.email, email_verified: true }, 'another-app')).status).toBe(401);
    const { rows } = await platform.owner.query('SELECT count(*)::int AS n FROM cadre.external_identities');
    expect(rows[0].n).toBe(0);
  });

  it('links a verified identity to the user with that e-mail once, then binds it by subject, not by e-mail', async () => {
    const first = await me({ sub: 'alice-at-idp', email: ADMIN.email.toUpperCase(), email_verified: true });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ email: ADMIN.email, platformRoles: ['platform_admin'] });
    // The same subject later shows another e-mail: still the same user.
    const renamed = await me({ sub: 'alice-at-idp', email: 'alice@elsewhere.test', email_verified: true });
    expect(renamed.status).toBe(200);
    expect(renamed.body.id).toBe(first.body.id);
    // Another account of the provider claiming the admin's (verified) e-mail is not the admin.
    expect((await me({ sub: 'mallory', email: ADMIN.email, email_verified: true })).status).toBe(401);
    const { rows } = await platform.owner.query('SELECT issuer, subject, user_id FROM cadre.external_identities');
    expect(rows).toEqual([{ issuer: ISSUER, subject: 'alice-at-idp', user_id: first.body.id }]);
  });
});
