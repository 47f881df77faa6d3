import { HOSPITAL_COLUMNS, hospitalCsv, uploadCsvText } from '../support/datasets';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { ColumnSpec, createWorld, Member, World } from '../support/world';

/**
 * Bad input from outside: oversized, mis-typed, too deep, NUL-laden bodies. Each is refused
 * with its own 4xx as problem+json, before any controller or SQL — never a 500.
 */
describe('bad input never reaches a 5xx', () => {
  const LIMIT = 64 * 1024;
  let platform: TestPlatform;
  let world: World;
  let admin: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ env: { CADRE_BODY_LIMIT_BYTES: String(LIMIT) } });
    world = createWorld(platform);
    admin = await world.adminToken();
  });
  afterAll(() => platform?.close());

  const organisations = () => world.as(admin).post('/api/v1/organisations');
  const expectProblem = (res: { status: number; headers: Record<string, string>; body: unknown; text: string }, status: number) => {
    expect({ status: res.status, body: res.text }).toMatchObject({ status });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    return JSON.parse(res.text) as { status: number; code: string; detail: string; errors?: { field: string }[] };
  };
  const organisationCount = async () => (await platform.owner.query('SELECT count(*)::int AS n FROM cadre.organisations')).rows[0].n as number;

  it('answers 413 with the configured limit to a body above it (a long string, a long array)', async () => {
    const before = await organisationCount();
    const long = expectProblem(await organisations().send({ name: 'x'.repeat(LIMIT + 1), college: 'health' }), 413);
    expect(long.code).toBe('payload_too_large');
    expect(long.detail).toContain(String(LIMIT));
    expectProblem(await organisations().send({ name: 'n', college: 'health', extra: new Array(100_000).fill(0) }), 413);
    expect(await organisationCount()).toBe(before);
  });

  it('answers 415 to a JSON body in another charset, an unknown charset, or another media type', async () => {
    const body = JSON.stringify({ name: 'Hôpital', college: 'health' });
    for (const type of ['application/json; charset=latin1', 'application/json; charset=nope', 'text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const problem = expectProblem(await organisations().set('Content-Type', type).send(body), 415);
      expect(problem.code).toBe('unsupported_media_type');
    }
  });

  it('answers 400 to JSON nested 10,000 deep, at once, without parsing it', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const started = Date.now();
    const problem = expectProblem(await organisations().set('Content-Type', 'application/json').send(`{"name":"n","college":"health","x":${deep}}`), 400);
    expect(problem.detail).toMatch(/nested deeper/);
    expect(Date.now() - started).toBeLessThan(2000);
    // Brackets inside strings are text, not nesting.
    const inString = await organisations().send({ name: '['.repeat(5_000), college: 'health' });
    expect(inString.status).not.toBe(500);
  });

  it('answers 400 naming the field to a NUL character in a string, and writes nothing', async () => {
    const before = await organisationCount();
    const problem = expectProblem(await organisations().send({ name: 'Hôpital\u0000 du Midi', college: 'health' }), 400);
    expect(problem.errors?.map((e) => e.field)).toEqual(['name']);
    const nested = expectProblem(
      await world.as(admin).post('/api/v1/charters').send({ version: 'v', title: 't', principles: [{ code: 'a', title: 'b', text: 'c\u0000' }] }),
      400,
    );
    expect(nested.errors?.[0].field).toBe('principles[0].text');
    expect(await organisationCount()).toBe(before);
  });

  it('answers malformed JSON with 400 problem+json, and an unknown route with 404 problem+json', async () => {
    expectProblem(await organisations().set('Content-Type', 'application/json').send('{"name": "n",'), 400);
    expectProblem(await world.as(admin).get('/api/v1/no-such-route'), 404);
  });

  describe('cross-organisation reads', () => {
    let hospital: Member;
    let other: Member;
    beforeAll(async () => {
      hospital = await world.createMember('health', ['data_steward', 'researcher']);
      other = await world.createMember('academia', ['data_steward', 'researcher']);
    });

    it("answers another organisation's users 404 for an upload's status, exactly like an unknown id", async () => {
      const dataset = await world.createDataset(hospital, { columns: [...HOSPITAL_COLUMNS] as ColumnSpec[] });
      const uploaded = await uploadCsvText(world, hospital.user('data_steward'), dataset.id, hospitalCsv(3));
      expect(uploaded.status).toBe(202);
      const url = `/api/v1/datasets/${dataset.id}/uploads/${uploaded.body.id}`;
      const unknown = `/api/v1/datasets/${dataset.id}/uploads/00000000-0000-4000-8000-000000000001`;
      expect((await world.as(hospital.user('data_steward').token).get(url)).status).toBe(200);
      for (const intruder of [other.user('researcher'), other.admin, other.user('data_steward')]) {
        const seen = expectProblem(await world.as(intruder.token).get(url), 404);
        const none = expectProblem(await world.as(intruder.token).get(unknown), 404);
        expect(seen).toEqual(none);
      }
    });
  });
});
