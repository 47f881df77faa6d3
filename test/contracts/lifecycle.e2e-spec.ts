import { ContractsService } from '@cadre/contracts';
import { activeUseCase, contractOf, listContracts, signAllContracts } from '../support/contracts';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { Member, TestDataset, TestUser, World } from '../support/world';

type Json = any;

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What happens to contracts after they are signed: termination, expiry, amendments of the use case. */
describe('contracts: termination, expiry, re-approval', () => {
  let platform: TestPlatform;
  let world: World;
  let hospital: Member;
  let social: Member;
  let committee: TestUser[];
  let socialData: TestDataset;

  const as = (user: TestUser) => world.as(user.token);
  const useCaseStatus = async (id: string) => (await as(hospital.user('researcher')).get(`/api/v1/use-cases/${id}`)).body.status;
  const fresh = (options: Parameters<World['trustedUseCase']>[0] = {}) =>
    activeUseCase(world, { requester: hospital, providers: [social], datasets: [socialData], committee, ...options });

  beforeAll(async () => {
    platform = await startTestPlatform();
    world = new World(platform);
    hospital = await world.createMember('health', ['researcher']);
    social = await world.createMember('public_institutions', ['data_steward']);
    committee = await world.appointCommittee(3);
    socialData = await world.createDataset(social, { name: 'social' });
  });
  afterAll(() => platform?.close());

  describe('termination', () => {
    it('ends the contract at once, suspends the use case, and the worker-side view sees it', async () => {
      const { useCase } = await fresh();
      const contract = await contractOf(world, useCase.id, social.id);

      const byRequester = await as(hospital.admin).post(`/api/v1/contracts/${contract.id}/terminate`).send({ reason: 'We changed our mind' });
      expect(byRequester.status).toBe(403);
      const byResearcher = await as(hospital.user('researcher')).post(`/api/v1/contracts/${contract.id}/terminate`).send({ reason: 'x' });
      expect(byResearcher.status).toBe(403);

      const res = await as(social.admin).post(`/api/v1/contracts/${contract.id}/terminate`).send({ reason: 'Data sharing agreement revoked by our board' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: contract.id, status: 'terminated', endReason: 'Data sharing agreement revoked by our board' });
      expect(res.body.endedAt).toEqual(expect.any(String));
      expect(await useCaseStatus(useCase.id)).toBe('suspended');

      // What the computations worker re-reads before touching any data.
      const seen = await platform.app.get(ContractsService).forUseCase(useCase.id);
      expect(seen).toEqual([expect.objectContaining({ id: contract.id, status: 'terminated', providerOrganisationId: social.id, requesterOrganisationId: hospital.id })]);
      expect(seen[0].terms).toEqual(contract.terms);

      const again = await as(social.admin).post(`/api/v1/contracts/${contract.id}/terminate`).send({ reason: 'again' });
      expect(again.status).toBe(409);
      const sign = await as(hospital.admin).post(`/api/v1/contracts/${contract.id}/signatures`).send({});
      expect(sign.status).toBe(409);

      const events = await world.as(await world.adminToken()).get(`/api/v1/audit/events?subjectType=Contract&subjectId=${contract.id}&limit=50`);
      expect(events.body.items.map((e: Json) => e.action)).toContain('contract.terminated');
    });

    it('may be decided by the platform admin, and refuses an empty reason', async () => {
      const { useCase } = await world.trustedUseCase({ requester: hospital, providers: [social], datasets: [socialData], committee });
      const contract = await contractOf(world, useCase.id, social.id);
      const admin = await world.adminToken();
      expect((await world.as(admin).post(`/api/v1/contracts/${contract.id}/terminate`).send({ reason: '' })).status).toBe(400);
      const res = await world.as(admin).post(`/api/v1/contracts/${contract.id}/terminate`).send({ reason: 'Provider left the platform' });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('terminated');
      // The use case was only approved (never active): it stays approved, with a contract that will never sign.
      expect(await useCaseStatus(useCase.id)).toBe('approved');
    });
  });

  describe('concurrent signatures', () => {
    it('activates the use case when the last two contracts are signed at the same moment', async () => {
      const insee = await world.createMember('public_institutions', ['data_steward']);
      const inseeData = await world.createDataset(insee, { name: 'iris-reference' });
      const trusted = await world.trustedUseCase({ requester: hospital, providers: [social, insee], datasets: [socialData, inseeData], committee });
      const [a, b] = [await contractOf(world, trusted.useCase.id, social.id), await contractOf(world, trusted.useCase.id, insee.id)];
      for (const c of [a, b]) expect((await as(hospital.admin).post(`/api/v1/contracts/${c.id}/signatures`).send({})).status).toBe(201);
      const results = await Promise.all([
        as(social.admin).post(`/api/v1/contracts/${a.id}/signatures`).send({}),
        as(insee.admin).post(`/api/v1/contracts/${b.id}/signatures`).send({}),
        as(insee.admin).post(`/api/v1/contracts/${b.id}/signatures`).send({}),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 201, 409]);
      expect(await useCaseStatus(trusted.useCase.id)).toBe('active');
    });
  });

  describe('the membership rule', () => {
    it('refuses a signature from a suspended organisation (422), and accepts it once reinstated', async () => {
      const { useCase } = await world.trustedUseCase({ requester: hospital, providers: [social], datasets: [socialData], committee });
      const contract = await contractOf(world, useCase.id, social.id);
      const admin = world.as(await world.adminToken());
      expect((await admin.patch(`/api/v1/organisations/${social.id}`).send({ status: 'suspended' })).status).toBe(200);
      try {
        const refused = await as(social.admin).post(`/api/v1/contracts/${contract.id}/signatures`).send({});
        expect(refused.status).toBe(422);
        expect(refused.body.code).toBe('organisation_suspended');
      } finally {
        expect((await admin.patch(`/api/v1/organisations/${social.id}`).send({ status: 'active' })).status).toBe(200);
      }
      expect((await as(social.admin).post(`/api/v1/contracts/${contract.id}/signatures`).send({})).status).toBe(201);
    });
  });

  describe('expiry by the scheduled job', () => {
    it('expires an active contract past its validUntil and suspends the use case', async () => {
      const trusted = await world.trustedUseCase({ requester: hospital, providers: [social], datasets: [socialData], committee });
      const contract = await contractOf(world, trusted.useCase.id, social.id);
      // A provider may shorten the window (stricter): this one ends in a few seconds.
      const validUntil = new Date(Date.now() + 4000).toISOString();
      const patched = await as(social.admin).patch(`/api/v1/contracts/${contract.id}`).send({ terms: { validUntil } });
      expect(patched.status).toBe(200);
      expect((await signAllContracts(world, trusted)).status).toBe('active');
      expect((await as(social.admin).get(`/api/v1/contracts/${contract.id}`)).body.status).toBe('active');

      const after = await waitFor(
        async () => (await as(social.admin).get(`/api/v1/contracts/${contract.id}`)).body,
        (c) => c.status !== 'active',
      );
      expect(after.status).toBe('expired');
      expect(Date.parse(after.endedAt)).toBeGreaterThanOrEqual(Date.parse(validUntil));
      expect(await waitFor(() => useCaseStatus(trusted.useCase.id), (s) => s === 'suspended', 5000)).toBe('suspended');
      const events = await world.as(await world.adminToken()).get(`/api/v1/audit/events?subjectType=Contract&subjectId=${contract.id}&limit=50`);
      expect(events.body.items.filter((e: Json) => e.action === 'contract.expired')).toHaveLength(1);
      expect((await as(hospital.admin).post(`/api/v1/contracts/${contract.id}/signatures`).send({})).status).toBe(409);
    });
  });

  describe('amendments and re-approval', () => {
    const approveAgain = (useCaseId: string) =>
      world.castVotes(
        useCaseId,
        committee,
        committee.map(() => ({ decision: 'approve' as const, comment: 'Still fine' })),
      );

    it('re-drafts even the contracts an amendment leaves alone: conditions carry over, every party signs again', async () => {
      const trusted = await fresh({ conditions: [{ minCellSize: 20 }] });
      const { useCase } = trusted;
      const before = await contractOf(world, useCase.id, social.id);
      const amend = await as(hospital.user('researcher'))
        .post(`/api/v1/use-cases/${useCase.id}/amendments`)
        .send({ changes: { publicInterest: 'Also target vaccination campaigns.' }, reason: 'Clarify the public interest' });
      expect(amend.status).toBe(200);
      expect(amend.body.status).toBe('under_review');

      const reapproved = await approveAgain(useCase.id);
      expect(reapproved.status).toBe('approved');
      expect(reapproved.conditions).toEqual({ minCellSize: 20 });
      const after = await listContracts(world, useCase.id);
      expect(after).toHaveLength(2);
      expect(after.find((c: Json) => c.id === before.id)).toMatchObject({ status: 'superseded', current: false });
      const redrafted = after.find((c: Json) => c.current);
      expect(redrafted).toMatchObject({ status: 'pending_signatures', signatures: [] });
      expect(redrafted.terms.disclosure.minCellSize).toBe(20);
      expect((await signAllContracts(world, trusted)).status).toBe('active');
    });

    it('supersedes a contract whose scope changed, drafts a new one, and refuses signatures while under review', async () => {
      const trusted = await world.trustedUseCase({ requester: hospital, providers: [social], datasets: [socialData], committee });
      const useCaseId = trusted.useCase.id;
      const old = await contractOf(world, useCaseId, social.id);
      const amend = await as(hospital.user('researcher'))
        .post(`/api/v1/use-cases/${useCaseId}/amendments`)
        .send({ changes: { requestedDatasets: [{ datasetId: socialData.id, columns: ['age', 'iris'] }] }, reason: 'Fewer columns are enough' });
      expect(amend.status).toBe(200);

      const duringReview = await as(social.admin).post(`/api/v1/contracts/${old.id}/signatures`).send({});
      expect(duringReview.status).toBe(409);

      expect((await approveAgain(useCaseId)).status).toBe('approved');
      const all = await listContracts(world, useCaseId);
      expect(all).toHaveLength(2);
      const superseded = all.find((c: Json) => c.id === old.id);
      const redrafted = all.find((c: Json) => c.id !== old.id);
      expect(superseded).toMatchObject({ status: 'superseded', current: false });
      expect(redrafted).toMatchObject({ status: 'pending_signatures', current: true });
      expect(redrafted.terms.datasets).toEqual([{ datasetId: socialData.id, columns: ['age', 'iris'] }]);
      expect((await as(social.admin).post(`/api/v1/contracts/${old.id}/signatures`).send({})).status).toBe(409);

      const seen = await platform.app.get(ContractsService).forUseCase(useCaseId);
      expect(seen.map((c) => c.id)).toEqual([redrafted.id]);
      expect((await signAllContracts(world, trusted)).status).toBe('active');
    });
  });
});
