import { SESSION_CACHE_MS } from '../../libs/identity/src/tokens/sessions.service';
import { clientAddress, createUser, insertOrganisation, login } from '../support/identity';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';

const PER_ACCOUNT = 3;
const PER_ADDRESS = 6;

/**
 * Sessions end when they should — at once, not when the access token expires — and
 * password guessing is slowed per account and per address, across API processes (Redis),
 * without locking out many people behind one address.
 */
describe('identity: sessions and login throttling', () => {
  let platform: TestPlatform;
  let adminToken: string;
  let org: string;

  beforeAll(async () => {
    platform = await startTestPlatform({
      worker: false,
      env: { CADRE_LOGIN_MAX_FAILURES_PER_ACCOUNT: String(PER_ACCOUNT), CADRE_LOGIN_MAX_FAILURES_PER_ADDRESS: String(PER_ADDRESS), CADRE_LOGIN_WINDOW: '600' },
    });
    adminToken = (await login(platform, ADMIN.email, ADMIN.password)).accessToken;
    org = await insertOrganisation(platform);
  });
  afterAll(() => platform.close());

  const me = (token: string) => platform.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`);
  const token = (email: string, password: string, ip = clientAddress()) => platform.http().post('/api/v1/auth/token').set('X-Forwarded-For', ip).send({ email, password });
  /** Past the guard's cache: a revocation must bite within this bound. */
  const pastCache = () => new Promise((r) => setTimeout(r, SESSION_CACHE_MS + 100));
  const events = async (action: string, subjectId: string) =>
    (await platform.owner.query(`SELECT data FROM cadre.audit_events WHERE action = $1 AND subject_id = $2 ORDER BY id`, [action, subjectId])).rows;

  describe('sessions end every access token of theirs at once', () => {
    it('logout: the access token of the session stops working (another session of the user goes on)', async () => {
      const user = await createUser(platform, adminToken, org, ['researcher']);
      const other = await login(platform, user.email, user.password);
      const out = await platform.http().post('/api/v1/auth/logout').set('Authorization', `Bearer ${user.tokens.accessToken}`).send({ refreshToken: user.tokens.refreshToken });
      expect(out.status).toBe(204);
      expect((await me(user.tokens.accessToken)).status).toBe(401);
      await pastCache();
      expect((await me(user.tokens.accessToken)).status).toBe(401);
      expect((await me(other.accessToken)).status).toBe(200);
      expect(await events('auth.logout', user.id)).toHaveLength(1);
    });

    it('refresh-token reuse: the stolen family is revoked, its access tokens die, and the reuse is audited', async () => {
      const user = await createUser(platform, adminToken, org, ['researcher']);
      const first = user.tokens;
      const rotated = (await platform.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken })).body;
      expect((await me(rotated.accessToken)).status).toBe(200);
      // The old refresh token is presented again: a copy was taken.
      expect((await platform.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken })).status).toBe(401);
      await pastCache();
      expect((await me(rotated.accessToken)).status).toBe(401);
      expect((await me(first.accessToken)).status).toBe(401);
      const reuse = await events('auth.refresh_token_reused', user.id);
      expect(reuse).toHaveLength(1);
      expect(reuse[0].data).toMatchObject({ sessionRevoked: true });
    });

    it('password change: every session of the user ends; the new password works, the old one does not', async () => {
      const user = await createUser(platform, adminToken, org, ['researcher']);
      const second = await login(platform, user.email, user.password);
      const wrong = await platform.http().post('/api/v1/me/password').set('Authorization', `Bearer ${user.tokens.accessToken}`).send({ currentPassword: 'not-my-password', newPassword: 'a-brand-new-password' });
      expect(wrong.status).toBe(401);
      const res = await platform.http().post('/api/v1/me/password').set('Authorization', `Bearer ${user.tokens.accessToken}`).send({ currentPassword: user.password, newPassword: 'a-brand-new-password' });
      expect(res.status).toBe(204);
      await pastCache();
      expect((await me(user.tokens.accessToken)).status).toBe(401);
      expect((await me(second.accessToken)).status).toBe(401);
      expect((await platform.http().post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken })).status).toBe(401);
      expect((await token(user.email, user.password)).status).toBe(401);
      expect((await token(user.email, 'a-brand-new-password')).status).toBe(200);
      expect(await events('user.password_changed', user.id)).toHaveLength(1);
    });

    it('deactivation by the org admin: every session ends, login is refused, roles of others change only in its organisation', async () => {
      const orgAdmin = await createUser(platform, adminToken, org, ['org_admin']);
      const user = await createUser(platform, adminToken, org, ['researcher']);
      const roles = await platform.http().patch(`/api/v1/users/${user.id}`).set('Authorization', `Bearer ${orgAdmin.tokens.accessToken}`).send({ roles: ['researcher', 'data_steward'] });
      expect(roles.status).toBe(200);
      expect(roles.body).toMatchObject({ roles: ['researcher', 'data_steward'], active: true });
      expect((await me(user.tokens.accessToken)).body.roles).toEqual(['researcher', 'data_steward']);

      const off = await platform.http().patch(`/api/v1/users/${user.id}`).set('Authorization', `Bearer ${orgAdmin.tokens.accessToken}`).send({ active: false });
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      await pastCache();
      expect((await me(user.tokens.accessToken)).status).toBe(401);
      expect((await platform.http().post('/api/v1/auth/refresh').send({ refreshToken: user.tokens.refreshToken })).status).toBe(401);
      expect((await token(user.email, user.password)).status).toBe(401);

      // Another organisation's admin cannot see, let alone change, this user (404 like an unknown id).
      const elsewhere = await createUser(platform, adminToken, await insertOrganisation(platform), ['org_admin']);
      const foreign = await platform.http().patch(`/api/v1/users/${orgAdmin.id}`).set('Authorization', `Bearer ${elsewhere.tokens.accessToken}`).send({ active: false });
      expect(foreign.status).toBe(404);
      // An org admin cannot grant platform roles through its new power.
      const escalate = await platform.http().put(`/api/v1/users/${orgAdmin.id}/platform-roles`).set('Authorization', `Bearer ${orgAdmin.tokens.accessToken}`).send({ platformRoles: ['platform_admin'] });
      expect(escalate.status).toBe(403);
    });
  });

  describe('login throttling (counted in Redis)', () => {
    it(`locks an account after ${PER_ACCOUNT} failures, from any address, with Retry-After; other accounts are untouched`, async () => {
      const victim = await createUser(platform, adminToken, org, ['researcher']);
      const bystander = await createUser(platform, adminToken, org, ['researcher']);
      for (let i = 0; i < PER_ACCOUNT; i++) expect((await token(victim.email, `guess-${i}`)).status).toBe(401);
      const blocked = await token(victim.email, victim.password);
      expect(blocked.status).toBe(429);
      expect(blocked.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(600);
      expect((await token(bystander.email, bystander.password)).status).toBe(200);
      // The count lives in Redis, not in this process: a key per account under the deployment's prefix.
      const keys = await platform.app.get((await import('../../libs/identity/src/auth/login-throttle')).LoginThrottle)['redis']().keys(`${platform.queuePrefix}:login-failures:account:*`);
      expect(keys.length).toBeGreaterThan(0);
    });

    it(`blocks an address after ${PER_ADDRESS} failures spread over many accounts, not other addresses`, async () => {
      const attacker = '203.0.113.66';
      for (let i = 0; i < PER_ADDRESS; i++) expect((await token(`nobody-${i}@cadre.test`, 'guess', attacker)).status).toBe(401);
      const someone = await createUser(platform, adminToken, org, ['researcher']);
      const blocked = await token(someone.email, someone.password, attacker);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect((await token(someone.email, someone.password, '203.0.113.67')).status).toBe(200);
    });

    it('lets many people log in successfully from one address (a hospital behind NAT)', async () => {
      const nat = '203.0.113.10';
      const staff = await Promise.all(Array.from({ length: 4 }, () => createUser(platform, adminToken, org, ['researcher'])));
      const statuses: number[] = [];
      for (let round = 0; round < 8; round++) for (const u of staff) statuses.push((await token(u.email, u.password, nat)).status);
      expect(statuses).toHaveLength(32);
      expect(new Set(statuses)).toEqual(new Set([200]));
    });
  });
});
