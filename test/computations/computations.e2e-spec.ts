import { Readable } from 'node:stream';
import { RunComputationHandler } from '@cadre/computations';
import { UploadsService } from '@cadre/datasets';
import { Signer } from '@cadre/identity';
import { contractOf, signAllContracts } from '../support/contracts';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { createWorld, Member, TestDataset, TrustedUseCase, World } from '../support/world';

type Json = any;

const IRIS = ['340170101', '340170102', '340170103', '340170104'];
const COLUMNS = [
  { name: 'nir', type: 'text', role: 'linkage_key' },
  { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 120 },
  { name: 'iris', type: 'category', role: 'quasi_identifier', categories: IRIS },
  { name: 'icuDays', type: 'integer', role: 'sensitive', min: 0, max: 60 },
] as const;

/**
 * 60 persons, written so every expectation below is computed by hand:
 * …101: 30 persons aged 40 with 2 ICU days; …102: 15 aged 70 with 3 days;
 * …103: 12 aged 30, 0 days except one with 50 (dominates its cell); …104: 3 aged 20 with 1 day.
 */
function csv(): string {
  const lines = ['nir,age,iris,icuDays'];
  const nir = (i: number) => `1${String(i).padStart(14, '0')}`;
  for (let i = 0; i < 30; i++) lines.push(`${nir(i)},40,${IRIS[0]},2`);
  for (let i = 30; i < 45; i++) lines.push(`${nir(i)},70,${IRIS[1]},3`);
  for (let i = 45; i < 57; i++) lines.push(`${nir(i)},30,${IRIS[2]},${i === 45 ? 50 : 0}`);
  for (let i = 57; i < 60; i++) lines.push(`${nir(i)},20,${IRIS[3]},1`);
  return `${lines.join('\n')}\n`;
}

describe('computations over HTTP (the data plane, end to end)', () => {
  let platform: TestPlatform;
  let world: World;
  let requester: Member;
  let provider: Member;
  let outsider: Member;
  let dataset: TestDataset;

  const researcher = () => requester.user('researcher');
  const as = (token: string) => world.as(token);

  async function waitFor(id: string, token = researcher().token): Promise<Json> {
    for (let i = 0; i < 200; i++) {
      const res = await as(token).get(`/api/v1/computations/${id}`);
      if (!['queued', 'running'].includes(res.body.status)) return res.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`computation ${id} did not finish`);
  }

  async function submit(useCaseId: string, query: Json, headers: Record<string, string> = {}) {
    const req = as(researcher().token).post(`/api/v1/use-cases/${useCaseId}/computations`);
    for (const [k, v] of Object.entries(headers)) req.set(k, v);
    return req.send({ query });
  }

  async function run(useCaseId: string, query: Json): Promise<Json> {
    const res = await submit(useCaseId, query);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'queued' });
    return waitFor(res.body.id);
  }

  const h = () => ({ datasetId: dataset.id, as: 'h' });

  async function useCase(options: { conditions?: Json; laplace?: number } = {}): Promise<TrustedUseCase> {
    const trusted = await world.trustedUseCase({
      requester,
      providers: [provider],
      datasets: [dataset],
      conditions: options.conditions ? [options.conditions, options.conditions, options.conditions] : undefined,
    });
    if (options.laplace !== undefined) {
      const contract = await contractOf(world, trusted.useCase.id, provider.id);
      const res = await as(provider.admin.token)
        .patch(`/api/v1/contracts/${contract.id}`)
        .send({ terms: { disclosure: { privacy: { mechanism: 'laplace', epsilonTotal: options.laplace } } } });
      expect(res.status).toBe(200);
    }
    const active = await signAllContracts(world, trusted);
    expect(active.status).toBe('active');
    return { ...trusted, useCase: active };
  }

  beforeAll(async () => {
    platform = await startTestPlatform();
    world = createWorld(platform);
    requester = await world.createMember('health', ['researcher']);
    provider = await world.createMember('public_institutions', ['data_steward']);
    outsider = await world.createMember('academia', ['researcher', 'data_steward']);
    dataset = await world.createDataset(provider, { columns: COLUMNS as never });
    const steward = provider.user('data_steward');
    const upload = await platform.app.get(UploadsService, { strict: false }).upload({ id: steward.id, organisationId: provider.id }, dataset.id, Readable.from([csv()]));
    expect(upload).toMatchObject({ status: 'succeeded', rowsAccepted: 60 });
  });
  afterAll(() => platform?.close());

  describe('an exact (non-DP) use case released automatically', () => {
    let uc: TrustedUseCase;
    beforeAll(async () => {
      uc = await useCase();
    });

    it('releases a signed result in which each disclosure rule is honoured', async () => {
      const done = await run(uc.useCase.id, { datasets: [h()], groupBy: ['h.iris'], measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }] });
      expect(done.status).toBe('released');
      expect(done.result.rows.map((r: Record<string, unknown>) => [r['h.iris'], r.suppressed, r.reason ?? null])).toEqual([
        [IRIS[0], false, null],
        [IRIS[1], false, null],
        [IRIS[2], true, 'dominance'],
        [IRIS[3], true, 'min_cell_size'],
      ]);
      // Rule 3: within maxDeviation (2) of the uploaded truth, sums within 2 × the largest contribution.
      const truth = [{ count: 30, sum: 60, largest: 2 }, { count: 15, sum: 45, largest: 3 }];
      truth.forEach((t, i) => {
        const row = done.result.rows[i];
        expect(Math.abs(row.count - t.count)).toBeLessThanOrEqual(2);
        expect(Math.abs(row['sum(h.icuDays)'] - t.sum)).toBeLessThanOrEqual(2 * t.largest);
      });
      for (const row of done.result.rows.slice(2)) expect([row.count, row['sum(h.icuDays)']]).toEqual([null, null]);
      expect(done.result.disclosure).toEqual({
        minCellSize: 11,
        primarySuppressed: 2,
        secondarySuppressed: 0,
        rounding: 0,
        perturbation: { method: 'cell_key', maxDeviation: 2, variance: 1 },
      });
      expect(done.result.datasetVersions).toEqual([{ datasetId: dataset.id, version: 1 }]);
      expect(done.result.privacy).toEqual({ mechanism: 'none', epsilonSpent: 0 });
      const verified = await platform.app.get(Signer, { strict: false }).verify(done.result.signature);
      expect(verified.valid).toBe(true);
      expect(verified.payload).toMatchObject({ computationId: done.id, rows: done.result.rows });

      const file = await as(researcher().token).get(`/api/v1/computations/${done.id}/result.csv`);
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toMatch(/text\/csv/);
      expect(file.text.split('\r\n')[0]).toBe('h.iris,count,sum(h.icuDays),suppressed,reason');
      expect(file.text).toContain(`${IRIS[3]},,,true,min_cell_size`);
    });

    it('answers the first computation again for a repeated Idempotency-Key', async () => {
      const query = { datasets: [h()], measures: [{ fn: 'count' }] };
      const first = await submit(uc.useCase.id, query, { 'Idempotency-Key': 'run-42' });
      const again = await submit(uc.useCase.id, query, { 'Idempotency-Key': 'run-42' });
      expect(first.status).toBe(202);
      expect(again.status).toBe(202);
      expect(again.body).toEqual(first.body);
      const reused = await submit(uc.useCase.id, { ...query, totals: true }, { 'Idempotency-Key': 'run-42' });
      expect(reused.status).toBe(409);
      expect((await waitFor(first.body.id)).status).toBe('released');
    });

    it('attack: grouping or filtering on the linkage key is refused (422)', async () => {
      const group = await submit(uc.useCase.id, { datasets: [h()], groupBy: ['h.nir'], measures: [{ fn: 'count' }] });
      expect([group.status, group.body.code]).toEqual([422, 'linkage_key_forbidden']);
      const filter = await submit(uc.useCase.id, { datasets: [h()], where: [{ column: 'h.nir', op: 'eq', value: '100000000000001' }], measures: [{ fn: 'count' }] });
      expect([filter.status, filter.body.code]).toEqual([422, 'linkage_key_forbidden']);
      expect(JSON.stringify(filter.body)).not.toContain('100000000000001');
    });

    it('attack: min, max or raw values cannot be asked (400), nor SQL slipped into any string field', async () => {
      for (const fn of ['min', 'max', 'list']) {
        const res = await submit(uc.useCase.id, { datasets: [h()], measures: [{ fn, column: 'h.icuDays' }] });
        expect(res.status).toBe(400);
      }
      for (const query of [
        { datasets: [{ datasetId: dataset.id, as: 'h; DROP TABLE cadre.computations' }], measures: [{ fn: 'count' }] },
        { datasets: [h()], groupBy: ['h.iris"; DROP TABLE cadre.computations; --'], measures: [{ fn: 'count' }] },
        { datasets: [h()], where: [{ column: 'h.age', op: 'eq; DELETE', value: 1 }], measures: [{ fn: 'count' }] },
      ]) {
        const res = await submit(uc.useCase.id, query);
        expect(res.status).toBe(400);
        expect(res.body.detail).not.toMatch(/syntax|relation|SELECT/i);
      }
      const bound = await run(uc.useCase.id, { datasets: [h()], where: [{ column: 'h.iris', op: 'eq', value: "x' OR '1'='1" }], measures: [{ fn: 'count' }] });
      expect(bound.status).toBe('released');
      expect(bound.result.rows[0]).toMatchObject({ count: null, reason: 'min_cell_size' }); // matched nobody
    });

    it('attack: narrowing a filter to a handful of persons returns only a suppressed cell', async () => {
      // A use case of its own: here, the population of 3 would also differ from earlier ones by fewer than 11.
      const fresh = await useCase();
      const done = await run(fresh.useCase.id, {
        datasets: [h()],
        where: [{ column: 'h.age', op: 'eq', value: 20 }, { column: 'h.iris', op: 'eq', value: IRIS[3] }],
        measures: [{ fn: 'count' }, { fn: 'mean', column: 'h.icuDays' }],
      });
      expect(done.result.rows).toEqual([{ count: null, 'mean(h.icuDays)': null, suppressed: true, reason: 'min_cell_size' }]);
    });

    it('attack: differencing two populations one person apart is rejected', async () => {
      const all = await run(uc.useCase.id, { datasets: [h()], measures: [{ fn: 'sum', column: 'h.icuDays' }] });
      expect(all.status).toBe('released');
      const minusOne = await run(uc.useCase.id, { datasets: [h()], where: [{ column: 'h.icuDays', op: 'lt', value: 50 }], measures: [{ fn: 'sum', column: 'h.icuDays' }] });
      expect(minusOne.status).toBe('rejected');
      expect(minusOne.rejection.code).toBe('differencing_risk');
      expect(minusOne.result).toBeUndefined();
    });

    it("attack: another organisation cannot see, download or cancel the team's computation (404)", async () => {
      const mine = await run(uc.useCase.id, { datasets: [h()], measures: [{ fn: 'count' }] });
      for (const token of [outsider.user('researcher').token, outsider.user('data_steward').token, outsider.admin.token]) {
        expect((await as(token).get(`/api/v1/computations/${mine.id}`)).status).toBe(404);
        expect((await as(token).get(`/api/v1/computations/${mine.id}/result.csv`)).status).toBe(404);
        expect((await as(token).get(`/api/v1/use-cases/${uc.useCase.id}/budget`)).status).toBe(404);
      }
      const submitted = await as(outsider.user('researcher').token).post(`/api/v1/use-cases/${uc.useCase.id}/computations`).send({ query: { datasets: [h()], measures: [{ fn: 'count' }] } });
      expect(submitted.status).toBe(404);
    });

    it('counts the computations used in the budget', async () => {
      const res = await as(researcher().token).get(`/api/v1/use-cases/${uc.useCase.id}/budget`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ epsilonTotal: 0, epsilonSpent: 0, computationsMax: 100 });
      expect(res.body.computationsUsed).toBeGreaterThanOrEqual(5);
      const seenByProvider = await as(provider.user('data_steward').token).get(`/api/v1/use-cases/${uc.useCase.id}/budget`);
      expect(seenByProvider.body).toEqual(res.body);
    });
  });

  it('holds a result for provider review: the team sees it only once the provider released it', async () => {
    const uc = await useCase({ conditions: { releaseMode: 'provider_review' } });
    const held = await run(uc.useCase.id, { datasets: [h()], groupBy: ['h.iris'], measures: [{ fn: 'count' }] });
    expect(held.status).toBe('pending_release');
    expect(held.result).toBeUndefined();
    expect((await as(researcher().token).get(`/api/v1/computations/${held.id}/result.csv`)).status).toBe(409);
    const forProvider = await as(provider.user('data_steward').token).get(`/api/v1/computations/${held.id}`);
    expect(forProvider.body.result.rows).toHaveLength(4);
    expect((await as(researcher().token).post(`/api/v1/computations/${held.id}/release`)).status).toBe(403);
    const released = await as(provider.user('data_steward').token).post(`/api/v1/computations/${held.id}/release`);
    expect(released.status).toBe(200);
    expect(released.body.status).toBe('released');
    const forTeam = await as(researcher().token).get(`/api/v1/computations/${held.id}`);
    expect(forTeam.body.result.rows).toEqual(forProvider.body.result.rows);
    expect((await as(provider.user('data_steward').token).post(`/api/v1/computations/${held.id}/release`)).status).toBe(409);
  });

  it('spends the DP budget exactly to its limit, then rejects with budget_exhausted', async () => {
    const uc = await useCase({ laplace: 1 });
    const mismatch = await submit(uc.useCase.id, { datasets: [h()], measures: [{ fn: 'count' }] });
    expect([mismatch.status, mismatch.body.code]).toEqual([422, 'privacy_mechanism_mismatch']);
    const dp = { mechanism: 'laplace', epsilon: 0.5 };
    const query = { datasets: [h()], groupBy: ['h.iris'], measures: [{ fn: 'count' }, { fn: 'quantile', column: 'h.icuDays', q: 0.5 }], privacy: dp };
    const first = await run(uc.useCase.id, query);
    const second = await run(uc.useCase.id, query);
    expect([first.status, second.status]).toEqual(['released', 'released']);
    expect(first.result.rows.map((r: Json) => r['h.iris'])).toEqual(IRIS); // the declared domain, whatever the data
    expect(first.result.privacy).toMatchObject({ mechanism: 'laplace', epsilonSpent: 0.5, maxCellsPerPerson: 1 });
    const third = await run(uc.useCase.id, query);
    expect(third.status).toBe('rejected');
    expect(third.rejection.code).toBe('budget_exhausted');
    const budget = await as(researcher().token).get(`/api/v1/use-cases/${uc.useCase.id}/budget`);
    expect(budget.body).toMatchObject({ epsilonTotal: 1, epsilonSpent: 1, computationsUsed: 2 });
    const ledger = await platform.owner.query('SELECT count(*)::int AS n FROM cadre.privacy_budget_ledger WHERE use_case_id = $1', [uc.useCase.id]);
    expect(ledger.rows[0].n).toBe(2);
  });

  it('refuses a queued computation once its contract is terminated, and a job that runs twice changes nothing twice', async () => {
    const uc = await useCase();
    const handler = platform.app.get(RunComputationHandler, { strict: false });
    const done = await run(uc.useCase.id, { datasets: [h()], measures: [{ fn: 'count' }] });
    const audit = async () => (await platform.owner.query(`SELECT count(*)::int AS n FROM cadre.audit_events WHERE subject_id = $1`, [done.id])).rows[0].n;
    const before = await audit();
    await handler.handle({ computationId: done.id });
    expect(await audit()).toBe(before);
    expect((await waitFor(done.id)).result).toEqual(done.result);

    // A computation queued but not yet run (its job not published), then the provider terminates the contract.
    const [{ id: queued }] = (
      await platform.owner.query(
        `INSERT INTO cadre.computations (use_case_id, submitted_by, query, plan, mechanism, contract_ids, provider_organisation_ids)
         SELECT use_case_id, submitted_by, query, plan, mechanism, contract_ids, provider_organisation_ids FROM cadre.computations WHERE id = $1 RETURNING id`,
        [done.id],
      )
    ).rows;
    const contract = await contractOf(world, uc.useCase.id, provider.id);
    expect((await as(provider.admin.token).post(`/api/v1/contracts/${contract.id}/terminate`).send({ reason: 'data quality incident' })).status).toBe(200);
    await handler.handle({ computationId: queued });
    const refused = await waitFor(queued);
    expect(refused.status).toBe('rejected');
    expect(refused.rejection.code).toBe('contract_inactive');
    const resubmit = await submit(uc.useCase.id, { datasets: [h()], measures: [{ fn: 'count' }] });
    expect([resubmit.status, resubmit.body.code]).toEqual([422, 'contract_inactive']);
  });

  it('lets the team cancel a queued computation, once', async () => {
    const uc = await useCase();
    const done = await run(uc.useCase.id, { datasets: [h()], measures: [{ fn: 'count' }] });
    expect((await as(researcher().token).post(`/api/v1/computations/${done.id}/cancel`)).status).toBe(409);
  });
});
