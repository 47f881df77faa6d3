import fc from 'fast-check';
import { DecisionConditions, mergeConditions } from './conditions';

describe('merging the conditions of approving votes', () => {
  it('keeps the strictest value of every field', () => {
    const merged = mergeConditions([
      { minCellSize: 11, rounding: 5, maxEpsilon: 2, releaseMode: 'automatic', forbiddenGroupBy: [['h.iris']] },
      { minCellSize: 20, rounding: 3, maxEpsilon: 0.5 },
      { minCellSize: 15, rounding: 10, releaseMode: 'provider_review', forbiddenGroupBy: [['h.age', 'h.sex']] },
    ]);
    expect(merged).toEqual({
      minCellSize: 20,
      rounding: 10,
      maxEpsilon: 0.5,
      releaseMode: 'provider_review',
      forbiddenGroupBy: [['h.age', 'h.sex'], ['h.iris']],
    });
  });

  it('lets provider_review win over automatic in any order', () => {
    expect(mergeConditions([{ releaseMode: 'provider_review' }, { releaseMode: 'automatic' }]).releaseMode).toBe('provider_review');
    expect(mergeConditions([{ releaseMode: 'automatic' }, { releaseMode: 'provider_review' }]).releaseMode).toBe('provider_review');
    expect(mergeConditions([{ releaseMode: 'automatic' }]).releaseMode).toBe('automatic');
  });

  it('treats a forbidden column set as a set: order and repeats do not duplicate it', () => {
    expect(mergeConditions([{ forbiddenGroupBy: [['b', 'a']] }, { forbiddenGroupBy: [['a', 'b', 'a']] }]).forbiddenGroupBy).toEqual([['a', 'b']]);
  });

  it('adds no field nobody asked for', () => {
    expect(mergeConditions([])).toEqual({});
    expect(mergeConditions([{}, { rounding: 5 }])).toEqual({ rounding: 5 });
  });

  const conditions = fc.record(
    {
      minCellSize: fc.integer({ min: 2, max: 100 }),
      rounding: fc.integer({ min: 1, max: 50 }),
      maxEpsilon: fc.double({ min: 0.01, max: 10, noNaN: true }),
      releaseMode: fc.constantFrom('automatic' as const, 'provider_review' as const),
      forbiddenGroupBy: fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 3 }), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );

  it('is never looser than any single vote (property)', () => {
    fc.assert(
      fc.property(fc.array(conditions, { minLength: 1, maxLength: 6 }), (votes: DecisionConditions[]) => {
        const merged = mergeConditions(votes);
        for (const v of votes) {
          if (v.minCellSize !== undefined) expect(merged.minCellSize!).toBeGreaterThanOrEqual(v.minCellSize);
          if (v.rounding !== undefined) expect(merged.rounding!).toBeGreaterThanOrEqual(v.rounding);
          if (v.maxEpsilon !== undefined) expect(merged.maxEpsilon!).toBeLessThanOrEqual(v.maxEpsilon);
          if (v.releaseMode === 'provider_review') expect(merged.releaseMode).toBe('provider_review');
          for (const set of v.forbiddenGroupBy ?? []) {
            expect(merged.forbiddenGroupBy).toContainEqual([...new Set(set)].sort());
          }
        }
      }),
    );
  });

  it('does not depend on the order of the votes (property)', () => {
    fc.assert(
      fc.property(fc.array(conditions, { minLength: 1, maxLength: 5 }), (votes: DecisionConditions[]) => {
        expect(mergeConditions([...votes].reverse())).toEqual(mergeConditions(votes));
      }),
    );
  });

  it('keeps the strictest perturbation of the votes, field by field: the largest maximum deviation and variance', () => {
    expect(mergeConditions([{ perturbation: { maxDeviation: 3 } }, { perturbation: { maxDeviation: 2, variance: 4 } }, {}])).toEqual({ perturbation: { maxDeviation: 3, variance: 4 } });
    expect(mergeConditions([{ minCellSize: 12 }])).not.toHaveProperty('perturbation');
  });
});
