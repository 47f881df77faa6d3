import { startTestPlatform, TestPlatform } from '../support/platform';
import { Member, TestDataset, TestUser, World } from '../support/world';

const SECRET_COMMENT = 'confidential deliberation: the hospital director is a cousin';

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

jest.setTimeout(60_000);

describe('the public register and the expiry sweep', () => {
  let platform: TestPlatform;
  let world: World;
  let requester: Member;
  let provider: Member;
  let dataset: TestDataset;
  let committee: TestUser[];

  beforeAll(async () => {
    platform = await startTestPlatform(); // with the worker: the sweep runs every 500 ms
    world = new World(platform);
    requester = await world.createMember('health', ['researcher'], { name: 'CHU de Montpellier' });
    provider = await world.createMember('local_authorities', ['data_steward'], { name: "Conseil départemental de l'Hérault" });
    dataset = await world.createDataset(provider);
    committee = await world.appointCommittee(3);
  });
  afterAll(() => platform.close());

  const researcher = () => requester.user('researcher');
  const request = () => ({ requestedDatasets: [{ datasetId: dataset.id, columns: ['age', 'iris'] }] });

  describe('the register', () => {
    let approved: { id: string; title: string };
    let hostile: { id: string };
    let unlisted: string[];
    let privateStrings: string[];

    beforeAll(async () => {
      const trusted = await world.trustedUseCase({
        requester,
        providers: [provider],
        datasets: [dataset],
        committee,
        conditions: [{ minCellSize: 20 }, { rounding: 5, perturbation: { maxDeviation: 3 } }, { perturbation: { maxDeviation: 4, variance: 2 } }],
        draft: { title: 'COVID risk by IRIS zone', purpose: 'Target prevention, never publish a stigmatising map.' },
      });
      approved = trusted.useCase;
      // A spreadsheet formula smuggled into a title must not run when the open data is opened.
      hostile = (await world.trustedUseCase({ requester, providers: [provider], datasets: [dataset], committee, draft: { title: '=HYPERLINK("http://evil.example","x")' } })).useCase;

      const draft = await world.draftUseCase(researcher(), { ...request(), title: 'A draft nobody should see' });
      const underReview = await world.draftUseCase(researcher(), { ...request(), title: 'Under review' });
      await world.submitUseCase(researcher(), underReview.id);
      const rejected = await world.draftUseCase(researcher(), { ...request(), title: 'Rejected' });
      await world.submitUseCase(researcher(), rejected.id);
      await world.castVotes(rejected.id, committee, committee.map(() => ({ decision: 'reject' as const, comment: SECRET_COMMENT })));
      // The approved use case also carries a private comment in its votes.
      unlisted = [draft.id, underReview.id, rejected.id];

      const people = [researcher(), requester.admin, provider.admin, provider.user('data_steward'), ...committee];
      privateStrings = [...people.flatMap((u) => [u.id, u.email]), SECRET_COMMENT, 'Approved', 'A draft nobody should see'];
    });

    it('lists approved use cases for anyone, without a token, with only public fields', async () => {
      const res = await platform.http().get('/api/v1/register/use-cases');
      expect(res.status).toBe(200);
      const ids = res.body.items.map((i: { id: string }) => i.id);
      expect(ids).toEqual(expect.arrayContaining([approved.id, hostile.id]));
      for (const id of unlisted) expect(ids).not.toContain(id);
      expect(res.body.total).toBe(2);

      for (const item of res.body.items) {
        expect(Object.keys(item).sort()).toEqual(['conditions', 'decisionDate', 'disclosure', 'id', 'organisations', 'purpose', 'title']);
      }
      const entry = res.body.items.find((i: { id: string }) => i.id === approved.id);
      expect(entry).toEqual({
        id: approved.id,
        title: 'COVID risk by IRIS zone',
        purpose: 'Target prevention, never publish a stigmatising map.',
        organisations: ['CHU de Montpellier', "Conseil départemental de l'Hérault"],
        decisionDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        // The strictest of the votes: the largest maximum deviation and variance.
        conditions: { minCellSize: 20, rounding: 5, perturbation: { maxDeviation: 4, variance: 2 } },
        // The provider's contract's disclosure terms, as they bind every computation.
        disclosure: [
          expect.objectContaining({
            provider: "Conseil départemental de l'Hérault",
            minCellSize: expect.any(Number),
            dominance: expect.objectContaining({ k: expect.any(Number) }),
            privacy: expect.objectContaining({ mechanism: expect.any(String) }),
          }),
        ],
      });
    });

    it('leaks no team, vote, comment, user id or e-mail in JSON', async () => {
      const body = (await platform.http().get('/api/v1/register/use-cases?limit=200')).text;
      for (const secret of privateStrings) expect(body).not.toContain(secret);
      expect(body).not.toMatch(/teamUserIds|votes|voterId|comment|email|publicInterest/);
    });

    it('publishes the same register as CSV open data, equally free of private data', async () => {
      const res = await platform.http().get('/api/v1/register/use-cases?format=csv');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const lines = res.text.trim().split(/\r\n/);
      expect(lines[0]).toBe('id,title,purpose,organisations,decisionDate,conditions,disclosure');
      expect(lines).toHaveLength(3);
      const row = lines.find((l) => l.startsWith(approved.id))!;
      expect(row).toContain('COVID risk by IRIS zone');
      expect(row).toContain("CHU de Montpellier; Conseil départemental de l'Hérault");
      expect(row).toContain('"{""minCellSize"":20,""rounding"":5,""perturbation"":{""maxDeviation"":4,""variance"":2}}"');
      for (const secret of privateStrings) expect(res.text).not.toContain(secret);
      for (const id of unlisted) expect(res.text).not.toContain(id);
      // The formula is neutralised: no cell begins with '='.
      const hostileRow = lines.find((l) => l.startsWith(hostile.id))!;
      expect(hostileRow.split(',')[1]).toMatch(/^"?'=/);
    });

    it('refuses unknown query parameters and formats (400)', async () => {
      expect((await platform.http().get('/api/v1/register/use-cases?format=xml')).status).toBe(400);
      expect((await platform.http().get('/api/v1/register/use-cases?includeVotes=true')).status).toBe(400);
    });
  });

  describe('expiry', () => {
    it('expires an approved use case past its end date through the scheduled sweep, with an audit event; a draft stays a draft', async () => {
      const { useCase } = await world.trustedUseCase({ requester, providers: [provider], datasets: [dataset], committee });
      const draft = await world.draftUseCase(researcher(), request());
      await platform.owner.query(
        `UPDATE cadre.use_cases SET starts_at = now() - interval '2 days', ends_at = now() - interval '1 second' WHERE id = ANY($1::uuid[])`,
        [[useCase.id, draft.id]],
      );

      const after = await eventually(
        () => world.as(researcher().token).get(`/api/v1/use-cases/${useCase.id}`),
        (res) => res.body.status === 'expired',
      );
      expect(after.body.status).toBe('expired');
      expect((await world.as(researcher().token).get(`/api/v1/use-cases/${draft.id}`)).body.status).toBe('draft');

      const { rows } = await platform.owner.query(
        `SELECT actor_id, organisation_ids, data FROM cadre.audit_events WHERE subject_id = $1 AND action = 'use_case.expired'`,
        [useCase.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].actor_id).toBeNull();
      expect([...rows[0].organisation_ids].sort()).toEqual([requester.id, provider.id].sort());
      expect(rows[0].data).toMatchObject({ from: 'approved', to: 'expired' });

      // Expired is final: no amendment brings it back, and it leaves the register.
      const amend = await world.as(researcher().token).post(`/api/v1/use-cases/${useCase.id}/amendments`).send({ changes: { endsAt: '2040-01-01T00:00:00Z' }, reason: 'extend' });
      expect(amend.status).toBe(409);
      const register = await platform.http().get('/api/v1/register/use-cases?limit=200');
      expect(register.body.items.map((i: { id: string }) => i.id)).not.toContain(useCase.id);
    });
  });
});
