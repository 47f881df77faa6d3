import { ActorCache } from '../../libs/identity/src/tokens/actor-cache';
import { createUser, insertOrganisation, login } from '../support/identity';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';

/**
 * The AuthGuard reuses a verified token's actor for up to SESSION_CACHE_MS (issue 12).
 * Whatever the cache holds, a change made through this process bites on the very next
 * request: roles, platform roles, deactivation, password, logout. Each test first proves
 * the cache is warm for the token (the entry is there), then changes, then asks at once.
 */
describe('identity: the per-token actor cache never outlives a change', () => {
  let platform: TestPlatform;
  let adminToken: string;
  let org: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false });
    adminToken = (await login(platform, ADMIN.email, ADMIN.password)).accessToken;
    org = await insertOrganisation(platform);
  });
  afterAll(() => platform.close());

  const cache = () => platform.app.get(ActorCache, { strict: false });
  const get = (path: string, token: string) => platform.http().get(path).set('Authorization', `Bearer ${token}`);
  const asAdmin = () => ({
    patch: (path: string) => platform.http().patch(path).set('Authorization', `Bearer ${adminToken}`),
    put: (path: string) => platform.http().put(path).set('Authorization', `Bearer ${adminToken}`),
  });
  /** Two accepted requests, then the token's entry is in the cache. */
  const warm = async (path: string, token: string) => {
    expect((await get(path, token)).status).toBe(200);
    expect((await get(path, token)).status).toBe(200);
    expect(cache().get(token)).toBeDefined();
  };

  it('serves a repeated token from the cache, with the same actor', async () => {
    const user = await createUser(platform, adminToken, org, ['researcher']);
    const first = await get('/api/v1/me', user.tokens.accessToken);
    expect(first.status).toBe(200);
    expect(cache().get(user.tokens.accessToken)?.actor).toMatchObject({ id: user.id, roles: ['researcher'] });
    expect((await get('/api/v1/me', user.tokens.accessToken)).body).toEqual(first.body);
  });

  it('an organisation role taken away is refused on the very next request', async () => {
    const user = await createUser(platform, adminToken, org, ['org_admin']);
    const token = user.tokens.accessToken;
    await warm(`/api/v1/organisations/${org}/users`, token);
    expect((await asAdmin().patch(`/api/v1/users/${user.id}`).send({ roles: ['researcher'] })).status).toBe(200);
    expect(cache().get(token)).toBeUndefined();
    expect((await get(`/api/v1/organisations/${org}/users`, token)).status).toBe(403);
    expect((await get('/api/v1/me', token)).body.roles).toEqual(['researcher']);
  });

  it('a deactivated user is a 401 on the very next request', async () => {
    const user = await createUser(platform, adminToken, org, ['researcher']);
    const token = user.tokens.accessToken;
    await warm('/api/v1/me', token);
    expect((await asAdmin().patch(`/api/v1/users/${user.id}`).send({ active: false })).status).toBe(200);
    expect((await get('/api/v1/me', token)).status).toBe(401);
  });

  it('a platform role taken away is refused on the very next request', async () => {
    const user = await createUser(platform, adminToken, org, []);
    expect((await asAdmin().put(`/api/v1/users/${user.id}/platform-roles`).send({ platformRoles: ['platform_admin'] })).status).toBe(200);
    const token = (await login(platform, user.email, user.password)).accessToken;
    await warm('/api/v1/usage', token);
    expect((await asAdmin().put(`/api/v1/users/${user.id}/platform-roles`).send({ platformRoles: [] })).status).toBe(200);
    expect((await get('/api/v1/usage', token)).status).toBe(403);
  });

  it('a password change and a logout end the cached tokens at once', async () => {
    const user = await createUser(platform, adminToken, org, ['researcher']);
    const other = await login(platform, user.email, user.password);
    await warm('/api/v1/me', user.tokens.accessToken);
    await warm('/api/v1/me', other.accessToken);
    const out = await platform.http().post('/api/v1/auth/logout').set('Authorization', `Bearer ${other.accessToken}`).send({ refreshToken: other.refreshToken });
    expect(out.status).toBe(204);
    expect((await get('/api/v1/me', other.accessToken)).status).toBe(401);
    expect((await get('/api/v1/me', user.tokens.accessToken)).status).toBe(200);
    const changed = await platform
      .http()
      .post('/api/v1/me/password')
      .set('Authorization', `Bearer ${user.tokens.accessToken}`)
      .send({ currentPassword: user.password, newPassword: 'a-new-password-0123' });
    expect(changed.status).toBe(204);
    expect((await get('/api/v1/me', user.tokens.accessToken)).status).toBe(401);
  });

  it('never lets a token that differs from a cached one in; only the exact token hits', async () => {
    const user = await createUser(platform, adminToken, org, ['researcher']);
    const token = user.tokens.accessToken;
    await warm('/api/v1/me', token);
    const [header, payload, signature] = token.split('.');
    const flipped = `${signature.slice(0, -4)}${signature.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect((await get('/api/v1/me', `${header}.${payload}.${flipped}`)).status).toBe(401);
    expect((await get('/api/v1/me', token)).status).toBe(200);
  });
});
