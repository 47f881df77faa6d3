import { catalogue, context, IDS, TABLES } from '../../../../test/computations/vault-fixture';
import { planComputation } from '../planning/planner';
import { parseQuery } from '../query/query';
import { compileAggregate } from './compiler';
import { compileDifferencing, distinctEarlierPopulations } from './differencing';

const H = { datasetId: IDS.hospital, as: 'h' };
const S = { datasetId: IDS.social, as: 's' };

function compile(query: Record<string, unknown>, options: Parameters<typeof context>[0] = {}) {
  const ctx = context(options);
  const plan = planComputation(parseQuery({ datasets: [H, S], measures: [{ fn: 'count' }], ...query }), ctx);
  return { plan, ctx, compiled: compileAggregate(plan, ctx.catalogue) };
}

describe('compileAggregate', () => {
  it('sends every user value as a parameter, never in the SQL text', () => {
    const marker = "zz'marker";
    const { compiled } = compile({
      where: [{ column: 'h.iris', op: 'in', value: [marker, 'other'] }, { column: 'h.age', op: 'between', value: [18, 64] }],
      groupBy: [{ column: 'h.age', bins: [0, 18, 65, 120] }],
      measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }],
    });
    expect(compiled.sql).not.toContain('marker');
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

  it('counts each person once, in one cell, and rolls margins up with CUBE when totals are asked', () => {
    const { compiled } = compile({ groupBy: ['h.iris', { column: 'h.age', bins: [0, 18, 120] }], totals: true });
    expect(compiled.sql).toContain('SELECT DISTINCT ON (pid)');
    expect(compiled.sql).toContain('GROUP BY pid, k0, k1'); // a person's rows in a cell are summed first
    expect(compiled.sql).toContain('GROUP BY CUBE (k0, k1)');
    expect(compiled.sql).toContain('GROUPING(k0, k1)');
  });

  it('under DP clamps values, draws keys from the declared domain and compiles one histogram per quantile', () => {
    const { compiled } = compile(
      { groupBy: ['h.iris'], measures: [{ fn: 'sum', column: 's.income' }, { fn: 'quantile', column: 'h.icuDays', q: 0.5 }], privacy: { mechanism: 'laplace', epsilon: 1 } },
      { mechanism: 'laplace' },
    );
    expect(compiled.sql).toMatch(/LEAST\(GREATEST\(COALESCE/);
    expect(compiled.sql).toContain('unnest($');
    expect(compiled.sql).toContain('LEFT JOIN');
    expect(compiled.summed).toEqual([{ ref: { datasetId: IDS.social, column: 'income' }, scale: 100, min: 0, max: 100000 }]);
    expect(compiled.quantiles).toHaveLength(1);
    expect(compiled.quantiles[0]).toMatchObject({ min: 0, max: 60, steps: 60 });
  });

  it('refuses to compile a plan whose catalogue lost a column', () => {
    const { plan } = compile({ groupBy: ['h.iris'] });
    const cat = catalogue();
    cat[0].columns = cat[0].columns.filter((c) => c.name !== 'iris');
    expect(() => compileAggregate(plan, cat)).toThrow(/catalogue lacks a column/);
  });

  it('compiles population differences with parameters for both populations', () => {
    const { plan: a, ctx } = compile({ where: [{ column: 'h.age', op: 'gte', value: 18 }] });
    const { plan: b } = compile({ where: [{ column: 'h.age', op: 'gte', value: 19 }] });
    const stmt = compileDifferencing(a, [b, b], ctx.catalogue);
    expect(stmt.sql).toContain('EXCEPT');
    expect(stmt.sql).toContain('AS diff1');
    expect(stmt.params).toEqual([18, 19, 19]);
  });

  it('compares each distinct earlier population once, and never a repeat of the current one', () => {
    const { plan: a, ctx } = compile({ where: [{ column: 'h.age', op: 'gte', value: 18 }] });
    const { plan: same } = compile({ where: [{ column: 'h.age', op: 'gte', value: 18 }], groupBy: [] });
    const { plan: b } = compile({ where: [{ column: 'h.age', op: 'gte', value: 19 }] });
    const { plan: c } = compile({ where: [{ column: 'h.age', op: 'gte', value: 20 }] });
    expect(distinctEarlierPopulations(a, [same, b, b, c, same, b], ctx.catalogue)).toEqual([b, c]);
  });
});
