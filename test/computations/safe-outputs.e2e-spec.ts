import { Readable } from 'node:stream';
import { UploadsService } from '@cadre/datasets';
import { contractOf, signAllContracts } from '../support/contracts';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { createWorld, Member, TestDataset, TrustedUseCase, World } from '../support/world';

 
type Json = any;

const IRIS = ['340170101', '340170102'];
const COLUMNS = [
  { name: 'nir', type: 'text', role: 'linkage_key' },
  { name: 'iris', type: 'category', role: 'quasi_identifier', categories: IRIS },
  { name: 'icuDays', type: 'integer', role: 'sensitive', min: 0, max: 60 },
] as const;
const nir = (i: number) => `2${String(i).padStart(14, '0')}`;

/** 40 persons in …101 (2 ICU days each), 20 in …102 (3 days); `extra` plants more persons in …101. */
function csv(extra: { id: number; icuDays: number }[] = []): string {
  const lines = ['nir,iris,icuDays'];
  for (let i = 0; i < 40; i++) lines.push(`${nir(i)},${IRIS[0]},2`);
  for (let i = 40; i < 60; i++) lines.push(`${nir(i)},${IRIS[1]},3`);
  for (const p of extra) lines.push(`${nir(p.id)},${IRIS[0]},${p.icuDays}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Safe outputs II through HTTP: the published p-table, dataset versions recorded and
 * differenced on, membership at submission and when the job runs, and the storing
 * transaction's re-check under the use case's lock.
 */
describe('safe outputs: p-table, versions, membership, storing re-check', () => {
  let platform: TestPlatform;
  let world: World;
  let requester: Member;
  let provider: Member;
  let dataset: TestDataset;

  const researcher = () => requester.user('researcher');
  const h = () => ({ datasetId: dataset.id, as: 'h' });
  const byIris = () => ({ datasets: [h()], groupBy: ['h.iris'], measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }] });

  async function waitFor(id: string): Promise<Json> {
    for (let i = 0; i < 400; i++) {
      const res = await world.as(researcher().token).get(`/api/v1/computations/${id}`);
      if (!['queued', 'running'].includes(res.body.status)) return res.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`computation ${id} did not finish`);
  }
  /** Waits until some session of this database waits on a row lock (the job, about to store). */
  async function untilBlocked(): Promise<void> {
    for (let i = 0; i < 400; i++) {
      const { rows } = await platform.owner.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (rows[0].n > 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the job never waited on the lock');
  }
  const submit = (useCaseId: string, query: Json) => world.as(researcher().token).post(`/api/v1/use-cases/${useCaseId}/computations`).send({ query });

  async function upload(body: string): Promise<void> {
    const steward = provider.user('data_steward');
    const done = await platform.app.get(UploadsService, { strict: false }).upload({ id: steward.id, organisationId: provider.id }, dataset.id, Readable.from([body]));
    expect(done).toMatchObject({ status: 'succeeded' });
  }

  async function activeUseCase(): Promise<TrustedUseCase> {
    const trusted = await world.trustedUseCase({ requester, providers: [provider], datasets: [dataset] });
    const active = await signAllContracts(world, trusted);
    expect(active.status).toBe('active');
    return { ...trusted, useCase: active };
  }

  beforeAll(async () => {
    platform = await startTestPlatform();
    world = createWorld(platform);
    requester = await world.createMember('health', ['researcher']);
    provider = await world.createMember('public_institutions', ['data_steward']);
    dataset = await world.createDataset(provider, { columns: COLUMNS as never });
    await upload(csv());
  });
  afterAll(() => platform?.close());

  describe('the published perturbation table', () => {
    it('is public, at the platform defaults, and never takes a count under the minimum cell size', async () => {
      const res = await platform.http().get('/api/v1/register/perturbation-table').expect(200);
      const t = res.body;
      expect(t).toMatchObject({ method: 'cell_key', maxDeviation: 2, variance: 1, minCellSize: 11 });
      expect(t.counts.map((c: Json) => c.count)).toEqual(Array.from({ length: t.counts.length }, (_, i) => i));
      for (const row of t.counts) {
        const total = row.deviations.reduce((a: number, d: Json) => a + d.probability, 0);
        expect(total).toBeCloseTo(1, 9);
        for (const d of row.deviations) {
          expect(Math.abs(d.deviation)).toBeLessThanOrEqual(t.maxDeviation);
          if (row.count >= t.minCellSize) expect(row.count + d.deviation).toBeGreaterThanOrEqual(t.minCellSize);
        }
      }
      // The last entry applies to every larger count: unbiased, with the stated variance.
      const last = t.counts[t.counts.length - 1].deviations;
      expect(last.reduce((a: number, d: Json) => a + d.deviation * d.probability, 0)).toBeCloseTo(0, 6);
      expect(last.reduce((a: number, d: Json) => a + d.deviation ** 2 * d.probability, 0)).toBeCloseTo(1, 6);
    });

    it('takes its parameters from the query, and refuses bad ones with problem+json (400)', async () => {
      const t = (await platform.http().get('/api/v1/register/perturbation-table?maxDeviation=3&variance=2&minCellSize=15').expect(200)).body;
      expect(t).toMatchObject({ maxDeviation: 3, variance: 2, minCellSize: 15 });
      expect(t.counts[t.counts.length - 1].count).toBe(18);
      for (const bad of ['maxDeviation=0', 'maxDeviation=abc', 'variance=4', 'variance=-1', 'minCellSize=0', 'maxDeviation=2.5']) {
        const res = await platform.http().get(`/api/v1/register/perturbation-table?${bad}`);
        expect({ bad, status: res.status, type: res.headers['content-type'] }).toEqual({ bad, status: 400, type: expect.stringMatching(/application\/problem\+json/) });
      }
    });
  });

  it('takes a provider’s larger perturbation from its contract (stricter only) and states it in the result', async () => {
    const trusted = await world.trustedUseCase({ requester, providers: [provider], datasets: [dataset] });
    const contract = await contractOf(world, trusted.useCase.id, provider.id);
    const patch = (perturbation: Json) => world.as(provider.admin.token).patch(`/api/v1/contracts/${contract.id}`).send({ terms: { disclosure: { perturbation } } });
    const looser = await patch({ maxDeviation: 1 });
    expect(looser.status).toBe(400); // below the platform's 2: not even a valid term
    expect((await patch({ maxDeviation: 3 })).status).toBe(200);
    const back = await patch({ maxDeviation: 2 });
    expect([back.status, back.body.code]).toEqual([422, expect.any(String)]);
    await signAllContracts(world, trusted);
    const done = await waitFor((await submit(trusted.useCase.id, byIris())).body.id);
    expect(done.status).toBe('released');
    expect(done.result.disclosure.perturbation).toEqual({ method: 'cell_key', maxDeviation: 3, variance: 1 });
    const [a, b] = done.result.rows;
    expect(Math.abs(a.count - 40)).toBeLessThanOrEqual(3);
    expect(Math.abs(b.count - 20)).toBeLessThanOrEqual(3);
  });

  it('records the dataset versions in the signed result, and refuses a rerun that differs by one person planted in a new version', async () => {
    const uc = await activeUseCase();
    const first = await submit(uc.useCase.id, byIris());
    expect(first.status).toBe(202);
    const before = await waitFor(first.body.id);
    expect(before.status).toBe('released');
    expect(before.result.datasetVersions).toEqual([{ datasetId: dataset.id, version: 1 }]);

    // The provider's routine update: the same rows plus one person with 55 ICU days.
    await upload(csv([{ id: 900, icuDays: 55 }]));
    const again = await waitFor((await submit(uc.useCase.id, byIris())).body.id);
    // The earlier population is re-derived on version 1, the one it recorded: one person apart.
    expect(again.status).toBe('rejected');
    expect(again.rejection.code).toBe('differencing_risk');
    expect(again.result).toBeUndefined(); // nothing of the planted person's 55 days is published
  });

  it('refuses a suspended requester at submission (422), and rejects when it is suspended before the job runs', async () => {
    const uc = await activeUseCase();
    const admin = await world.adminToken();
    const suspend = (status: 'suspended' | 'active') => world.as(admin).patch(`/api/v1/organisations/${requester.id}`).send({ status });
    expect((await suspend('suspended')).status).toBe(200);
    const refused = await submit(uc.useCase.id, byIris());
    expect([refused.status, refused.body.code]).toEqual([422, 'organisation_suspended']);
    expect((await suspend('active')).status).toBe(200);

    // Suspended while the job runs: the suspension is in flight (row locked, not committed)
    // when the job starts and reads 'active'; the job stores only under the organisation's
    // lock, so it waits, then sees the suspension.
    await platform.owner.query('BEGIN');
    try {
      await platform.owner.query(`UPDATE cadre.organisations SET status = 'suspended' WHERE id = $1`, [requester.id]);
      const accepted = await submit(uc.useCase.id, { datasets: [h()], measures: [{ fn: 'count' }] });
      expect(accepted.status).toBe(202);
      await untilBlocked();
      await platform.owner.query('COMMIT');
      const done = await waitFor(accepted.body.id);
      expect(done.status).toBe('rejected');
      expect(done.rejection.code).toBe('organisation_suspended');
    } catch (e) {
      await platform.owner.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    await platform.owner.query(`UPDATE cadre.organisations SET status = 'active' WHERE id = $1`, [requester.id]);
  });

  it('re-checks the use case under its lock when storing: a suspension while the query runs ends the computation rejected', async () => {
    const uc = await activeUseCase();
    // A transition in progress: the use case row moved (and so locked), not yet committed. The job
    // reads the committed 'active' state, runs its query, then waits on the lock to store.
    await platform.owner.query('BEGIN');
    try {
      await platform.owner.query(`UPDATE cadre.use_cases SET status = 'suspended' WHERE id = $1`, [uc.useCase.id]);
      const accepted = await world.as(researcher().token).post(`/api/v1/use-cases/${uc.useCase.id}/computations`).send({ query: byIris() });
      expect(accepted.status).toBe(202);
      await untilBlocked();
      const status = await world.as(researcher().token).get(`/api/v1/computations/${accepted.body.id}`);
      expect(status.body.status).toBe('running');
      await platform.owner.query('COMMIT');
      const done = await waitFor(accepted.body.id);
      expect(done.status).toBe('rejected');
      expect(done.rejection.code).toBe('use_case_inactive');
      expect(done.result).toBeUndefined();
    } catch (e) {
      await platform.owner.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });

  it('fails closed when the vault holds a value outside the declared domain (rule 0): no cell, no margin released', async () => {
    // A category column is grouped with `IS NOT NULL` only (ingestion admits no other value); were a
    // value ever planted behind ingestion's back, the answer holds a cell outside the domain.
    const planted = await world.createDataset(provider, { columns: COLUMNS as never });
    const steward = provider.user('data_steward');
    await platform.app.get(UploadsService, { strict: false }).upload({ id: steward.id, organisationId: provider.id }, planted.id, Readable.from([csv()]));
    const [{ table_name }] = (
      await platform.owner.query(`SELECT v.table_name FROM cadre.datasets d JOIN cadre.dataset_versions v ON v.id = d.current_version_id WHERE d.id = $1`, [planted.id])
    ).rows;
    await platform.owner.query(`INSERT INTO vault."${table_name}" (nir, iris, "icuDays") SELECT 'planted-' || i, 'UNDECLARED-IRIS', 7 FROM generate_series(1, 30) AS i`);
    const trusted = await world.trustedUseCase({ requester, providers: [provider], datasets: [planted] });
    const active = await signAllContracts(world, trusted);
    for (const totals of [false, true]) {
      const accepted = await submit(active.id, { datasets: [{ datasetId: planted.id, as: 'h' }], groupBy: ['h.iris'], measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }], totals });
      expect(accepted.status).toBe(202);
      const done = await waitFor(accepted.body.id);
      expect(done.status).toBe('failed');
      expect(done.result).toBeUndefined();
      expect(JSON.stringify(done)).not.toContain('UNDECLARED');
    }
  });
});
