import fc from 'fast-check';
import { canonicalJson } from '@cadre/common';
import { ContractTerms, draftTerms, PLATFORM_DISCLOSURE_DEFAULTS } from './contract-terms';
import { looserFields, malformedFields, mergeTerms, nullPaths } from './terms-policy';

const DS_A = '11111111-1111-4111-8111-111111111111';
const DS_B = '22222222-2222-4222-8222-222222222222';
const R1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const R2 = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

function baseTerms(): ContractTerms {
  return {
    datasets: [
      { datasetId: DS_A, columns: ['iris', 'age', 'icuDays'] },
      { datasetId: DS_B, columns: ['iris', 'income'] },
    ],
    purpose: 'Map COVID risk by IRIS zone',
    researchers: [R1, R2],
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: '2026-12-31T00:00:00.000Z',
    disclosure: { minCellSize: 11, dominance: { n: 1, k: 85 }, rounding: 0, privacy: { mechanism: 'none', epsilonTotal: 1, delta: 1e-6 } },
    maxComputations: 100,
    releaseMode: 'automatic',
  };
}

describe('mergeTerms', () => {
  it('merges nested objects key by key and leaves siblings alone', () => {
    const merged = mergeTerms(baseTerms(), { disclosure: { dominance: { k: 70 } } });
    expect(merged.disclosure).toEqual({ minCellSize: 11, dominance: { n: 1, k: 70 }, rounding: 0, privacy: { mechanism: 'none', epsilonTotal: 1, delta: 1e-6 } });
    expect(merged.datasets).toEqual(baseTerms().datasets);
  });

  it('replaces arrays whole rather than merging them by index', () => {
    const merged = mergeTerms(baseTerms(), { datasets: [{ datasetId: DS_B, columns: ['iris'] }] });
    expect(merged.datasets).toEqual([{ datasetId: DS_B, columns: ['iris'] }]);
  });

  it('never mutates the current terms or the patch', () => {
    const current = baseTerms();
    const patch = { disclosure: { privacy: { mechanism: 'laplace' as const } }, researchers: [R1] };
    const snapshot = [canonicalJson(current), canonicalJson(patch)];
    const merged = mergeTerms(current, patch);
    merged.disclosure.privacy.epsilonTotal = 0.1;
    merged.researchers.push('x');
    expect([canonicalJson(current), canonicalJson(patch)]).toEqual(snapshot);
  });

  it('is the identity for an empty patch, and idempotent (property)', () => {
    fc.assert(
      fc.property(fc.record({ minCellSize: fc.integer({ min: 1, max: 100 }), k: fc.integer({ min: 1, max: 100 }), rounding: fc.integer({ min: 0, max: 50 }) }, { requiredKeys: [] }), (p) => {
        const patch = { disclosure: { minCellSize: p.minCellSize, rounding: p.rounding, dominance: { k: p.k } } };
        const once = mergeTerms(baseTerms(), patch);
        expect(mergeTerms(once, patch)).toEqual(once);
        expect(mergeTerms(baseTerms(), {})).toEqual(baseTerms());
        if (p.k !== undefined) expect(once.disclosure.dominance).toEqual({ n: 1, k: p.k });
      }),
    );
  });

  it('finds null values at any depth', () => {
    expect(nullPaths({ disclosure: { privacy: { delta: null } }, researchers: [null] })).toEqual(['terms.disclosure.privacy.delta', 'terms.researchers[0]']);
    expect(nullPaths({ purpose: 'x' })).toEqual([]);
  });
});

describe('looserFields (stricter only)', () => {
  const fieldsOf = (patch: Parameters<typeof mergeTerms>[1]) => looserFields(baseTerms(), mergeTerms(baseTerms(), patch)).map((p) => p.field);

  it('accepts every tightening at once', () => {
    expect(
      fieldsOf({
        datasets: [{ datasetId: DS_A, columns: ['iris', 'age'] }],
        researchers: [R2],
        validFrom: '2026-02-01T00:00:00.000Z',
        validUntil: '2026-06-30T00:00:00.000Z',
        disclosure: { minCellSize: 20, dominance: { n: 2, k: 60 }, rounding: 5, privacy: { mechanism: 'laplace', epsilonTotal: 0.5, delta: 1e-9 } },
        maxComputations: 10,
        releaseMode: 'provider_review',
      }),
    ).toEqual([]);
  });

  it.each([
    [{ datasets: [{ datasetId: DS_A, columns: ['iris', 'age', 'icuDays', 'postcode'] }] }, 'terms.datasets[0].columns'],
    [{ datasets: [{ datasetId: '33333333-3333-4333-8333-333333333333', columns: ['x'] }] }, 'terms.datasets[0].datasetId'],
    [{ purpose: 'Something else' }, 'terms.purpose'],
    [{ researchers: [R1, R2, 'cccccccc-cccc-4ccc-8ccc-cccccccccccc'] }, 'terms.researchers'],
    [{ validFrom: '2025-12-01T00:00:00.000Z' }, 'terms.validFrom'],
    [{ validUntil: '2027-01-01T00:00:00.000Z' }, 'terms.validUntil'],
    [{ disclosure: { minCellSize: 5 } }, 'terms.disclosure.minCellSize'],
    [{ disclosure: { dominance: { k: 90 } } }, 'terms.disclosure.dominance.k'],
    [{ disclosure: { privacy: { epsilonTotal: 2 } } }, 'terms.disclosure.privacy.epsilonTotal'],
    [{ disclosure: { privacy: { delta: 1e-3 } } }, 'terms.disclosure.privacy.delta'],
    [{ maxComputations: 101 }, 'terms.maxComputations'],
  ])('refuses a looser %j', (patch, field) => {
    expect(fieldsOf(patch as never)).toEqual([field]);
  });

  it('treats a lower dominance n, less rounding, weaker DP and automatic release as looser', () => {
    const strict = mergeTerms(baseTerms(), {
      disclosure: { dominance: { n: 3 }, rounding: 10, privacy: { mechanism: 'laplace' } },
      releaseMode: 'provider_review',
    });
    const back = mergeTerms(strict, { disclosure: { dominance: { n: 2 }, rounding: 5, privacy: { mechanism: 'gaussian' } }, releaseMode: 'automatic' });
    expect(looserFields(strict, back).map((p) => p.field)).toEqual([
      'terms.disclosure.dominance.n',
      'terms.disclosure.rounding',
      'terms.disclosure.privacy.mechanism',
      'terms.releaseMode',
    ]);
    expect(looserFields(strict, mergeTerms(strict, { disclosure: { privacy: { mechanism: 'none' } } })).map((p) => p.field)).toEqual([
      'terms.disclosure.privacy.mechanism',
    ]);
  });

  it('lists every loosened field, not just the first', () => {
    expect(fieldsOf({ disclosure: { minCellSize: 3, dominance: { n: 1, k: 99 } }, maxComputations: 1000 })).toEqual([
      'terms.disclosure.minCellSize',
      'terms.disclosure.dominance.k',
      'terms.maxComputations',
    ]);
  });

  it('is a preorder: reflexive, and tighter-of-tighter is tighter (property)', () => {
    const tighten = fc.record({
      minCellSize: fc.integer({ min: 0, max: 20 }),
      n: fc.integer({ min: 0, max: 3 }),
      k: fc.integer({ min: 0, max: 80 }),
      rounding: fc.integer({ min: 0, max: 10 }),
      eps: fc.double({ min: 0, max: 0.99, noNaN: true }),
      max: fc.integer({ min: 0, max: 99 }),
      shiftDays: fc.integer({ min: 0, max: 100 }),
    });
    type Tightening = { minCellSize: number; n: number; k: number; rounding: number; eps: number; max: number; shiftDays: number };
    const apply = (t: ContractTerms, s: Tightening): ContractTerms =>
      mergeTerms(t, {
        validFrom: new Date(Date.parse(t.validFrom) + s.shiftDays * 86_400_000).toISOString(),
        disclosure: {
          minCellSize: t.disclosure.minCellSize + s.minCellSize,
          dominance: { n: t.disclosure.dominance.n + s.n, k: Math.max(1, t.disclosure.dominance.k - s.k) },
          rounding: t.disclosure.rounding + s.rounding,
          privacy: { epsilonTotal: t.disclosure.privacy.epsilonTotal * (1 - s.eps) },
        },
        maxComputations: Math.max(0, t.maxComputations - s.max),
      });
    fc.assert(
      fc.property(tighten, tighten, (s1, s2) => {
        const t0 = baseTerms();
        const t1 = apply(t0, s1);
        const t2 = apply(t1, s2);
        expect(looserFields(t1, t1)).toEqual([]);
        expect(looserFields(t0, t1)).toEqual([]);
        expect(looserFields(t1, t2)).toEqual([]);
        expect(looserFields(t0, t2)).toEqual([]);
      }),
    );
  });
});

describe('malformedFields', () => {
  it('refuses an empty window and duplicates', () => {
    const t = mergeTerms(baseTerms(), {
      validFrom: '2026-12-31T00:00:00.000Z',
      datasets: [
        { datasetId: DS_A, columns: ['iris', 'iris'] },
        { datasetId: DS_A, columns: ['age'] },
      ],
      researchers: [R1, R1],
    });
    expect(malformedFields(t).map((p) => p.field).sort()).toEqual(
      ['terms.datasets[0].columns', 'terms.datasets[1].datasetId', 'terms.researchers', 'terms.validUntil'].sort(),
    );
    expect(malformedFields(baseTerms())).toEqual([]);
  });
});

describe('draftTerms', () => {
  const input = {
    datasets: [{ datasetId: DS_A, columns: ['iris', 'age'] }],
    purpose: 'Map COVID risk',
    researchers: [R1],
    startsAt: new Date('2026-01-01T00:00:00Z'),
    endsAt: '2026-12-31T00:00:00Z',
    maxComputations: 50,
  };

  it('starts from the platform defaults when there is no condition', () => {
    const t = draftTerms({ ...input, conditions: {} });
    expect(t.disclosure).toEqual({ ...PLATFORM_DISCLOSURE_DEFAULTS, forbiddenGroupBy: [] });
    expect(t.releaseMode).toBe('automatic');
    expect(t.validUntil).toBe('2026-12-31T00:00:00.000Z');
    expect(t.maxComputations).toBe(50);
  });

  it('tightens the defaults with the conditions and never loosens them', () => {
    const t = draftTerms({ ...input, conditions: { minCellSize: 15, rounding: 5, maxEpsilon: 0.5, releaseMode: 'provider_review', forbiddenGroupBy: [['age']] } });
    expect(t.disclosure.minCellSize).toBe(15);
    expect(t.disclosure.rounding).toBe(5);
    expect(t.disclosure.privacy.epsilonTotal).toBe(0.5);
    expect(t.releaseMode).toBe('provider_review');
    expect(t.disclosure.forbiddenGroupBy).toEqual([['age']]); // the forbidden crossing is part of the signed terms
    const lax = draftTerms({ ...input, conditions: { minCellSize: 3, maxEpsilon: 10 } });
    expect(lax.disclosure.minCellSize).toBe(PLATFORM_DISCLOSURE_DEFAULTS.minCellSize);
    expect(lax.disclosure.privacy.epsilonTotal).toBe(PLATFORM_DISCLOSURE_DEFAULTS.privacy.epsilonTotal);
  });
});

describe('looserFields on forbidden crossings and the computations terms', () => {
  const base = draftTerms({
    datasets: [{ datasetId: DS_A, columns: ['iris', 'age'] }],
    purpose: 'p',
    researchers: [R1],
    startsAt: '2026-01-01T00:00:00Z',
    endsAt: '2026-12-31T00:00:00Z',
    maxComputations: 5,
    conditions: { forbiddenGroupBy: [['iris', 'age']] },
  });
  const fields = (after: ReturnType<typeof draftTerms>) => looserFields(base, after).map((p) => p.field);

  it('refuses dropping a forbidden set, accepts adding one (sets compared whatever their order)', () => {
    expect(fields(mergeTerms(base, { disclosure: { forbiddenGroupBy: [] } }))).toEqual(['terms.disclosure.forbiddenGroupBy']);
    expect(fields(mergeTerms(base, { disclosure: { forbiddenGroupBy: [['age', 'iris'], ['sex']] } }))).toEqual([]);
  });

  it('treats a larger perturbation and a smaller maxCellsPerPerson as stricter', () => {
    const strict = mergeTerms(base, { disclosure: { perturbation: { maxDeviation: 2, variance: 4 }, privacy: { maxCellsPerPerson: 3 } } });
    expect(looserFields(strict, mergeTerms(strict, { disclosure: { perturbation: { maxDeviation: 3 }, privacy: { maxCellsPerPerson: 2 } } }))).toEqual([]);
    expect(looserFields(strict, mergeTerms(strict, { disclosure: { perturbation: { variance: 1 }, privacy: { maxCellsPerPerson: 9 } } })).map((p) => p.field).sort()).toEqual([
      'terms.disclosure.perturbation.variance',
      'terms.disclosure.privacy.maxCellsPerPerson',
    ]);
  });
});
