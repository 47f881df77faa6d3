import { generateWorld, MIN_CELL } from '../support/dataplane-data';
import { activeDataplaneUseCase, awaitComputation, buildFederation, datasetsOf, Federation, Json, researcherOf, submitComputation } from '../support/dataplane';
import { clientAddress } from '../support/identity';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';
import { World } from '../support/world';

/**
 * What the console needs from the API: the computations of a use case (paged, newest first,
 * no results, invisible to outsiders), the operator's usage dashboard (aggregates only), and a
 * cookie session whose refresh token a page script never sees and another site cannot spend.
 */
describe('console API: computations list, usage, cookie session', () => {
  const data = generateWorld(11, 1200);
  let platform: TestPlatform;
  let fed: Federation;
  let useCase: Json;
  const ids: string[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform();
    fed = await buildFederation(new World(platform), data);
    useCase = await activeDataplaneUseCase(fed, { conditions: { minCellSize: MIN_CELL }, withoutReference: true });
    for (const groupBy of [['s.incomeBand'], []]) {
      const res = await submitComputation(fed, useCase.id, { datasets: datasetsOf(fed), groupBy, measures: [{ fn: 'count' }] });
      ids.push(res.body.id);
      expect((await awaitComputation(fed, res.body.id)).status).toBe('released');
    }
  });
  afterAll(() => platform?.close());

  const list = (token: string, query = '') => fed.world.as(token).get(`/api/v1/use-cases/${useCase.id}/computations${query}`);

  it('lists the computations of a use case to the team, newest first, paged, without results', async () => {
    const page = await list(researcherOf(fed).token);
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(2);
    expect(page.body.items.map((c: Json) => c.id)).toEqual([...ids].reverse());
    for (const item of page.body.items) {
      expect(item.status).toBe('released');
      expect(item).not.toHaveProperty('result');
    }
    const second = await list(researcherOf(fed).token, '?limit=1&offset=1');
    expect(second.body).toMatchObject({ total: 2, items: [{ id: ids[0] }] });
  });

  it('lists them to a provider too', async () => {
    const res = await list(fed.hospital.admin.token);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
  });

  it('answers 404 to an outsider, as for a use case that does not exist', async () => {
    const outsider = await list(fed.outsider.admin.token);
    const unknown = await fed.world.as(fed.outsider.admin.token).get('/api/v1/use-cases/00000000-0000-4000-8000-000000000000/computations');
    expect(outsider.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(outsider.body.code).toBe(unknown.body.code);
  });

  it('shows the operator usage per member and per use case, aggregates only, and refuses anyone else', async () => {
    const operator = await fed.world.adminToken();
    const res = await fed.world.as(operator).get('/api/v1/usage');
    expect(res.status).toBe(200);
    const lab = res.body.members.find((m: Json) => m.organisationId === fed.lab.id);
    expect(lab.computations).toBe(2);
    const hospital = res.body.members.find((m: Json) => m.organisationId === fed.hospital.id);
    expect(hospital.computationsOnItsData).toBe(2);
    expect(hospital.rowsContributed % 10).toBe(0);
    expect(hospital.rowsContributed).toBeGreaterThan(0);
    expect(res.body.useCases.find((u: Json) => u.useCaseId === useCase.id)).toMatchObject({ computations: 2, released: 2 });
    // No row, no query, no pseudonym: only names, codes and numbers.
    expect(JSON.stringify(res.body)).not.toMatch(/nationalId|"where"|"groupBy"/);
    expect((await fed.world.as(fed.hospital.admin.token).get('/api/v1/usage')).status).toBe(403);
    expect((await fed.world.as(researcherOf(fed).token).get('/api/v1/usage')).status).toBe(403);
  });

  describe('cookie session', () => {
    const cookieOf = (res: { headers: Record<string, unknown> }) => {
      const set = ([] as string[]).concat((res.headers['set-cookie'] as string[]) ?? []);
      return set.find((c) => c.startsWith('cadre_refresh='));
    };
    async function cookieLogin() {
      const res = await platform.http().post('/api/v1/auth/token').set('X-Forwarded-For', clientAddress()).set('X-Cadre-Session', 'cookie').send(ADMIN);
      expect(res.status).toBe(200);
      return res;
    }

    it('keeps the refresh token out of the body, in an httpOnly SameSite=Strict cookie scoped to the auth routes', async () => {
      const res = await cookieLogin();
      expect(res.body.accessToken).toEqual(expect.any(String));
      expect(res.body).not.toHaveProperty('refreshToken');
      const cookie = cookieOf(res)!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      expect(cookie).toMatch(/Path=\/api\/v1\/auth/);
    });

    it('refreshes from the cookie with the session header, rotating it', async () => {
      const first = cookieOf(await cookieLogin())!.split(';')[0];
      const res = await platform.http().post('/api/v1/auth/refresh').set('X-Cadre-Session', 'cookie').set('Cookie', first).send({});
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('refreshToken');
      const next = cookieOf(res)!.split(';')[0];
      expect(next).not.toBe(first);
      // The spent cookie works no more.
      const replay = await platform.http().post('/api/v1/auth/refresh').set('X-Cadre-Session', 'cookie').set('Cookie', first).send({});
      expect(replay.status).toBe(401);
    });

    it('refuses a forged cross-site refresh: without the session header, or from another origin', async () => {
      const cookie = cookieOf(await cookieLogin())!.split(';')[0];
      const noHeader = await platform.http().post('/api/v1/auth/refresh').set('Cookie', cookie).send({});
      expect(noHeader.status).toBe(400);
      expect(cookieOf(noHeader)).toBeUndefined();
      const foreign = await platform.http().post('/api/v1/auth/refresh').set('X-Cadre-Session', 'cookie').set('Origin', 'https://evil.example').set('Cookie', cookie).send({});
      expect(foreign.status).toBe(403);
      expect(foreign.body.code).toBe('csrf_refused');
      // The cookie was not spent by the refused attempts.
      expect((await platform.http().post('/api/v1/auth/refresh').set('X-Cadre-Session', 'cookie').set('Cookie', cookie).send({})).status).toBe(200);
    });

    it('logs out: the cookie is cleared and its token revoked', async () => {
      const login = await cookieLogin();
      const cookie = cookieOf(login)!.split(';')[0];
      const out = await platform.http().post('/api/v1/auth/logout').set('Authorization', `Bearer ${login.body.accessToken}`).set('X-Cadre-Session', 'cookie').set('Cookie', cookie).send({});
      expect(out.status).toBe(204);
      expect(cookieOf(out)).toMatch(/cadre_refresh=;/);
      expect((await platform.http().post('/api/v1/auth/refresh').set('X-Cadre-Session', 'cookie').set('Cookie', cookie).send({})).status).toBe(401);
    });
  });
});
