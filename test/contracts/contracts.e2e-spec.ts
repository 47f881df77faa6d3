import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { CompactSign, compactVerify, createLocalJWKSet, exportJWK, generateKeyPair, KeyLike } from 'jose';
import { listContracts } from '../support/contracts';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { Member, TestDataset, TestUser, World } from '../support/world';

type Json = any;

const sha256 = (terms: unknown) => createHash('sha256').update(canonicalize(terms) as string).digest('hex');
const encode = (value: unknown) => new TextEncoder().encode(canonicalize(value) as string);

/**
 * The contracts of the founding use case, end to end through HTTP: a hospital crosses
 * its own patients with a social body's data. Approval drafts one contract per
 * provider; the provider tightens its terms; both parties sign (the platform attests,
 * or the organisation signs with its own key); the use case turns active.
 */
describe('contracts: drafting, stricter-only terms, signatures, activation', () => {
  let platform: TestPlatform;
  let world: World;
  let hospital: Member;
  let social: Member;
  let outsider: Member;
  let committee: TestUser[];
  let patients: TestDataset;
  let socialData: TestDataset;
  let useCase: Json;
  let hospitalContract: Json;
  let socialContract: Json;
  let socialKey: { privateKey: KeyLike; kid: string };

  const as = (user: TestUser) => world.as(user.token);

  beforeAll(async () => {
    platform = await startTestPlatform();
    world = new World(platform);
    hospital = await world.createMember('health', ['researcher', 'data_steward']);
    social = await world.createMember('public_institutions', ['data_steward']);
    outsider = await world.createMember('private_sector', ['researcher', 'data_steward']);
    committee = await world.appointCommittee(3);
    patients = await world.createDataset(hospital, { name: 'patients' });
    socialData = await world.createDataset(social, { name: 'social' });
    const trusted = await world.trustedUseCase({
      requester: hospital,
      providers: [hospital, social],
      datasets: [patients, socialData],
      committee,
      conditions: [{ minCellSize: 15 }, { rounding: 5, releaseMode: 'provider_review' }, { maxEpsilon: 0.5, forbiddenGroupBy: [['age', 'iris']] }],
    });
    useCase = trusted.useCase;
  });
  afterAll(() => platform?.close());

  it('drafts one contract per providing organisation on approval, its terms the request tightened by the conditions', async () => {
    const res = await as(hospital.admin).get(`/api/v1/use-cases/${useCase.id}/contracts`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    hospitalContract = res.body.items.find((c: Json) => c.provider.id === hospital.id);
    socialContract = res.body.items.find((c: Json) => c.provider.id === social.id);
    for (const c of [hospitalContract, socialContract]) {
      expect(c).toMatchObject({ status: 'pending_signatures', useCaseId: useCase.id, current: true, requester: { id: hospital.id, name: hospital.name }, signatures: [] });
      expect(c.terms).toEqual({
        datasets: [{ datasetId: c === hospitalContract ? patients.id : socialData.id, columns: ['age', 'sex', 'iris', 'icuDays'] }],
        purpose: useCase.purpose,
        researchers: [hospital.user('researcher').id],
        validFrom: new Date(useCase.startsAt).toISOString(),
        validUntil: new Date(useCase.endsAt).toISOString(),
        // Platform defaults (11, {1, 85}, 0, none/1.0/1e-6) tightened by the three approving votes.
        // The forbidden crossing of the decision is part of the signed terms.
        disclosure: { minCellSize: 15, dominance: { n: 1, k: 85 }, rounding: 5, privacy: { mechanism: 'none', epsilonTotal: 0.5, delta: 1e-6 }, forbiddenGroupBy: [['age', 'iris']] },
        maxComputations: 100,
        releaseMode: 'provider_review',
      });
      expect(c.termsSha256).toBe(sha256(c.terms));
    }
    expect(socialContract.provider).toEqual({ id: social.id, name: social.name });
  });

  it('shows a provider only its own contract, and the whole list to the committee', async () => {
    const mine = await as(social.admin).get(`/api/v1/use-cases/${useCase.id}/contracts`);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((c: Json) => c.id)).toEqual([socialContract.id]);
    const all = await as(committee[0]).get(`/api/v1/use-cases/${useCase.id}/contracts`);
    expect(all.body.items.map((c: Json) => c.id).sort()).toEqual([hospitalContract.id, socialContract.id].sort());
    const one = await as(social.user('data_steward')).get(`/api/v1/contracts/${socialContract.id}`);
    expect(one.status).toBe(200);
    expect(one.body.terms).toEqual(socialContract.terms);
  });

  it('documents every contract route in the OpenAPI document', async () => {
    const doc = (await platform.http().get('/docs-json')).body;
    expect(Object.keys(doc.paths['/api/v1/use-cases/{id}/contracts'])).toContain('get');
    expect(Object.keys(doc.paths['/api/v1/contracts/{id}']).sort()).toEqual(['get', 'patch']);
    expect(Object.keys(doc.paths['/api/v1/contracts/{id}/signatures'])).toContain('post');
    expect(Object.keys(doc.paths['/api/v1/contracts/{id}/terminate'])).toContain('post');
    expect(Object.keys(doc.paths['/api/v1/contracts/{id}/verification'])).toContain('get');
    expect(Object.keys(doc.components.schemas.ContractTermsResponse.properties).sort()).toEqual(
      ['datasets', 'disclosure', 'maxComputations', 'purpose', 'releaseMode', 'researchers', 'validFrom', 'validUntil'].sort(),
    );
  });

  describe('an organisation that is no party', () => {
    it('gets 404 for every read and every action, never a hint that the contract exists', async () => {
      const attacker = outsider.admin;
      const attempts = [
        as(attacker).get(`/api/v1/contracts/${socialContract.id}`),
        as(attacker).get(`/api/v1/use-cases/${useCase.id}/contracts`),
        as(attacker).get(`/api/v1/contracts/${socialContract.id}/verification`),
        as(attacker).patch(`/api/v1/contracts/${socialContract.id}`).send({ terms: { disclosure: { minCellSize: 50 } } }),
        as(attacker).post(`/api/v1/contracts/${socialContract.id}/signatures`).send({}),
        as(attacker).post(`/api/v1/contracts/${socialContract.id}/terminate`).send({ reason: 'sabotage' }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(404);
        expect(JSON.stringify(res.body)).not.toContain(socialContract.id);
        expect(JSON.stringify(res.body)).not.toContain('"terms"');
      }
      const unknown = await as(attacker).get(`/api/v1/contracts/00000000-0000-4000-8000-000000000000`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.detail).toBe((await as(attacker).get(`/api/v1/contracts/${socialContract.id}`)).body.detail);
    });

    it("cannot read a party's contract as one of its researchers either", async () => {
      const res = await as(outsider.user('researcher')).get(`/api/v1/contracts/${hospitalContract.id}`);
      expect(res.status).toBe(404);
    });
  });

  describe('changing the terms (PATCH, provider org_admin, stricter only)', () => {
    it('refuses anything looser with 422 terms_not_stricter listing every loosened field', async () => {
      const res = await as(social.admin)
        .patch(`/api/v1/contracts/${socialContract.id}`)
        .send({ terms: { disclosure: { minCellSize: 11, dominance: { k: 95 }, privacy: { epsilonTotal: 1 } }, maxComputations: 500, releaseMode: 'automatic' } });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('terms_not_stricter');
      expect(res.body.errors.map((e: Json) => e.field).sort()).toEqual(
        [
          'terms.disclosure.minCellSize',
          'terms.disclosure.dominance.k',
          'terms.disclosure.privacy.epsilonTotal',
          'terms.maxComputations',
          'terms.releaseMode',
        ].sort(),
      );
    });

    it('refuses to grant a column or a researcher the approval did not, or to stretch the window', async () => {
      const grab = await as(social.admin)
        .patch(`/api/v1/contracts/${socialContract.id}`)
        .send({
          terms: {
            datasets: [{ datasetId: socialData.id, columns: ['age', 'sex', 'iris', 'icuDays', 'nir'] }],
            researchers: [hospital.user('researcher').id, outsider.user('researcher').id],
            validUntil: new Date(Date.parse(useCase.endsAt) + 86_400_000).toISOString(),
            purpose: 'Anything we like',
          },
        });
      expect(grab.status).toBe(422);
      expect(grab.body.errors.map((e: Json) => e.field).sort()).toEqual(
        ['terms.datasets[0].columns', 'terms.researchers', 'terms.validUntil', 'terms.purpose'].sort(),
      );
    });

    it('refuses a PATCH from the requester, from a data steward, and an unknown or null term', async () => {
      const tighter = { terms: { disclosure: { minCellSize: 40 } } };
      expect((await as(hospital.admin).patch(`/api/v1/contracts/${socialContract.id}`).send(tighter)).status).toBe(403);
      expect((await as(social.user('data_steward')).patch(`/api/v1/contracts/${socialContract.id}`).send(tighter)).status).toBe(403);
      const unknown = await as(social.admin).patch(`/api/v1/contracts/${socialContract.id}`).send({ terms: { sql: 'DROP TABLE x' } });
      expect(unknown.status).toBe(400);
      const nulled = await as(social.admin).patch(`/api/v1/contracts/${socialContract.id}`).send({ terms: { disclosure: { rounding: null } } });
      expect(nulled.status).toBe(400);
      expect((await as(social.admin).get(`/api/v1/contracts/${socialContract.id}`)).body.termsRevision).toBe(1);
    });

    it('accepts a stricter change, merging nested objects key by key, and voids a signature already given', async () => {
      const first = await as(hospital.admin).post(`/api/v1/contracts/${socialContract.id}/signatures`).send({});
      expect(first.status).toBe(201);
      const res = await as(social.admin)
        .patch(`/api/v1/contracts/${socialContract.id}`)
        .send({ terms: { disclosure: { minCellSize: 20, dominance: { k: 70 }, privacy: { mechanism: 'laplace' } }, maxComputations: 50 } });
      expect(res.status).toBe(200);
      expect(res.body.terms.disclosure).toEqual({
        minCellSize: 20,
        dominance: { n: 1, k: 70 },
        rounding: 5,
        privacy: { mechanism: 'laplace', epsilonTotal: 0.5, delta: 1e-6 },
        forbiddenGroupBy: [['age', 'iris']],
      });
      expect(res.body.terms.maxComputations).toBe(50);
      expect(res.body.terms.datasets).toEqual(socialContract.terms.datasets);
      expect(res.body.termsRevision).toBe(2);
      expect(res.body.termsSha256).toBe(sha256(res.body.terms));
      expect(res.body.signatures).toEqual([]);
      expect(res.body.voidedSignatures).toHaveLength(1);
      expect(res.body.voidedSignatures[0]).toMatchObject({ id: first.body.id, organisationId: hospital.id, voidReason: 'terms_changed' });
      expect(res.body.status).toBe('pending_signatures');
      socialContract = res.body;

      const verification = await as(hospital.admin).get(`/api/v1/contracts/${socialContract.id}/verification`);
      expect(verification.body).toMatchObject({ valid: false, complete: false, signatures: [] });
    });
  });

  describe('signatures with an organisation key', () => {
    beforeAll(async () => {
      const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const res = await as(social.admin).post(`/api/v1/organisations/${social.id}/keys`).send({ jwk: await exportJWK(publicKey) });
      expect(res.status).toBe(201);
      socialKey = { privateKey, kid: res.body.kid };
    });

    const signWith = (key: KeyLike, kid: string, payload: unknown) => new CompactSign(encode(payload)).setProtectedHeader({ alg: 'EdDSA', kid }).sign(key);
    const submit = (jws: string) => as(social.admin).post(`/api/v1/contracts/${socialContract.id}/signatures`).send({ jws });
    /** What an organisation signs: the contract, the use case, both parties and the terms' hash. */
    const statement = (c: Json, terms: unknown = c.terms) => ({
      contractId: c.id,
      useCaseId: c.useCaseId,
      providerOrganisationId: c.provider.id,
      requesterOrganisationId: c.requester.id,
      termsSha256: sha256(terms),
    });

    it('refuses a JWS made with a key the organisation never registered, even naming its kid', async () => {
      const forger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const res = await submit(await signWith(forger.privateKey, socialKey.kid, statement(socialContract)));
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('invalid_signature');
    });

    it("refuses a JWS made with another organisation's registered key", async () => {
      const hospitalKey = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const reg = await as(hospital.admin).post(`/api/v1/organisations/${hospital.id}/keys`).send({ jwk: await exportJWK(hospitalKey.publicKey) });
      expect(reg.status).toBe(201);
      const res = await submit(await signWith(hospitalKey.privateKey, reg.body.kid, statement(socialContract)));
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('invalid_signature');
    });

    it('refuses a genuine JWS over other terms: the draft before the change, or another contract', async () => {
      const stale = { ...socialContract.terms, disclosure: { ...socialContract.terms.disclosure, minCellSize: 15 } };
      expect((await submit(await signWith(socialKey.privateKey, socialKey.kid, statement(socialContract, stale)))).status).toBe(422);
      const elsewhere = { ...statement(socialContract), contractId: hospitalContract.id };
      expect((await submit(await signWith(socialKey.privateKey, socialKey.kid, elsewhere))).status).toBe(422);
      const tampered = (await signWith(socialKey.privateKey, socialKey.kid, statement(socialContract))).split('.');
      tampered[1] = Buffer.from(canonicalize({ ...statement(socialContract), termsSha256: sha256({ ...socialContract.terms, maxComputations: 49 }) }) as string).toString('base64url');
      expect((await submit(tampered.join('.'))).body.code).toBe('invalid_signature');
      const current = await as(social.admin).get(`/api/v1/contracts/${socialContract.id}`);
      expect(current.body.signatures).toEqual([]);
    });

    it('refuses a genuine JWS whose payload is only the terms, or names the contract without its use case and parties (replayable)', async () => {
      expect((await submit(await signWith(socialKey.privateKey, socialKey.kid, socialContract.terms))).body.code).toBe('invalid_signature');
      const partial = { contractId: socialContract.id, termsSha256: sha256(socialContract.terms) };
      expect((await submit(await signWith(socialKey.privateKey, socialKey.kid, partial))).body.code).toBe('invalid_signature');
      const { requesterOrganisationId: _omitted, ...noRequester } = statement(socialContract);
      expect((await submit(await signWith(socialKey.privateKey, socialKey.kid, noRequester))).body.code).toBe('invalid_signature');
    });

    it('accepts a JWS naming the contract, the use case, both parties and the terms hash, by the registered key, once', async () => {
      const jws = await signWith(socialKey.privateKey, socialKey.kid, statement(socialContract));
      const res = await submit(jws);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        contractId: socialContract.id,
        organisationId: social.id,
        method: 'organisation_key',
        keyId: socialKey.kid,
        termsSha256: sha256(socialContract.terms),
      });
      const again = await as(social.admin).post(`/api/v1/contracts/${socialContract.id}/signatures`).send({});
      expect(again.status).toBe(409);
      const stillPending = await as(social.admin).get(`/api/v1/contracts/${socialContract.id}`);
      expect(stillPending.body.status).toBe('pending_signatures');
    });
  });

  describe('activation', () => {
    it('refuses a signature from a party member who is not its org_admin', async () => {
      const res = await as(hospital.user('researcher')).post(`/api/v1/contracts/${socialContract.id}/signatures`).send({});
      expect(res.status).toBe(403);
    });

    it('activates a contract once both parties have signed, and the use case once every contract is active', async () => {
      const requesterSigns = await as(hospital.admin).post(`/api/v1/contracts/${socialContract.id}/signatures`).send({});
      expect(requesterSigns.status).toBe(201);
      expect((await as(hospital.admin).get(`/api/v1/contracts/${socialContract.id}`)).body.status).toBe('active');
      expect((await as(hospital.user('researcher')).get(`/api/v1/use-cases/${useCase.id}`)).body.status).toBe('approved');

      // The hospital provides its own patients: it is both parties, one signature suffices.
      const own = await as(hospital.admin).post(`/api/v1/contracts/${hospitalContract.id}/signatures`).send({});
      expect(own.status).toBe(201);
      const after = await as(hospital.admin).get(`/api/v1/contracts/${hospitalContract.id}`);
      expect(after.body.status).toBe('active');
      expect(after.body.activatedAt).toEqual(expect.any(String));
      expect((await as(hospital.user('researcher')).get(`/api/v1/use-cases/${useCase.id}`)).body.status).toBe('active');
    });

    it('refuses to change the terms of an active contract (409)', async () => {
      const res = await as(social.admin).patch(`/api/v1/contracts/${socialContract.id}`).send({ terms: { disclosure: { minCellSize: 99 } } });
      expect(res.status).toBe(409);
    });

    it('verifies every signature against the current terms', async () => {
      const res = await as(social.admin).get(`/api/v1/contracts/${socialContract.id}/verification`);
      expect(res.status).toBe(200);
      expect(res.body.valid).toBe(true);
      expect(res.body.termsSha256).toBe(sha256(socialContract.terms));
      const byOrg = (a: Json, b: Json) => a.organisationId.localeCompare(b.organisationId);
      expect([...res.body.signatures].sort(byOrg)).toEqual(
        [
          { organisationId: hospital.id, method: 'platform', valid: true },
          { organisationId: social.id, method: 'organisation_key', valid: true },
        ].sort(byOrg),
      );
    });

    it('verifies every platform signature offline with nothing but the published JWKS', async () => {
      const jwks = await platform.http().get('/.well-known/jwks.json');
      expect(jwks.status).toBe(200);
      const keySet = createLocalJWKSet(jwks.body);
      const platformSigned = (await listContracts(world, useCase.id)).flatMap((c) =>
        [...c.signatures, ...c.voidedSignatures].filter((s: Json) => s.method === 'platform').map((s: Json) => ({ s, c })),
      );
      expect(platformSigned.length).toBe(3);
      for (const { s, c } of platformSigned) {
        const { payload, protectedHeader } = await compactVerify(s.jws, keySet);
        expect(protectedHeader.alg).toMatch(/^(EdDSA|ES256)$/);
        const record = JSON.parse(new TextDecoder().decode(payload));
        expect(record).toEqual({
          type: 'cadre.contract_signature',
          contractId: c.id,
          organisationId: s.organisationId,
          signerUserId: hospital.admin.id,
          termsSha256: s.voidedAt ? s.termsSha256 : sha256(c.terms),
          signedAt: s.signedAt,
        });
        // One flipped byte of the payload and the JWKS no longer vouches for it.
        const [h, p, sig] = s.jws.split('.');
        const forged = Buffer.from(p, 'base64url');
        forged[forged.length - 2] ^= 1;
        await expect(compactVerify(`${h}.${forged.toString('base64url')}.${sig}`, keySet)).rejects.toThrow();
      }
    });

    it('catches terms edited behind the platform’s back: the signatures no longer verify', async () => {
      await platform.owner.query(`UPDATE cadre.contracts SET terms = jsonb_set(terms, '{disclosure,minCellSize}', '2') WHERE id = $1`, [socialContract.id]);
      try {
        const res = await as(social.admin).get(`/api/v1/contracts/${socialContract.id}/verification`);
        expect(res.body.valid).toBe(false);
        expect(res.body.signatures.map((s: Json) => s.valid)).toEqual([false, false]);
      } finally {
        await platform.owner.query(`UPDATE cadre.contracts SET terms = jsonb_set(terms, '{disclosure,minCellSize}', '20') WHERE id = $1`, [socialContract.id]);
      }
      expect((await as(social.admin).get(`/api/v1/contracts/${socialContract.id}/verification`)).body.valid).toBe(true);
    });

    it('writes an audit event for every state change of the contract', async () => {
      const res = await world.as(await world.adminToken()).get(`/api/v1/audit/events?subjectType=Contract&subjectId=${socialContract.id}&limit=50`);
      expect(res.status).toBe(200);
      const actions = res.body.items.map((e: Json) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['contract.drafted', 'contract.signed', 'contract.terms_amended', 'contract.activated']));
      expect(actions.filter((a: string) => a === 'contract.signed')).toHaveLength(3);
    });
  });
});
