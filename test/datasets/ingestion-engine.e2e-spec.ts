import { Readable } from 'node:stream';
import { NotFound } from '@cadre/common';
import type { DatasetActor } from '@cadre/datasets';
import {
  DatasetsEngine,
  datasetName,
  expectedPseudonym,
  fakeNir,
  HOSPITAL_COLUMNS,
  hospitalCsv,
  hospitalRow,
  insertOrganisation,
  startDatasetsEngine,
  toCsv,
} from '../support/datasets';

const csvBody = (text: string) => Readable.from([Buffer.from(text)]);

describe('streaming ingestion into the vault (engine, below HTTP)', () => {
  let engine: DatasetsEngine;
  let steward: DatasetActor;
  let outsider: DatasetActor;

  const vaultTables = async () =>
    (await engine.owner.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'vault' ORDER BY tablename`)).rows.map((r) => r.tablename as string);

  beforeAll(async () => {
    engine = await startDatasetsEngine();
    steward = { id: '00000000-0000-4000-8000-000000000001', organisationId: await insertOrganisation(engine.owner) };
    outsider = { id: '00000000-0000-4000-8000-000000000002', organisationId: await insertOrganisation(engine.owner) };
  });
  afterAll(() => engine.close());

  const newHospitalDataset = () => engine.datasets.create(steward, { name: datasetName('hospital'), description: 'ICU stays', columns: HOSPITAL_COLUMNS.map((c) => ({ ...c })) as never });

  it('loads a good file into a new version table, pseudonymised, and makes it current', async () => {
    const dataset = await newHospitalDataset();
    expect(dataset).toMatchObject({ kind: 'person', rowCount: 0, currentVersion: null });

    const upload = await engine.uploads.upload(steward, dataset.id, csvBody(hospitalCsv(24)));
    expect(upload).toMatchObject({ status: 'succeeded', rowsAccepted: 24, errors: [], errorCount: 0 });

    const after = await engine.datasets.findById(dataset.id);
    expect(after.rowCount).toBe(20); // 24 rounded to the nearest 10
    expect(after.currentVersion).toBe(1);

    const [described] = await engine.datasets.describe([dataset.id, '00000000-0000-4000-8000-0000000000ff']);
    expect(described.current).toMatchObject({ rowCount: 24 });
    const table = described.current!.table;
    const { rows } = await engine.owner.query(`SELECT nir, age, sex, "icuDays", admitted::text, covid FROM vault."${table}" ORDER BY age, nir`);
    expect(rows).toHaveLength(24);
    const expected = Array.from({ length: 24 }, (_, i) => hospitalRow(i))
      .map((r) => ({ nir: expectedPseudonym(engine.config.pseudonymKey, r.nir), age: String(r.age), sex: r.sex, icuDays: String(r.icuDays), admitted: r.admitted, covid: r.covid }))
      .sort((a, b) => Number(a.age) - Number(b.age) || a.nir.localeCompare(b.nir));
    expect(rows).toEqual(expected);
  });

  it('refuses a file with bad rows whole, lists every error by line and column, and keeps the previous version', async () => {
    const dataset = await newHospitalDataset();
    await engine.uploads.upload(steward, dataset.id, csvBody(hospitalCsv(12)));
    const before = await engine.datasets.describe([dataset.id]);
    const header = HOSPITAL_COLUMNS.map((c) => c.name);
    const rows = Array.from({ length: 8 }, (_, i) => ({ ...hospitalRow(100 + i) })) as Record<string, string | number | boolean | null>[];
    rows[2].age = 130; // line 4
    rows[5].sex = 'X'; // line 7
    rows[5].admitted = '2020-13-01'; // line 7
    rows[7].nir = '   '; // line 9
    const secretNir = fakeNir(104);
    rows[4].icuDays = secretNir; // line 6: a real identifier typed in the wrong column

    const upload = await engine.uploads.upload(steward, dataset.id, csvBody(toCsv(header, rows)));
    expect(upload.status).toBe('failed');
    expect(upload.rowsAccepted).toBe(0);
    expect(upload.errorCount).toBe(5);
    expect(upload.errors.map((e) => [e.line, e.column])).toEqual([
      [4, 'age'],
      [6, 'icuDays'],
      [7, 'sex'],
      [7, 'admitted'],
      [9, 'nir'],
    ]);
    expect(JSON.stringify(upload)).not.toContain(secretNir);

    const after = await engine.datasets.describe([dataset.id]);
    expect(after[0].current).toEqual(before[0].current);
    const tables = await vaultTables();
    expect(tables).toContain(before[0].current!.table);
    expect(tables.filter((t) => t.startsWith(before[0].current!.table.replace(/_v\d+$/, '_v')))).toEqual([before[0].current!.table]);
  });

  it('counts every error but lists the first 100', async () => {
    const dataset = await newHospitalDataset();
    const header = HOSPITAL_COLUMNS.map((c) => c.name);
    const rows = Array.from({ length: 150 }, (_, i) => ({ ...hospitalRow(i), age: -1 })) as Record<string, string | number | boolean | null>[];
    const upload = await engine.uploads.upload(steward, dataset.id, csvBody(toCsv(header, rows)));
    expect(upload).toMatchObject({ status: 'failed', errorCount: 150 });
    expect(upload.errors).toHaveLength(100);
    expect(upload.errors[99]).toMatchObject({ line: 101, column: 'age' });
    expect((await engine.datasets.findById(dataset.id)).currentVersion).toBeNull();
  });

  it('treats a re-upload of the same file as harmless: succeeded, no new version', async () => {
    const dataset = await newHospitalDataset();
    const file = hospitalCsv(15);
    const first = await engine.uploads.upload(steward, dataset.id, csvBody(file));
    const tablesBefore = await vaultTables();
    const again = await engine.uploads.upload(steward, dataset.id, csvBody(file));
    expect(again).toMatchObject({ status: 'succeeded', rowsAccepted: 15, versionId: first.versionId });
    expect((await engine.datasets.findById(dataset.id)).currentVersion).toBe(1);
    expect(await vaultTables()).toEqual(tablesBefore);

    const changed = await engine.uploads.upload(steward, dataset.id, csvBody(hospitalCsv(16)));
    expect(changed.versionId).not.toBe(first.versionId);
    expect(await engine.datasets.findById(dataset.id)).toMatchObject({ currentVersion: 3, rowCount: 20 });
  });

  it('fails a file whose header does not match the catalogue exactly', async () => {
    const dataset = await newHospitalDataset();
    const header = HOSPITAL_COLUMNS.map((c) => c.name).filter((n) => n !== 'covid');
    const missing = await engine.uploads.upload(steward, dataset.id, csvBody(toCsv([...header, 'postcode'], [])));
    expect(missing.status).toBe('failed');
    expect(missing.errors).toEqual([
      { line: 1, column: null, message: 'the header names a column the dataset does not declare' },
      { line: 1, column: 'covid', message: 'the header lacks this declared column' },
    ]);
    const empty = await engine.uploads.upload(steward, dataset.id, csvBody(''));
    expect(empty).toMatchObject({ status: 'failed', errors: [{ line: 1, column: null, message: 'the file has no header row' }] });
    expect((await engine.datasets.findById(dataset.id)).currentVersion).toBeNull();
  });

  it('fails malformed CSV without quoting it back', async () => {
    const dataset = await newHospitalDataset();
    const secret = fakeNir(777);
    const text = hospitalCsv(3) + `"${secret},1,F,x,1,2020-01-01,true\n`;
    const upload = await engine.uploads.upload(steward, dataset.id, csvBody(text));
    expect(upload.status).toBe('failed');
    expect(upload.errors).toHaveLength(1);
    expect(upload.errors[0].message).toMatch(/malformed CSV/);
    expect(JSON.stringify(upload)).not.toContain(secret);
  });

  it('answers 404 for another organisation\'s dataset or an unknown one, creating no upload', async () => {
    const dataset = await newHospitalDataset();
    await expect(engine.uploads.upload(outsider, dataset.id, csvBody(hospitalCsv(2)))).rejects.toBeInstanceOf(NotFound);
    await expect(engine.uploads.upload(steward, '00000000-0000-4000-8000-0000000000aa', csvBody(hospitalCsv(2)))).rejects.toBeInstanceOf(NotFound);
    const { rows } = await engine.owner.query(`SELECT count(*)::int AS n FROM cadre.uploads WHERE dataset_id = $1`, [dataset.id]);
    expect(rows[0].n).toBe(0);
  });

  it('stores no raw national identifier anywhere: neither in vault nor in any cadre table', async () => {
    const dataset = await newHospitalDataset();
    await engine.uploads.upload(steward, dataset.id, csvBody(hospitalCsv(40, 5000)));
    const bad = hospitalCsv(5, 6000).replace(/,2020-/g, ',20-'); // invalid dates: refused, errors stored
    expect((await engine.uploads.upload(steward, dataset.id, csvBody(bad))).status).toBe('failed');
    const nirs = [...Array.from({ length: 40 }, (_, i) => fakeNir(5000 + i)), ...Array.from({ length: 5 }, (_, i) => fakeNir(6000 + i))];

    const tables = (await engine.owner.query(`SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('cadre', 'vault')`)).rows;
    expect(tables.length).toBeGreaterThan(3);
    let everything = '';
    for (const { schemaname, tablename } of tables) {
      const { rows } = await engine.owner.query(`SELECT t::text AS line FROM "${schemaname}"."${tablename}" t`);
      const dump = rows.map((r) => r.line).join('\n');
      everything += dump;
      for (const nir of nirs) expect(dump.includes(nir) ? `${schemaname}.${tablename} holds a raw NIR` : 'clean').toBe('clean');
    }
    // the scan does read the vault: the pseudonyms are there
    expect(everything).toContain(expectedPseudonym(engine.config.pseudonymKey, nirs[0]));
  });
});
