import { generateWorld, MIN_CELL } from '../support/dataplane-data';
import {
  activeDataplaneUseCase,
  awaitComputation,
  buildFederation,
  contractsOf,
  datasetsOf,
  Federation,
  Json,
  researcherOf,
  submitComputation,
} from '../support/dataplane';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { TestUser, World } from '../support/world';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/**
 * People who are not entitled try to reach a use case's computations, contracts and
 * uploads. Another organisation learns nothing, not even that the thing exists (404,
 * the same answer as for an unknown id); people of the parties who are not on the team
 * are refused (403, or 404 where they may not see the record).
 */
describe('attacks on who may see and run computations', () => {
  const data = generateWorld(7, 1200);
  let platform: TestPlatform;
  let fed: Federation;
  let useCase: Json;
  let released: Json;
  let contract: Json;
  const query = () => ({ datasets: datasetsOf(fed), groupBy: ['s.incomeBand'], measures: [{ fn: 'count' }] });
  const as = (user: TestUser) => fed.world.as(user.token);

  const computationCount = async () => (await platform.owner.query(`SELECT count(*)::int AS n FROM cadre.computations`)).rows[0].n as number;

  beforeAll(async () => {
    platform = await startTestPlatform();
    fed = await buildFederation(new World(platform), data);
    useCase = await activeDataplaneUseCase(fed, { conditions: { minCellSize: MIN_CELL }, withoutReference: true });
    const res = await submitComputation(fed, useCase.id, query());
    released = await awaitComputation(fed, res.body.id);
    expect(released.status).toBe('released');
    contract = (await contractsOf(fed, useCase.id)).find((c: Json) => c.current && c.provider.id === fed.hospital.id);
  });
  afterAll(() => platform?.close());

  /** 404 with the same problem as an unknown id, and nothing of the record in it. */
  function expectInvisible(res: { status: number; body: Json }, twin: { status: number; body: Json }) {
    expect(res.status).toBe(404);
    expect({ type: res.body.type, title: res.body.title, code: res.body.code }).toEqual({ type: twin.body.type, title: twin.body.title, code: twin.body.code });
    const text = JSON.stringify(res.body);
    for (const secret of [useCase.title, 'h.commune', 's.incomeBand', '"rows"', '"terms"']) expect(text).not.toContain(secret);
  }

  describe('another organisation', () => {
    type Call = (user: TestUser, id: string) => Promise<{ status: number; body: Json }>;
    /**
     * The answer for the real record is the answer for an unknown id: reads are 404; an
     * action the user's role may never take anywhere may be refused earlier (403), but then
     * identically for an unknown id, so existence still does not show.
     */
    async function expectSameAsUnknown(user: TestUser, call: Call, id: string, options: { read?: boolean } = {}) {
      const real = await call(user, id);
      const unknown = await call(user, UNKNOWN);
      expect(options.read ? [404] : [403, 404]).toContain(real.status);
      expect({ status: real.status, code: real.body?.code, title: real.body?.title }).toEqual({ status: unknown.status, code: unknown.body?.code, title: unknown.body?.title });
      const text = JSON.stringify(real.body);
      for (const secret of [useCase.title, 'h.commune', 's.incomeBand', '"rows"', '"terms"']) expect(text).not.toContain(secret);
    }
    const get = (path: (id: string) => string): Call => (user, id) => as(user).get(path(id));
    const post = (path: (id: string) => string, body: object = {}): Call => (user, id) => as(user).post(path(id)).send(body);

    it('answers about the computation, its CSV and every action on it exactly as about an unknown one (reads 404)', async () => {
      for (const user of [fed.outsider.user('researcher'), fed.outsider.admin, fed.outsider.user('data_steward')]) {
        await expectSameAsUnknown(user, get((id) => `/api/v1/computations/${id}`), released.id, { read: true });
        await expectSameAsUnknown(user, get((id) => `/api/v1/computations/${id}/result.csv`), released.id, { read: true });
        await expectSameAsUnknown(user, post((id) => `/api/v1/computations/${id}/release`), released.id);
        await expectSameAsUnknown(user, post((id) => `/api/v1/computations/${id}/cancel`), released.id);
      }
    });

    it('answers about the use case, its budget and a submission to it exactly as about an unknown one (404)', async () => {
      const before = await computationCount();
      for (const user of [fed.outsider.user('researcher'), fed.outsider.admin]) {
        await expectSameAsUnknown(user, get((id) => `/api/v1/use-cases/${id}`), useCase.id, { read: true });
        await expectSameAsUnknown(user, get((id) => `/api/v1/use-cases/${id}/budget`), useCase.id, { read: true });
        await expectSameAsUnknown(user, post((id) => `/api/v1/use-cases/${id}/computations`, { query: query() }), useCase.id);
      }
      // The researcher's role may submit computations: for it, the use case is simply not there.
      expect((await submitComputation(fed, useCase.id, query(), { user: fed.outsider.user('researcher') })).status).toBe(404);
      expect(await computationCount()).toBe(before);
    });

    it('gets 404 for the contracts of the use case', async () => {
      const unknown = await as(fed.outsider.admin).get(`/api/v1/contracts/${UNKNOWN}`);
      expect(unknown.status).toBe(404);
      expectInvisible(await as(fed.outsider.admin).get(`/api/v1/contracts/${contract.id}`), unknown);
      expectInvisible(await as(fed.outsider.admin).get(`/api/v1/use-cases/${useCase.id}/contracts`), unknown);
      expectInvisible(await as(fed.outsider.admin).post(`/api/v1/contracts/${contract.id}/terminate`).send({ reason: 'sabotage' }), unknown);
    });

    it('gets 404 for the providers’ uploads, and cannot upload into their datasets', async () => {
      const steward = fed.outsider.user('data_steward');
      const own = await as(fed.hospital.user('data_steward')).get(`/api/v1/datasets/${fed.patients.id}/uploads/${fed.uploads.patients}`);
      expect(own.status).toBe(200);
      expect(own.body.status).toBe('succeeded');
      const unknown = await as(steward).get(`/api/v1/datasets/${fed.patients.id}/uploads/${UNKNOWN}`);
      expect(unknown.status).toBe(404);
      expectInvisible(await as(steward).get(`/api/v1/datasets/${fed.patients.id}/uploads/${fed.uploads.patients}`), unknown);
      expectInvisible(await as(steward).get(`/api/v1/datasets/${fed.households.id}/uploads/${fed.uploads.households}`), unknown);

      const versionBefore = (await as(steward).get(`/api/v1/datasets/${fed.patients.id}`)).body.currentVersion;
      const hijack = await as(steward).post(`/api/v1/datasets/${fed.patients.id}/uploads`).set('Content-Type', 'text/csv').send('nationalId,commune,age,icuDays,covidPositive\n1999999999999,34172,40,60,true\n');
      expect([403, 404]).toContain(hijack.status);
      expect((await as(steward).get(`/api/v1/datasets/${fed.patients.id}`)).body.currentVersion).toBe(versionBefore);
    });
  });

  describe('people of the parties who are not on the team', () => {
    it('refuses a computation from the lab’s other researcher, its org_admin, and a provider’s steward', async () => {
      const before = await computationCount();
      for (const user of [fed.lab.users[1], fed.lab.admin, fed.hospital.user('data_steward'), fed.social.admin]) {
        expect(user.id).not.toBe(researcherOf(fed).id);
        const res = await submitComputation(fed, useCase.id, query(), { user });
        expect({ user: user.email, status: [403, 404, 422].includes(res.status) }).toEqual({ user: user.email, status: true });
      }
      expect(await computationCount()).toBe(before);
    });

    it('keeps the result and its CSV from the lab’s other researcher, and the CSV from the providers', async () => {
      const stranger = fed.lab.users[1];
      const read = await as(stranger).get(`/api/v1/computations/${released.id}`);
      expect([403, 404]).toContain(read.status);
      expect(JSON.stringify(read.body)).not.toContain('"rows"');
      const csv = await as(stranger).get(`/api/v1/computations/${released.id}/result.csv`);
      expect([403, 404]).toContain(csv.status);
      expect(csv.text).not.toMatch(/s\.incomeBand/);
      // The providers read the computation (they are its providers), but the CSV is the team's.
      const providerCsv = await as(fed.hospital.user('data_steward')).get(`/api/v1/computations/${released.id}/result.csv`);
      expect([403, 404]).toContain(providerCsv.status);
      const teamCsv = await as(researcherOf(fed)).get(`/api/v1/computations/${released.id}/result.csv`);
      expect(teamCsv.status).toBe(200);
    });
  });
});
