import { effectivePolicy, GrantingTerms } from './policy';

function contract(d: Partial<GrantingTerms['disclosure']>, extra: Partial<GrantingTerms> = {}): GrantingTerms {
  return {
    datasets: [],
    disclosure: { minCellSize: 11, dominance: { n: 1, k: 85 }, rounding: 0, privacy: { mechanism: 'none', epsilonTotal: 1, delta: 1e-6 }, ...d },
    maxComputations: 100,
    releaseMode: 'automatic',
    ...extra,
  };
}

describe('effectivePolicy (the strictest of every contract and of the decision)', () => {
  it('takes the largest minimum cell size, never below the platform 11', () => {
    expect(effectivePolicy([contract({ minCellSize: 15 }), contract({ minCellSize: 20 })], { minCellSize: 12 }).minCellSize).toBe(20);
    expect(effectivePolicy([contract({ minCellSize: 5 })], {}).minCellSize).toBe(11);
    expect(effectivePolicy([contract({})], { minCellSize: 30 }).minCellSize).toBe(30);
  });

  it('keeps every distinct dominance rule, since each contract binds its own', () => {
    const p = effectivePolicy([contract({ dominance: { n: 1, k: 85 } }), contract({ dominance: { n: 2, k: 90 } }), contract({})]);
    expect(p.dominance).toEqual([{ n: 1, k: 85 }, { n: 2, k: 90 }]);
  });

  it('rounds to a base that is a multiple of every required base', () => {
    expect(effectivePolicy([contract({ rounding: 5 }), contract({ rounding: 10 })]).rounding).toBe(10);
    expect(effectivePolicy([contract({ rounding: 5 })], { rounding: 3 }).rounding).toBe(15);
    expect(effectivePolicy([contract({ rounding: 0 })]).rounding).toBe(0);
  });

  it('takes the smallest budget and delta, and caps one computation by the decision', () => {
    const p = effectivePolicy(
      [contract({ privacy: { mechanism: 'laplace', epsilonTotal: 3, delta: 1e-6 } }), contract({ privacy: { mechanism: 'laplace', epsilonTotal: 2, delta: 1e-8 } })],
      { maxEpsilon: 0.5 },
    );
    expect(p.privacy).toEqual({ mechanism: 'laplace', epsilonTotal: 2, delta: 1e-8, maxEpsilonPerComputation: 0.5, maxCellsPerPerson: 1 });
  });

  it('marks contracts that bind different mechanisms as conflicting', () => {
    const p = effectivePolicy([contract({ privacy: { mechanism: 'laplace', epsilonTotal: 1, delta: 0 } }), contract({})]);
    expect(p.privacy.mechanism).toBe('conflicting');
  });

  it('requires provider review if any contract or the decision asks for it, and the smallest computation cap', () => {
    expect(effectivePolicy([contract({}), contract({}, { releaseMode: 'provider_review' })]).releaseMode).toBe('provider_review');
    expect(effectivePolicy([contract({})], { releaseMode: 'provider_review' }).releaseMode).toBe('provider_review');
    expect(effectivePolicy([contract({})]).releaseMode).toBe('automatic');
    expect(effectivePolicy([contract({}, { maxComputations: 7 }), contract({}, { maxComputations: 9 })], {}, 100).maxComputations).toBe(7);
    expect(effectivePolicy([contract({}, { maxComputations: 70 })], {}, 50).maxComputations).toBe(50);
  });
});
