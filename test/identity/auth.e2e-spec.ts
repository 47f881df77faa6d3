import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';
import { clientAddress, login } from '../support/identity';

describe('identity: login, /me, refresh rotation, logout', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(() => platform.close());

  const token = (body: object, ip = clientAddress()) => platform.http().post('/api/v1/auth/token').set('X-Forwarded-For', ip).send(body);

  it('logs the bootstrap admin in and answers /me with the operator identity', async () => {
    const res = await token({ email: ADMIN.email, password: ADMIN.password });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });

    const me = await platform.http().get('/api/v1/me').set('Authorization', `Bearer ${res.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: expect.any(String),
      email: ADMIN.email,
      displayName: expect.any(String),
      organisationId: expect.any(String),
      roles: ['org_admin'],
      platformRoles: ['platform_admin'],
    });
    const { rows } = await platform.owner.query(`SELECT is_operator FROM cadre.organisations WHERE id = $1`, [me.body.organisationId]);
    expect(rows).toEqual([{ is_operator: true }]);
  });

  it('documents every identity route in /docs-json, and /docs-json needs no token', async () => {
    const res = await platform.http().get('/docs-json');
    expect(res.status).toBe(200);
    for (const path of ['/api/v1/auth/token', '/api/v1/auth/refresh', '/api/v1/auth/logout', '/api/v1/me', '/api/v1/organisations/{id}/users', '/api/v1/users/{id}/platform-roles', '/.well-known/jwks.json']) {
      expect(Object.keys(res.body.paths)).toContain(path);
    }
    expect(res.body.components.schemas.TokenRequestDto.properties).toHaveProperty('password');
  });

  it('accepts the e-mail in any case', async () => {
    const res = await token({ email: ADMIN.email.toUpperCase(), password: ADMIN.password });
    expect(res.status).toBe(200);
  });

  it('gives the same 401 for a wrong password and an unknown e-mail', async () => {
    const wrong = await token({ email: ADMIN.email, password: 'not-the-password' });
    const unknown = await token({ email: 'nobody@cadre.test', password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('refuses /me without a token, or with a malformed one (401 problem+json)', async () => {
    const none = await platform.http().get('/api/v1/me');
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(none.body).toMatchObject({ status: 401, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    const garbage = await platform.http().get('/api/v1/me').set('Authorization', 'Bearer not.a.jwt');
    expect(garbage.status).toBe(401);
    const basic = await platform.http().get('/api/v1/me').set('Authorization', `Basic ${Buffer.from(`${ADMIN.email}:${ADMIN.password}`).toString('base64')}`);
    expect(basic.status).toBe(401);
  });

  it('refuses an unknown body field on /auth/token with 400 problem+json naming it', async () => {
    const res = await token({ email: ADMIN.email, password: ADMIN.password, isAdmin: true });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'isAdmin' })]));
  });

  it('rotates refresh tokens: each works once, and replaying a spent one revokes the whole family', async () => {
    const first = await login(platform, ADMIN.email, ADMIN.password);
    const refresh = (refreshToken: string) => platform.http().post('/api/v1/auth/refresh').send({ refreshToken });

    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    const me = await platform.http().get('/api/v1/me').set('Authorization', `Bearer ${second.body.accessToken}`);
    expect(me.status).toBe(200);

    // An attacker replays the stolen, already spent first token.
    const replay = await refresh(first.refreshToken);
    expect(replay.status).toBe(401);
    // The legitimate successor is now dead too: the family is revoked.
    const successor = await refresh(second.body.refreshToken);
    expect(successor.status).toBe(401);

    // Another login (another family) is unaffected.
    const other = await login(platform, ADMIN.email, ADMIN.password);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it('stores refresh tokens only as hashes', async () => {
    const pair = await login(platform, ADMIN.email, ADMIN.password);
    const { rows } = await platform.owner.query(`SELECT token_hash FROM cadre.refresh_tokens`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r: { token_hash: string }) => r.token_hash)).not.toContain(pair.refreshToken);
    const dump = JSON.stringify((await platform.owner.query(`SELECT * FROM cadre.refresh_tokens`)).rows);
    expect(dump).not.toContain(pair.refreshToken);
  });

  it('refuses an unknown refresh token', async () => {
    const res = await platform.http().post('/api/v1/auth/refresh').send({ refreshToken: 'made-up-token' });
    expect(res.status).toBe(401);
  });

  it('logout answers 204 and revokes the refresh family', async () => {
    const pair = await login(platform, ADMIN.email, ADMIN.password);
    const out = await platform.http().post('/api/v1/auth/logout').set('Authorization', `Bearer ${pair.accessToken}`).send({ refreshToken: pair.refreshToken });
    expect(out.status).toBe(204);
    const after = await platform.http().post('/api/v1/auth/refresh').send({ refreshToken: pair.refreshToken });
    expect(after.status).toBe(401);
  });

  it('logout needs an access token', async () => {
    const pair = await login(platform, ADMIN.email, ADMIN.password);
    const out = await platform.http().post('/api/v1/auth/logout').send({ refreshToken: pair.refreshToken });
    expect(out.status).toBe(401);
    expect((await platform.http().post('/api/v1/auth/refresh').send({ refreshToken: pair.refreshToken })).status).toBe(200);
  });
});
