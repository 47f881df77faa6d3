import { context, IDS, IRIS } from '../../../../test/computations/vault-fixture';
import { planComputation } from '../planning/planner';
import { parseQuery } from '../query/query';
import { compileAggregate } from '../sql/compiler';
import { releaseWithPrivacy, splitBudget } from './dp-release';
import { SeededRandomSource } from './random-source';
import { domainValues } from '../planning/domain';
import { effectivePolicy } from '../policy/policy';

const H = { datasetId: IDS.hospital, as: 'h' };

function setup(query: Record<string, unknown>, mechanism: 'laplace' | 'gaussian' = 'laplace', rounding = 0, maxCellsPerPerson?: number) {
  const ctx = context({ mechanism, rounding });
  if (maxCellsPerPerson !== undefined) {
    ctx.contracts = ctx.contracts.map((t) => ({ ...t, disclosure: { ...t.disclosure, privacy: { ...t.disclosure.privacy, maxCellsPerPerson } } }));
    ctx.policy = effectivePolicy(ctx.contracts, {});
  }
  const plan = planComputation(parseQuery({ datasets: [H], ...query }), ctx);
  return { plan, compiled: compileAggregate(plan, ctx.catalogue, { recordKeySecret: 'dp-bound-secret-for-tests' }), policy: ctx.policy, domain: domainValues(plan, new Map()) };
}
const laplace = { mechanism: 'laplace', epsilon: 1 };

describe('releaseWithPrivacy', () => {
  it('splits the budget equally between the noisy statistics', () => {
    const { plan, compiled } = setup({ measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }, { fn: 'mean', column: 'h.icuDays' }], privacy: laplace });
    expect(splitBudget(plan, compiled)).toEqual({ statistics: 2, epsilonEach: 0.5 }); // count + one sum (shared by the mean)
  });

  it('publishes every domain cell with noise, no suppression, rounding kept, and the epsilon spent', () => {
    const { plan, compiled, policy, domain } = setup({ groupBy: ['h.iris'], measures: [{ fn: 'count' }], privacy: laplace }, 'laplace', 5);
    const rows = [
      { k0: '340170101', n: 30 },
      { k0: '340170104', n: 0 },
    ];
    const r = releaseWithPrivacy(plan, compiled, rows, [], policy, new SeededRandomSource('release'), domain);
    expect(r.rows.map((x) => x['h.iris'])).toEqual(IRIS); // the whole declared domain, whatever the data hold
    expect(r.rows.every((x) => x.suppressed === false && (x.count as number) % 5 === 0 && (x.count as number) >= 0)).toBe(true);
    expect(r.disclosure).toEqual({ minCellSize: 11, primarySuppressed: 0, secondarySuppressed: 0, rounding: 5, perturbation: null });
    expect(r.privacy).toEqual({ mechanism: 'laplace', epsilonSpent: 1, maxCellsPerPerson: 1, boundedPersons: null });
  });

  it('adds noise: repeated releases of the same cell differ, and centre on the truth', () => {
    const { plan, compiled, policy, domain } = setup({ measures: [{ fn: 'count' }], privacy: laplace });
    const random = new SeededRandomSource('centre');
    const outs = Array.from({ length: 2000 }, () => releaseWithPrivacy(plan, compiled, [{ n: 100 }], [], policy, random, domain).rows[0].count as number);
    expect(new Set(outs).size).toBeGreaterThan(5);
    expect(Math.abs(outs.reduce((a, b) => a + b, 0) / outs.length - 100)).toBeLessThan(0.2);
  });

  it('derives margins from the noisy cells, so they add up', () => {
    const { plan, compiled, policy, domain } = setup({ groupBy: ['h.iris'], measures: [{ fn: 'count' }], totals: true, privacy: laplace });
    const rows = [{ k0: '340170101', n: 30 }, { k0: '340170102', n: 20 }];
    const r = releaseWithPrivacy(plan, compiled, rows, [], policy, new SeededRandomSource('margins'), domain);
    expect(r.rows.map((x) => x['h.iris'])).toEqual([...IRIS, '*']);
    expect(r.rows[4].count).toBe(r.rows.slice(0, 4).reduce((a, x) => a + (x.count as number), 0));
  });

  it('reports delta under the gaussian mechanism and keeps means within the declared bounds', () => {
    const { plan, compiled, policy, domain } = setup(
      { measures: [{ fn: 'mean', column: 'h.icuDays' }], privacy: { mechanism: 'gaussian', epsilon: 0.5, delta: 1e-7 } },
      'gaussian',
    );
    const r = releaseWithPrivacy(plan, compiled, [{ n: 3, s0: '180' }], [], policy, new SeededRandomSource('gauss'), domain);
    expect(r.privacy).toEqual({ mechanism: 'gaussian', epsilonSpent: 0.5, delta: 1e-7, maxCellsPerPerson: 1, boundedPersons: null });
    const mean = r.rows[0]['mean(h.icuDays)'];
    expect(mean === null || ((mean as number) >= 0 && (mean as number) <= 60)).toBe(true);
  });

  describe('persons in several cells (issue 13): at most L cells each', () => {
    const count = { groupBy: ['h.iris'], measures: [{ fn: 'count' }], privacy: laplace };

    it('takes L from the contracts (the smallest; default 1) and scales the count noise with it', () => {
      expect(setup(count).plan.privacy.maxCellsPerPerson).toBe(1);
      const spread = (L: number) => {
        const { plan, compiled, policy, domain } = setup(count, 'laplace', 0, L);
        expect(plan.privacy.maxCellsPerPerson).toBe(L);
        const random = new SeededRandomSource('L');
        const deviations: number[] = [];
        for (let i = 0; i < 400; i++) {
          const r = releaseWithPrivacy(plan, compiled, [{ k0: IRIS[0], n: 1000, bp: 0 }], [], policy, random, domain);
          deviations.push(Math.abs((r.rows[0].count as number) - 1000));
        }
        return deviations.reduce((a, b) => a + b, 0) / deviations.length;
      };
      // Laplace(L/ε): the mean absolute deviation is L/ε = L here.
      const one = spread(1);
      const four = spread(4);
      expect(one).toBeGreaterThan(0.5);
      expect(one).toBeLessThan(1.6);
      expect(four).toBeGreaterThan(3);
      expect(four).toBeLessThan(5.5);
    });

    it('says how many persons were bounded as a rounded count, withheld below the minimum cell size, never a list', () => {
      const { plan, compiled, policy, domain } = setup(count, 'laplace', 0, 2);
      const release = (bp: number[]) =>
        releaseWithPrivacy(plan, compiled, bp.map((b, i) => ({ k0: IRIS[i], n: 100, bp: b })), [], policy, new SeededRandomSource('bounded'), domain).privacy;
      expect(release([0, 0])).toMatchObject({ maxCellsPerPerson: 2, boundedPersons: null }); // zero reads like any small count
      expect(release([3, 4]).boundedPersons).toBeNull(); // 7 < minCellSize
      expect(release([30, 14]).boundedPersons).toBe(40);
      expect(release([30, 16]).boundedPersons).toBe(50);
    });
  });
});
