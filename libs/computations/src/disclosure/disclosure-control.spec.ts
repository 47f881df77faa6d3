import { context, IDS, IRIS } from '../../../../test/computations/vault-fixture';
import { planComputation } from '../planning/planner';
import { effectivePolicy } from '../policy/policy';
import { parseQuery } from '../query/query';
import { compileAggregate } from '../sql/compiler';
import { domainValues } from '../planning/domain';
import { controlDisclosure, isDominated, RawCell } from './disclosure-control';
import { perturbationTable } from './ptable';

const H = { datasetId: IDS.hospital, as: 'h' };

/** A plan and its compiled form; `exact` turns rule 3 off, so rules 0–2, 4 and 5 are checked on exact values. */
function setup(query: Record<string, unknown>, conditions = {}, rounding = 0, exact = true) {
  const ctx = context({ rounding });
  ctx.policy = effectivePolicy(ctx.contracts, conditions);
  const planned = planComputation(parseQuery({ datasets: [H], ...query }), ctx);
  const plan = exact ? { ...planned, perturbation: null } : planned;
  const domain = domainValues(plan, new Map());
  return { plan, compiled: compileAggregate(plan, ctx.catalogue, { recordKeySecret: 'test-secret-0123456789' }), policy: ctx.policy, domain };
}
const sum = (values: number[]) => ({
  sum: values.reduce((a, b) => a + b, 0),
  contributors: values.length,
  absSum: values.reduce((a, b) => a + Math.abs(b), 0),
  top: values.map(Math.abs).sort((a, b) => b - a),
});

describe('controlDisclosure', () => {
  const query = { groupBy: ['h.iris'], measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }, { fn: 'mean', column: 'h.icuDays' }] };
  const [A, B, C, D] = IRIS;
  const suppressedRow = (iris: string, reason: string) => ({ 'h.iris': iris, count: null, 'sum(h.icuDays)': null, 'mean(h.icuDays)': null, suppressed: true, reason });

  it('publishes the whole declared domain in a stable order, and suppresses small and empty cells alike (rules 0, 1)', () => {
    const { plan, compiled, policy, domain } = setup(query);
    const cells: RawCell[] = [
      { keys: [B], count: 10, sums: [sum(Array(10).fill(2))], cellKey: 0 },
      { keys: [A], count: 11, sums: [sum(Array(11).fill(2))], cellKey: 0 },
    ];
    const r = controlDisclosure(plan, compiled, cells, policy, domain);
    expect(r.rows).toEqual([
      { 'h.iris': A, count: 11, 'sum(h.icuDays)': 22, 'mean(h.icuDays)': 2, suppressed: false },
      suppressedRow(B, 'min_cell_size'),
      // C and D hold nobody: they read exactly like B, which holds 10 persons.
      suppressedRow(C, 'min_cell_size'),
      suppressedRow(D, 'min_cell_size'),
    ]);
    expect(r.disclosure).toEqual({ minCellSize: 11, primarySuppressed: 3, secondarySuppressed: 0, rounding: 0, perturbation: null });
    expect(r.privacy).toEqual({ mechanism: 'none', epsilonSpent: 0 });
  });

  it('gives the same rows whatever the data hold: labels never come from the data', () => {
    const { plan, compiled, policy, domain } = setup(query);
    const one = controlDisclosure(plan, compiled, [{ keys: [C], count: 1, sums: [sum([7])], cellKey: 0 }], policy, domain);
    const none = controlDisclosure(plan, compiled, [], policy, domain);
    expect(one.rows).toEqual(none.rows);
  });

  it('fails closed when the data hold a cell outside the declared domain (rule 0), margins or not', () => {
    const { plan, compiled, policy, domain } = setup(query);
    expect(() => controlDisclosure(plan, compiled, [{ keys: ['not-declared'], count: 50, sums: [sum(Array(50).fill(1))], cellKey: 0 }], policy, domain)).toThrow(
      'outside the declared domain',
    );
    const withMargins = setup({ ...query, totals: true });
    expect(() => controlDisclosure(withMargins.plan, withMargins.compiled, [{ keys: [null], count: 50, sums: [sum(Array(50).fill(1))], cellKey: 0 }], withMargins.policy, withMargins.domain)).not.toThrow();
  });

  it('honours a larger minimum from the decision', () => {
    const { plan, compiled, policy, domain } = setup(query, { minCellSize: 20 });
    const r = controlDisclosure(plan, compiled, [{ keys: [A], count: 19, sums: [sum(Array(19).fill(1))], cellKey: 0 }], policy, domain);
    expect(r.rows[0].reason).toBe('min_cell_size');
  });

  it('suppresses a cell dominated by one contributor (rule 2), on absolute values', () => {
    const { plan, compiled, policy, domain } = setup(query);
    // 86 of 100 days come from one person: 86% > 85%.
    const dominated = [86, ...Array(14).fill(1)];
    const fine = [85, ...Array(15).fill(1)];
    expect(isDominated(sum(dominated), policy.dominance)).toBe(true);
    expect(isDominated(sum(fine), [{ n: 1, k: 85 }])).toBe(false); // 85/100 is not more than 85%
    expect(isDominated(sum([-90, ...Array(14).fill(1)]), [{ n: 1, k: 85 }])).toBe(true); // negative dominance counts
    const r = controlDisclosure(plan, compiled, [{ keys: [A], count: 15, sums: [sum(dominated)], cellKey: 0 }], policy, domain);
    expect(r.rows[0]).toMatchObject({ suppressed: true, reason: 'dominance', count: null, 'sum(h.icuDays)': null });
  });

  it('applies the n-largest rule of every contract', () => {
    expect(isDominated(sum([50, 45, ...Array(10).fill(0.5)]), [{ n: 1, k: 85 }, { n: 2, k: 90 }])).toBe(true);
    expect(isDominated(sum([50, 45, ...Array(10).fill(0.5)]), [{ n: 1, k: 85 }])).toBe(false);
  });

  it('rounds counts and sums to the rounding base; the mean is the sum over the count (rule 5)', () => {
    const { plan, compiled, policy, domain } = setup(query, { rounding: 5 });
    const values = [...Array(12).fill(3), 4]; // 13 persons, 40 days
    const r = controlDisclosure(plan, compiled, [{ keys: [A], count: 13, sums: [sum(values)], cellKey: 0 }], policy, domain);
    expect(r.rows[0]).toEqual({ 'h.iris': A, count: 15, 'sum(h.icuDays)': 40, 'mean(h.icuDays)': 3.08, suppressed: false });
    expect(r.disclosure.rounding).toBe(5);
  });

  it('adds secondary suppression only when margins are published (rule 4), empty cells included', () => {
    const cells = (): RawCell[] => [
      { keys: [A], count: 5, sums: [], cellKey: 0 },
      { keys: [B], count: 20, sums: [], cellKey: 0 },
      { keys: [C], count: 30, sums: [], cellKey: 0 },
      { keys: [null], count: 55, sums: [], cellKey: 0 },
    ];
    const withTotals = setup({ groupBy: ['h.iris'], measures: [{ fn: 'count' }], totals: true });
    const r = controlDisclosure(withTotals.plan, withTotals.compiled, cells(), withTotals.policy, withTotals.domain);
    // A (5) and D (0) are both primary: the line already has two hidden cells, nothing else is needed.
    expect(r.rows.map((x) => [x['h.iris'], x.count, x.reason ?? null])).toEqual([
      [A, null, 'min_cell_size'],
      [B, 20, null],
      [C, 30, null],
      [D, null, 'min_cell_size'],
      ['*', 55, null],
    ]);
    expect(r.disclosure).toMatchObject({ primarySuppressed: 2, secondarySuppressed: 0 });
    const filled = cells();
    filled.splice(3, 0, { keys: [D], count: 40, sums: [], cellKey: 0 });
    filled[4].count = 95;
    const r2 = controlDisclosure(withTotals.plan, withTotals.compiled, filled, withTotals.policy, withTotals.domain);
    expect(r2.rows.map((x) => [x['h.iris'], x.reason ?? null])).toEqual([[A, 'min_cell_size'], [B, 'secondary'], [C, null], [D, null], ['*', null]]);
    const plain = setup({ groupBy: ['h.iris'], measures: [{ fn: 'count' }] });
    expect(controlDisclosure(plain.plan, plain.compiled, cells().slice(0, 3), plain.policy, plain.domain).disclosure.secondarySuppressed).toBe(0);
  });

  it('labels bins as half-open intervals, every bin listed', () => {
    const { plan, compiled, policy, domain } = setup({ groupBy: [{ column: 'h.age', bins: [0, 18, 65, 120] }], measures: [{ fn: 'count' }] });
    const r = controlDisclosure(plan, compiled, [{ keys: [3], count: 12, sums: [], cellKey: 0 }, { keys: [2], count: 40, sums: [], cellKey: 0 }], policy, domain);
    expect(r.rows.map((x) => [x['h.age'], x.suppressed])).toEqual([['[0,18)', true], ['[18,65)', false], ['[65,120)', false]]);
  });

  describe('cell key perturbation (rule 3)', () => {
    const table = perturbationTable({ maxDeviation: 2, variance: 1, minCellSize: 11 });
    const cellKeys = Array.from({ length: 400 }, (_, i) => Math.floor(((i * 2654435761) % 4294967296)));

    it('keeps every released count within maxDeviation, never below minCellSize, and states its parameters', () => {
      const { plan, compiled, policy, domain } = setup(query, {}, 0, false);
      for (const n of [11, 12, 13, 14, 50]) {
        for (const cellKey of cellKeys.slice(0, 50)) {
          const values = Array(n).fill(2);
          const r = controlDisclosure(plan, compiled, [{ keys: [A], count: n, sums: [sum(values)], cellKey }], policy, domain);
          const count = r.rows[0].count as number;
          expect(count).toBeGreaterThanOrEqual(Math.max(11, n - 2));
          expect(count).toBeLessThanOrEqual(n + 2);
          // |released sum − true sum| ≤ maxDeviation × largest contribution (2 days).
          expect(Math.abs((r.rows[0]['sum(h.icuDays)'] as number) - 2 * n)).toBeLessThanOrEqual(2 * 2);
          expect(r.rows[0]['mean(h.icuDays)']).toBeCloseTo((r.rows[0]['sum(h.icuDays)'] as number) / count, 2);
          expect(r.disclosure.perturbation).toEqual({ method: 'cell_key', maxDeviation: 2, variance: 1 });
        }
      }
    });

    it('is deterministic in (cell key, count): the same persons give the same values', () => {
      const { plan, compiled, policy, domain } = setup(query, {}, 0, false);
      const cell = (): RawCell[] => [{ keys: [A], count: 40, sums: [sum(Array(40).fill(3))], cellKey: 123456789 }];
      expect(controlDisclosure(plan, compiled, cell(), policy, domain).rows).toEqual(controlDisclosure(plan, compiled, cell(), policy, domain).rows);
    });

    it('moves counts with the frequencies of the published table', () => {
      const { plan, compiled, policy, domain } = setup({ groupBy: ['h.iris'], measures: [{ fn: 'count' }] }, {}, 0, false);
      const seen = new Map<number, number>();
      const keys = Array.from({ length: 4000 }, (_, i) => Math.floor((i + 0.5) * (4294967296 / 4000)));
      for (const cellKey of keys) {
        const d = (controlDisclosure(plan, compiled, [{ keys: [A], count: 100, sums: [], cellKey }], policy, domain).rows[0].count as number) - 100;
        seen.set(d, (seen.get(d) ?? 0) + 1);
      }
      for (const { deviation, probability } of table.counts[table.counts.length - 1].deviations) {
        expect(Math.abs((seen.get(deviation) ?? 0) / keys.length - probability)).toBeLessThan(0.01);
      }
    });
  });

  describe('a mean per row (issue 13)', () => {
    const perRow = { groupBy: ['h.iris'], measures: [{ fn: 'mean', column: 'h.icuDays' }, { fn: 'mean', column: 'h.icuDays', per: 'row' }] };
    // 12 persons with 30 rows between them: 60 days in all.
    const cell = (cellKey: number): RawCell => ({ keys: [A], count: 12, rows: 30, sums: [sum([...Array(11).fill(5), 5])], cellKey });

    it('is named meanPerRow(…), divides by the rows of the cell where the mean divides by its persons', () => {
      const { plan, compiled, policy, domain } = setup(perRow);
      expect(compiled.rowCounted).toBe(true);
      const r = controlDisclosure(plan, compiled, [cell(0)], policy, domain);
      expect(r.columns).toEqual(['h.iris', 'mean(h.icuDays)', 'meanPerRow(h.icuDays)']);
      expect(r.rows[0]).toEqual({ 'h.iris': A, 'mean(h.icuDays)': 5, 'meanPerRow(h.icuDays)': 2, suppressed: false });
      // Suppressed like any measure of the cell.
      expect(r.rows[1]).toEqual({ 'h.iris': B, 'mean(h.icuDays)': null, 'meanPerRow(h.icuDays)': null, suppressed: true, reason: 'min_cell_size' });
    });

    it('under cell key perturbation, divides by a perturbed row count within ±maxDeviation, decided by the cell key alone', () => {
      const { plan, compiled, policy, domain } = setup(perRow, {}, 0, false);
      const D = plan.perturbation!.maxDeviation;
      const released = new Set<number>();
      for (let k = 0; k < 64; k++) {
        const ck = Math.floor((k / 64) * 4294967296);
        const r = controlDisclosure(plan, compiled, [cell(ck)], policy, domain);
        const again = controlDisclosure(plan, compiled, [cell(ck)], policy, domain);
        expect(again.rows).toEqual(r.rows);
        const mean = r.rows[0]['meanPerRow(h.icuDays)'] as number;
        // sum perturbed by at most D × the largest person total (5), rows by at most D.
        expect(mean).toBeGreaterThanOrEqual((60 - D * 5) / (30 + D) - 0.01);
        expect(mean).toBeLessThanOrEqual((60 + D * 5) / (30 - D) + 0.01);
        released.add(mean);
      }
      expect(released.size).toBeGreaterThan(1);
    });

    it('is refused under differential privacy (rows per person are not bounded there)', () => {
      const ctx = context({ mechanism: 'laplace' });
      expect(() =>
        planComputation(parseQuery({ datasets: [H], ...perRow, privacy: { mechanism: 'laplace', epsilon: 0.5 } }), ctx),
      ).toThrow(expect.objectContaining({ code: 'mean_per_row_without_dp' }));
    });
  });
});
