import { Writable } from 'node:stream';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';
import { createUser, insertOrganisation, login } from '../support/identity';

describe('identity: user administration and what never leaves the platform', () => {
  let platform: TestPlatform;
  let adminToken: string;
  let orgA: string;
  let orgB: string;
  let adminA: Awaited<ReturnType<typeof createUser>>;

  const logLines: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });

  beforeAll(async () => {
    // LOG_LEVEL info: the request logs are on, so the log test below sees real output.
    platform = await startTestPlatform({ worker: false, env: { LOG_LEVEL: 'info' }, logStream });
    adminToken = (await login(platform, ADMIN.email, ADMIN.password)).accessToken;
    orgA = await insertOrganisation(platform, 'CHU A');
    orgB = await insertOrganisation(platform, 'Agency B');
    adminA = await createUser(platform, adminToken, orgA, ['org_admin']);
  });
  afterAll(() => platform.close());

  const as = (token: string) => ({
    post: (url: string, body: object) => platform.http().post(url).set('Authorization', `Bearer ${token}`).send(body),
    get: (url: string) => platform.http().get(url).set('Authorization', `Bearer ${token}`),
    put: (url: string, body: object) => platform.http().put(url).set('Authorization', `Bearer ${token}`).send(body),
  });
  const newUser = (over: object = {}) => ({
    email: `n-${Math.random().toString(36).slice(2)}@cadre.test`,
    password: 'a-long-enough-password',
    displayName: 'New user',
    roles: ['researcher'],
    ...over,
  });

  it('lets the platform admin create a user in any organisation (201, no hash in the answer)', async () => {
    const res = await as(adminToken).post(`/api/v1/organisations/${orgB}/users`, newUser({ roles: ['data_steward'] }));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      email: expect.any(String),
      displayName: 'New user',
      organisationId: orgB,
      roles: ['data_steward'],
      platformRoles: [],
      active: true,
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt|hash|password/i);
    const { rows } = await platform.owner.query(`SELECT password_hash FROM cadre.users WHERE id = $1`, [res.body.id]);
    expect(rows[0].password_hash).toMatch(/^scrypt\$/);
    expect(rows[0].password_hash).not.toContain('a-long-enough-password');
  });

  it('lets an org_admin create users in its own organisation', async () => {
    const res = await as(adminA.tokens.accessToken).post(`/api/v1/organisations/${orgA}/users`, newUser());
    expect(res.status).toBe(201);
    expect(res.body.organisationId).toBe(orgA);
  });

  it('refuses an org_admin planting a user in another organisation (403), and nothing is created', async () => {
    const body = newUser();
    const res = await as(adminA.tokens.accessToken).post(`/api/v1/organisations/${orgB}/users`, body);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const { rows } = await platform.owner.query(`SELECT 1 FROM cadre.users WHERE email = $1`, [body.email]);
    expect(rows).toHaveLength(0);
  });

  it('refuses a researcher creating users, even in its own organisation (403)', async () => {
    const researcher = await createUser(platform, adminToken, orgA, ['researcher']);
    const res = await as(researcher.tokens.accessToken).post(`/api/v1/organisations/${orgA}/users`, newUser({ roles: ['org_admin'] }));
    expect(res.status).toBe(403);
  });

  it('answers 409 email_taken for a duplicate e-mail, whatever its case', async () => {
    const body = newUser();
    expect((await as(adminToken).post(`/api/v1/organisations/${orgA}/users`, body)).status).toBe(201);
    const again = await as(adminToken).post(`/api/v1/organisations/${orgB}/users`, { ...body, email: body.email.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: 409, code: 'email_taken' });
  });

  it('answers 404 for an unknown organisation', async () => {
    const res = await as(adminToken).post(`/api/v1/organisations/00000000-0000-4000-8000-000000000000/users`, newUser());
    expect(res.status).toBe(404);
    expect((await as(adminToken).post(`/api/v1/organisations/not-a-uuid/users`, newUser())).status).toBe(404);
  });

  it('validates the body: short password, unknown role, unknown field (400 listing the fields)', async () => {
    const res = await as(adminToken).post(`/api/v1/organisations/${orgA}/users`, newUser({ password: 'short', roles: ['god'], platformRoles: ['platform_admin'] }));
    expect(res.status).toBe(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['password', 'roles', 'platformRoles']));
  });

  it('lists an organisation\'s users for its org_admin and the platform admin, never with hashes', async () => {
    const mine = await as(adminA.tokens.accessToken).get(`/api/v1/organisations/${orgA}/users?limit=2`);
    expect(mine.status).toBe(200);
    expect(mine.body.items).toHaveLength(2);
    expect(mine.body.total).toBeGreaterThanOrEqual(3);
    expect(mine.body.items.every((u: { organisationId: string }) => u.organisationId === orgA)).toBe(true);
    expect(JSON.stringify(mine.body)).not.toMatch(/scrypt|passwordHash/);
    expect((await as(adminToken).get(`/api/v1/organisations/${orgA}/users`)).status).toBe(200);
    expect((await as(adminA.tokens.accessToken).get(`/api/v1/organisations/${orgB}/users`)).status).toBe(403);
  });

  it('lets only the platform admin set platform roles, and the new role takes effect at once', async () => {
    const member = await createUser(platform, adminToken, orgB, ['researcher']);
    const byOrgAdmin = await as(adminA.tokens.accessToken).put(`/api/v1/users/${member.id}/platform-roles`, { platformRoles: ['platform_admin'] });
    expect(byOrgAdmin.status).toBe(403);
    const self = await as(member.tokens.accessToken).put(`/api/v1/users/${member.id}/platform-roles`, { platformRoles: ['platform_admin'] });
    expect(self.status).toBe(403);

    const res = await as(adminToken).put(`/api/v1/users/${member.id}/platform-roles`, { platformRoles: ['ethics_committee'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: member.id, platformRoles: ['ethics_committee'] });
    const me = await as(member.tokens.accessToken).get('/api/v1/me');
    expect(me.body.platformRoles).toEqual(['ethics_committee']);
    expect((await as(adminToken).put(`/api/v1/users/00000000-0000-4000-8000-000000000000/platform-roles`, { platformRoles: [] })).status).toBe(404);
    expect((await as(adminToken).put(`/api/v1/users/${member.id}/platform-roles`, { platformRoles: ['root'] })).status).toBe(400);
  });

  it('writes an audit event with every user creation and role change', async () => {
    const { rows } = await platform.owner.query(`SELECT action FROM cadre.audit_events WHERE subject_type = 'User'`);
    const actions = rows.map((r: { action: string }) => r.action);
    expect(actions).toContain('user.created');
    expect(actions).toContain('user.platform_roles_set');
    expect(JSON.stringify(rows)).not.toContain('a-long-enough-password');
  });

  it('never logs a password or a token, while request logs are on', async () => {
    logLines.length = 0;
    const pair = await login(platform, adminA.email, adminA.password);
    await platform.http().get('/api/v1/me').set('Authorization', `Bearer ${pair.accessToken}`);
    await platform.http().post('/api/v1/auth/refresh').send({ refreshToken: pair.refreshToken });
    await platform.http().post('/api/v1/auth/token').send({ email: adminA.email, password: 'wrong-password-attempt' });
    await new Promise((r) => setTimeout(r, 50));
    const output = logLines.join('');
    expect(output).toContain('/api/v1/auth/token'); // the logs were really captured
    expect(output).not.toContain(adminA.password);
    expect(output).not.toContain('wrong-password-attempt');
    expect(output).not.toContain(pair.accessToken);
    expect(output).not.toContain(pair.accessToken.split('.')[2]);
    expect(output).not.toContain(pair.refreshToken);
  });
});
