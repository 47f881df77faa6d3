import { COMMUNE_CODES, EMPTY, generateWorld, INCOME_BANDS, MIN_CELL, tabulate } from '../support/dataplane-data';
import {
  activeDataplaneUseCase,
  awaitComputation,
  budgetOf,
  buildFederation,
  contractsOf,
  datasetsOf,
  Federation,
  Json,
  runComputation,
  submitComputation,
} from '../support/dataplane';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { World } from '../support/world';

/** The committee caps the budget of the use case; the social body tightens its own contract below it. */
const MAX_EPSILON = 0.8;
const SOCIAL_EPSILON_TOTAL = 0.6;
/** Computations that together spend the whole budget. */
const K = 3;
/**
 * A noisy count further than this from the truth has probability below 1e-6 for the
 * whole table at the ε used here (Laplace scale 1/ε ≤ 5: P(|noise| > 80) ≈ e^-16 per cell).
 */
const NOISE_BOUND = 80;

/**
 * Differential privacy end to end: the contracts bind Laplace, the budget is the smallest
 * epsilonTotal among them, each computation spends its ε in the transaction that stores
 * its result, the last ε is spendable and nothing after it.
 */
describe('data plane: differential privacy and the privacy budget', () => {
  const data = generateWorld();
  let platform: TestPlatform;
  let fed: Federation;
  let useCase: Json;
  let budgetTotal: number;

  beforeAll(async () => {
    platform = await startTestPlatform();
    fed = await buildFederation(new World(platform), data);
    const laplace = { disclosure: { privacy: { mechanism: 'laplace' } } };
    useCase = await activeDataplaneUseCase(fed, {
      conditions: { minCellSize: MIN_CELL, maxEpsilon: MAX_EPSILON },
      patches: [
        { provider: fed.hospital, terms: laplace },
        { provider: fed.social, terms: { disclosure: { privacy: { mechanism: 'laplace', epsilonTotal: SOCIAL_EPSILON_TOTAL } } } },
        { provider: fed.insee, terms: laplace },
      ],
    });
  });
  afterAll(() => platform?.close());

  it('sets the budget to the smallest epsilonTotal among the contracts', async () => {
    const contracts = (await contractsOf(fed, useCase.id)).filter((c: Json) => c.current);
    expect(contracts).toHaveLength(3);
    const totals = contracts.map((c: Json) => c.terms.disclosure.privacy.epsilonTotal);
    // The decision's maxEpsilon capped every drafted contract; the social body went lower.
    expect(totals.sort()).toEqual([SOCIAL_EPSILON_TOTAL, MAX_EPSILON, MAX_EPSILON]);
    budgetTotal = Math.min(...totals);
    expect(await budgetOf(fed, useCase.id)).toMatchObject({ epsilonTotal: budgetTotal, epsilonSpent: 0, computationsUsed: 0 });
  });

  it('refuses an exact query, or an ε above the budget, where the contracts bind laplace (422)', async () => {
    const exact = await submitComputation(fed, useCase.id, { datasets: datasetsOf(fed), groupBy: ['s.incomeBand'], measures: [{ fn: 'count' }] });
    expect(exact.status).toBe(422);
    expect(exact.body.code).toBe('privacy_mechanism_mismatch');
    const gaussian = await submitComputation(fed, useCase.id, {
      datasets: datasetsOf(fed),
      groupBy: ['s.incomeBand'],
      measures: [{ fn: 'count' }],
      privacy: { mechanism: 'gaussian', epsilon: 0.1, delta: 1e-7 },
    });
    expect(gaussian.status).toBe(422);
    const greedy = await submitComputation(fed, useCase.id, {
      datasets: datasetsOf(fed),
      groupBy: ['s.incomeBand'],
      measures: [{ fn: 'count' }],
      privacy: { mechanism: 'laplace', epsilon: budgetTotal + 0.1 },
    });
    expect(greedy.status).toBe(422);
    expect((await budgetOf(fed, useCase.id)).epsilonSpent).toBe(0);
  });

  it('returns every cell of the declared domain under laplace, empty ones included, near the true counts', async () => {
    const epsilon = budgetTotal / K;
    const c = await runComputation(fed, useCase.id, {
      datasets: datasetsOf(fed),
      groupBy: ['h.commune', 's.incomeBand'],
      measures: [{ fn: 'count' }],
      privacy: { mechanism: 'laplace', epsilon },
    });
    expect(c.status).toBe('released');
    expect(c.result.privacy).toMatchObject({ mechanism: 'laplace', epsilonSpent: epsilon });
    const truth = tabulate(data.linked, (p) => `${p.commune}|${p.incomeBand}`);
    const domain = COMMUNE_CODES.flatMap((commune) => INCOME_BANDS.map((band) => `${commune}|${band}`));
    // The declared domain has cells nobody is in (the empty commune, bands absent from small communes).
    const empty = domain.filter((k) => !truth.has(k));
    expect(empty).toEqual(expect.arrayContaining(INCOME_BANDS.map((b) => `${EMPTY}|${b}`)));
    const rows: Json[] = c.result.rows;
    expect(rows.map((r) => `${r['h.commune']}|${r['s.incomeBand']}`).sort()).toEqual([...domain].sort());
    for (const row of rows) {
      expect(row.suppressed).toBe(false);
      expect(typeof row.count).toBe('number');
      expect(row.count).toBeGreaterThanOrEqual(0);
      const trueCount = truth.get(`${row['h.commune']}|${row['s.incomeBand']}`)?.persons ?? 0;
      expect(Math.abs(row.count - trueCount)).toBeLessThanOrEqual(NOISE_BOUND);
    }
    expect((await budgetOf(fed, useCase.id)).epsilonSpent).toBeCloseTo(epsilon, 9);
  });

  it('spends exactly the total over K computations, then rejects the next with budget_exhausted and spends nothing', async () => {
    const epsilon = budgetTotal / K;
    const query = (eps: number) => ({ datasets: datasetsOf(fed), groupBy: ['s.incomeBand'], measures: [{ fn: 'count' }], privacy: { mechanism: 'laplace', epsilon: eps } });
    // One computation of the K already ran in the previous test.
    for (let i = 2; i <= K; i++) {
      const c = await runComputation(fed, useCase.id, query(epsilon));
      expect(c.status).toBe('released');
      expect((await budgetOf(fed, useCase.id)).epsilonSpent).toBeCloseTo(i * epsilon, 9);
    }
    const spent = await budgetOf(fed, useCase.id);
    expect(spent).toMatchObject({ epsilonTotal: budgetTotal, computationsUsed: K });
    expect(spent.epsilonSpent).toBeCloseTo(budgetTotal, 9);

    // The submissions are well-formed (202): the refusal depends on history, so it is a rejected computation.
    for (const eps of [epsilon, 0.001]) {
      const res = await submitComputation(fed, useCase.id, query(eps));
      expect(res.status).toBe(202);
      const c = await awaitComputation(fed, res.body.id);
      expect(c.status).toBe('rejected');
      expect(c.rejection.code).toBe('budget_exhausted');
      expect(c.result).toBeUndefined();
    }
    const after = await budgetOf(fed, useCase.id);
    expect(after.epsilonSpent).toBe(spent.epsilonSpent);
    expect(after.computationsUsed).toBe(K);
  });

  it('never runs past the allowance when computations run at once: the usage row of the use case is counted and read back under its lock', async () => {
    const allowance = 2;
    const capped = await activeDataplaneUseCase(fed, {
      conditions: { minCellSize: MIN_CELL },
      patches: [{ provider: fed.hospital, terms: { maxComputations: allowance } }],
    });
    const query = { datasets: datasetsOf(fed), groupBy: ['s.incomeBand'], measures: [{ fn: 'count' }] };
    const submitted = await Promise.all(Array.from({ length: 2 * allowance }, () => submitComputation(fed, capped.id, query)));
    expect(submitted.map((r) => r.status)).toEqual(Array(2 * allowance).fill(202));
    const done = await Promise.all(submitted.map((r) => awaitComputation(fed, r.body.id)));
    expect(done.filter((c) => c.status === 'released')).toHaveLength(allowance);
    const refused = done.filter((c) => c.status === 'rejected');
    expect(refused.map((c) => c.rejection.code)).toEqual(Array(allowance).fill('max_computations'));
    expect((await budgetOf(fed, capped.id)).computationsUsed).toBe(allowance);
    // Refused at submission too, now that the allowance is used.
    const after = await submitComputation(fed, capped.id, query);
    const last = after.status === 202 ? await awaitComputation(fed, after.body.id) : after.body;
    expect(last.status === 'rejected' ? last.rejection.code : last.code).toBe('max_computations');
  });

  it('never overspends when computations run at once: the worker re-reads the budget under the use case lock, its own spend counted', async () => {
    const laplace = { disclosure: { privacy: { mechanism: 'laplace' } } };
    const other = await activeDataplaneUseCase(fed, {
      conditions: { minCellSize: MIN_CELL, maxEpsilon: MAX_EPSILON },
      patches: [
        { provider: fed.hospital, terms: laplace },
        { provider: fed.social, terms: laplace },
        { provider: fed.insee, terms: laplace },
      ],
    });
    const total = (await budgetOf(fed, other.id)).epsilonTotal;
    const fits = 4;
    const query = { datasets: datasetsOf(fed), groupBy: ['s.incomeBand'], measures: [{ fn: 'count' }], privacy: { mechanism: 'laplace', epsilon: total / fits } };
    // Twice what the budget covers, all queued before any runs: the worker's pre-checks all pass.
    const submitted = await Promise.all(Array.from({ length: 2 * fits }, () => submitComputation(fed, other.id, query)));
    expect(submitted.map((r) => r.status)).toEqual(Array(2 * fits).fill(202));
    const done = await Promise.all(submitted.map((r) => awaitComputation(fed, r.body.id)));
    expect(done.filter((c) => c.status === 'released')).toHaveLength(fits);
    const rejected = done.filter((c) => c.status === 'rejected');
    expect(rejected).toHaveLength(fits);
    for (const c of rejected) expect(c.rejection.code).toBe('budget_exhausted');
    const budget = await budgetOf(fed, other.id);
    expect(budget.computationsUsed).toBe(fits);
    expect(budget.epsilonSpent).toBeCloseTo(total, 9);
    // The usage the runs keep as they store agrees with the history it stands for: the ledger and the results.
    const { rows } = await platform.owner.query(
      `SELECT (SELECT count(*)::int FROM cadre.computations WHERE use_case_id = $1 AND status IN ('released','pending_release')) AS used,
              (SELECT sum(epsilon)::float8 FROM cadre.privacy_budget_ledger WHERE use_case_id = $1) AS spent`,
      [other.id],
    );
    expect(rows[0].used).toBe(budget.computationsUsed);
    expect(rows[0].spent).toBeCloseTo(budget.epsilonSpent, 9);
  });
});
