import { catalogue, context, IDS, TABLES } from '../../../../test/computations/vault-fixture';
import { planComputation } from '../planning/planner';
import { parseQuery } from '../query/query';
import { cellRankSeed, compileAggregate, CompileOptions, recordKeySeed } from './compiler';
import { compileDifferencing, distinctEarlierPopulations } from './differencing';
import type { Plan } from '../planning/plan';
import { catalogueAt } from '../planning/versions';

const H = { datasetId: IDS.hospital, as: 'h' };
const S = { datasetId: IDS.social, as: 's' };

const SECRET = 'record-key-secret-for-tests';

function compile(query: Record<string, unknown>, options: Parameters<typeof context>[0] = {}, compileOptions: CompileOptions = {}) {
  const ctx = context(options);
  const plan = planComputation(parseQuery({ datasets: [H, S], measures: [{ fn: 'count' }], ...query }), ctx);
  return { plan, ctx, compiled: compileAggregate(plan, ctx.catalogue, { recordKeySecret: SECRET, ...compileOptions }) };
}
const at = (plan: Plan, catalogue: ReturnType<typeof context>['catalogue']) => ({ plan, catalogue });

describe('compileAggregate', () => {
  it('sends every user value as a parameter, never in the SQL text', () => {
    const marker = "zz'marker";
    const { compiled } = compile({
      where: [{ column: 'h.iris', op: 'in', value: [marker, 'other'] }, { column: 'h.age', op: 'between', value: [18, 64] }],
      groupBy: [{ column: 'h.age', bins: [0, 18, 65, 120] }],
      measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }],
    });
    expect(compiled.sql).not.toContain('marker');
    expect(compiled.sql).not.toContain(SECRET);
    expect(compiled.params).not.toContain(SECRET);
    expect(compiled.params).toContain(recordKeySeed(SECRET));
    expect(compiled.sql).not.toMatch(/\b(18|64|65|120)\b/);
    expect(compiled.params).toEqual(expect.arrayContaining([[marker, 'other'], 18, 64, [0, 18, 65, 120]]));
    const used = new Set([...compiled.sql.matchAll(/\$(\d+)::/g)].map((m) => Number(m[1])));
    expect([...used].sort((a, b) => a - b)).toEqual(compiled.params.map((_, i) => i + 1));
  });

  it('takes identifiers from the catalogue and never the query aliases', () => {
    const { compiled } = compile({ groupBy: ['h.iris'] });
    expect(compiled.sql).toContain(`vault."${TABLES.hospital}" AS d0`);
    expect(compiled.sql).toContain(`JOIN vault."${TABLES.social}" AS d1 ON d1."pid" = d0."pid"`);
    expect(compiled.sql).not.toMatch(/\bh\./);
    expect(compiled.sql).not.toMatch(/\bs\./);
  });

  it('counts a person in every cell they have rows in, once per margin: grouping sets over per-(person, cell) lines', () => {
    const { compiled } = compile({ groupBy: ['h.iris', { column: 'h.age', bins: [0, 18, 120] }], totals: true });
    expect(compiled.sql).not.toContain('DISTINCT ON');
    expect(compiled.sql).toContain('GROUP BY pid, k0, k1'); // a person's rows in a cell are summed first
    expect(compiled.sql).toContain('GROUP BY pid, CUBE (k0, k1)'); // then one line per (person, cell or margin)
    expect(compiled.sql).toContain('GROUPING(k0, k1)');
    expect(compiled.sql).toContain('FROM person GROUP BY g, k0, k1');
  });

  it('keeps a category grouped on its own declared categories to non-null values (ingestion admits no other), and tests other domains value by value', () => {
    const { compiled } = compile({ groupBy: ['h.iris', 'h.icuDays'] });
    expect(compiled.sql).toContain('(d0."iris")::text IS NOT NULL');
    expect(compiled.sql).not.toMatch(/\(d0\."iris"\)::text = ANY/);
    // An integer within bounds: its domain is listed, each row tested against it.
    expect(compiled.sql).toMatch(/\(d0\."icuDays"\)::text = ANY\(\$\d+::text\[\]\)/);
  });

  it('under DP clamps values, draws keys from the declared domain and compiles one histogram per quantile', () => {
    const { compiled } = compile(
      { groupBy: ['h.iris'], measures: [{ fn: 'sum', column: 's.income' }, { fn: 'quantile', column: 'h.icuDays', q: 0.5 }], privacy: { mechanism: 'laplace', epsilon: 1 } },
      { mechanism: 'laplace' },
    );
    expect(compiled.sql).toMatch(/LEAST\(GREATEST\(COALESCE/);
    // Cells holding persons only: the declared domain is laid over them outside SQL (domain.ts), no cell key.
    expect(compiled.sql).toContain('GROUP BY k0');
    expect(compiled.sql).not.toMatch(/\bck\b|AS rk/);
    expect(compiled.perturbed).toBe(false);
    // Each person keeps at most L cells, ranked by a keyed hash of (pseudonym, cell), never by a value (issue 13).
    expect(compiled.sql).not.toContain('DISTINCT ON');
    expect(compiled.sql).toMatch(
      /row_number\(\) OVER \(PARTITION BY pid ORDER BY hashtextextended\(pid \|\| json_build_array\(k0\)::text, \$\d+::bigint\), json_build_array\(k0\)::text\) AS cell_rank/,
    );
    expect(compiled.sql).toMatch(/WHERE cell_rank <= \$\d+::integer/);
    // The ranking's seed is derived from the secret for this purpose alone: the secret never reaches the database.
    expect(compiled.params).not.toContain(SECRET);
    expect(compiled.params).toContain(cellRankSeed(SECRET));
    expect(compiled.params).not.toContain(recordKeySeed(SECRET));
    expect(compiled.params).toContain(1); // L, the contract's default
    expect(compiled.quantiles[0].statement.sql).toContain('cell_rank <=');
    expect(compiled.summed).toEqual([{ ref: { datasetId: IDS.social, column: 'income' }, scale: 100, min: 0, max: 100000 }]);
    expect(compiled.quantiles).toHaveLength(1);
    expect(compiled.quantiles[0]).toMatchObject({ min: 0, max: 60, steps: 60 });
  });

  it('refuses to compile a plan whose catalogue lost a column', () => {
    const { plan } = compile({ groupBy: ['h.iris'] });
    const cat = catalogue();
    cat[0].columns = cat[0].columns.filter((c) => c.name !== 'iris');
    expect(() => compileAggregate(plan, cat, { recordKeySecret: SECRET })).toThrow(/catalogue lacks a column/);
  });

  it('sums record keys into a cell key, margins included, and refuses a perturbed plan without the secret', () => {
    const { plan, compiled } = compile({ groupBy: ['h.iris'], totals: true });
    expect(compiled.perturbed).toBe(true);
    expect(compiled.sql).toMatch(/hashtextextended\(pid, \$\d+::bigint\)/);
    // The secret itself is never a parameter: only the seed derived from it.
    expect(compiled.params).not.toContain(SECRET);
    expect(compiled.sql).toContain('% 4294967296) + 4294967296) % 4294967296)::bigint AS ck');
    expect(() => compileAggregate(plan, catalogue())).toThrow(/record key secret/);
  });

  it('reads the keys of a reference domain from the reference dataset only', () => {
    const R = { datasetId: IDS.reference, as: 'ref' };
    const ctx = context();
    const plan = planComputation(parseQuery({ datasets: [H, R], join: [{ left: 'h.iris', right: 'ref.code' }], groupBy: ['ref.code'], measures: [{ fn: 'count' }] }), ctx);
    const compiled = compileAggregate(plan, ctx.catalogue, { recordKeySecret: SECRET });
    expect(compiled.referenceKeys).toEqual([{ groupIndex: 0, statement: { sql: `SELECT DISTINCT ("code")::text AS k FROM vault."${TABLES.reference}" WHERE "code" IS NOT NULL`, params: [] } }]);
  });

  it('compiles population differences with parameters for both populations', () => {
    const { plan: a, ctx } = compile({ where: [{ column: 'h.age', op: 'gte', value: 18 }] });
    const { plan: b } = compile({ where: [{ column: 'h.age', op: 'gte', value: 19 }] });
    const stmt = compileDifferencing(a, [at(b, ctx.catalogue), at(b, ctx.catalogue)], ctx.catalogue);
    expect(stmt.sql).toContain('EXCEPT');
    expect(stmt.sql).toContain('AS diff1');
    expect(stmt.params).toEqual([18, 19, 19]);
  });

  it('compares each distinct earlier population once, and never a repeat of the current one', () => {
    const { plan: a, ctx } = compile({ where: [{ column: 'h.age', op: 'gte', value: 18 }] });
    const { plan: same } = compile({ where: [{ column: 'h.age', op: 'gte', value: 18 }], groupBy: [] });
    const { plan: b } = compile({ where: [{ column: 'h.age', op: 'gte', value: 19 }] });
    const { plan: c } = compile({ where: [{ column: 'h.age', op: 'gte', value: 20 }] });
    const cat = ctx.catalogue;
    expect(distinctEarlierPopulations(a, [same, b, b, c, same, b].map((p) => at(p, cat)), cat)).toEqual([at(b, cat), at(c, cat)]);
  });

  it('re-derives an earlier population on the dataset version it recorded, not on the current one', () => {
    const { plan: a, ctx } = compile({ where: [{ column: 'h.age', op: 'gte', value: 18 }] });
    const v1 = catalogueAt(ctx.catalogue, [{ datasetId: IDS.hospital, version: 1 }]);
    const later = ctx.catalogue.map((d) => (d.id === IDS.hospital ? { ...d, current: { ...d.current!, table: TABLES.hospital.replace(/_v1$/, '_v2') } } : d));
    // The same query on v1 (recorded) and on v2 (current) are two populations, compared.
    expect(distinctEarlierPopulations(a, [at(a, v1)], later)).toHaveLength(1);
    const stmt = compileDifferencing(a, [at(a, v1)], later);
    expect(stmt.sql).toContain(`vault."${TABLES.hospital}"`);
    expect(stmt.sql).toContain(`vault."${TABLES.hospital.replace(/_v1$/, '_v2')}"`);
  });

  describe('the per-person step', () => {
    const query = {
      where: [{ column: 'h.age', op: 'gte', value: 18 }],
      groupBy: ['h.iris', { column: 'h.age', bins: [0, 18, 65, 120] }],
      measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }, { fn: 'mean', column: 's.income' }],
      totals: true,
    };

    it('groups rows per person unless one row per person is known', () => {
      for (const options of [{}, { onePersonPerRow: false }]) {
        const { compiled } = compile(query, {}, options);
        expect(compiled.onePersonPerRow).toBe(false);
        expect(compiled.sql).toContain('WITH person AS MATERIALIZED (SELECT GROUPING(k0, k1)::integer AS g, pid');
        expect(compiled.sql).toContain('GROUP BY pid, k0, k1');
      }
    });

    it('with one row per person known, reads persons straight from the joined rows: no pseudonym is even selected', () => {
      const { compiled } = compile(query, {}, { onePersonPerRow: true });
      expect(compiled.onePersonPerRow).toBe(true);
      expect(compiled.sql).toContain('WITH person AS NOT MATERIALIZED (SELECT (d0."iris")::text AS k0');
      expect(compiled.sql).not.toMatch(/DISTINCT|\bpid\b AS|AS pid|GROUP BY pid|ORDER BY/);
      expect(compiled.sql).toContain(`JOIN vault."${TABLES.social}" AS d1 ON d1."pid" = d0."pid"`);
      expect(compiled.sql).toContain('GROUP BY CUBE (k0, k1)');
      const general = compile(query).compiled;
      // Same filters and bins, as parameters, in both paths.
      expect(compiled.params).toEqual(general.params);
    });

    it('under DP clamps each person (their one row) to the declared bounds, and buckets quantiles per row', () => {
      const dpQuery = { groupBy: ['h.iris'], measures: [{ fn: 'sum', column: 's.income' }, { fn: 'quantile', column: 'h.icuDays', q: 0.5 }], privacy: { mechanism: 'laplace', epsilon: 1 } };
      const { compiled } = compile(dpQuery, { mechanism: 'laplace' }, { onePersonPerRow: true });
      expect(compiled.sql).toMatch(/round\(LEAST\(GREATEST\(COALESCE\(\(d1\."income"\)::double precision, 0\), \$\d+::double precision\), \$\d+::double precision\) \* \$\d+::integer\)::bigint AS v0/);
      expect(compiled.sql).not.toContain('DISTINCT ON');
      expect(compiled.quantiles[0].statement.sql).toContain('width_bucket(LEAST(GREATEST((d0."icuDays")::double precision');
      expect(compiled.quantiles[0].statement.sql).not.toContain('DISTINCT ON');
      expect(compile(dpQuery, { mechanism: 'laplace' }).compiled.quantiles[0].statement.sql).toContain('WHERE cell_rank <=');
      expect(compiled.quantiles[0].statement.sql).not.toContain('cell_rank');
    });

    it('counts rows when a plan has neither keys, measures of columns nor record keys', () => {
      const { plan, ctx } = compile({});
      const compiled = compileAggregate({ ...plan, perturbation: null }, ctx.catalogue, { onePersonPerRow: true });
      expect(compiled.sql).toContain('WITH person AS NOT MATERIALIZED (SELECT 1 AS one FROM');
      expect(compiled.sql).toContain('count(*)::integer AS n');
    });
  });

  describe('dominance contributions', () => {
    const sums = { groupBy: ['h.iris'], measures: [{ fn: 'sum', column: 'h.icuDays' }] };

    it('takes the largest contribution with max() when the policy needs only n = 1 (no ordered aggregate)', () => {
      const { plan, compiled } = compile(sums);
      expect(plan.dominanceN).toBe(1);
      expect(compiled.sql).toContain('CASE WHEN count(v0) > 0 THEN ARRAY[max(v0)] END::double precision[] AS t0');
      expect(compiled.sql).not.toContain('array_agg');
    });

    it('keeps the n largest, in order, when a rule looks at more than one contributor', () => {
      const ctx = context();
      const plan = { ...planComputation(parseQuery({ datasets: [H, S], ...sums }), ctx), dominanceN: 3 };
      const compiled = compileAggregate(plan, ctx.catalogue, { recordKeySecret: SECRET });
      expect(compiled.sql).toMatch(/\(array_agg\(v0 ORDER BY v0 DESC\) FILTER \(WHERE v0 IS NOT NULL\)\)\[1:\$\d+::integer\]/);
      expect(compiled.params).toContain(3);
    });

    it('sums the values themselves as magnitudes when the declared domain has no negative value, absolute values otherwise', () => {
      const nonNegative = compile(sums).compiled.sql;
      expect(nonNegative).toContain('sum(v0)::double precision AS a0');
      expect(nonNegative).not.toContain('abs(');
      const ctx = context();
      const icuDays = ctx.catalogue.find((c) => c.id === IDS.hospital)!.columns.find((c) => c.name === 'icuDays')!;
      icuDays.min = -5;
      const plan = { ...planComputation(parseQuery({ datasets: [H, S], ...sums }), ctx), dominanceN: 3 };
      const signed = compileAggregate(plan, ctx.catalogue, { recordKeySecret: SECRET }).sql;
      expect(signed).toContain('sum(abs(v0))::double precision AS a0');
      expect(signed).toMatch(/\(array_agg\(abs\(v0\) ORDER BY abs\(v0\) DESC\) FILTER \(WHERE v0 IS NOT NULL\)\)/);
      const one = compileAggregate({ ...plan, dominanceN: 1 }, ctx.catalogue, { recordKeySecret: SECRET }).sql;
      expect(one).toContain('ARRAY[max(abs(v0))]');
    });
  });
});
