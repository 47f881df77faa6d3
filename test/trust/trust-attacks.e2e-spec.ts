import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { AuditService } from '@cadre/audit';
import { BootstrapService } from '../../libs/members/src/bootstrap.service';
import { contractOf, listContracts, signAllContracts } from '../support/contracts';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';
import { Member, TestDataset, TestUser, World } from '../support/world';

 
type Json = any;

jest.setTimeout(120_000);

/**
 * The trust framework tried as a hostile member, researcher, committee member and
 * operator would (issue 14): each attack below succeeded before and must now fail.
 */
describe('trust framework II: the committee, contracts and members hold under attack', () => {
  let platform: TestPlatform;
  let world: World;
  let hospital: Member;
  let social: Member;
  let university: Member;
  let socialData: TestDataset;
  let committee: TestUser[];
  let admin: string;

  const as = (user: TestUser) => world.as(user.token);
  const researcher = () => hospital.user('researcher');
  const vote = (member: TestUser, id: string, body: object) => as(member).post(`/api/v1/use-cases/${id}/votes`).send(body);
  const submitted = async (draft: Record<string, unknown> = {}) => {
    const uc = await world.draftUseCase(researcher(), { requestedDatasets: [{ datasetId: socialData.id, columns: ['age', 'sex', 'iris', 'icuDays'] }], ...draft });
    await world.submitUseCase(researcher(), uc.id);
    return uc;
  };
  const approveAll = (id: string, body: object = {}) => world.castVotes(id, committee, committee.map(() => ({ decision: 'approve' as const, comment: 'ok', ...body })));
  const amend = (id: string, changes: object, reason = 'A clearer title') => as(researcher()).post(`/api/v1/use-cases/${id}/amendments`).send({ changes, reason });

  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false });
    world = new World(platform);
    hospital = await world.createMember('health', ['researcher', 'data_steward']);
    social = await world.createMember('public_institutions', ['data_steward']);
    university = await world.createMember('academia', ['researcher']);
    socialData = await world.createDataset(social, { name: 'social' });
    committee = await world.appointCommittee(3);
    admin = await world.adminToken();
  });
  afterAll(() => platform?.close());

  describe('who may vote (5)', () => {
    it('recuses a committee member named on the team, even from an uninvolved organisation (403)', async () => {
      const colleague = await world.setPlatformRoles(university.user('researcher'), ['ethics_committee']);
      const uc = await world.draftUseCase(researcher(), { requestedDatasets: [{ datasetId: socialData.id, columns: ['age'] }], teamUserIds: [researcher().id, colleague.id] });
      expect((await as(colleague).post(`/api/v1/use-cases/${uc.id}/team-acceptances`).send({ userId: colleague.id })).status).toBe(201);
      await world.submitUseCase(researcher(), uc.id);
      const res = await vote(colleague, uc.id, { decision: 'approve' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('recused');
      await world.setPlatformRoles(colleague, []);
    });

    it('counts only the votes of current committee members, at decision time and in the signed decision', async () => {
      const [leaver] = await world.appointCommittee(1);
      const uc = await submitted();
      expect((await vote(leaver, uc.id, { decision: 'reject', comment: 'no' })).status).toBe(201);
      await world.setPlatformRoles(leaver, []); // leaves the committee while the round is open
      expect((await vote(committee[0], uc.id, { decision: 'approve' })).body.useCaseStatus).toBe('under_review');
      expect((await vote(committee[1], uc.id, { decision: 'approve' })).body.useCaseStatus).toBe('under_review'); // 2 counted, quorum 3
      const last = await vote(committee[2], uc.id, { decision: 'approve' });
      expect(last.body).toMatchObject({ useCaseStatus: 'approved', outcome: 'approved' });
      const decided = (await as(researcher()).get(`/api/v1/use-cases/${uc.id}`)).body.decision;
      expect(decided.votes.map((v: Json) => v.voterId).sort()).toEqual(committee.map((c) => c.id).sort());
    });
  });

  describe('team consent (also)', () => {
    it('names a researcher of another organisation only once they (or their org_admin) accept; nobody else can accept for them', async () => {
      const guest = university.user('researcher');
      const uc = await world.draftUseCase(researcher(), { requestedDatasets: [{ datasetId: socialData.id, columns: ['age'] }], teamUserIds: [researcher().id, guest.id] });
      const early = await as(researcher()).post(`/api/v1/use-cases/${uc.id}/submit`);
      expect(early.status).toBe(422);
      expect(early.body.code).toBe('team_consent_missing');
      // The requester cannot consent in the guest's name; an unrelated organisation learns nothing (404).
      expect((await as(researcher()).post(`/api/v1/use-cases/${uc.id}/team-acceptances`).send({ userId: guest.id })).status).toBe(403);
      expect((await as(social.admin).post(`/api/v1/use-cases/${uc.id}/team-acceptances`).send({ userId: guest.id })).status).toBe(404);
      const accepted = await as(university.admin).post(`/api/v1/use-cases/${uc.id}/team-acceptances`).send({ userId: guest.id });
      expect(accepted.status).toBe(201);
      expect(accepted.body).toMatchObject({ useCaseId: uc.id, userId: guest.id, acceptedBy: university.admin.id });
      expect((await as(researcher()).post(`/api/v1/use-cases/${uc.id}/submit`)).status).toBe(200);
    });
  });

  describe('sealed ballot (6)', () => {
    it('hides every vote from the requester (and the provider) until the round is decided; the decision and conditions then show', async () => {
      const uc = await submitted();
      await vote(committee[0], uc.id, { decision: 'approve', conditions: { minCellSize: 25 } });
      await vote(committee[1], uc.id, { decision: 'request_changes', comment: 'clarify' });
      for (const party of [hospital.admin, social.admin]) {
        const events = await as(party).get(`/api/v1/audit/events?subjectType=UseCase&subjectId=${uc.id}&limit=200`);
        expect(events.status).toBe(200);
        expect(JSON.stringify(events.body)).not.toMatch(/vote_cast|request_changes|minCellSize/);
        expect(events.body.items.map((e: Json) => e.actorId)).not.toEqual(expect.arrayContaining([committee[0].id]));
      }
      expect((await as(researcher()).get(`/api/v1/use-cases/${uc.id}`)).body.decision ?? null).toBeNull();
      // The operator sees the ballot.
      const operator = await world.as(admin).get(`/api/v1/audit/events?subjectType=UseCase&subjectId=${uc.id}&limit=200`);
      expect(operator.body.items.filter((e: Json) => e.action === 'use_case.vote_cast')).toHaveLength(2);

      await vote(committee[2], uc.id, { decision: 'approve' });
      const after = (await as(researcher()).get(`/api/v1/use-cases/${uc.id}`)).body;
      expect(after.status).toBe('approved');
      expect(after.decision).toMatchObject({ outcome: 'approved', conditions: { minCellSize: 25 } });
    });
  });

  describe('conditions carry over; changes re-draft the contracts (3)', () => {
    let useCaseId: string;

    it('puts the forbidden crossing into the signed contract terms', async () => {
      const uc = await submitted();
      useCaseId = uc.id;
      const conditions = { minCellSize: 20, forbiddenGroupBy: [['iris', 'age']] };
      await world.castVotes(uc.id, committee, committee.map((_, i) => ({ decision: 'approve' as const, ...(i === 0 ? { conditions } : {}) })));
      const contract = await contractOf(world, uc.id, social.id);
      expect(contract.terms.disclosure).toMatchObject({ minCellSize: 20, forbiddenGroupBy: [['age', 'iris']] });
      expect((await signAllContracts(world, { id: uc.id, parties: [hospital, social] })).status).toBe('active');
    });

    it('keeps the conditions when an amendment of the title is approved without restating them, and needs every signature again', async () => {
      const before = await contractOf(world, useCaseId, social.id);
      expect((await amend(useCaseId, { title: 'A new title' })).status).toBe(200);
      const reapproved = await approveAll(useCaseId);
      expect(reapproved.status).toBe('approved'); // not active: the contracts wait for signatures
      expect(reapproved.conditions).toEqual({ minCellSize: 20, forbiddenGroupBy: [['age', 'iris']] });
      expect(reapproved.decision.previousConditions).toEqual({ minCellSize: 20, forbiddenGroupBy: [['age', 'iris']] });
      const all = await listContracts(world, useCaseId);
      expect(all.find((c: Json) => c.id === before.id)).toMatchObject({ status: 'superseded', current: false });
      const redrafted = all.find((c: Json) => c.current);
      expect(redrafted).toMatchObject({ status: 'pending_signatures', signatures: [] });
      expect(redrafted.terms.disclosure).toMatchObject({ minCellSize: 20, forbiddenGroupBy: [['age', 'iris']] });
    });

    it('only tightens: a looser vote in a later round changes nothing, a stricter one applies', async () => {
      await amend(useCaseId, { title: 'Another title' });
      const loose = await world.castVotes(useCaseId, committee, [
        { decision: 'approve', conditions: { minCellSize: 12 } },
        { decision: 'approve', conditions: { rounding: 5 } },
        { decision: 'approve' },
      ]);
      expect(loose.conditions).toEqual({ minCellSize: 20, rounding: 5, forbiddenGroupBy: [['age', 'iris']] });
    });

    it('replaces the conditions only when every approving vote says so, with its reason, recorded in the signed decision', async () => {
      await amend(useCaseId, { title: 'Third title' });
      const partial = await world.castVotes(useCaseId, committee, [
        { decision: 'approve', conditions: { minCellSize: 12 }, replaceConditions: { reason: 'iris is coarse now' } } as Json,
        { decision: 'approve', conditions: { minCellSize: 12 }, replaceConditions: { reason: 'agreed' } } as Json,
        { decision: 'approve' },
      ]);
      expect(partial.conditions.minCellSize).toBe(20);
      expect(partial.decision.conditionsReplaced).toBeUndefined();

      await amend(useCaseId, { title: 'Fourth title' });
      const replaced = await approveAll(useCaseId, { conditions: { minCellSize: 12 }, replaceConditions: { reason: 'The geography was coarsened' } });
      expect(replaced.conditions).toEqual({ minCellSize: 12 });
      expect(replaced.decision.conditionsReplaced).toEqual({ reasons: ['The geography was coarsened', 'The geography was coarsened', 'The geography was coarsened'] });
      expect(replaced.decision.previousConditions).toEqual({ minCellSize: 20, rounding: 5, forbiddenGroupBy: [['age', 'iris']] });
      const current = (await listContracts(world, useCaseId)).find((c: Json) => c.current);
      expect(current.terms.disclosure.minCellSize).toBe(12);
    });
  });

  describe('nested objects are objects; stricter-only on complete terms (4)', () => {
    let contract: Json;
    beforeAll(async () => {
      const uc = await submitted();
      await approveAll(uc.id, { conditions: { forbiddenGroupBy: [['sex', 'iris']] } });
      contract = await contractOf(world, uc.id, social.id);
    });
    const patch = (body: unknown) => as(social.admin).patch(`/api/v1/contracts/${contract.id}`).send(body as object);

    it.each([
      ['an array for dominance', { terms: { disclosure: { dominance: [] } } }],
      ['an array for disclosure', { terms: { disclosure: [{}] } }],
      ['an array for privacy', { terms: { disclosure: { privacy: [1] } } }],
      ['an array for terms', { terms: [] }],
      ['a string for disclosure', { terms: { disclosure: 'strict' } }],
    ])('refuses %s with 400 and leaves the terms unchanged', async (_what, body) => {
      const res = await patch(body);
      expect(res.status).toBe(400);
      expect((await as(social.admin).get(`/api/v1/contracts/${contract.id}`)).body.terms).toEqual(contract.terms);
    });

    it('refuses to drop a forbidden crossing (422), accepts adding one', async () => {
      const drop = await patch({ terms: { disclosure: { forbiddenGroupBy: [] } } });
      expect(drop.status).toBe(422);
      expect(drop.body.code).toBe('terms_not_stricter');
      const add = await patch({ terms: { disclosure: { forbiddenGroupBy: [['sex', 'iris'], ['age']] } } });
      expect(add.status).toBe(200);
      expect(add.body.terms.disclosure.forbiddenGroupBy).toEqual([['age'], ['iris', 'sex']]);
    });

    it('refuses arrays where objects are expected in vote conditions and amendment changes (400)', async () => {
      const uc = await submitted();
      expect((await vote(committee[0], uc.id, { decision: 'approve', conditions: [] })).status).toBe(400);
      expect((await vote(committee[0], uc.id, { decision: 'approve', replaceConditions: ['x'] })).status).toBe(400);
      await approveAll(uc.id);
      expect((await amend(uc.id, [] as unknown as object)).status).toBe(400);
      expect((await amend(uc.id, { requestedDatasets: {} })).status).toBe(400);
    });
  });

  describe('organisation keys can be revoked (also)', () => {
    it('refuses new signatures with a revoked key, while a signature made before stays verifiable', async () => {
      const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const registered = await as(social.admin).post(`/api/v1/organisations/${social.id}/keys`).send({ jwk: await exportJWK(publicKey) });
      expect(registered.status).toBe(201);
      const kid = registered.body.kid;
      const sign = async (c: Json) => {
        const statement = { contractId: c.id, useCaseId: c.useCaseId, providerOrganisationId: c.provider.id, requesterOrganisationId: c.requester.id, termsSha256: createHash('sha256').update(canonicalize(c.terms) as string).digest('hex') };
        const jws = await new CompactSign(new TextEncoder().encode(canonicalize(statement) as string)).setProtectedHeader({ alg: 'EdDSA', kid }).sign(privateKey);
        return as(social.admin).post(`/api/v1/contracts/${c.id}/signatures`).send({ jws });
      };
      const first = await submitted();
      await approveAll(first.id);
      const before = await contractOf(world, first.id, social.id);
      expect((await sign(before)).status).toBe(201);

      const revoked = await as(social.admin).post(`/api/v1/organisations/${social.id}/keys/${kid}/revoke`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).toEqual(expect.any(String));
      expect((await as(social.admin).post(`/api/v1/organisations/${social.id}/keys/${kid}/revoke`)).status).toBe(409);
      expect((await as(hospital.admin).post(`/api/v1/organisations/${social.id}/keys/${kid}/revoke`)).status).toBe(403);

      const verification = await as(social.admin).get(`/api/v1/contracts/${before.id}/verification`);
      expect(verification.body.signatures).toEqual([expect.objectContaining({ organisationId: social.id, method: 'organisation_key', valid: true })]);

      const second = await submitted();
      await approveAll(second.id);
      const after = await sign(await contractOf(world, second.id, social.id));
      expect(after.status).toBe(422);
      expect(after.body.code).toBe('invalid_signature');
      const events = await world.as(admin).get(`/api/v1/audit/events?subjectType=Organisation&subjectId=${social.id}&limit=200`);
      expect(events.body.items.map((e: Json) => e.action)).toContain('organisation.key_revoked');
    });
  });

  describe('suspended and non-adhering organisations read but change nothing (9)', () => {
    it("answers 422 organisation_suspended to a suspended organisation's vote, contract change and user creation; reads still work", async () => {
      const uc = await submitted();
      const [member] = await world.appointCommittee(1, [university]);
      await approveAll(uc.id);
      const contract = await contractOf(world, uc.id, social.id);
      const other = await submitted();
      for (const org of [social, university]) expect((await world.as(admin).patch(`/api/v1/organisations/${org.id}`).send({ status: 'suspended' })).status).toBe(200);
      try {
        const voted = await vote(member, other.id, { decision: 'approve' });
        expect(voted.status).toBe(422);
        expect(voted.body.code).toBe('organisation_suspended');
        const patched = await as(social.admin).patch(`/api/v1/contracts/${contract.id}`).send({ terms: { disclosure: { minCellSize: 30 } } });
        expect(patched.status).toBe(422);
        expect(patched.body.code).toBe('organisation_suspended');
        const user = await as(social.admin).post(`/api/v1/organisations/${social.id}/users`).send({ email: 'new@social.test', password: 'a-long-password', displayName: 'New', roles: ['researcher'] });
        expect(user.status).toBe(422);
        expect(user.body.code).toBe('organisation_suspended');
        expect((await as(social.admin).get(`/api/v1/contracts/${contract.id}`)).status).toBe(200);
        expect((await as(social.admin).get(`/api/v1/organisations/${social.id}/users`)).status).toBe(200);
      } finally {
        for (const org of [social, university]) await world.as(admin).patch(`/api/v1/organisations/${org.id}`).send({ status: 'active' });
      }
      expect((await vote(member, other.id, { decision: 'approve' })).status).toBe(201);
    });

    it('answers 422 charter_not_adhered to a non-adhering organisation until it adheres (adhering stays open)', async () => {
      const outsider = await world.createMember('private_sector', [], { adhere: false });
      const refused = await as(outsider.admin).post(`/api/v1/organisations/${outsider.id}/users`).send({ email: 'x@outsider.test', password: 'a-long-password', displayName: 'X', roles: ['researcher'] });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('charter_not_adhered');
      expect((await as(outsider.admin).get(`/api/v1/organisations/${outsider.id}`)).status).toBe(200);
      await world.adhere(outsider);
      expect((await as(outsider.admin).post(`/api/v1/organisations/${outsider.id}/users`).send({ email: 'x@outsider.test', password: 'a-long-password', displayName: 'X', roles: ['researcher'] })).status).toBe(201);
    });
  });

  describe('availability (10)', () => {
    it.each(['offset=1e20', 'offset=-1', 'offset=1.5', 'offset=abc', 'limit=100000', 'limit=0'])('answers 400 to ?%s on every list, the public register included', async (query) => {
      expect((await platform.http().get(`/api/v1/register/use-cases?${query}`)).status).toBe(400);
      for (const path of ['/api/v1/use-cases', '/api/v1/organisations', `/api/v1/organisations/${hospital.id}/users`, '/api/v1/audit/events']) {
        const res = await world.as(admin).get(`${path}?${query}`);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      }
    });

    it('refuses to remove, or deactivate, the last platform admin (409)', async () => {
      const me = (await world.as(admin).get('/api/v1/me')).body;
      const demote = await world.as(admin).put(`/api/v1/users/${me.id}/platform-roles`).send({ platformRoles: [] });
      expect(demote.status).toBe(409);
      expect(demote.body.code).toBe('last_platform_admin');
      const deactivate = await world.as(admin).patch(`/api/v1/users/${me.id}`).send({ active: false });
      expect(deactivate.status).toBe(409);
      expect((await world.as(admin).get('/api/v1/me')).body.platformRoles).toEqual(['platform_admin']);
    });

    it('starts even when the bootstrap e-mail exists without a platform admin, and restores that operator user', async () => {
      await platform.owner.query(`UPDATE cadre.users SET platform_roles = '{}' WHERE email = $1`, [ADMIN.email]);
      await expect(platform.app.get(BootstrapService).onApplicationBootstrap()).resolves.toBeUndefined();
      const { rows } = await platform.owner.query(`SELECT platform_roles FROM cadre.users WHERE email = $1`, [ADMIN.email]);
      expect(rows[0].platform_roles).toEqual(['platform_admin']);
      expect((await platform.app.get(AuditService).verify()).valid).toBe(true);
    });
  });
});
