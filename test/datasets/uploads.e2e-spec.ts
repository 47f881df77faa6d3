import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  datasetName,
  DatasetsFixture,
  declareDataset,
  expectedPseudonym,
  fakeNir,
  HOSPITAL_COLUMNS,
  hospitalCsv,
  hospitalRow,
  startDatasetsFixture,
  toCsv,
  uploadCsvText,
} from '../support/datasets';

type Row = Record<string, string | number | boolean | null>;
const HEADER = HOSPITAL_COLUMNS.map((c) => c.name);

describe('uploads: CSV streamed into a new vault version, all or nothing', () => {
  let f: DatasetsFixture;

  beforeAll(async () => {
    f = await startDatasetsFixture();
  });
  afterAll(() => f.platform.close());

  const vaultTables = async () =>
    (await f.platform.owner.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'vault' ORDER BY tablename`)).rows.map((r: { tablename: string }) => r.tablename);
  const newDataset = async () => {
    const res = await declareDataset(f.world, f.steward, { name: datasetName('hospital'), columns: HOSPITAL_COLUMNS });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const upload = async (datasetId: string, csv: string) => {
    const res = await uploadCsvText(f.world, f.steward, datasetId, csv);
    expect(res.status).toBe(202);
    expect(Object.keys(res.body).sort()).toEqual(['id', 'status']);
    const status = await f.world.as(f.steward.token).get(`/api/v1/datasets/${datasetId}/uploads/${res.body.id}`);
    expect(status.status).toBe(200);
    expect(status.body.status).toBe(res.body.status);
    return status.body as { id: string; status: string; rowsAccepted: number; errors: { line: number; column: string | null; message: string }[]; errorCount: number };
  };
  const catalogue = async (id: string) => (await f.world.as(f.steward.token).get(`/api/v1/datasets/${id}`)).body;
  const currentTable = async (id: string) =>
    (await f.platform.owner.query(`SELECT v.table_name FROM cadre.datasets d JOIN cadre.dataset_versions v ON v.id = d.current_version_id WHERE d.id = $1`, [id])).rows[0]?.table_name as string | undefined;

  it('loads a good file: succeeded, pseudonymised in vault, current, row count rounded to 10 in the catalogue', async () => {
    const dataset = await newDataset();
    const result = await upload(dataset.id, hospitalCsv(24));
    expect(result).toMatchObject({ status: 'succeeded', rowsAccepted: 24, errors: [], errorCount: 0 });
    expect(await catalogue(dataset.id)).toMatchObject({ rowCount: 20, currentVersion: 1, kind: 'person' });

    const table = await currentTable(dataset.id);
    const { rows } = await f.platform.owner.query(`SELECT nir, age::int, sex, "icuDays"::int, admitted::text, covid FROM vault."${table}" ORDER BY nir`);
    const expected = Array.from({ length: 24 }, (_, i) => hospitalRow(i))
      .map((r) => ({ nir: expectedPseudonym(f.platform.config.pseudonymKey, r.nir), age: r.age, sex: r.sex, icuDays: r.icuDays, admitted: r.admitted, covid: r.covid }))
      .sort((a, b) => (a.nir < b.nir ? -1 : 1));
    expect(rows).toEqual(expected);
  });

  it('refuses a file with bad rows whole, naming every line, column and rule but no value; the previous version stays current', async () => {
    const dataset = await newDataset();
    await upload(dataset.id, hospitalCsv(12));
    const before = await catalogue(dataset.id);
    const tablesBefore = await vaultTables();

    const rows = Array.from({ length: 8 }, (_, i) => ({ ...hospitalRow(100 + i) })) as unknown as Row[];
    rows[2].age = 130; // line 4
    const secretNir = fakeNir(104);
    rows[4].icuDays = secretNir; // line 6: a real identifier typed into the wrong column
    rows[5].sex = 'X'; // line 7
    rows[5].admitted = '2020-13-01'; // line 7
    rows[7].nir = '   '; // line 9
    const result = await upload(dataset.id, toCsv(HEADER, rows));

    expect(result).toMatchObject({ status: 'failed', rowsAccepted: 0, errorCount: 5 });
    expect(result.errors.map((e) => [e.line, e.column])).toEqual([
      [4, 'age'],
      [6, 'icuDays'],
      [7, 'sex'],
      [7, 'admitted'],
      [9, 'nir'],
    ]);
    expect(JSON.stringify(result)).not.toContain(secretNir);
    expect(await catalogue(dataset.id)).toEqual(before);
    expect(await vaultTables()).toEqual(tablesBefore); // no partial table: the version-2 table never committed
    expect(tablesBefore.some((t: string) => t.endsWith(`${dataset.id.replace(/-/g, '')}_v2`))).toBe(false);
  });

  it('numbers versions densely over accepted uploads: a refused upload takes no number (refused → v1, refused → v2)', async () => {
    const dataset = await newDataset();
    const refused = Array.from({ length: 3 }, (_, i) => ({ ...hospitalRow(i), age: -1 })) as unknown as Row[];
    expect(await upload(dataset.id, toCsv(HEADER, refused))).toMatchObject({ status: 'failed' });
    expect(await upload(dataset.id, hospitalCsv(12))).toMatchObject({ status: 'succeeded' });
    expect((await catalogue(dataset.id)).currentVersion).toBe(1);
    expect(await upload(dataset.id, toCsv(HEADER, refused))).toMatchObject({ status: 'failed' });
    expect(await upload(dataset.id, hospitalCsv(15, 500))).toMatchObject({ status: 'succeeded' });
    expect((await catalogue(dataset.id)).currentVersion).toBe(2);
    const versions = await f.world.as(f.steward.token).get(`/api/v1/datasets/${dataset.id}/versions`);
    expect((versions.body.items as { version: number }[]).map((v) => v.version)).toEqual([2, 1]);
    const { rows: events } = await f.platform.owner.query(
      `SELECT data->>'version' AS version FROM cadre.audit_events WHERE action = 'dataset.upload_succeeded' AND data->>'datasetId' = $1 ORDER BY id`,
      [dataset.id],
    );
    expect(events.map((e: { version: string }) => Number(e.version))).toEqual([1, 2]);
  });

  it('counts every error but lists only the first 100', async () => {
    const dataset = await newDataset();
    const rows = Array.from({ length: 150 }, (_, i) => ({ ...hospitalRow(i), age: -1 })) as unknown as Row[];
    const result = await upload(dataset.id, toCsv(HEADER, rows));
    expect(result).toMatchObject({ status: 'failed', errorCount: 150 });
    expect(result.errors).toHaveLength(100);
    expect(result.errors[99]).toMatchObject({ line: 101, column: 'age' });
    expect((await catalogue(dataset.id)).currentVersion).toBeNull();
  });

  it('a person-level dataset refuses a file repeating a linkage key whole, naming the line of the repeat but neither the key nor its pseudonym', async () => {
    const res = await declareDataset(f.world, f.steward, { name: datasetName('hospital-person'), level: 'person', columns: HOSPITAL_COLUMNS });
    expect(res.status).toBe(201);
    expect(res.body.level).toBe('person');
    const tablesBefore = await vaultTables();
    const rows = Array.from({ length: 8 }, (_, i) => ({ ...hospitalRow(200 + i) })) as unknown as Row[];
    const repeated = String(rows[1].nir);
    rows[5].nir = repeated; // line 7 repeats line 3
    rows[6].nir = repeated; // line 8 too: the first repeat is named
    const result = await upload(res.body.id, toCsv(HEADER, rows));
    expect(result).toMatchObject({ status: 'failed', rowsAccepted: 0, errorCount: 1, errors: [{ line: 7, column: 'nir' }] });
    const text = JSON.stringify(result);
    expect(text).not.toContain(repeated);
    expect(text).not.toContain(expectedPseudonym(f.platform.config.pseudonymKey, repeated));
    expect(await vaultTables()).toEqual(tablesBefore);
    expect((await catalogue(res.body.id)).currentVersion).toBeNull();
    // One row per person: accepted; a transaction-level dataset (the default) accepts the repeat.
    expect((await upload(res.body.id, hospitalCsv(12))).status).toBe('succeeded');
    const transactions = await newDataset();
    expect((await catalogue(transactions.id)).level).toBe('transaction');
    expect((await upload(transactions.id, toCsv(HEADER, rows))).status).toBe('succeeded');
  });

  it('treats a re-upload of the same file as harmless: succeeded, same current version, no new table', async () => {
    const dataset = await newDataset();
    const file = hospitalCsv(15);
    await upload(dataset.id, file);
    const first = await catalogue(dataset.id);
    const tables = await vaultTables();
    expect(await upload(dataset.id, file)).toMatchObject({ status: 'succeeded', rowsAccepted: 15 });
    expect(await catalogue(dataset.id)).toEqual(first);
    expect(await vaultTables()).toEqual(tables);

    expect((await upload(dataset.id, hospitalCsv(16))).status).toBe('succeeded');
    // The unchanged re-upload made no version, so it took no number: the next version is 2 (issue 10).
    expect(await catalogue(dataset.id)).toMatchObject({ currentVersion: 2, rowCount: 20 });
  });

  it('fails a file whose header does not match the declared columns exactly', async () => {
    const dataset = await newDataset();
    const missingOne = HEADER.filter((n) => n !== 'covid');
    const result = await upload(dataset.id, toCsv([...missingOne, 'postcode'], [{ postcode: '34000' }]));
    expect(result.status).toBe('failed');
    expect(result.errors).toEqual([
      { line: 1, column: null, message: 'the header names a column the dataset does not declare' },
      { line: 1, column: 'covid', message: 'the header lacks this declared column' },
    ]);
    expect(await upload(dataset.id, '')).toMatchObject({ status: 'failed', errors: [{ line: 1, column: null, message: 'the file has no header row' }] });
    expect((await catalogue(dataset.id)).currentVersion).toBeNull();
  });

  it('fails malformed CSV without quoting it back', async () => {
    const dataset = await newDataset();
    const secret = fakeNir(777);
    const result = await upload(dataset.id, hospitalCsv(3) + `"${secret},1,F,x,1,2020-01-01,true\n`);
    expect(result.status).toBe('failed');
    expect(result.errors[0].message).toMatch(/malformed CSV/);
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('rolls everything back when the client goes away mid-stream: upload failed, no table, version unchanged', async () => {
    const dataset = await newDataset();
    await upload(dataset.id, hospitalCsv(12));
    const before = await catalogue(dataset.id);
    const tables = await vaultTables();

    const server = f.platform.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/v1/datasets/${dataset.id}/uploads`,
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.steward.token}` },
    });
    req.on('error', () => undefined);
    req.write(hospitalCsv(500, 7000)); // header and rows, then the connection drops without the end of the body
    await new Promise((r) => setTimeout(r, 300));
    req.destroy();

    let row: { status: string; errors: { message: string }[] } | undefined;
    for (let i = 0; i < 50 && row?.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      row = (await f.platform.owner.query(`SELECT status, errors FROM cadre.uploads WHERE dataset_id = $1 ORDER BY created_at DESC LIMIT 1`, [dataset.id])).rows[0];
    }
    expect(row).toMatchObject({ status: 'failed', errors: [{ message: 'the upload was interrupted' }] });
    expect(await catalogue(dataset.id)).toEqual(before);
    expect(await vaultTables()).toEqual(tables);
  });

  describe('attacks on the upload route', () => {
    it("answers 404 to another organisation's steward, for the upload and for its status, and writes nothing", async () => {
      const dataset = await newDataset();
      const mine = await upload(dataset.id, hospitalCsv(5));
      const intruder = f.other.user('data_steward');
      const res = await uploadCsvText(f.world, intruder, dataset.id, hospitalCsv(30, 900));
      expect(res.status).toBe(404);
      const peek = await f.world.as(intruder.token).get(`/api/v1/datasets/${dataset.id}/uploads/${mine.id}`);
      expect(peek.status).toBe(404);
      const { rows } = await f.platform.owner.query(`SELECT count(*)::int AS n FROM cadre.uploads WHERE dataset_id = $1`, [dataset.id]);
      expect(rows[0].n).toBe(1);
    });

    it('answers 404 for an unknown dataset', async () => {
      const res = await uploadCsvText(f.world, f.steward, '00000000-0000-4000-8000-0000000000aa', hospitalCsv(2));
      expect(res.status).toBe(404);
    });

    it("refuses the owner's researcher and org_admin (403): only a data steward uploads", async () => {
      const dataset = await newDataset();
      for (const who of [f.provider.user('researcher'), f.provider.admin]) {
        expect((await uploadCsvText(f.world, who, dataset.id, hospitalCsv(2))).status).toBe(403);
      }
    });

    it('refuses a body that is not text/csv (415) and never parses it', async () => {
      const dataset = await newDataset();
      const res = await f.world.as(f.steward.token).post(`/api/v1/datasets/${dataset.id}/uploads`).send({ rows: [hospitalRow(1)] });
      expect(res.status).toBe(415);
      expect((await catalogue(dataset.id)).currentVersion).toBeNull();
    });

    it('refuses an upload from a suspended organisation, or one outside the current charter (422)', async () => {
      const outsider = await f.world.createMember('academia', ['data_steward'], { adhere: false });
      const steward = outsider.user('data_steward');
      // Outside the charter its users change nothing at all (API.md): not even a dataset declaration.
      const refused = await declareDataset(f.world, steward, { columns: HOSPITAL_COLUMNS });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('charter_not_adhered');

      const suspended = await f.world.createMember('academia', ['data_steward']);
      const sSteward = suspended.user('data_steward');
      const sDs = await declareDataset(f.world, sSteward, { columns: HOSPITAL_COLUMNS });
      const admin = await f.world.adminToken();
      expect((await f.world.as(admin).patch(`/api/v1/organisations/${suspended.id}`).send({ status: 'suspended' })).status).toBe(200);
      const res = await uploadCsvText(f.world, sSteward, sDs.body.id, hospitalCsv(2));
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('organisation_suspended');
    });
  });

  it('audits dataset creation and each upload outcome, with counts only', async () => {
    const dataset = await newDataset();
    await upload(dataset.id, hospitalCsv(10, 3000));
    await upload(dataset.id, hospitalCsv(3, 3100).replace(/,2020-/g, ',20-'));
    const { rows } = await f.platform.owner.query(
      `SELECT action, data FROM cadre.audit_events WHERE subject_id = $1 OR data->>'datasetId' = $1 ORDER BY id`,
      [dataset.id],
    );
    expect(rows.map((r: { action: string }) => r.action)).toEqual(['dataset.created', 'dataset.upload_started', 'dataset.upload_succeeded', 'dataset.upload_started', 'dataset.upload_failed']);
    expect(rows[2].data).toMatchObject({ rowsAccepted: 10, version: 1 });
    expect(rows[4].data).toMatchObject({ errorCount: 3 });
  });

  it('stores no raw national identifier anywhere: not in vault, not in any cadre table (scanned as the owner)', async () => {
    const dataset = await newDataset();
    await upload(dataset.id, hospitalCsv(40, 5000));
    const refused = hospitalCsv(5, 6000).replace(/,2020-/g, ',20-');
    expect((await upload(dataset.id, refused)).status).toBe('failed');
    const nirs = [...Array.from({ length: 40 }, (_, i) => fakeNir(5000 + i)), ...Array.from({ length: 5 }, (_, i) => fakeNir(6000 + i))];

    const tables = (await f.platform.owner.query(`SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('cadre', 'vault')`)).rows;
    let everything = '';
    for (const { schemaname, tablename } of tables) {
      const { rows } = await f.platform.owner.query(`SELECT t::text AS line FROM "${schemaname}"."${tablename}" t`);
      const dump = rows.map((r: { line: string }) => r.line).join('\n');
      everything += dump;
      for (const nir of nirs) expect(dump.includes(nir) ? `${schemaname}.${tablename} holds a raw NIR` : 'clean').toBe('clean');
    }
    // the scan does read the vault: the pseudonyms are there
    expect(everything).toContain(expectedPseudonym(f.platform.config.pseudonymKey, nirs[0]));
  });
});
