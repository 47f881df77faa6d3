import { context, IDS } from '../../../../test/computations/vault-fixture';
import { effectivePolicy } from '../policy/policy';
import { parseQuery } from '../query/query';
import { planComputation, PlanningContext } from './planner';

const H = { datasetId: IDS.hospital, as: 'h' };
const S = { datasetId: IDS.social, as: 's' };
const R = { datasetId: IDS.reference, as: 'ref' };

function plan(query: Record<string, unknown>, ctx: PlanningContext = context()) {
  return planComputation(parseQuery({ datasets: [H, S], measures: [{ fn: 'count' }], ...query }), ctx);
}
function code(query: Record<string, unknown>, ctx?: PlanningContext): string {
  try {
    plan(query, ctx);
  } catch (e) {
    expect((e as { kind: string }).kind).toBe('policy');
    return (e as { code: string }).code;
  }
  throw new Error('planned');
}

describe('planComputation', () => {
  it('plans a valid linked query with labels, bins and the dominance depth', () => {
    const p = plan({
      where: [{ column: 'h.age', op: 'gte', value: 18 }],
      groupBy: ['h.iris', { column: 'h.age', bins: [0, 18, 65, 120] }],
      measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }, { fn: 'mean', column: 's.income' }],
    });
    expect(p.groupBy.map((g) => [g.label, g.bins])).toEqual([['h.iris', undefined], ['h.age', [0, 18, 65, 120]]]);
    expect(p.measures.map((m) => m.label)).toEqual(['count', 'sum(h.icuDays)', 'mean(s.income)']);
    expect(p.where).toEqual([{ ref: { datasetId: IDS.hospital, column: 'age' }, op: 'gte', values: [18] }]);
    expect(p.privacy).toEqual({ mechanism: 'none', epsilon: 0, delta: 0 });
    expect(p.dominanceN).toBe(1);
  });

  describe('datasets', () => {
    it('refuses an unknown dataset', () => expect(code({ datasets: [{ datasetId: '0a000000-0000-4000-8000-0000000000ff', as: 'x' }] })).toBe('unknown_dataset'));
    it('refuses a dataset outside the use case', () => {
      const ctx = context();
      ctx.requestedDatasets = ctx.requestedDatasets.filter((d) => d.datasetId !== IDS.social);
      expect(code({}, ctx)).toBe('dataset_not_in_use_case');
    });
    it('refuses a dataset no contract covers', () => {
      const ctx = context();
      ctx.contracts = [ctx.contracts[0]];
      expect(code({}, ctx)).toBe('dataset_not_in_use_case');
    });
    it('refuses a dataset without data', () => {
      const ctx = context();
      ctx.catalogue[1].current = null;
      expect(code({}, ctx)).toBe('dataset_not_loaded');
    });
    it('refuses a duplicate alias and a dataset twice', () => {
      expect(code({ datasets: [H, { ...S, as: 'h' }] })).toBe('duplicate_alias');
      expect(code({ datasets: [H, { ...H, as: 'h2' }] })).toBe('duplicate_dataset');
    });
  });

  describe('columns', () => {
    it('refuses an unknown column or alias', () => {
      expect(code({ where: [{ column: 'h.salary', op: 'eq', value: 1 }] })).toBe('unknown_column');
      expect(code({ where: [{ column: 'z.age', op: 'eq', value: 1 }] })).toBe('unknown_column');
    });
    it.each([
      ['where', { where: [{ column: 'h.pid', op: 'eq', value: 'pseudo-001' }] }],
      ['groupBy', { groupBy: ['h.pid'] }],
      ['measures', { measures: [{ fn: 'sum', column: 's.pid' }] }],
      ['join', { datasets: [H, S, R], join: [{ left: 'h.pid', right: 'ref.code' }] }],
    ])('refuses the linkage key in %s', (_, q) => expect(code(q)).toBe('linkage_key_forbidden'));

    it('refuses a column one covering contract does not grant', () => {
      const ctx = context();
      ctx.contracts = [{ ...ctx.contracts[0], datasets: [{ datasetId: IDS.hospital, columns: ['iris', 'age'] }] }, ...ctx.contracts];
      expect(code({ measures: [{ fn: 'sum', column: 'h.icuDays' }] }, ctx)).toBe('column_not_granted');
      expect(plan({ groupBy: ['h.iris'] }, ctx).groupBy).toHaveLength(1);
    });
    it('refuses a column the use case did not request', () => {
      const ctx = context();
      ctx.requestedDatasets[0].columns = ['iris'];
      expect(code({ where: [{ column: 'h.age', op: 'gt', value: 1 }] }, ctx)).toBe('column_not_granted');
    });
  });

  describe('group by', () => {
    it('refuses the decision forbidden columns, alone or together', () => {
      const ctx = context();
      ctx.policy = effectivePolicy(ctx.contracts, { forbiddenGroupBy: [['hospital_stays.age', 'iris'], ['ward']] });
      expect(code({ groupBy: ['h.iris', 'h.age'] }, ctx)).toBe('forbidden_group_by');
      expect(code({ groupBy: ['h.iris', { column: 'h.age', bins: [0, 50, 120] }] }, ctx)).toBe('forbidden_group_by');
      expect(plan({ groupBy: ['h.iris'] }, ctx).groupBy).toHaveLength(1);
      expect(plan({ groupBy: ['h.age'] }, ctx).groupBy).toHaveLength(1);
    });
    it('refuses free text, raw decimals and binned non-numbers', () => {
      expect(code({ groupBy: ['h.ward'] })).toBe('column_not_groupable');
      expect(code({ groupBy: ['s.income'] })).toBe('column_not_groupable');
      expect(code({ groupBy: [{ column: 'h.iris', bins: [0, 1] }] })).toBe('column_not_groupable');
      expect(plan({ groupBy: [{ column: 's.income', bins: [0, 1000, 100000] }] }).groupBy[0].bins).toEqual([0, 1000, 100000]);
    });
    it('refuses the same column twice', () => expect(code({ groupBy: ['h.iris', 'h.iris'] })).toBe('duplicate_group_by'));
  });

  describe('the declared domain (rule 0)', () => {
    const catalogue = context().catalogue;
    it('lists the declared categories, every integer within the declared bounds, and booleans', () => {
      const p = plan({ groupBy: ['h.iris', 'h.age'] });
      expect(p.groupBy[0].categories).toEqual(catalogue[0].columns[1].categories);
      const { min, max } = catalogue[0].columns[2];
      expect(p.groupBy[1].categories).toEqual(Array.from({ length: max! - min! + 1 }, (_, i) => String(min! + i)));
    });
    it("takes a joined reference dataset's keys as the domain of the joined column", () => {
      const p = plan({ datasets: [H, S, R], join: [{ left: 'h.iris', right: 'ref.code' }], groupBy: ['ref.code'] });
      expect(p.groupBy[0].reference).toEqual({ datasetId: IDS.reference, column: 'code' });
    });
    it('refuses a group-by without a declared domain, with or without differential privacy', () => {
      const ctx = context();
      delete ctx.catalogue[0].columns[2].max; // age loses its upper bound
      expect(code({ groupBy: ['h.age'] }, ctx)).toBe('group_by_requires_domain');
      const dpCtx = context({ mechanism: 'laplace' });
      delete dpCtx.catalogue[0].columns[2].max;
      expect(code({ groupBy: ['h.age'], privacy: { mechanism: 'laplace', epsilon: 1 } }, dpCtx)).toBe('group_by_requires_domain');
    });
    it('refuses a domain above the cap, margins included, and accepts one at the cap', () => {
      // iris (4) × age 0..120 (121): 484 cells; with margins 5 × 122 = 610.
      expect(code({ groupBy: ['h.iris', 'h.age'] }, { ...context(), maxCells: 483 })).toBe('too_many_cells');
      expect(plan({ groupBy: ['h.iris', 'h.age'] }, { ...context(), maxCells: 484 }).groupBy).toHaveLength(2);
      expect(code({ groupBy: ['h.iris', 'h.age'], totals: true }, { ...context(), maxCells: 609 })).toBe('too_many_cells');
      expect(plan({ groupBy: ['h.iris', 'h.age'], totals: true }, { ...context(), maxCells: 610 }).totals).toBe(true);
    });
    it('carries the strictest perturbation of the contracts and the decision', () => {
      const ctx = context();
      expect(plan({}, ctx).perturbation).toEqual({ maxDeviation: 2, variance: 1 });
      ctx.contracts[0] = { ...ctx.contracts[0], disclosure: { ...ctx.contracts[0].disclosure, perturbation: { maxDeviation: 3 } } };
      ctx.policy = effectivePolicy(ctx.contracts, { perturbation: { variance: 2 } });
      expect(plan({}, ctx).perturbation).toEqual({ maxDeviation: 3, variance: 2 });
    });
  });

  describe('measures', () => {
    it('refuses a sum of a non-numeric column', () => expect(code({ measures: [{ fn: 'sum', column: 'h.iris' }] })).toBe('measure_not_numeric'));
    it('refuses a sum without declared bounds', () => {
      const ctx = context();
      delete ctx.catalogue[0].columns[3].max;
      expect(code({ measures: [{ fn: 'mean', column: 'h.icuDays' }] }, ctx)).toBe('sum_requires_bounds');
    });
    it('refuses a quantile without differential privacy', () => {
      expect(code({ measures: [{ fn: 'quantile', column: 'h.icuDays', q: 0.5 }] })).toBe('quantile_requires_dp');
    });
    it('refuses the same measure twice', () => expect(code({ measures: [{ fn: 'count' }, { fn: 'count' }] })).toBe('duplicate_measure'));
    describe('rate', () => {
      const join = [{ left: 'h.iris', right: 'ref.code' }];
      const rate = { fn: 'rate', of: 'count', per: 'ref.population', scale: 1000 };
      it('plans a rate per reference key, grouped on the joined key or not at all', () => {
        const p = plan({ datasets: [H, R], join, groupBy: ['h.iris'], measures: [rate] });
        expect(p.measures[0]).toEqual({
          label: 'rate(count/ref.population*1000)',
          fn: 'rate',
          rate: { of: 'count', per: { datasetId: IDS.reference, column: 'population' }, scale: 1000, key: { datasetId: IDS.reference, column: 'code' }, groupIndex: 0 },
        });
        expect(plan({ datasets: [H, R], join, measures: [{ ...rate, of: { sum: 'h.icuDays' } }] }).measures[0]).toMatchObject({ ref: { datasetId: IDS.hospital, column: 'icuDays' }, rate: { of: 'sum', groupIndex: -1 } });
      });
      it('refuses a grain finer than the reference key, so a denominator never meets part of its population', () => {
        expect(code({ datasets: [H, R], join, groupBy: ['h.iris', { column: 'h.age', bins: [0, 65, 120] }], measures: [rate] })).toBe('rate_grain_too_fine');
        expect(code({ datasets: [H, R], join, groupBy: [{ column: 'h.age', bins: [0, 65, 120] }], measures: [rate] })).toBe('rate_grain_too_fine');
      });
      it('refuses a denominator outside a joined reference dataset, and rate fields on other measures', () => {
        expect(code({ datasets: [H, R], join, measures: [{ ...rate, per: 'h.age' }] })).toBe('invalid_rate');
        expect(() => plan({ measures: [{ fn: 'count', per: 'ref.population' }] })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
      });
    });
  });

  describe('filters', () => {
    it.each([
      ['an ordering op on a category', { column: 'h.iris', op: 'lt', value: '3' }],
      ['a string on an integer column', { column: 'h.age', op: 'eq', value: '18' }],
      ['a decimal on an integer column', { column: 'h.age', op: 'eq', value: 18.5 }],
      ['a number on a category column', { column: 'h.iris', op: 'in', value: [1, 2] }],
      ['reversed between bounds', { column: 'h.age', op: 'between', value: [65, 18] }],
    ])('refuses %s', (_, f) => expect(code({ where: [f] })).toBe('invalid_filter'));
  });

  describe('joins', () => {
    it('joins a reference dataset on its reference key', () => {
      const p = plan({ datasets: [H, S, R], join: [{ left: 'h.iris', right: 'ref.code' }] });
      expect(p.joins).toEqual([{ left: { datasetId: IDS.hospital, column: 'iris' }, right: { datasetId: IDS.reference, column: 'code' } }]);
    });
    it.each([
      ['a reference dataset left unjoined', { datasets: [H, R] }],
      ['a join whose right side is not a reference key', { datasets: [H, R], join: [{ left: 'h.iris', right: 'ref.population' }] }],
      ['a join between person datasets', { join: [{ left: 'h.iris', right: 's.income' }] }],
      ['a reference dataset joined twice', { datasets: [H, R], join: [{ left: 'h.iris', right: 'ref.code' }, { left: 'h.age', right: 'ref.code' }] }],
      ['only reference data', { datasets: [R] }],
    ])('refuses %s', (_, q) => expect(code(q)).toBe('invalid_join'));
  });

  describe('differential privacy', () => {
    it('refuses a mechanism other than the contracts bind', () => {
      expect(code({ privacy: { mechanism: 'laplace', epsilon: 0.5 } })).toBe('privacy_mechanism_mismatch');
      expect(code({}, context({ mechanism: 'laplace' }))).toBe('privacy_mechanism_mismatch');
      const ctx = context({ mechanism: 'laplace' });
      ctx.contracts[1] = { ...ctx.contracts[1], disclosure: { ...ctx.contracts[1].disclosure, privacy: { mechanism: 'gaussian', epsilonTotal: 2, delta: 1e-6 } } };
      ctx.policy = effectivePolicy(ctx.contracts, {});
      expect(code({ privacy: { mechanism: 'laplace', epsilon: 0.5 } }, ctx)).toBe('privacy_mechanism_mismatch');
    });
    it('refuses an epsilon above the decision maximum and a delta above the contracts', () => {
      const ctx = context({ mechanism: 'laplace' });
      ctx.policy = effectivePolicy(ctx.contracts, { maxEpsilon: 0.5 });
      expect(code({ privacy: { mechanism: 'laplace', epsilon: 0.6 } }, ctx)).toBe('epsilon_above_max');
      expect(plan({ privacy: { mechanism: 'laplace', epsilon: 0.5 } }, ctx).privacy.epsilon).toBe(0.5);
      expect(code({ privacy: { mechanism: 'gaussian', epsilon: 0.5, delta: 1e-5 } }, context({ mechanism: 'gaussian' }))).toBe('delta_above_max');
    });
    it('takes the same declared domain as the exact path', () => {
      const ctx = context({ mechanism: 'laplace' });
      const dp = { mechanism: 'laplace', epsilon: 1 };
      const p = plan({ groupBy: ['h.iris', { column: 'h.age', bins: [0, 65, 120] }], privacy: dp }, ctx);
      expect(p.groupBy[0].categories).toEqual(ctx.catalogue[0].columns[1].categories);
      expect(p.perturbation).toBeNull();
    });
    it('refuses a domain too large to publish whole', () => {
      const bins = Array.from({ length: 51 }, (_, i) => i * 2);
      const dp = { mechanism: 'laplace', epsilon: 1 };
      const q = { groupBy: [{ column: 'h.age', bins }, { column: 'h.icuDays', bins }, { column: 's.income', bins }], privacy: dp };
      expect(code(q, context({ mechanism: 'laplace' }))).toBe('too_many_cells');
    });
  });
});
