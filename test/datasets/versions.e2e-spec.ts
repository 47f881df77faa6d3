import { Writable } from 'node:stream';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { Member, TestUser, World } from '../support/world';
import { Cell, datasetName, declareDataset, expectedPseudonym, fakeNir, HOSPITAL_COLUMNS, hospitalRow, toCsv, uploadCsvText } from '../support/datasets';

const HEADER = HOSPITAL_COLUMNS.map((c) => c.name);

/** Hospital rows with known holes: age empty every 3rd row, iris every 4th, admitted every 5th. */
function holedRows(n: number, from: number): Record<string, Cell>[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const r = { ...hospitalRow(i) } as unknown as Record<string, Cell>;
    if (i % 3 === 0) r.age = null;
    if (i % 4 === 0) r.iris = null;
    if (i % 5 === 0) r.admitted = null;
    return r;
  });
}

/** Completeness measured on the CSV text itself, independently of the platform: non-empty cells per column. */
function completenessOfCsv(csv: string): { column: string; nonNullPercent: number }[] {
  const [header, ...lines] = csv.trimEnd().split('\n').map((l) => l.split(','));
  return header.map((column, j) => ({
    column,
    nonNullPercent: Math.round((100 * lines.filter((cells) => cells[j] !== '').length) / lines.length),
  }));
}

type VersionItem = { version: number; createdAt: string; rowCount: number; current: boolean; completeness?: { column: string; nonNullPercent: number }[] };

describe('dataset versions: history newest first, rounded counts, completeness measured in the vault', () => {
  let platform: TestPlatform;
  let world: World;
  let provider: Member;
  let other: Member;
  let steward: TestUser;
  let datasetId: string;
  const logLines: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });

  const first = toCsv(HEADER, holedRows(14, 0));
  const second = toCsv(HEADER, holedRows(37, 100));

  const versions = (token: string, query = '') => world.as(token).get(`/api/v1/datasets/${datasetId}/versions${query}`);
  const measured = async (): Promise<VersionItem[]> => {
    for (let i = 0; i < 100; i++) {
      const res = await versions(steward.token);
      const items = res.body.items as VersionItem[];
      if (items.length === 2 && items.every((v) => v.completeness)) return items;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the versions were not measured in 10 s');
  };

  beforeAll(async () => {
    // LOG_LEVEL debug: every job and request line is written, so the log check sees them all.
    platform = await startTestPlatform({ env: { LOG_LEVEL: 'debug' }, logStream });
    world = new World(platform);
    provider = await world.createMember('health', ['data_steward', 'researcher']);
    other = await world.createMember('public_institutions', ['data_steward', 'researcher']);
    steward = provider.user('data_steward');
    const declared = await declareDataset(world, steward, { name: datasetName('quality'), columns: HOSPITAL_COLUMNS });
    expect(declared.status).toBe(201);
    datasetId = declared.body.id;
    for (const csv of [first, second]) {
      const res = await uploadCsvText(world, steward, datasetId, csv);
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('succeeded');
    }
  });
  afterAll(() => platform.close());

  it('lists two uploads as two versions, newest first, with row counts rounded to 10 and only the newest current', async () => {
    const res = await versions(steward.token);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    const items = res.body.items as VersionItem[];
    expect(items.map((v) => [v.version, v.rowCount, v.current])).toEqual([
      [2, 40, true], // 37 rows
      [1, 10, false], // 14 rows
    ]);
    expect(Date.parse(items[0].createdAt)).toBeGreaterThanOrEqual(Date.parse(items[1].createdAt));
    const catalogue = await world.as(steward.token).get(`/api/v1/datasets/${datasetId}`);
    expect(catalogue.body).toMatchObject({ currentVersion: 2, rowCount: items[0].rowCount });
  });

  it('pages with limit and offset', async () => {
    const res = await versions(steward.token, '?limit=1&offset=1');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect((res.body.items as VersionItem[]).map((v) => v.version)).toEqual([1]);
    expect((await versions(steward.token, '?limit=0')).status).toBe(400);
  });

  it('measures completeness per column, every column including the linkage key, equal to the empty cells of each CSV', async () => {
    const [v2, v1] = await measured();
    expect(v2.completeness).toEqual(completenessOfCsv(second));
    expect(v1.completeness).toEqual(completenessOfCsv(first));
    // The holes are really there: the figures are not all 100.
    expect(v2.completeness!.find((c) => c.column === 'age')!.nonNullPercent).toBeLessThan(100);
    expect(v2.completeness!.find((c) => c.column === 'nir')!.nonNullPercent).toBe(100);
  });

  it('stores only whole percentages in governance: no value and no pseudonym in the quality table, the answer or the logs', async () => {
    await measured();
    const { rows } = await platform.owner.query(
      `SELECT q.completeness FROM cadre.dataset_version_quality q JOIN cadre.dataset_versions v ON v.id = q.version_id WHERE v.dataset_id = $1`,
      [datasetId],
    );
    expect(rows).toHaveLength(2);
    for (const { completeness } of rows as { completeness: Record<string, unknown>[] }[]) {
      for (const entry of completeness) {
        expect(Object.keys(entry).sort()).toEqual(['column', 'nonNullPercent']);
        expect(Number.isInteger(entry.nonNullPercent)).toBe(true);
      }
    }
    const answer = JSON.stringify((await versions(steward.token)).body);
    const logs = logLines.join('');
    expect(logs).toContain('measure-version-quality'); // the job ran and was logged
    for (const i of [0, 1, 100, 136]) {
      const nir = fakeNir(i);
      const pseudonym = expectedPseudonym(platform.config.pseudonymKey, nir);
      for (const text of [answer, logs, JSON.stringify(rows)]) {
        expect(text).not.toContain(nir);
        expect(text).not.toContain(pseudonym);
      }
    }
  });

  it("gives another organisation's steward exactly what the catalogue entry gives: the metadata, read-only", async () => {
    const outsider = other.user('data_steward');
    const entry = await world.as(outsider.token).get(`/api/v1/datasets/${datasetId}`);
    const history = await versions(outsider.token);
    expect(history.status).toBe(entry.status);
    expect(entry.status).toBe(200);
    expect(history.body).toEqual((await versions(steward.token)).body);
  });

  it('refuses an anonymous caller like the catalogue entry does', async () => {
    const entry = await platform.http().get(`/api/v1/datasets/${datasetId}`);
    const history = await platform.http().get(`/api/v1/datasets/${datasetId}/versions`);
    expect(entry.status).toBe(401);
    expect(history.status).toBe(entry.status);
  });

  it('answers 404 for an unknown dataset and 400 for a malformed id', async () => {
    const unknown = await world.as(steward.token).get(`/api/v1/datasets/00000000-0000-4000-8000-000000000000/versions`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/problem\+json/);
    expect((await world.as(steward.token).get(`/api/v1/datasets/not-a-uuid/versions`)).status).toBe(400);
  });

  it('lists no version for a dataset never uploaded', async () => {
    const declared = await declareDataset(world, steward, { name: datasetName('empty'), columns: HOSPITAL_COLUMNS });
    const res = await world.as(steward.token).get(`/api/v1/datasets/${declared.body.id}/versions`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], total: 0 });
  });
});
