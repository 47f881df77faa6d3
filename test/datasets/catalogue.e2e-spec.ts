import { datasetName, DatasetsFixture, declareDataset, HOSPITAL_COLUMNS, hospitalCsv, IRIS_COLUMNS, startDatasetsFixture, uploadCsvText } from '../support/datasets';

describe('the dataset catalogue', () => {
  let f: DatasetsFixture;
  beforeAll(async () => {
    f = await startDatasetsFixture();
  });
  afterAll(() => f.platform.close());

  const columnsWith = (change: (cols: Record<string, unknown>[]) => void) => {
    const cols = HOSPITAL_COLUMNS.map((c) => ({ ...c })) as Record<string, unknown>[];
    change(cols);
    return cols;
  };

  it('declares a person dataset (201) and derives its kind from the linkage key', async () => {
    const name = datasetName('hospital');
    const res = await declareDataset(f.world, f.steward, { name, description: 'ICU stays', columns: HOSPITAL_COLUMNS });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name, description: 'ICU stays', organisationId: f.provider.id, kind: 'person', rowCount: 0, currentVersion: null });
    expect(res.body.columns).toEqual(HOSPITAL_COLUMNS);
  });

  it('declares a reference dataset: a reference_key and no linkage_key', async () => {
    const res = await declareDataset(f.world, f.steward, { columns: IRIS_COLUMNS });
    expect(res.status).toBe(201);
    expect(res.body.kind).toBe('reference');
  });

  it('refuses malformed declarations with 400: unsafe column names, unknown types or roles, unknown fields', async () => {
    const cases = [
      columnsWith((c) => (c[1].name = 'age; DROP TABLE cadre.users')),
      columnsWith((c) => (c[1].name = 'Age')),
      columnsWith((c) => (c[1].name = 'a'.repeat(64))),
      columnsWith((c) => (c[1].type = 'bigint')),
      columnsWith((c) => (c[1].role = 'identifier')),
      columnsWith((c) => (c[1].min = '0')),
      columnsWith((c) => (c[1].secret = true)),
      [],
    ];
    for (const columns of cases) {
      const res = await declareDataset(f.world, f.steward, { columns });
      expect([res.status, res.body.code]).toEqual([400, 'invalid_input']);
    }
    const extra = await f.world.as(f.steward.token).post('/api/v1/datasets').send({ name: datasetName(), columns: HOSPITAL_COLUMNS, public: true });
    expect(extra.status).toBe(400);
  });

  it('refuses declarations that break a catalogue rule with 422 invalid_dataset_schema', async () => {
    const cases: [string, Record<string, unknown>[]][] = [
      ['two linkage keys', columnsWith((c) => (c[3].role = 'linkage_key'))],
      ['no key at all', columnsWith((c) => (c[0].role = 'attribute'))],
      ['a duplicate name', columnsWith((c) => (c[2].name = 'age'))],
      ['a summable column without bounds', columnsWith((c) => delete c[4].max)],
      ['min not below max', columnsWith((c) => Object.assign(c[4], { min: 10, max: 10 }))],
      ['empty categories', columnsWith((c) => (c[2].categories = []))],
      ['repeated categories', columnsWith((c) => (c[2].categories = ['F', 'F']))],
      ['a reference dataset with two reference keys', IRIS_COLUMNS.map((c) => ({ ...c, ...(c.name === 'density' ? { role: 'reference_key' } : {}) }))],
    ];
    for (const [what, columns] of cases) {
      const res = await declareDataset(f.world, f.steward, { columns });
      expect([what, res.status, res.body.code]).toEqual([what, 422, 'invalid_dataset_schema']);
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
  });

  it('refuses a second dataset of the same name in one organisation (409)', async () => {
    const name = datasetName('twice');
    expect((await declareDataset(f.world, f.steward, { name, columns: HOSPITAL_COLUMNS })).status).toBe(201);
    expect((await declareDataset(f.world, f.steward, { name, columns: HOSPITAL_COLUMNS })).status).toBe(409);
  });

  it('lets only data stewards declare datasets (403 for researchers and org admins)', async () => {
    for (const who of [f.provider.user('researcher'), f.provider.admin]) {
      expect((await declareDataset(f.world, who, { columns: HOSPITAL_COLUMNS })).status).toBe(403);
    }
  });

  it('shows metadata to any user, never a value: row counts rounded to 10, no table name', async () => {
    const created = await declareDataset(f.world, f.steward, { columns: HOSPITAL_COLUMNS });
    const upload = await uploadCsvText(f.world, f.steward, created.body.id, hospitalCsv(37));
    expect(upload.body.status).toBe('succeeded');

    const reader = f.other.user('researcher');
    const one = await f.world.as(reader.token).get(`/api/v1/datasets/${created.body.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: created.body.id, rowCount: 40, currentVersion: 1, organisationId: f.provider.id });
    const text = JSON.stringify(one.body);
    expect(text).not.toMatch(/ds_[0-9a-f]{32}/);
    expect(text).not.toMatch(/[0-9a-f]{64}/); // no pseudonym, no content hash
    expect(text).not.toContain('340170101');

    const list = await f.world.as(reader.token).get('/api/v1/datasets?limit=200');
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(list.body.items.length);
    expect(list.body.items.find((d: { id: string }) => d.id === created.body.id)).toEqual(one.body);
    const page = await f.world.as(reader.token).get('/api/v1/datasets?limit=1&offset=1');
    expect(page.body.items).toHaveLength(1);
  });

  it('answers 404 for an unknown dataset, 400 for a malformed id, 401 without a token', async () => {
    const reader = f.other.user('researcher');
    expect((await f.world.as(reader.token).get('/api/v1/datasets/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await f.world.as(reader.token).get('/api/v1/datasets/not-a-uuid')).status).toBe(400);
    expect((await f.platform.http().get('/api/v1/datasets')).status).toBe(401);
  });

  it('documents every datasets route in /docs-json', async () => {
    const doc = (await f.platform.http().get('/docs-json')).body;
    expect(Object.keys(doc.paths['/api/v1/datasets']).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/api/v1/datasets/{id}'].get).toBeDefined();
    expect(doc.paths['/api/v1/datasets/{id}/uploads'].post.requestBody.content['text/csv']).toBeDefined();
    expect(doc.paths['/api/v1/datasets/{id}/uploads/{uploadId}'].get).toBeDefined();
  });
});
