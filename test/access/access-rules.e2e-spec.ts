import { startTestPlatform, TestPlatform } from '../support/platform';
import { createWorld, Member, TestUser, World } from '../support/world';

type Json = any;

/**
 * Every rule moved from the services into the AbilityFactory still refuses, through
 * HTTP: the right status (403 when the caller may know the record, 404 otherwise), and
 * list queries scoped in SQL so that `total` and paging count only what the caller sees.
 */
describe('access rules in one place (AbilityFactory): each moved rule still refuses', () => {
  let platform: TestPlatform;
  let world: World;
  let hospital: Member; // requester and provider
  let providers: Member[]; // three more providers
  let outsider: Member; // no part in the use case
  let committee: TestUser[];
  let useCase: Json;
  let contracts: Json[];
  let offTeam: TestUser; // a researcher of the requester, not on the team

  const as = (user: TestUser) => world.as(user.token);
  const contractOf = (member: Member) => contracts.find((c) => c.provider.id === member.id);

  beforeAll(async () => {
    platform = await startTestPlatform();
    world = createWorld(platform);
    hospital = await world.createMember('health', ['researcher', 'data_steward']);
    providers = [
      await world.createMember('public_institutions', ['data_steward', 'researcher']),
      await world.createMember('local_authorities', ['data_steward']),
      await world.createMember('academia', ['data_steward']),
    ];
    outsider = await world.createMember('private_sector', ['researcher', 'data_steward']);
    committee = await world.appointCommittee(3);
    const datasets = [await world.createDataset(hospital), ...(await Promise.all(providers.map((p) => world.createDataset(p))))];
    ({ useCase } = await world.trustedUseCase({ requester: hospital, providers: [hospital, ...providers], datasets, committee }));
    const all = await as(hospital.admin).get(`/api/v1/use-cases/${useCase.id}/contracts?limit=100`);
    expect(all.status).toBe(200);
    contracts = all.body.items;
    expect(contracts).toHaveLength(4);
    offTeam = await world.createUser(hospital.admin.token, hospital.id, { roles: ['researcher'] });
  });
  afterAll(() => platform?.close());

  describe('contracts list: scoped in SQL, total and paging right', () => {
    it('pages the requester through every contract: total 4, pages of 3 then 1, no overlap', async () => {
      const first = await as(hospital.admin).get(`/api/v1/use-cases/${useCase.id}/contracts?limit=3&offset=0`);
      const second = await as(hospital.admin).get(`/api/v1/use-cases/${useCase.id}/contracts?limit=3&offset=3`);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect([first.body.total, second.body.total]).toEqual([4, 4]);
      expect([first.body.items.length, second.body.items.length]).toEqual([3, 1]);
      const ids = [...first.body.items, ...second.body.items].map((c: Json) => c.id);
      expect(new Set(ids)).toEqual(new Set(contracts.map((c) => c.id)));
    });

    it('counts for a provider only its own contract, on every page', async () => {
      const [social] = providers;
      const first = await as(social.admin).get(`/api/v1/use-cases/${useCase.id}/contracts?limit=1&offset=0`);
      expect(first.status).toBe(200);
      expect(first.body.total).toBe(1);
      expect(first.body.items.map((c: Json) => c.id)).toEqual([contractOf(social).id]);
      const second = await as(social.user('data_steward')).get(`/api/v1/use-cases/${useCase.id}/contracts?limit=1&offset=1`);
      expect(second.status).toBe(200);
      expect(second.body).toEqual({ items: [], total: 1 });
    });

    it('lists every contract for the committee, and none (404) for an outsider', async () => {
      const seen = await as(committee[0]).get(`/api/v1/use-cases/${useCase.id}/contracts?limit=2`);
      expect(seen.status).toBe(200);
      expect(seen.body.total).toBe(4);
      expect(seen.body.items).toHaveLength(2);
      const refused = await as(outsider.admin).get(`/api/v1/use-cases/${useCase.id}/contracts`);
      expect(refused.status).toBe(404);
    });
  });

  describe('contracts: who signs, amends, terminates', () => {
    it('refuses a data steward of a party the signature (403)', async () => {
      const [social] = providers;
      const res = await as(social.user('data_steward')).post(`/api/v1/contracts/${contractOf(social).id}/signatures`).send({});
      expect(res.status).toBe(403);
    });

    it('refuses a researcher of the requester the signature (403)', async () => {
      const res = await as(hospital.user('researcher')).post(`/api/v1/contracts/${contractOf(hospital).id}/signatures`).send({});
      expect(res.status).toBe(403);
    });

    it('refuses a committee member, who reads the contract, the signature (403)', async () => {
      const [social] = providers;
      expect((await as(committee[0]).get(`/api/v1/contracts/${contractOf(social).id}`)).status).toBe(200);
      const res = await as(committee[0]).post(`/api/v1/contracts/${contractOf(social).id}/signatures`).send({});
      expect(res.status).toBe(403);
    });

    it('answers 404 to an org_admin of another organisation: reading, signing, amending, terminating', async () => {
      const id = contractOf(providers[0]).id;
      expect((await as(outsider.admin).get(`/api/v1/contracts/${id}`)).status).toBe(404);
      expect((await as(outsider.admin).post(`/api/v1/contracts/${id}/signatures`).send({})).status).toBe(404);
      expect((await as(outsider.admin).patch(`/api/v1/contracts/${id}`).send({ terms: { disclosure: { minCellSize: 50 } } })).status).toBe(404);
      expect((await as(outsider.admin).post(`/api/v1/contracts/${id}/terminate`).send({ reason: 'not mine' })).status).toBe(404);
    });

    it("refuses the requester's org_admin the amendment of a provider's terms (403)", async () => {
      const [social] = providers;
      const res = await as(hospital.admin).patch(`/api/v1/contracts/${contractOf(social).id}`).send({ terms: { disclosure: { minCellSize: 50 } } });
      expect(res.status).toBe(403);
    });

    it('leaves every contract unsigned after all these refusals', async () => {
      const res = await as(hospital.admin).get(`/api/v1/use-cases/${useCase.id}/contracts?limit=100`);
      expect(res.body.items.map((c: Json) => [c.status, c.signatures.length])).toEqual(contracts.map(() => ['pending_signatures', 0]));
    });
  });

  describe('computations and budget', () => {
    const query = () => ({ datasets: [{ datasetId: useCase.requestedDatasets[0].datasetId, as: 'h' }], measures: [{ fn: 'count' }] });

    it('refuses a researcher of the requester who is off the team: no run (403), no budget (404)', async () => {
      expect((await as(offTeam).get(`/api/v1/use-cases/${useCase.id}`)).status).toBe(200);
      const run = await as(offTeam).post(`/api/v1/use-cases/${useCase.id}/computations`).send({ query: query() });
      expect(run.status).toBe(403);
      expect((await as(offTeam).get(`/api/v1/use-cases/${useCase.id}/budget`)).status).toBe(404);
    });

    it('refuses a data steward of a provider the run (403: the route is for researchers)', async () => {
      const res = await as(providers[0].user('data_steward')).post(`/api/v1/use-cases/${useCase.id}/computations`).send({ query: query() });
      expect(res.status).toBe(403);
    });

    it("answers 404 to another organisation's researcher and org_admin: use case, budget, computations", async () => {
      for (const user of [outsider.admin, outsider.user('researcher')]) {
        expect((await as(user).get(`/api/v1/use-cases/${useCase.id}`)).status).toBe(404);
        expect((await as(user).get(`/api/v1/use-cases/${useCase.id}/budget`)).status).toBe(404);
        expect((await as(user).get(`/api/v1/use-cases/${useCase.id}/computations`)).status).toBe(404);
      }
      expect((await as(outsider.user('researcher')).post(`/api/v1/use-cases/${useCase.id}/computations`).send({ query: query() })).status).toBe(404);
    });
  });

  describe('team consent', () => {
    it("refuses another organisation's org_admin the acceptance for a team member (404), and the requester's data steward (403)", async () => {
      const member = hospital.user('researcher').id;
      const outside = await as(outsider.admin).post(`/api/v1/use-cases/${useCase.id}/team-acceptances`).send({ userId: member });
      expect(outside.status).toBe(404);
      const steward = await as(hospital.user('data_steward')).post(`/api/v1/use-cases/${useCase.id}/team-acceptances`).send({ userId: member });
      expect(steward.status).toBe(403);
    });
  });

  describe("members' routes carry @CheckPolicies", () => {
    it("refuses a data steward the organisation's keys: registering and revoking (403)", async () => {
      const [social] = providers;
      const steward = social.user('data_steward');
      const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
      expect((await as(steward).post(`/api/v1/organisations/${social.id}/keys`).send({ jwk })).status).toBe(403);
      expect((await as(steward).post(`/api/v1/organisations/${social.id}/keys/some-kid/revoke`)).status).toBe(403);
    });

    it("refuses an org_admin another organisation's keys (403), and reading them (403)", async () => {
      const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
      expect((await as(outsider.admin).post(`/api/v1/organisations/${hospital.id}/keys`).send({ jwk })).status).toBe(403);
      expect((await as(outsider.admin).get(`/api/v1/organisations/${hospital.id}/keys`)).status).toBe(403);
      expect((await as(hospital.user('researcher')).get(`/api/v1/organisations/${hospital.id}/keys`)).status).toBe(403);
    });

    it("refuses anyone but the platform admin a member's status and the charter's publication (403)", async () => {
      const res = await as(hospital.admin).patch(`/api/v1/organisations/${outsider.id}`).send({ status: 'suspended' });
      expect(res.status).toBe(403);
      expect((await as(hospital.admin).patch(`/api/v1/organisations/${hospital.id}`).send({ status: 'suspended' })).status).toBe(403);
      const charter = await world.currentCharter();
      expect((await as(committee[0]).post(`/api/v1/charters/${charter!.id}/publish`)).status).toBe(403);
      expect((await as(outsider.admin).get(`/api/v1/organisations/${outsider.id}`)).body.status).toBe('active');
    });

    it("refuses an org_admin the adherence of another organisation (403); reads stay open to every user", async () => {
      const charter = await world.currentCharter();
      expect((await as(outsider.admin).post(`/api/v1/organisations/${hospital.id}/adherences`).send({ charterId: charter!.id })).status).toBe(403);
      expect((await as(outsider.user('researcher')).get(`/api/v1/organisations/${hospital.id}/adherences`)).status).toBe(200);
      expect((await as(outsider.user('researcher')).get(`/api/v1/organisations?limit=1`)).status).toBe(200);
      expect((await as(outsider.user('researcher')).get(`/api/v1/charters`)).status).toBe(200);
    });
  });
});
