import { context, IDS, TABLES } from '../../../../test/computations/vault-fixture';
import { planComputation } from '../planning/planner';
import { parseQuery } from '../query/query';
import { compileKeyUniqueness, joinKeys } from './person-rows';

const H = { datasetId: IDS.hospital, as: 'h' };
const S = { datasetId: IDS.social, as: 's' };
const R = { datasetId: IDS.reference, as: 'ref' };

describe('joinKeys', () => {
  it('names the linkage key of every person-level dataset of the current versions', () => {
    const ctx = context();
    const plan = planComputation(parseQuery({ datasets: [H, S], measures: [{ fn: 'count' }] }), ctx);
    expect(joinKeys(plan, ctx.catalogue)).toEqual([
      { versionId: 'v1', table: TABLES.hospital, column: 'pid' },
      { versionId: 'v1', table: TABLES.social, column: 'pid' },
    ]);
  });

  it('adds the reference key of every joined reference dataset (a duplicated code would double persons)', () => {
    const ctx = context();
    const plan = planComputation(parseQuery({ datasets: [H, R], join: [{ left: 'h.iris', right: 'ref.code' }], measures: [{ fn: 'count' }] }), ctx);
    expect(joinKeys(plan, ctx.catalogue)).toEqual([
      { versionId: 'v1', table: TABLES.hospital, column: 'pid' },
      { versionId: 'v1', table: TABLES.reference, column: 'code' },
    ]);
  });

  it('marks the linkage key of a dataset declared person-level as known unique (checked at ingestion): nothing to measure', () => {
    const ctx = context();
    ctx.catalogue = ctx.catalogue.map((d) => (d.id === IDS.hospital ? { ...d, level: 'person' as const } : d));
    const plan = planComputation(parseQuery({ datasets: [H, S], measures: [{ fn: 'count' }] }), ctx);
    expect(joinKeys(plan, ctx.catalogue)).toEqual([
      { versionId: 'v1', table: TABLES.hospital, column: 'pid', declaredUnique: true },
      { versionId: 'v1', table: TABLES.social, column: 'pid' },
    ]);
  });

  it('refuses a plan the catalogue no longer matches', () => {
    const ctx = context();
    const plan = planComputation(parseQuery({ datasets: [H, S], measures: [{ fn: 'count' }] }), ctx);
    expect(() => joinKeys(plan, ctx.catalogue.filter((d) => d.id !== IDS.social))).toThrow(/lacks a dataset/);
    expect(() => joinKeys(plan, ctx.catalogue.map((d) => (d.id === IDS.social ? { ...d, current: null } : d)))).toThrow(/lacks a dataset/);
  });
});

describe('compileKeyUniqueness', () => {
  it('answers one boolean, comparing the key as text as the joins do, with identifiers from the catalogue only', () => {
    const stmt = compileKeyUniqueness({ versionId: 'v1', table: TABLES.hospital, column: 'pid' });
    expect(stmt).toEqual({
      sql: `SELECT count(*) = count(DISTINCT ("pid")::text COLLATE "C") AS is_unique FROM vault."${TABLES.hospital}"`,
      params: [],
    });
  });

  it('quotes a hostile column name and refuses a table outside the vault', () => {
    expect(compileKeyUniqueness({ versionId: 'v', table: TABLES.hospital, column: 'a") FROM cadre.users; --' }).sql).toContain('("a"") FROM cadre.users; --")');
    expect(() => compileKeyUniqueness({ versionId: 'v', table: 'cadre.users', column: 'id' })).toThrow();
  });
});
