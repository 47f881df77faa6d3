import { calculateJwkThumbprint, compactVerify, createLocalJWKSet, exportJWK, generateKeyPair, JSONWebKeySet } from 'jose';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { Member, World } from '../support/world';

/** Verifies a compact JWS with nothing but the published JWKS, as an outside party would. */
async function verifyOffline(jwks: JSONWebKeySet, jws: string): Promise<Record<string, unknown>> {
  const { payload } = await compactVerify(jws, createLocalJWKSet(jwks));
  return JSON.parse(new TextDecoder().decode(payload));
}

jest.setTimeout(60_000);

describe('the trust framework: members, charter and adherence', () => {
  let platform: TestPlatform;
  let world: World;
  let admin: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false });
    world = new World(platform);
    admin = await world.adminToken();
  });
  afterAll(() => platform.close());

  describe('organisations', () => {
    it('lets the operator admit a member, which anyone then reads with its standing', async () => {
      const res = await world.as(admin).post('/api/v1/organisations').send({ name: 'CHU de Montpellier', college: 'health', siren: '263400140' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id: expect.any(String), name: 'CHU de Montpellier', college: 'health', status: 'active', adheresToCurrentCharter: false });

      const reader = await world.createMember('academia', ['researcher'], { adhere: false });
      const one = await world.as(reader.user('researcher').token).get(`/api/v1/organisations/${res.body.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: res.body.id, name: 'CHU de Montpellier', college: 'health', status: 'active', adheresToCurrentCharter: false });
      const list = await world.as(reader.user('researcher').token).get('/api/v1/organisations?limit=200');
      expect(list.status).toBe(200);
      expect(list.body.total).toBeGreaterThanOrEqual(3); // operator, the CHU, the reader
      expect(list.body.items.map((o: { id: string }) => o.id)).toContain(res.body.id);
    });

    it('refuses admission by anyone but the operator (403), and malformed input (400)', async () => {
      const member = await world.createMember('local_authorities', [], { adhere: false });
      const byOrgAdmin = await world.as(member.admin.token).post('/api/v1/organisations').send({ name: 'Shadow org', college: 'health' });
      expect(byOrgAdmin.status).toBe(403);
      const badCollege = await world.as(admin).post('/api/v1/organisations').send({ name: 'X', college: 'operator' });
      expect(badCollege.status).toBe(400);
      const unknownField = await world.as(admin).post('/api/v1/organisations').send({ name: 'X', college: 'health', isOperator: true });
      expect(unknownField.status).toBe(400);
      const { rows } = await platform.owner.query(`SELECT count(*)::int AS n FROM cadre.organisations WHERE is_operator`);
      expect(rows[0].n).toBe(1);
    });

    it('answers 404 for an unknown organisation and 401 without a token', async () => {
      expect((await world.as(admin).get('/api/v1/organisations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await platform.http().get('/api/v1/organisations')).status).toBe(401);
    });
  });

  describe('the charter', () => {
    it('has no current charter before the first publication (404), then publishes drafts in turn', async () => {
      expect((await platform.http().get('/api/v1/register/charter')).status).toBe(404);

      const draft = await world.as(admin).post('/api/v1/charters').send({ version: '1.0', title: 'Charte 1', principles: [{ code: 'P1', title: 'T', text: 'Text' }] });
      expect(draft.status).toBe(201);
      expect(draft.body).toMatchObject({ version: '1.0', status: 'draft', publishedAt: null });
      expect((await platform.http().get('/api/v1/register/charter')).status).toBe(404); // a draft is not in force

      const published = await world.as(admin).post(`/api/v1/charters/${draft.body.id}/publish`);
      expect(published.status).toBe(200);
      expect(published.body).toMatchObject({ id: draft.body.id, status: 'current' });
      const current = await platform.http().get('/api/v1/register/charter');
      expect(current.status).toBe(200);
      expect(current.body).toMatchObject({ id: draft.body.id, version: '1.0', principles: [{ code: 'P1', title: 'T', text: 'Text' }] });

      expect((await world.as(admin).post(`/api/v1/charters/${draft.body.id}/publish`)).status).toBe(409);
      expect((await world.as(admin).post('/api/v1/charters').send({ version: '1.0', title: 'Again', principles: [{ code: 'P1', title: 'T', text: 'x' }] })).status).toBe(409);
    });

    it('refuses drafting or publishing by a member (403)', async () => {
      const member = await world.createMember('academia', ['researcher'], { adhere: false });
      const res = await world.as(member.admin.token).post('/api/v1/charters').send({ version: 'rogue', title: 'Rogue', principles: [{ code: 'P1', title: 'T', text: 'x' }] });
      expect(res.status).toBe(403);
    });
  });

  describe('adherence', () => {
    let member: Member;

    beforeAll(async () => {
      member = await world.createMember('health', ['researcher'], { adhere: false });
    });

    it('signs an adherence that verifies offline with only the JWKS', async () => {
      const charter = await world.currentCharter();
      const res = await world.as(member.admin.token).post(`/api/v1/organisations/${member.id}/adherences`).send({ charterId: charter!.id });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id: expect.any(String), charterId: charter!.id, signedBy: member.admin.id, signedAt: expect.any(String), signature: expect.any(String) });

      const jwks = (await platform.http().get('/.well-known/jwks.json')).body as JSONWebKeySet;
      const payload = await verifyOffline(jwks, res.body.signature);
      expect(payload).toMatchObject({ id: res.body.id, organisationId: member.id, charterId: charter!.id, signedBy: member.admin.id, signedAt: res.body.signedAt });

      // A tampered signature does not verify.
      const [h, p, s] = res.body.signature.split('.');
      const forged = Buffer.from(JSON.stringify({ ...payload, organisationId: '00000000-0000-4000-8000-000000000000' })).toString('base64url');
      await expect(verifyOffline(jwks, `${h}.${forged}.${s}`)).rejects.toThrow();
      expect(p).not.toBe(forged);

      const org = await world.as(member.admin.token).get(`/api/v1/organisations/${member.id}`);
      expect(org.body.adheresToCurrentCharter).toBe(true);
      expect((await world.as(member.admin.token).post(`/api/v1/organisations/${member.id}/adherences`).send({ charterId: charter!.id })).status).toBe(409);
    });

    it('refuses an adherence signed for another organisation, or by a non-admin (403)', async () => {
      const other = await world.createMember('academia', ['researcher'], { adhere: false });
      const charter = await world.currentCharter();
      const forOther = await world.as(member.admin.token).post(`/api/v1/organisations/${other.id}/adherences`).send({ charterId: charter!.id });
      expect(forOther.status).toBe(403);
      const byResearcher = await world.as(other.user('researcher').token).post(`/api/v1/organisations/${other.id}/adherences`).send({ charterId: charter!.id });
      expect(byResearcher.status).toBe(403);
      expect((await world.as(admin).get(`/api/v1/organisations/${other.id}`)).body.adheresToCurrentCharter).toBe(false);
    });

    it('requires adhering again after a new version, and refuses the superseded one (422)', async () => {
      const old = await world.currentCharter();
      const next = await world.publishCharter('2.0');
      const org = await world.as(admin).get(`/api/v1/organisations/${member.id}`);
      expect(org.body.adheresToCurrentCharter).toBe(false);
      const stale = await world.as(member.admin.token).post(`/api/v1/organisations/${member.id}/adherences`).send({ charterId: old!.id });
      expect(stale.status).toBe(422);
      expect(stale.body.code).toBe('charter_not_current');
      const superseded = await world.as(admin).get(`/api/v1/charters/${old!.id}`);
      expect(superseded.body.status).toBe('superseded');
      const { rows } = await platform.owner.query(`SELECT data FROM cadre.audit_events WHERE action = 'charter.published' AND subject_id = $1`, [next.id]);
      expect(rows).toEqual([{ data: { version: '2.0', supersedes: old!.version } }]);
      await world.adhere(member, next.id);
      expect((await world.as(admin).get(`/api/v1/organisations/${member.id}`)).body.adheresToCurrentCharter).toBe(true);
    });
  });

  describe('the membership policy', () => {
    const someRequest = (teamUserId: string) => ({
      title: 'Any',
      purpose: 'Any purpose',
      publicInterest: 'Any interest',
      requestedDatasets: [{ datasetId: '00000000-0000-4000-8000-000000000001', columns: ['age'] }],
      teamUserIds: [teamUserId],
      startsAt: '2030-01-01T00:00:00.000Z',
      endsAt: '2031-01-01T00:00:00.000Z',
    });

    it('refuses a use case from an organisation that does not adhere to the current charter (422 charter_not_adhered)', async () => {
      const outsider = await world.createMember('private_sector', ['researcher'], { adhere: false });
      const researcher = outsider.user('researcher');
      const res = await world.as(researcher.token).post('/api/v1/use-cases').send(someRequest(researcher.id));
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('charter_not_adhered');
    });

    it('refuses a use case from a suspended organisation (422 organisation_suspended), and lets it act again once reinstated', async () => {
      const member = await world.createMember('local_authorities', ['researcher']);
      const researcher = member.user('researcher');
      const suspended = await world.as(admin).patch(`/api/v1/organisations/${member.id}`).send({ status: 'suspended' });
      expect(suspended.status).toBe(200);
      expect(suspended.body.status).toBe('suspended');

      const refused = await world.as(researcher.token).post('/api/v1/use-cases').send(someRequest(researcher.id));
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('organisation_suspended');

      await world.as(admin).patch(`/api/v1/organisations/${member.id}`).send({ status: 'active' });
      const after = await world.as(researcher.token).post('/api/v1/use-cases').send(someRequest(researcher.id));
      expect(after.body.code).not.toBe('organisation_suspended'); // now refused only for its (made-up) dataset
      expect(after.body.code).not.toBe('charter_not_adhered');
    });

    it('refuses a member suspending itself (403) and audits the operator\'s suspension', async () => {
      const member = await world.createMember('academia', []);
      expect((await world.as(member.admin.token).patch(`/api/v1/organisations/${member.id}`).send({ status: 'active' })).status).toBe(403);
      await world.as(admin).patch(`/api/v1/organisations/${member.id}`).send({ status: 'suspended' });
      const { rows } = await platform.owner.query(`SELECT action FROM cadre.audit_events WHERE subject_id = $1 ORDER BY id`, [member.id]);
      expect(rows.map((r: { action: string }) => r.action)).toEqual(expect.arrayContaining(['organisation.admitted', 'charter.adhered', 'organisation.suspended']));
    });
  });

  it('documents every members and ethics route in the OpenAPI document', async () => {
    const doc = await platform.http().get('/docs-json');
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    for (const path of [
      '/api/v1/organisations',
      '/api/v1/organisations/{id}',
      '/api/v1/organisations/{id}/adherences',
      '/api/v1/organisations/{id}/keys',
      '/api/v1/charters',
      '/api/v1/charters/{id}/publish',
      '/api/v1/register/charter',
      '/api/v1/use-cases',
      '/api/v1/use-cases/{id}',
      '/api/v1/use-cases/{id}/submit',
      '/api/v1/use-cases/{id}/votes',
      '/api/v1/use-cases/{id}/amendments',
      '/api/v1/register/use-cases',
    ]) {
      expect(paths).toContain(path);
    }
    expect(doc.body.components.schemas.CreateUseCaseDto.properties).toHaveProperty('requestedDatasets');
  });

  describe('organisation keys', () => {
    let member: Member;
    beforeAll(async () => {
      member = await world.createMember('health', []);
    });

    it('registers a public Ed25519 key under its RFC 7638 thumbprint', async () => {
      const { publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const jwk = await exportJWK(publicKey);
      const res = await world.as(member.admin.token).post(`/api/v1/organisations/${member.id}/keys`).send({ jwk });
      expect(res.status).toBe(201);
      const thumbprint = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }, 'sha256');
      expect(res.body).toMatchObject({ id: expect.any(String), kid: thumbprint, thumbprint, jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x } });
      expect((await world.as(member.admin.token).post(`/api/v1/organisations/${member.id}/keys`).send({ jwk })).status).toBe(409);
      const list = await world.as(member.admin.token).get(`/api/v1/organisations/${member.id}/keys`);
      expect(list.body.map((k: { kid: string }) => k.kid)).toEqual([thumbprint]);
    });

    it('registers a P-256 key', async () => {
      const { publicKey } = await generateKeyPair('ES256', { extractable: true });
      const res = await world.as(member.admin.token).post(`/api/v1/organisations/${member.id}/keys`).send({ jwk: await exportJWK(publicKey) });
      expect(res.status).toBe(201);
      expect(res.body.jwk.crv).toBe('P-256');
    });

    it('refuses a private key (its secret part must never be stored)', async () => {
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const jwk = await exportJWK(privateKey);
      const res = await world.as(member.admin.token).post(`/api/v1/organisations/${member.id}/keys`).send({ jwk });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('invalid_key');
      const { rows } = await platform.owner.query(`SELECT count(*)::int AS n FROM cadre.organisation_keys WHERE jwk ? 'd' OR jwk->>'x' = $1`, [jwk.x]);
      expect(rows[0].n).toBe(0);
    });

    it('refuses other key types and curves (422)', async () => {
      const rsa = await generateKeyPair('RS256', { extractable: true });
      expect((await world.as(member.admin.token).post(`/api/v1/organisations/${member.id}/keys`).send({ jwk: await exportJWK(rsa.publicKey) })).status).toBe(422);
      const p384 = await generateKeyPair('ES384', { extractable: true });
      expect((await world.as(member.admin.token).post(`/api/v1/organisations/${member.id}/keys`).send({ jwk: await exportJWK(p384.publicKey) })).status).toBe(422);
    });

    it('refuses a key registered for another organisation (403)', async () => {
      const attacker = await world.createMember('private_sector', []);
      const { publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const res = await world.as(attacker.admin.token).post(`/api/v1/organisations/${member.id}/keys`).send({ jwk: await exportJWK(publicKey) });
      expect(res.status).toBe(403);
    });
  });
});
