import 'reflect-metadata';
import { draftTerms } from './contract-terms';
import { mergeTerms } from './terms-policy';
import { termsShapeProblems } from './terms-schema';

describe('termsShapeProblems: the closed schema of complete terms', () => {
  const terms = draftTerms({
    datasets: [{ datasetId: '11111111-1111-4111-8111-111111111111', columns: ['age'] }],
    purpose: 'p',
    researchers: ['22222222-2222-4222-8222-222222222222'],
    startsAt: '2026-01-01T00:00:00Z',
    endsAt: '2026-12-31T00:00:00Z',
    maxComputations: 5,
    conditions: {},
  });

  it('accepts drafted terms, with or without the computations fields', () => {
    expect(termsShapeProblems(terms)).toEqual([]);
    expect(termsShapeProblems(mergeTerms(terms, { disclosure: { perturbation: { maxDeviation: 1, variance: 2 }, privacy: { maxCellsPerPerson: 3 } } }))).toEqual([]);
  });

  it('refuses arrays or scalars where objects belong, and unknown keys, naming the field', () => {
    const bad = (patch: unknown) => termsShapeProblems(mergeTerms(terms, patch as never)).map((p) => p.field);
    expect(bad({ disclosure: { dominance: [] } })).toContain('terms.disclosure.dominance');
    expect(bad({ disclosure: [{}] })).toContain('terms.disclosure');
    expect(bad({ disclosure: { privacy: 'none' } })).toContain('terms.disclosure.privacy');
    expect(bad({ disclosure: { surprise: 1 } })).toContain('terms.disclosure.surprise');
    expect(termsShapeProblems([])).toEqual([{ field: 'terms', message: 'must be an object' }]);
  });
});
