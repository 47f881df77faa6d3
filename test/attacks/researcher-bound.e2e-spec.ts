import { generateWorld } from '../support/dataplane-data';
import { buildFederation, Federation } from '../support/dataplane';
import { contractOf, signAllContracts } from '../support/contracts';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { World } from '../support/world';

/**
 * Safe people: a provider may narrow the researchers its contract names (stricter terms).
 * A team member the contract no longer names must be refused, however the use case team reads.
 */
describe('a researcher left out of a contract', () => {
  let platform: TestPlatform;
  let fed: Federation;
  let useCaseId: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    fed = await buildFederation(new World(platform), generateWorld(11, 600));
    const [named, dropped] = fed.lab.users.filter((u) => u.roles.includes('researcher'));
    const trusted = await fed.world.trustedUseCase({
      requester: fed.lab,
      providers: [fed.hospital, fed.social],
      datasets: [fed.patients, fed.households],
      committee: fed.committee,
      draft: { teamUserIds: [named.id, dropped.id] },
    });
    const contract = await contractOf(fed.world, trusted.useCase.id, fed.social.id);
    const patched = await fed.world.as(fed.social.admin.token).patch(`/api/v1/contracts/${contract.id}`).send({ terms: { researchers: [named.id] } });
    expect(patched.status).toBe(200);
    const active = await signAllContracts(fed.world, trusted);
    expect(active.status).toBe('active');
    useCaseId = trusted.useCase.id;
  });
  afterAll(() => platform?.close());

  const query = () => ({
    query: {
      datasets: [{ datasetId: fed.households.id, as: 's' }],
      where: [], groupBy: ['s.incomeBand'], measures: [{ fn: 'count' }], join: [], totals: false, privacy: { mechanism: 'none' },
    },
  });

  it('refuses the researcher whom one contract does not name, and creates nothing', async () => {
    const [, dropped] = fed.lab.users.filter((u) => u.roles.includes('researcher'));
    const before = (await platform.owner.query('SELECT count(*)::int AS n FROM cadre.computations')).rows[0].n;
    const res = await fed.world.as(dropped.token).post(`/api/v1/use-cases/${useCaseId}/computations`).send(query());
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('not_permitted');
    expect((await platform.owner.query('SELECT count(*)::int AS n FROM cadre.computations')).rows[0].n).toBe(before);
  });

  it('still accepts the researcher every contract names', async () => {
    const [named] = fed.lab.users.filter((u) => u.roles.includes('researcher'));
    const res = await fed.world.as(named.token).post(`/api/v1/use-cases/${useCaseId}/computations`).send(query());
    expect(res.status).toBe(202);
  });
});
