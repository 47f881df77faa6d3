import { context, IDS } from '../../../../test/computations/vault-fixture';
import { planComputation } from '../planning/planner';
import { effectivePolicy } from '../policy/policy';
import { parseQuery } from '../query/query';
import { compileAggregate } from '../sql/compiler';
import { controlDisclosure, isDominated, RawCell } from './disclosure-control';

const H = { datasetId: IDS.hospital, as: 'h' };

function setup(query: Record<string, unknown>, conditions = {}, rounding = 0) {
  const ctx = context({ rounding });
  ctx.policy = effectivePolicy(ctx.contracts, conditions);
  const plan = planComputation(parseQuery({ datasets: [H], ...query }), ctx);
  return { plan, compiled: compileAggregate(plan, ctx.catalogue), policy: ctx.policy };
}
const sum = (values: number[]) => ({
  sum: values.reduce((a, b) => a + b, 0),
  contributors: values.length,
  absSum: values.reduce((a, b) => a + Math.abs(b), 0),
  top: values.map(Math.abs).sort((a, b) => b - a),
});

describe('controlDisclosure', () => {
  const query = { groupBy: ['h.iris'], measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }, { fn: 'mean', column: 'h.icuDays' }] };

  it('suppresses a cell under the minimum size with every measure (rule 1)', () => {
    const { plan, compiled, policy } = setup(query);
    const cells: RawCell[] = [
      { keys: ['A'], count: 11, sums: [sum(Array(11).fill(2))] },
      { keys: ['B'], count: 10, sums: [sum(Array(10).fill(2))] },
    ];
    const r = controlDisclosure(plan, compiled, cells, policy);
    expect(r.rows).toEqual([
      { 'h.iris': 'A', count: 11, 'sum(h.icuDays)': 22, 'mean(h.icuDays)': 2, suppressed: false },
      { 'h.iris': 'B', count: null, 'sum(h.icuDays)': null, 'mean(h.icuDays)': null, suppressed: true, reason: 'min_cell_size' },
    ]);
    expect(r.disclosure).toEqual({ minCellSize: 11, primarySuppressed: 1, secondarySuppressed: 0, rounding: 0 });
    expect(r.privacy).toEqual({ mechanism: 'none', epsilonSpent: 0 });
  });

  it('honours a larger minimum from the decision', () => {
    const { plan, compiled, policy } = setup(query, { minCellSize: 20 });
    const r = controlDisclosure(plan, compiled, [{ keys: ['A'], count: 19, sums: [sum(Array(19).fill(1))] }], policy);
    expect(r.rows[0].reason).toBe('min_cell_size');
  });

  it('suppresses a cell dominated by one contributor (rule 2), on absolute values', () => {
    const { plan, compiled, policy } = setup(query);
    // 86 of 100 days come from one person: 86% > 85%.
    const dominated = [86, ...Array(14).fill(1)];
    const fine = [85, ...Array(15).fill(1)];
    expect(isDominated(sum(dominated), policy.dominance)).toBe(true);
    expect(isDominated(sum(fine), [{ n: 1, k: 85 }])).toBe(false); // 85/100 is not more than 85%
    expect(isDominated(sum([-90, ...Array(14).fill(1)]), [{ n: 1, k: 85 }])).toBe(true); // negative dominance counts
    const r = controlDisclosure(plan, compiled, [{ keys: ['A'], count: 15, sums: [sum(dominated)] }], policy);
    expect(r.rows[0]).toMatchObject({ suppressed: true, reason: 'dominance', count: null, 'sum(h.icuDays)': null });
  });

  it('applies the n-largest rule of every contract', () => {
    expect(isDominated(sum([50, 45, ...Array(10).fill(0.5)]), [{ n: 1, k: 85 }, { n: 2, k: 90 }])).toBe(true);
    expect(isDominated(sum([50, 45, ...Array(10).fill(0.5)]), [{ n: 1, k: 85 }])).toBe(false);
  });

  it('rounds counts and sums to the rounding base and computes the mean from the unrounded sum (rule 4)', () => {
    const { plan, compiled, policy } = setup(query, { rounding: 5 });
    const values = [...Array(12).fill(3), 4]; // 13 persons, 40 days
    const r = controlDisclosure(plan, compiled, [{ keys: ['A'], count: 13, sums: [sum(values)] }], policy);
    expect(r.rows[0]).toEqual({ 'h.iris': 'A', count: 15, 'sum(h.icuDays)': 40, 'mean(h.icuDays)': 3.08, suppressed: false });
    expect(r.disclosure.rounding).toBe(5);
  });

  it('adds secondary suppression only when margins are published (rule 3)', () => {
    const cells = (): RawCell[] => [
      { keys: ['A'], count: 5, sums: [] },
      { keys: ['B'], count: 20, sums: [] },
      { keys: ['C'], count: 30, sums: [] },
      { keys: [null], count: 55, sums: [] },
    ];
    const withTotals = setup({ groupBy: ['h.iris'], measures: [{ fn: 'count' }], totals: true });
    const r = controlDisclosure(withTotals.plan, withTotals.compiled, cells(), withTotals.policy);
    expect(r.rows.map((x) => [x['h.iris'], x.count, x.reason ?? null])).toEqual([
      ['A', null, 'min_cell_size'],
      ['B', null, 'secondary'],
      ['C', 30, null],
      ['*', 55, null],
    ]);
    expect(r.disclosure).toMatchObject({ primarySuppressed: 1, secondarySuppressed: 1 });
    const plain = setup({ groupBy: ['h.iris'], measures: [{ fn: 'count' }] });
    expect(controlDisclosure(plain.plan, plain.compiled, cells().slice(0, 3), plain.policy).disclosure.secondarySuppressed).toBe(0);
  });

  it('labels bins as half-open intervals', () => {
    const { plan, compiled, policy } = setup({ groupBy: [{ column: 'h.age', bins: [0, 18, 65, 120] }], measures: [{ fn: 'count' }] });
    const r = controlDisclosure(plan, compiled, [{ keys: [3], count: 12, sums: [] }, { keys: [2], count: 40, sums: [] }], policy);
    expect(r.rows.map((x) => x['h.age'])).toEqual(['[18,65)', '[65,120)']);
  });
});
