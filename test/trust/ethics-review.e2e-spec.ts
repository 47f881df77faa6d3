import { compactVerify, createLocalJWKSet, JSONWebKeySet } from 'jose';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { Member, TestDataset, TestUser, World } from '../support/world';

const REQUESTABLE = ['age', 'sex', 'iris', 'icuDays'];

jest.setTimeout(60_000);

describe('ethics review of use cases', () => {
  let platform: TestPlatform;
  let world: World;
  let requester: Member;
  let provider: Member;
  let outsider: Member;
  let dataset: TestDataset;
  let committee: TestUser[];
  let jwks: JSONWebKeySet;

  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false });
    world = new World(platform);
    requester = await world.createMember('health', ['researcher', 'data_steward']);
    provider = await world.createMember('public_institutions', ['data_steward', 'researcher']);
    outsider = await world.createMember('private_sector', ['researcher']);
    dataset = await world.createDataset(provider);
    committee = await world.appointCommittee(3);
    jwks = (await platform.http().get('/.well-known/jwks.json')).body;
  });
  afterAll(() => platform.close());

  const researcher = () => requester.user('researcher');
  const draft = (overrides: Record<string, unknown> = {}) =>
    world.draftUseCase(researcher(), { requestedDatasets: [{ datasetId: dataset.id, columns: REQUESTABLE }], ...overrides });
  const vote = (member: TestUser, id: string, body: object) => world.as(member.token).post(`/api/v1/use-cases/${id}/votes`).send(body);
  const submitted = async () => {
    const uc = await draft();
    await world.submitUseCase(researcher(), uc.id);
    return uc;
  };

  it('takes a use case from draft through three approvals to approved, with merged conditions and a decision signed for offline verification', async () => {
    const uc = await draft();
    expect(uc).toMatchObject({ status: 'draft', requesterOrganisationId: requester.id, providerOrganisationIds: [provider.id], reviewRound: 0 });

    const sub = await world.as(researcher().token).post(`/api/v1/use-cases/${uc.id}/submit`);
    expect(sub.status).toBe(200);
    expect(sub.body).toMatchObject({ status: 'under_review', reviewRound: 1 });

    const conditions = [
      { minCellSize: 15, rounding: 5, releaseMode: 'automatic', forbiddenGroupBy: [['iris', 'sex']] },
      { minCellSize: 11, rounding: 10, maxEpsilon: 1.5 },
      { maxEpsilon: 0.8, releaseMode: 'provider_review', forbiddenGroupBy: [['age']] },
    ];
    for (let i = 0; i < 3; i++) {
      const res = await vote(committee[i], uc.id, { decision: 'approve', comment: `ok ${i}`, conditions: conditions[i] });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ decision: 'approve', round: 1, useCaseStatus: i < 2 ? 'under_review' : 'approved' });
    }

    const after = await world.as(researcher().token).get(`/api/v1/use-cases/${uc.id}`);
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('approved');
    const expected = { minCellSize: 15, rounding: 10, maxEpsilon: 0.8, releaseMode: 'provider_review', forbiddenGroupBy: [['age'], ['iris', 'sex']] };
    expect(after.body.conditions).toEqual(expected);
    expect(after.body.decision).toMatchObject({ outcome: 'approved', round: 1, conditions: expected, decidedAt: expect.any(String), signature: expect.any(String) });
    expect(after.body.decision.votes).toHaveLength(3);

    // Anyone with the JWKS alone can check the decision: the signed payload is the decision itself.
    const { payload } = await compactVerify(after.body.decision.signature, createLocalJWKSet(jwks));
    const signed = JSON.parse(new TextDecoder().decode(payload));
    const { signature, ...decision } = after.body.decision;
    expect(signed).toEqual(decision);
    expect(signed.votes.map((v: { voterId: string }) => v.voterId).sort()).toEqual(committee.map((c) => c.id).sort());
    expect(signature).toBeTruthy();

    const list = await world.as(researcher().token).get('/api/v1/use-cases?status=approved&limit=200');
    expect(list.status).toBe(200);
    expect(list.body.items.find((u: { id: string }) => u.id === uc.id)).toEqual(after.body);

    const { rows } = await platform.owner.query(`SELECT action FROM cadre.audit_events WHERE subject_id = $1 ORDER BY id`, [uc.id]);
    expect(rows.map((r: { action: string }) => r.action)).toEqual([
      'use_case.created',
      'use_case.submitted',
      'use_case.vote_cast',
      'use_case.vote_cast',
      'use_case.vote_cast',
      'use_case.approved',
    ]);
  });

  it('refuses the vote of a committee member affiliated with a provider or the requester (403 recused)', async () => {
    const uc = await submitted();
    const [fromProvider, fromRequester] = await world.appointCommittee(2, [provider, requester]);
    for (const member of [fromProvider, fromRequester]) {
      const res = await vote(member, uc.id, { decision: 'approve', comment: 'mine' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('recused');
    }
    const { rows } = await platform.owner.query(`SELECT count(*)::int AS n FROM cadre.use_case_votes WHERE use_case_id = $1`, [uc.id]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses a second vote by the same member in a round (409)', async () => {
    const uc = await submitted();
    expect((await vote(committee[0], uc.id, { decision: 'approve', comment: 'yes' })).status).toBe(201);
    const again = await vote(committee[0], uc.id, { decision: 'reject', comment: 'changed my mind' });
    expect(again.status).toBe(409);
    const { rows } = await platform.owner.query(`SELECT decision FROM cadre.use_case_votes WHERE use_case_id = $1`, [uc.id]);
    expect(rows).toEqual([{ decision: 'approve' }]);
  });

  it('takes exactly one decision when votes race past the quorum', async () => {
    const uc = await submitted();
    const crowd = [...committee, ...(await world.appointCommittee(2))];
    const answers = await Promise.all(crowd.map((m) => vote(m, uc.id, { decision: 'approve' })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(2);
    const { rows } = await platform.owner.query(`SELECT count(*)::int AS n FROM cadre.use_case_decisions WHERE use_case_id = $1`, [uc.id]);
    expect(rows[0].n).toBe(1);
  });

  it('refuses a vote from someone outside the committee (403)', async () => {
    const uc = await submitted();
    const res = await vote(outsider.user('researcher'), uc.id, { decision: 'approve', comment: 'let me in' });
    expect(res.status).toBe(403);
  });

  it('refuses illegal transitions with 409: submitting twice, voting on a draft, editing under review', async () => {
    const uc = await draft();
    const onDraft = await vote(committee[0], uc.id, { decision: 'approve', comment: 'too early' });
    expect(onDraft.status).toBe(409);

    await world.submitUseCase(researcher(), uc.id);
    const twice = await world.as(researcher().token).post(`/api/v1/use-cases/${uc.id}/submit`);
    expect(twice.status).toBe(409);
    const edit = await world.as(researcher().token).patch(`/api/v1/use-cases/${uc.id}`).send({ title: 'sneaky' });
    expect(edit.status).toBe(409);
    const amend = await world.as(researcher().token).post(`/api/v1/use-cases/${uc.id}/amendments`).send({ changes: {}, reason: 'not yet approved' });
    expect(amend.status).toBe(409);
  });

  it('sends a tied round back for changes; the owner edits and resubmits into a new round', async () => {
    const uc = await submitted();
    await vote(committee[0], uc.id, { decision: 'approve', comment: 'fine' });
    await vote(committee[1], uc.id, { decision: 'reject', comment: 'stigmatising' });
    const last = await vote(committee[2], uc.id, { decision: 'request_changes', comment: 'coarser zones' });
    expect(last.body.useCaseStatus).toBe('changes_requested');

    const edited = await world.as(researcher().token).patch(`/api/v1/use-cases/${uc.id}`).send({ requestedDatasets: [{ datasetId: dataset.id, columns: ['age', 'icuDays'] }] });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ status: 'changes_requested', requestedDatasets: [{ datasetId: dataset.id, columns: ['age', 'icuDays'] }] });
    expect(edited.body.decision).toMatchObject({ outcome: 'changes_requested', round: 1 });

    const resubmitted = await world.submitUseCase(researcher(), uc.id);
    expect(resubmitted).toMatchObject({ status: 'under_review', reviewRound: 2 });
    // A new round: the same members vote again.
    expect((await vote(committee[0], uc.id, { decision: 'approve', comment: 'better' })).status).toBe(201);
  });

  it('decides by majority: two rejections reject', async () => {
    const uc = await submitted();
    await vote(committee[0], uc.id, { decision: 'reject', comment: 'no' });
    await vote(committee[1], uc.id, { decision: 'approve' });
    const last = await vote(committee[2], uc.id, { decision: 'reject', comment: 'no' });
    expect(last.body.useCaseStatus).toBe('rejected');
    expect((await world.as(researcher().token).post(`/api/v1/use-cases/${uc.id}/submit`)).status).toBe(409);
  });

  it('requires a comment to reject or request changes (400)', async () => {
    const uc = await submitted();
    for (const decision of ['reject', 'request_changes']) {
      const res = await vote(committee[0], uc.id, { decision });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('comment');
      expect((await vote(committee[0], uc.id, { decision, comment: '' })).status).toBe(400);
    }
  });

  it('refuses to request a linkage key (422 linkage_key_not_requestable)', async () => {
    const res = await world
      .as(researcher().token)
      .post('/api/v1/use-cases')
      .send({
        title: 'Re-identify',
        purpose: 'p',
        publicInterest: 'i',
        requestedDatasets: [{ datasetId: dataset.id, columns: ['age', 'nir'] }],
        teamUserIds: [researcher().id],
        startsAt: '2030-01-01T00:00:00Z',
        endsAt: '2031-01-01T00:00:00Z',
      });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('linkage_key_not_requestable');
    // Nor through an edit.
    const uc = await draft();
    const edit = await world.as(researcher().token).patch(`/api/v1/use-cases/${uc.id}`).send({ requestedDatasets: [{ datasetId: dataset.id, columns: ['nir'] }] });
    expect(edit.status).toBe(422);
    expect(edit.body.code).toBe('linkage_key_not_requestable');
  });

  it('refuses unknown datasets or columns, a team of non-researchers or of non-adhering members, and a reversed period', async () => {
    const unknownColumn = await world.as(researcher().token).post('/api/v1/use-cases').send({
      title: 't', purpose: 'p', publicInterest: 'i',
      requestedDatasets: [{ datasetId: dataset.id, columns: ['salary'] }],
      teamUserIds: [researcher().id], startsAt: '2030-01-01T00:00:00Z', endsAt: '2031-01-01T00:00:00Z',
    });
    expect(unknownColumn.status).toBe(422);

    const steward = requester.user('data_steward');
    const notResearcher = await world.as(researcher().token).post('/api/v1/use-cases').send({
      title: 't', purpose: 'p', publicInterest: 'i',
      requestedDatasets: [{ datasetId: dataset.id, columns: ['age'] }],
      teamUserIds: [steward.id], startsAt: '2030-01-01T00:00:00Z', endsAt: '2031-01-01T00:00:00Z',
    });
    expect(notResearcher.status).toBe(422);
    expect(notResearcher.body.code).toBe('invalid_team');

    const stranger = await world.createMember('academia', ['researcher'], { adhere: false });
    const nonAdhering = await world.as(researcher().token).post('/api/v1/use-cases').send({
      title: 't', purpose: 'p', publicInterest: 'i',
      requestedDatasets: [{ datasetId: dataset.id, columns: ['age'] }],
      teamUserIds: [researcher().id, stranger.user('researcher').id], startsAt: '2030-01-01T00:00:00Z', endsAt: '2031-01-01T00:00:00Z',
    });
    expect(nonAdhering.status).toBe(422);
    expect(nonAdhering.body.code).toBe('invalid_team');

    const reversed = await world.as(researcher().token).post('/api/v1/use-cases').send({
      title: 't', purpose: 'p', publicInterest: 'i',
      requestedDatasets: [{ datasetId: dataset.id, columns: ['age'] }],
      teamUserIds: [researcher().id], startsAt: '2031-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z',
    });
    expect(reversed.status).toBe(400);
  });

  it('sends an approved use case back to review on amendment, in a new round', async () => {
    const { useCase } = await world.trustedUseCase({ requester, providers: [provider], datasets: [dataset], committee });
    const res = await world
      .as(researcher().token)
      .post(`/api/v1/use-cases/${useCase.id}/amendments`)
      .send({ changes: { endsAt: '2035-01-01T00:00:00.000Z' }, reason: 'The study needs two more years' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'under_review', reviewRound: 2, endsAt: '2035-01-01T00:00:00.000Z' });
    // Only the requesting organisation amends.
    const byProvider = await world.as(provider.user('researcher').token).post(`/api/v1/use-cases/${useCase.id}/amendments`).send({ changes: {}, reason: 'x' });
    expect(byProvider.status).toBe(403);
    // Approved again, it is approved (its contracts decide whether it becomes active).
    await world.castVotes(useCase.id, committee, committee.map(() => ({ decision: 'approve' as const })));
    const again = await world.as(researcher().token).get(`/api/v1/use-cases/${useCase.id}`);
    expect(['approved', 'active']).toContain(again.body.status);
    expect(again.body.decision.round).toBe(2);
  });

  describe('visibility', () => {
    it('answers 404 to organisations that neither request nor provide, for reads and writes alike', async () => {
      const uc = await submitted();
      const stranger = outsider.user('researcher');
      expect((await world.as(stranger.token).get(`/api/v1/use-cases/${uc.id}`)).status).toBe(404);
      expect((await world.as(stranger.token).patch(`/api/v1/use-cases/${uc.id}`).send({ title: 'x' })).status).toBe(404);
      expect((await world.as(stranger.token).post(`/api/v1/use-cases/${uc.id}/submit`)).status).toBe(404);
      const list = await world.as(stranger.token).get('/api/v1/use-cases?limit=200');
      expect(list.status).toBe(200);
      expect(list.body.items.map((u: { id: string }) => u.id)).not.toContain(uc.id);
      // The answer for someone else's use case is the answer for a use case that does not exist.
      const ghost = await world.as(stranger.token).get('/api/v1/use-cases/00000000-0000-4000-8000-000000000000');
      const real = await world.as(stranger.token).get(`/api/v1/use-cases/${uc.id}`);
      expect(real.body).toEqual(ghost.body);
    });

    it('shows a draft to its requester but not to the committee; the committee and the provider see it once submitted', async () => {
      const uc = await draft();
      expect((await world.as(requester.admin.token).get(`/api/v1/use-cases/${uc.id}`)).status).toBe(200);
      expect((await world.as(committee[0].token).get(`/api/v1/use-cases/${uc.id}`)).status).toBe(404);
      await world.submitUseCase(researcher(), uc.id);
      expect((await world.as(committee[0].token).get(`/api/v1/use-cases/${uc.id}`)).status).toBe(200);
      expect((await world.as(provider.user('data_steward').token).get(`/api/v1/use-cases/${uc.id}`)).status).toBe(200);
    });

    it('lists, page by page and newest first, exactly the use cases each actor may open, each as it opens', async () => {
      const drafts = [await draft(), await draft()];
      const inReview = [await submitted(), await submitted()];
      const ours = [...drafts, ...inReview].map((u) => u.id);
      const readers = [researcher(), provider.user('data_steward'), outsider.user('researcher'), committee[0]];
      for (const reader of readers) {
        const listed: { id: string; createdAt: string }[] = [];
        let total = -1;
        for (let offset = 0; total < 0 || offset < total; offset += 2) {
          const page = await world.as(reader.token).get(`/api/v1/use-cases?limit=2&offset=${offset}`);
          expect(page.status).toBe(200);
          expect(page.body.items.length).toBeLessThanOrEqual(2);
          if (total >= 0) expect(page.body.total).toBe(total);
          total = page.body.total;
          listed.push(...page.body.items);
        }
        expect(listed).toHaveLength(total);
        // Past the last page: nothing, and the same total.
        const past = await world.as(reader.token).get(`/api/v1/use-cases?limit=2&offset=${total + 4}`);
        expect(past.body).toEqual({ items: [], total });
        const times = listed.map((u) => Date.parse(u.createdAt));
        expect(times).toEqual([...times].sort((a, b) => b - a));
        for (const item of listed.filter((u) => ours.includes(u.id))) {
          expect(item).toEqual((await world.as(reader.token).get(`/api/v1/use-cases/${item.id}`)).body);
        }
        for (const id of ours.filter((id) => !listed.some((u) => u.id === id))) {
          expect((await world.as(reader.token).get(`/api/v1/use-cases/${id}`)).status).toBe(404);
        }
        const underReview = await world.as(reader.token).get('/api/v1/use-cases?status=under_review&limit=200');
        expect(underReview.body.items.map((u: { id: string }) => u.id).sort()).toEqual(listed.filter((u) => (u as { status?: string }).status === 'under_review').map((u) => u.id).sort());
      }
      // The rules at work: drafts for the requester's side only, submitted ones for the committee and the provider too.
      const idsOf = async (reader: TestUser) => (await world.as(reader.token).get('/api/v1/use-cases?limit=200')).body.items.map((u: { id: string }) => u.id);
      expect(await idsOf(researcher())).toEqual(expect.arrayContaining(ours));
      expect(await idsOf(committee[0])).toEqual(expect.arrayContaining(inReview.map((u) => u.id)));
      expect(await idsOf(committee[0])).not.toEqual(expect.arrayContaining([drafts[0].id]));
      expect(await idsOf(outsider.user('researcher'))).toEqual([]);
    });
  });
});
