import { context, IDS, IRIS } from '../../../../test/computations/vault-fixture';
import { planComputation } from '../planning/planner';
import { parseQuery } from '../query/query';
import { compileAggregate } from '../sql/compiler';
import { releaseWithPrivacy, splitBudget } from './dp-release';
import { SeededRandomSource } from './random-source';
import { domainValues } from '../planning/domain';

const H = { datasetId: IDS.hospital, as: 'h' };

function setup(query: Record<string, unknown>, mechanism: 'laplace' | 'gaussian' = 'laplace', rounding = 0) {
  const ctx = context({ mechanism, rounding });
  const plan = planComputation(parseQuery({ datasets: [H], ...query }), ctx);
  return { plan, compiled: compileAggregate(plan, ctx.catalogue), policy: ctx.policy, domain: domainValues(plan, new Map()) };
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
    expect(r.privacy).toEqual({ mechanism: 'laplace', epsilonSpent: 1 });
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
    expect(r.privacy).toEqual({ mechanism: 'gaussian', epsilonSpent: 0.5, delta: 1e-7 });
    const mean = r.rows[0]['mean(h.icuDays)'];
    expect(mean === null || ((mean as number) >= 0 && (mean as number) <= 60)).toBe(true);
  });
});
