import { Pool } from 'pg';
import {
  compileAggregate,
  compileDifferencing,
  controlDisclosure,
  readDenominators,
  isDifferencingRisk,
  parseQuery,
  planComputation,
  readRawCells,
  releaseWithPrivacy,
  CryptoRandomSource,
} from '@cadre/computations';
import { runReadOnly } from '../../libs/computations/src/sql/vault-runner';
import { assertWithinDomain, domainCells, domainValues } from '../../libs/computations/src/planning/domain';

const SECRET = 'record-key-secret-for-tests';
const at = <T>(plan: T, catalogue: ReturnType<typeof context>['catalogue']) => ({ plan, catalogue });
import { startTestPlatform, TestPlatform } from '../support/platform';
import { context, createVault, IDS, IRIS, TABLES } from './vault-fixture';

const H = { datasetId: IDS.hospital, as: 'h' };
const S = { datasetId: IDS.social, as: 's' };
const R = { datasetId: IDS.reference, as: 'ref' };

describe('compiled computations on a real vault (cadre_compute, read-only)', () => {
  let platform: TestPlatform;
  let compute: Pool;

  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false, apiless: true });
    await createVault(platform.owner);
    compute = new Pool({ connectionString: platform.config.databaseUrl('compute'), max: 2 });
  });
  afterAll(async () => {
    await compute?.end();
    await platform?.close();
  });

  /** Plans, compiles and runs a query; `exact` turns rule 3 off so hand-computed values can be compared exactly. */
  async function run(queryJson: unknown, options: Parameters<typeof context>[0] = {}, exact = true) {
    const ctx = context(options);
    const planned = planComputation(parseQuery(queryJson), ctx);
    const plan = exact && planned.perturbation ? { ...planned, perturbation: null } : planned;
    const compiled = compileAggregate(plan, ctx.catalogue, { recordKeySecret: SECRET });
    const [rows, ...rest] = await runReadOnly(
      compute,
      [compiled, ...compiled.quantiles.map((q) => q.statement), ...compiled.referenceKeys.map((r) => r.statement)],
      5000,
    );
    const histograms = rest.slice(0, compiled.quantiles.length);
    const keys = new Map(compiled.referenceKeys.map((r, i) => [r.groupIndex, rest[compiled.quantiles.length + i].map((x) => String(x.k))]));
    return { plan, compiled, rows, histograms, ctx, domain: domainValues(plan, keys) };
  }

  it('links two person datasets on their pseudonyms and matches the hand-computed aggregate', async () => {
    const query = {
      datasets: [H, S],
      where: [{ column: 'h.age', op: 'gte', value: 18 }],
      groupBy: ['h.iris'],
      measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }, { fn: 'mean', column: 's.income' }],
    };
    const { plan, compiled, rows, ctx, domain } = await run(query);
    const result = controlDisclosure(plan, compiled, readRawCells(plan, compiled, rows), ctx.policy, domain);
    // …101: p1–p30 (p52–p55 are not in the social dataset); …102: p31–p45 (p45 has 5 days) and p1's
    // second row (9 days): a person counts in every cell they have a row in; …103 are under 18; …104 is empty.
    const hidden = (iris: string) => ({ 'h.iris': iris, count: null, 'sum(h.icuDays)': null, 'mean(s.income)': null, suppressed: true, reason: 'min_cell_size' });
    expect(result.rows).toEqual([
      { 'h.iris': IRIS[0], count: 30, 'sum(h.icuDays)': 60, 'mean(s.income)': 1000.5, suppressed: false },
      { 'h.iris': IRIS[1], count: 16, 'sum(h.icuDays)': 70, 'mean(s.income)': 1937.53, suppressed: false },
      hidden(IRIS[2]),
      hidden(IRIS[3]),
    ]);
    expect(result.columns).toEqual(['h.iris', 'count', 'sum(h.icuDays)', 'mean(s.income)']);

    // Perturbed (the default): within the p-table's bounds of the same hand-computed values, and repeatable.
    const perturbed = await run(query, {}, false);
    const released = controlDisclosure(perturbed.plan, perturbed.compiled, readRawCells(perturbed.plan, perturbed.compiled, perturbed.rows), ctx.policy, perturbed.domain);
    const truth = [
      { count: 30, days: 60, maxDays: 5, income: 30 * 1000.5, maxIncome: 1000.5 },
      { count: 16, days: 70, maxDays: 9, income: 15 * 2000 + 1000.5, maxIncome: 2000 },
    ];
    truth.forEach((t, i) => {
      const row = released.rows[i];
      expect(Math.abs((row.count as number) - t.count)).toBeLessThanOrEqual(2);
      expect(row.count as number).toBeGreaterThanOrEqual(11);
      expect(Math.abs((row['sum(h.icuDays)'] as number) - t.days)).toBeLessThanOrEqual(2 * t.maxDays);
    });
    expect(released.disclosure.perturbation).toEqual({ method: 'cell_key', maxDeviation: 2, variance: 1 });
    const again = await run(query, {}, false);
    expect(controlDisclosure(again.plan, again.compiled, readRawCells(again.plan, again.compiled, again.rows), ctx.policy, again.domain).rows).toEqual(released.rows);
  });

  it('publishes margins with primary and secondary suppression so no suppressed cell can be recomputed', async () => {
    const { plan, compiled, rows, ctx, domain } = await run({
      datasets: [H, S],
      groupBy: ['h.iris', { column: 'h.age', bins: [0, 18, 65, 120] }],
      measures: [{ fn: 'count' }],
      totals: true,
    });
    const result = controlDisclosure(plan, compiled, readRawCells(plan, compiled, rows), ctx.policy, domain);
    expect(result.rows).toHaveLength(5 * 4); // (4 iris + margin) × (3 bins + margin), whatever the data hold
    const published = Object.fromEntries(result.rows.filter((r) => !r.suppressed).map((r) => [`${r['h.iris']}|${r['h.age']}`, r.count]));
    // Row "*": [0,18) = 5 is primary, so its smallest published neighbour [65,120) = 15 is suppressed too.
    expect(published).toEqual({
      [`${IRIS[0]}|[18,65)`]: 30,
      [`${IRIS[0]}|*`]: 30,
      [`${IRIS[1]}|[65,120)`]: 15,
      [`${IRIS[1]}|*`]: 16,
      ['*|[18,65)']: 30,
      ['*|*']: 50,
    });
    expect(result.rows.find((r) => r['h.iris'] === '*' && r['h.age'] === '[65,120)')?.reason).toBe('secondary');
    // p1 has rows in …101 and …102, both aged 40: in both cells of [18,65), once in its margin — counts are
    // not additive, and the suppressed …102|[18,65) (1 person) is not margin − the published cell (30 − 30 = 0).
    expect(result.rows.find((r) => r['h.iris'] === IRIS[1] && r['h.age'] === '[18,65)')).toMatchObject({ suppressed: true, count: null });
    expect(result.disclosure).toEqual({ minCellSize: 11, primarySuppressed: 13, secondarySuppressed: 1, rounding: 0, perturbation: null });
  });

  it('joins a reference dataset through its reference key and filters on it', async () => {
    const { plan, compiled, rows, ctx, domain } = await run({
      datasets: [H, S, R],
      join: [{ left: 'h.iris', right: 'ref.code' }],
      where: [{ column: 'ref.population', op: 'between', value: [2000, 3000] }],
      groupBy: ['h.iris'],
      measures: [{ fn: 'count' }],
    });
    const result = controlDisclosure(plan, compiled, readRawCells(plan, compiled, rows), ctx.policy, domain);
    // p1's …101 row is filtered out (population 1000): their …102 row places them in …102. The rows are the reference's keys.
    expect(result.rows).toEqual([
      { 'h.iris': IRIS[0], count: null, suppressed: true, reason: 'min_cell_size' },
      { 'h.iris': IRIS[1], count: 16, suppressed: false },
      { 'h.iris': IRIS[2], count: null, suppressed: true, reason: 'min_cell_size' },
      { 'h.iris': IRIS[3], count: null, suppressed: true, reason: 'min_cell_size' },
    ]);
  });

  it('computes a rate per 1,000 of a reference column from the released count, margins over the whole reference', async () => {
    const { plan, compiled, rows, ctx, domain } = await run({
      datasets: [H, S, R],
      join: [{ left: 'h.iris', right: 'ref.code' }],
      groupBy: ['h.iris'],
      measures: [{ fn: 'count' }, { fn: 'rate', of: 'count', per: 'ref.population', scale: 1000 }],
      totals: true,
    });
    const [denominator] = await runReadOnly(compute, compiled.denominators.map((d) => d.statement), 5000);
    const result = controlDisclosure(plan, compiled, readRawCells(plan, compiled, rows), ctx.policy, domain, new Map([[1, readDenominators(denominator)]]));
    const rate = 'rate(count/ref.population*1000)';
    // Populations 1000, 2000, 3000, 4000 (10,000 in all); 30, 16 (p1 has a row in each of …101 and …102), 5 and 0 linked persons.
    expect(result.rows.map((r) => [r['h.iris'], r.count, r[rate]])).toEqual([
      [IRIS[0], 30, 30],
      [IRIS[1], 16, 8],
      [IRIS[2], null, null],
      [IRIS[3], null, null],
      ['*', 50, 5],
    ]);
  });

  it('under DP answers every cell of the declared domain, the empty one included', async () => {
    const { plan, compiled, rows, histograms, ctx, domain } = await run(
      { datasets: [H, S], groupBy: ['h.iris'], measures: [{ fn: 'count' }, { fn: 'quantile', column: 'h.icuDays', q: 0.5 }], privacy: { mechanism: 'laplace', epsilon: 1 } },
      { mechanism: 'laplace' },
    );
    const counts = Object.fromEntries(rows.map((r) => [r.k0, r.n]));
    // SQL answers cells holding persons only… One person has rows in …101 and …102: under DP
    // (L = 1) they count in one of the two, chosen by the keyed hash (issue 13), and are the one bounded person.
    expect(Object.keys(counts).sort()).toEqual([IRIS[0], IRIS[1], IRIS[2]]);
    expect(counts[IRIS[2]]).toBe(5);
    expect(counts[IRIS[0]] + counts[IRIS[1]]).toBe(45);
    expect([[30, 15], [29, 16]]).toContainEqual([counts[IRIS[0]], counts[IRIS[1]]]);
    expect(rows.reduce((n, r) => n + Number(r.bp), 0)).toBe(1);
    const result = releaseWithPrivacy(plan, compiled, rows, histograms, ctx.policy, new CryptoRandomSource(), domain);
    // …the declared domain is laid over them: the empty …104 is published too.
    expect(result.rows.map((r) => r['h.iris'])).toEqual(IRIS);
    expect(result.privacy).toMatchObject({ mechanism: 'laplace', epsilonSpent: 1, maxCellsPerPerson: 1 });
    for (const r of result.rows) expect(Number.isInteger(r.count)).toBe(true);
  });

  it('measures population differences exactly in SQL: one person apart is a differencing risk', async () => {
    const ctx = context();
    const plan = (where: unknown[]) => planComputation(parseQuery({ datasets: [H, S], where, measures: [{ fn: 'count' }] }), ctx);
    const adults = plan([{ column: 'h.age', op: 'gte', value: 18 }]); // 45 persons
    const minusOne = plan([{ column: 'h.age', op: 'gte', value: 18 }, { column: 'h.icuDays', op: 'lte', value: 4 }]); // p45 out: 44
    const only101 = plan([{ column: 'h.iris', op: 'eq', value: IRIS[0] }]); // 30
    const stmt = compileDifferencing(minusOne, [at(adults, ctx.catalogue), at(only101, ctx.catalogue)], ctx.catalogue);
    const [[row]] = await runReadOnly(compute, [stmt], 5000);
    expect(row).toEqual({ diff0: 1, diff1: 14 });
    expect(isDifferencingRisk(row.diff0 as number, 11)).toBe(true);
    expect(isDifferencingRisk(row.diff1 as number, 11)).toBe(false);
  });

  it('runs read-only: the compute role cannot write even if a statement tried', async () => {
    await expect(runReadOnly(compute, [{ sql: `DELETE FROM vault.${TABLES.hospital}`, params: [] }], 5000)).rejects.toThrow(/database \(25006\)/);
    await expect(runReadOnly(compute, [{ sql: 'SELECT pg_sleep(2)', params: [] }], 200)).rejects.toThrow(/time limit/);
  });

  describe('SQL injection in every string field', () => {
    const attack = `x'; DROP TABLE vault.${TABLES.hospital}; --`;
    const tableStillThere = async () => {
      const { rows } = await platform.owner.query(`SELECT count(*)::int AS n FROM vault.${TABLES.hospital}`);
      expect(rows[0].n).toBe(55);
    };

    it.each([
      ['alias', { datasets: [{ datasetId: IDS.hospital, as: `h"; ${attack}` }], measures: [{ fn: 'count' }] }],
      ['datasetId', { datasets: [{ datasetId: `${IDS.hospital}'; ${attack}`, as: 'h' }], measures: [{ fn: 'count' }] }],
      ['where column', { datasets: [H], where: [{ column: `h.age"; ${attack}`, op: 'eq', value: 1 }], measures: [{ fn: 'count' }] }],
      ['groupBy column', { datasets: [H], groupBy: [`h.iris) ${attack}`], measures: [{ fn: 'count' }] }],
      ['binned groupBy column', { datasets: [H], groupBy: [{ column: `h.age; ${attack}`, bins: [0, 1] }], measures: [{ fn: 'count' }] }],
      ['measure column', { datasets: [H], measures: [{ fn: 'sum', column: `h.icuDays) ${attack}` }] }],
      ['measure fn', { datasets: [H], measures: [{ fn: `count(*); ${attack}` }] }],
      ['join', { datasets: [H, R], join: [{ left: 'h.iris', right: `ref.code = ref.code; ${attack}` }], measures: [{ fn: 'count' }] }],
      ['op', { datasets: [H], where: [{ column: 'h.age', op: `= 1; ${attack}`, value: 1 }], measures: [{ fn: 'count' }] }],
    ])('refuses an injection through the %s at validation (400)', async (_, query) => {
      expect(() => parseQuery(query)).toThrow(expect.objectContaining({ code: 'invalid_input', kind: 'invalid' }));
      await tableStillThere();
    });

    it('binds an injection through a filter value as a parameter: it matches nothing and runs nothing', async () => {
      const { plan, compiled, rows } = await run({
        datasets: [H, S],
        where: [{ column: 'h.iris', op: 'in', value: [attack, `${IRIS[0]}' OR '1'='1`] }],
        measures: [{ fn: 'count' }],
      });
      expect(compiled.sql).not.toContain('DROP');
      expect(readRawCells(plan, compiled, rows).reduce((n, c) => n + c.count, 0)).toBe(0);
      await tableStillThere();
    });

    it('keeps hostile declared categories out of the SQL under DP, and fails closed on values the declaration does not know', async () => {
      const hostile = [`${IRIS[0]}'); ${attack}`, IRIS[1]];
      const { plan, compiled, rows } = await run(
        { datasets: [H, S], groupBy: ['h.iris'], measures: [{ fn: 'count' }], privacy: { mechanism: 'laplace', epsilon: 0.5 } },
        { mechanism: 'laplace', irisCategories: hostile },
      );
      // A category grouped on its own declaration is tested IS NOT NULL (ingestion admits no other
      // value): the categories are neither in the text nor even bound.
      expect(compiled.sql).not.toContain('DROP');
      expect(compiled.params.flat()).not.toContain(hostile[0]);
      await tableStillThere();
      // This catalogue was swapped under the data (…101 and …103 are no longer declared): the answer
      // holds cells outside the domain, and the release refuses it rather than dropping them.
      expect(rows.map((r) => r.k0)).toEqual(expect.arrayContaining([IRIS[0], IRIS[1]]));
      expect(() => assertWithinDomain(rows.map((r) => [r.k0 as string]), domainCells(domainValues(plan, new Map()), false))).toThrow('outside the declared domain');
    });
  });
});
