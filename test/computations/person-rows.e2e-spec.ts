import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { CatalogueDataset, compileAggregate, parseQuery, planComputation } from '@cadre/computations';
import { onePersonPerRow } from '../../libs/computations/src/sql/person-rows';
import { runReadOnly } from '../../libs/computations/src/sql/vault-runner';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { context, createVault, IDS, IRIS, TABLES } from './vault-fixture';

const H = { datasetId: IDS.hospital, as: 'h' };
const S = { datasetId: IDS.social, as: 's' };
const R = { datasetId: IDS.reference, as: 'ref' };
const UNIQUE_HOSPITAL = TABLES.hospital.replace(/_v1$/, '_v2');
const DUPLICATED_REFERENCE = TABLES.reference.replace(/_v1$/, '_v2');
const VERSION = {
  hospital: '0c000000-0000-4000-8000-000000000001',
  uniqueHospital: '0c000000-0000-4000-8000-000000000002',
  social: '0c000000-0000-4000-8000-000000000003',
  reference: '0c000000-0000-4000-8000-000000000004',
  duplicatedReference: '0c000000-0000-4000-8000-000000000005',
};

/** The fixture's catalogue with distinct version ids; `unique` swaps in a hospital version without p1's second row. */
function catalogueOf(versions: { hospital: 'dup' | 'unique'; reference?: 'clean' | 'dup' }): CatalogueDataset[] {
  return context().catalogue.map((d) => {
    if (d.id === IDS.hospital) {
      return versions.hospital === 'unique'
        ? { ...d, current: { versionId: VERSION.uniqueHospital, table: UNIQUE_HOSPITAL, rowCount: 55 } }
        : { ...d, current: { ...d.current!, versionId: VERSION.hospital } };
    }
    if (d.id === IDS.reference) {
      return versions.reference === 'dup'
        ? { ...d, current: { versionId: VERSION.duplicatedReference, table: DUPLICATED_REFERENCE, rowCount: 5 } }
        : { ...d, current: { ...d.current!, versionId: VERSION.reference } };
    }
    return { ...d, current: { ...d.current!, versionId: VERSION.social } };
  });
}

describe('one row per person: the compiler fast path on a real vault', () => {
  let platform: TestPlatform;
  let compute: Pool;
  let db: DataSource;

  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false, apiless: true });
    await createVault(platform.owner);
    await platform.owner.query('SET ROLE cadre_vault');
    // The same stays without p1's second row (…102, 9 days): one row per person.
    await platform.owner.query(`CREATE TABLE vault.${UNIQUE_HOSPITAL} AS SELECT DISTINCT ON (pid) * FROM vault.${TABLES.hospital} ORDER BY pid, iris`);
    // The reference table with zone …102 listed twice.
    await platform.owner.query(`CREATE TABLE vault.${DUPLICATED_REFERENCE} AS SELECT * FROM vault.${TABLES.reference} UNION ALL SELECT * FROM vault.${TABLES.reference} WHERE code = $1`, [IRIS[1]]);
    await platform.owner.query('RESET ROLE');
    compute = new Pool({ connectionString: platform.config.databaseUrl('compute'), max: 2 });
    db = platform.app.get(DataSource);
  });
  afterAll(async () => {
    await compute?.end();
    await platform?.close();
  });

  const plan = (query: Record<string, unknown>, catalogue: CatalogueDataset[], mechanism: 'none' | 'laplace' = 'none') =>
    planComputation(parseQuery(query), { ...context({ mechanism }), catalogue });
  const raw = async (p: ReturnType<typeof plan>, catalogue: CatalogueDataset[], fast: boolean) => {
    const compiled = compileAggregate(p, catalogue, { onePersonPerRow: fast, recordKeySecret: 'record-key-secret-for-tests' });
    expect(compiled.onePersonPerRow).toBe(fast);
    const [rows, ...histograms] = await runReadOnly(compute, [compiled, ...compiled.quantiles.map((q) => q.statement)], 5000);
    const sorted = (r: Record<string, unknown>[]) => r.map((x) => JSON.stringify(x)).sort();
    return { rows: sorted(rows), histograms: histograms.map(sorted) };
  };

  it('measures each join key once per version, records the answer, and reads it back instead of measuring again', async () => {
    const linked = { datasets: [H, S], measures: [{ fn: 'count' }] };
    const withDuplicates = catalogueOf({ hospital: 'dup' });
    const unique = catalogueOf({ hospital: 'unique' });
    expect(await onePersonPerRow(db.manager, compute, plan(linked, withDuplicates), withDuplicates, 5000)).toBe(false);
    expect(await onePersonPerRow(db.manager, compute, plan(linked, unique), unique, 5000)).toBe(true);
    const { rows } = await platform.owner.query(`SELECT version_id, column_name, is_unique FROM cadre.vault_key_uniqueness ORDER BY version_id`);
    expect(rows).toEqual([
      { version_id: VERSION.hospital, column_name: 'pid', is_unique: false },
      { version_id: VERSION.uniqueHospital, column_name: 'pid', is_unique: true },
      { version_id: VERSION.social, column_name: 'pid', is_unique: true },
    ]);
    // The record, not a new measurement, decides from now on (versions are immutable).
    await platform.owner.query(`UPDATE cadre.vault_key_uniqueness SET is_unique = false WHERE version_id = $1`, [VERSION.uniqueHospital]);
    expect(await onePersonPerRow(db.manager, compute, plan(linked, unique), unique, 5000)).toBe(false);
    await platform.owner.query(`UPDATE cadre.vault_key_uniqueness SET is_unique = true WHERE version_id = $1`, [VERSION.uniqueHospital]);
  });

  it('takes the general path when a joined reference table lists a code twice', async () => {
    const joined = { datasets: [H, S, R], join: [{ left: 'h.iris', right: 'ref.code' }], measures: [{ fn: 'count' }] };
    const clean = catalogueOf({ hospital: 'unique', reference: 'clean' });
    const duplicated = catalogueOf({ hospital: 'unique', reference: 'dup' });
    expect(await onePersonPerRow(db.manager, compute, plan(joined, clean), clean, 5000)).toBe(true);
    expect(await onePersonPerRow(db.manager, compute, plan(joined, duplicated), duplicated, 5000)).toBe(false);
  });

  it('a failed measurement answers the general path and records nothing', async () => {
    const linked = { datasets: [H, S], measures: [{ fn: 'count' }] };
    const missing = catalogueOf({ hospital: 'unique' }).map((d) =>
      d.id === IDS.hospital ? { ...d, current: { versionId: '0c000000-0000-4000-8000-0000000000ff', table: 'ds_no_such_table_v1', rowCount: 0 } } : d,
    );
    expect(await onePersonPerRow(db.manager, compute, plan(linked, missing), missing, 5000)).toBe(false);
    const { rows } = await platform.owner.query(`SELECT count(*)::int AS n FROM cadre.vault_key_uniqueness WHERE version_id = '0c000000-0000-4000-8000-0000000000ff'`);
    expect(rows[0].n).toBe(0);
  });

  describe('with one row per person, both paths give the same raw aggregates', () => {
    const unique = catalogueOf({ hospital: 'unique' });
    it.each([
      ['count, sum and mean by zone, adults only', { datasets: [H, S], where: [{ column: 'h.age', op: 'gte', value: 18 }], groupBy: ['h.iris'], measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }, { fn: 'mean', column: 's.income' }] }],
      ['two keys with bins and margins', { datasets: [H, S], groupBy: ['h.iris', { column: 'h.age', bins: [0, 18, 65, 120] }], measures: [{ fn: 'count' }, { fn: 'sum', column: 's.income' }], totals: true }],
      ['no group key', { datasets: [H, S], measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }] }],
      ['one dataset, filtered on a list', { datasets: [H], where: [{ column: 'h.iris', op: 'in', value: [IRIS[0], IRIS[1]] }], groupBy: ['h.iris'], measures: [{ fn: 'sum', column: 'h.icuDays' }] }],
      ['a reference join with a filter on it', { datasets: [H, S, R], join: [{ left: 'h.iris', right: 'ref.code' }], where: [{ column: 'ref.population', op: 'between', value: [1000, 3000] }], groupBy: ['h.iris'], measures: [{ fn: 'count' }, { fn: 'mean', column: 'h.icuDays' }] }],
    ])('%s', async (_, query) => {
      const p = plan(query, unique);
      const fast = await raw(p, unique, true);
      expect(fast.rows.length).toBeGreaterThan(0);
      expect(fast).toEqual(await raw(p, unique, false));
    });

    it('under DP: clamped integer sums and quantile histograms', async () => {
      const query = { datasets: [H, S], groupBy: ['h.iris'], measures: [{ fn: 'count' }, { fn: 'sum', column: 's.income' }, { fn: 'quantile', column: 'h.icuDays', q: 0.5 }], privacy: { mechanism: 'laplace', epsilon: 1 } };
      const p = plan(query, unique, 'laplace');
      const fast = await raw(p, unique, true);
      expect(fast.histograms).toHaveLength(1);
      expect(fast).toEqual(await raw(p, unique, false));
    });
  });

  it('with several rows for a person only the general path is right, which is why the check exists', async () => {
    const withDuplicates = catalogueOf({ hospital: 'dup' });
    const query = { datasets: [H, S], where: [{ column: 'h.age', op: 'gte', value: 18 }], groupBy: ['h.iris'], measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }], totals: true };
    const p = plan(query, withDuplicates);
    const cells = async (fast: boolean) => {
      const compiled = compileAggregate(p, withDuplicates, { onePersonPerRow: fast, recordKeySecret: 'record-key-secret-for-tests' });
      const [rows] = await runReadOnly(compute, [compiled], 5000);
      return Object.fromEntries(rows.map((r) => [String(r.k0 ?? '*'), [r.n, r.s0]]));
    };
    // From the fixture: p1 has a row in …101 (2 days) and one in …102 (9 days): a person counts in every
    // cell they have a row in, and once in the total (45 distinct persons).
    expect(await cells(false)).toEqual({ [IRIS[0]]: [30, 60], [IRIS[1]]: [16, 70], '*': [45, 130] });
    // Forced onto rows, p1 would count twice in the total.
    expect(await cells(true)).toEqual({ [IRIS[0]]: [30, 60], [IRIS[1]]: [16, 70], '*': [46, 130] });
    expect(await onePersonPerRow(db.manager, compute, p, withDuplicates, 5000)).toBe(false);
  });
});
